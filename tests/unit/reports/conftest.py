"""Hand-made report inputs: tidy metric frames, results and a section context."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import pandas as pd
import pytest

from nearhome.metrics.disclosure import POLICIES
from nearhome.metrics.registry import catalogue
from nearhome.metrics.run import COLUMNS
from nearhome.periods import ReportingPeriod
from nearhome.reports.results import Results
from nearhome.reports.scorecard import default_scorecard
from nearhome.reports.sections.context import Context

YEAR = ReportingPeriod(dt.date(2025, 10, 1), dt.date(2026, 10, 1))
Row = tuple[str, str, str, object, object, object]
"""(measure, breakdown, level, numerator, denominator, value)."""


def tidy(
    rows: Iterable[Row], *, start: dt.date = YEAR.start, last: dt.date = YEAR.last_day
) -> pd.DataFrame:
    """A tidy results frame (as run_metrics returns) from short rows."""
    return pd.DataFrame(
        [
            {
                "measure_id": m,
                "mhsds_id": None,
                "period_start": start,
                "period_end": last,
                "breakdown": b,
                "level": lvl,
                "level_description": lvl,
                "numerator": n,
                "denominator": d,
                "value": v,
                "unit": "",
            }
            for m, b, lvl, n, d, v in rows
        ],
        columns=COLUMNS,
    )


def monthly(
    measure: str, values: list[object], first: dt.date = dt.date(2024, 10, 1)
) -> pd.DataFrame:
    """A monthly ``all`` series of one measure."""
    frames = []
    for i, value in enumerate(values):
        month = dt.date(
            first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1
        )
        frames.append(
            tidy(
                [(measure, "all", "ALL", value, float("nan"), value)],
                start=month,
                last=month,
            )
        )
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="session")
def specs() -> Mapping[str, object]:
    return {m.id: m for m in catalogue()}


def results_of(
    specs: Mapping[str, object],
    *,
    year: pd.DataFrame | None = None,
    year_raw: pd.DataFrame | None = None,
    months: pd.DataFrame | None = None,
    policy: str = "mhsds",
) -> Results:
    """Results from hand-made frames (raw frames default to the shown ones)."""
    empty = tidy([])
    shown_year = year if year is not None else empty
    shown_months = months if months is not None else empty
    return Results(
        POLICIES[policy],
        specs,  # type: ignore[arg-type]
        monthly=shown_months,
        monthly_shown=shown_months,
        year=year_raw if year_raw is not None else shown_year,
        year_shown=shown_year,
    )


def context_of(results: Results, **extra: object) -> Context:
    return Context(
        icb="QAA",
        period=YEAR,
        results=results,
        policy=results.policy,
        plan=None,
        scorecard=default_scorecard(),
        **extra,
    )  # type: ignore[arg-type]
