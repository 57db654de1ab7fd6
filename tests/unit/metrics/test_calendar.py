"""Joining rows to periods by calendar month gives exactly the pairs of the range
conditions it replaces, for every kind of reporting period."""

from __future__ import annotations

import datetime as dt

import ibis
import numpy as np
import pandas as pd
import pytest

from nearhome.data.warehouse import connect
from nearhome.metrics.calendar import (
    in_period,
    joined_on_day,
    joined_on_interval,
    periods_table,
    touches,
)
from nearhome.periods import ReportingPeriod, month_number, parse_span, split

SPAN = "2023-01..2025-06"
FIRST = dt.date(2022, 11, 1)


def _intervals(count: int = 600, seed: int = 3) -> pd.DataFrame:
    """Intervals starting before, inside and after the span: most end the same day,
    some cross months or years, some have no end, and a few no start."""
    rng = np.random.default_rng(seed)
    starts = [FIRST + dt.timedelta(days=int(d)) for d in rng.integers(0, 1000, count)]
    lengths = rng.choice([0, 0, 0, 1, 3, 20, 45, 400, -1], size=count)
    ends = [
        None if n < 0 else s + dt.timedelta(days=int(n))
        for s, n in zip(starts, lengths, strict=True)
    ]
    for index in range(0, count, 97):
        starts[index] = None  # type: ignore[call-overload]
    # Month edges: the first and last day of a month, and an end on the next month's first.
    starts[1], ends[1] = dt.date(2023, 3, 31), dt.date(2023, 4, 1)
    starts[2], ends[2] = dt.date(2023, 4, 1), dt.date(2023, 4, 1)
    starts[3], ends[3] = dt.date(2024, 2, 10), None  # still open
    return pd.DataFrame(
        {"row_id": range(count), "start_date": starts, "end_date": ends}
    ).astype({"start_date": "datetime64[s]", "end_date": "datetime64[s]"})


def _pairs(table: ibis.Table) -> set[tuple[int, dt.date]]:
    frame = connect("duckdb://").execute(table.select("row_id", "period_start"))
    return {
        (int(r), pd.Timestamp(p).date())
        for r, p in zip(frame["row_id"], frame["period_start"], strict=True)
    }


@pytest.mark.parametrize("frequency", ["month", "quarter", "fy", "rolling12"])
def test_a_day_joins_the_periods_it_falls_in(frequency: str) -> None:
    periods = periods_table(split(parse_span(SPAN), frequency))  # type: ignore[arg-type]
    rows = ibis.memtable(_intervals()).mutate(start_date=lambda t: t.start_date.date())
    expected = _pairs(rows.join(periods, in_period(rows.start_date, periods)))
    assert expected  # the intervals do fall in the span
    assert _pairs(joined_on_day(rows, "start_date", periods)) == expected


@pytest.mark.parametrize("frequency", ["month", "quarter", "fy", "rolling12"])
def test_an_interval_joins_every_period_it_touches(frequency: str) -> None:
    periods = periods_table(split(parse_span(SPAN), frequency))  # type: ignore[arg-type]
    rows = ibis.memtable(_intervals()).mutate(
        start_date=lambda t: t.start_date.date(), end_date=lambda t: t.end_date.date()
    )
    expected = _pairs(
        rows.join(periods, touches(rows.start_date, rows.end_date, periods))
    )
    found = joined_on_interval(rows, "start_date", rows.end_date, periods)
    assert set(found.columns) == {*rows.columns, *periods.columns}
    assert _pairs(found) == expected
    if frequency == "month":
        # Still open from 10 February 2024: every month to the span's last, June 2025.
        assert len({p for r, p in expected if r == 3}) == 17
        # Ends on 1 April: touches March and April (its end day is in April).
        assert {p for r, p in expected if r == 1} == {
            dt.date(2023, 3, 1),
            dt.date(2023, 4, 1),
        }


def test_periods_that_are_not_whole_months_are_refused() -> None:
    with pytest.raises(ValueError, match="whole calendar months"):
        periods_table([ReportingPeriod(dt.date(2024, 1, 1), dt.date(2024, 1, 15))])
    with pytest.raises(ValueError, match="longer than 12 months"):
        periods_table([ReportingPeriod(dt.date(2024, 1, 1), dt.date(2025, 4, 1))])


def test_a_period_counts_its_whole_calendar_months() -> None:
    assert ReportingPeriod.month(2024, 2).whole_months == 1
    assert ReportingPeriod.financial_year(2024).whole_months == 12
    assert (
        ReportingPeriod(dt.date(2024, 1, 1), dt.date(2024, 1, 15)).whole_months is None
    )
    # Month numbers run on across years: December 2023 is one before January 2024.
    assert month_number(dt.date(2024, 1, 31)) - month_number(dt.date(2023, 12, 1)) == 1


@pytest.mark.parametrize("frequency", ["month", "quarter", "fy", "rolling12"])
def test_a_span_starting_mid_month_is_cut_into_whole_months(frequency: str) -> None:
    # 15 January 2024 to 15 June 2025: the first whole month is February 2024.
    span = ReportingPeriod(dt.date(2024, 1, 15), dt.date(2025, 6, 15))
    periods = split(span, frequency)  # type: ignore[arg-type]
    assert periods
    assert all(p.whole_months is not None for p in periods)
    periods_table(periods)  # accepted: every period is whole calendar months
    if frequency == "month":
        assert periods[0].start == dt.date(2024, 2, 1)
        assert periods[-1].last_day == dt.date(2025, 5, 31)
        assert len(periods) == 16
