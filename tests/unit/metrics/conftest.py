"""Fixtures for the metric tests: the tiny extract loaded once, and a results helper."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from nearhome.data.load import load_extract
from nearhome.data.warehouse import Warehouse, connect
from nearhome.metrics.run import run_metrics

SPAN = "2024-03..2024-05"
MONTHS = {3: dt.date(2024, 3, 1), 4: dt.date(2024, 4, 1), 5: dt.date(2024, 5, 1)}

Lookup = Callable[..., float]


@pytest.fixture(scope="session")
def tiny_warehouse(tiny_extract: Path) -> Warehouse:
    """The tiny extract loaded into an in-memory DuckDB warehouse (read-only use)."""
    warehouse = connect("duckdb://")
    load_extract(warehouse, tiny_extract)
    return warehouse


@pytest.fixture(scope="session")
def tiny_all(tiny_warehouse: Warehouse) -> pd.DataFrame:
    """The whole catalogue on the tiny extract, monthly, March-May 2024, all breakdown."""
    return run_metrics(tiny_warehouse, "all", period=SPAN, by="all")


def pick(
    frame: pd.DataFrame,
    metric_id: str,
    month: int,
    level: str = "ALL",
    column: str = "value",
) -> float:
    """One cell of a result frame (month of 2024, level of the breakdown in the frame)."""
    rows = frame[
        (frame["measure_id"] == metric_id)
        & (frame["period_start"] == MONTHS[month])
        & (frame["level"] == level)
    ]
    assert len(rows) == 1, f"{metric_id} {month} {level}: {len(rows)} rows"
    return float(rows[column].iloc[0])


@pytest.fixture
def value(tiny_all: pd.DataFrame) -> Lookup:
    """``value(id, month)``: the value of a metric for a month of the tiny extract."""

    def lookup(metric_id: str, month: int, column: str = "value") -> float:
        return pick(tiny_all, metric_id, month, column=column)

    return lookup
