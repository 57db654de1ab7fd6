"""Synthetic extracts shared by the generator's tests (built once per session)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from nearhome.data.synthetic import synthetic_tables

Tables = dict[str, pd.DataFrame]


@pytest.fixture(scope="session")
def small() -> Tables:
    """One ICB, one year, 5 % of a real ICB: all v6."""
    return synthetic_tables(icbs=1, years=1, scale=0.05, seed=11)


@pytest.fixture(scope="session")
def spanning() -> Tables:
    """Two ICBs over two years either side of April 2024 (v5 and v6 months)."""
    return synthetic_tables(
        icbs=2, years=2, scale=0.08, seed=5, end_month=dt.date(2025, 3, 1)
    )


@pytest.fixture(scope="session")
def icb_year() -> Tables:
    """One full-sized ICB for one year: the calibration checks run on this."""
    return synthetic_tables(icbs=1, years=1, scale=1.0, seed=7)
