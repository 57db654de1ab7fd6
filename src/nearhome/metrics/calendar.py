"""Reporting periods as a table, and the day-counting rules every family shares.

Every request's periods (60 months, or 24 overlapping rolling years) become one small
table that facts join to, so all periods are computed in one query instead of a Python
loop. The day rules are the publication's: an interval ``[start, end)`` occupies the
midnights from ``start`` up to but not including ``end`` (admission day counted,
discharge day not), an open interval runs to the end of the period, and a record is
*open at the end* of a period when its end is missing or after the period's last day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import ibis
import pandas as pd
from ibis.expr.types import BooleanValue, DateValue, IntegerValue, Table, Value

from nearhome.periods import ReportingPeriod, add_months

PERIOD_KEYS = ("period_start", "period_end", "period_last")


def periods_table(periods: Sequence[ReportingPeriod]) -> Table:
    """The periods as an in-memory table: ``period_start``, ``period_end`` (exclusive),
    ``period_last`` (inclusive last day) and ``days``."""
    frame = pd.DataFrame(
        {
            "period_start": [p.start for p in periods],
            "period_end": [p.end for p in periods],
            "period_last": [p.last_day for p in periods],
            "days": [p.days for p in periods],
        }
    )
    schema = ibis.schema(
        {
            "period_start": "date",
            "period_end": "date",
            "period_last": "date",
            "days": "int64",
        }
    )
    return ibis.memtable(frame, schema=schema)


def months_table(periods: Sequence[ReportingPeriod]) -> Table:
    """Every calendar month touched by the periods (``month_start``, ``month_end``)."""
    first = min(p.start for p in periods).replace(day=1)
    last = max(p.end for p in periods)
    starts: list[dt.date] = []
    cursor = first
    while cursor < last:
        starts.append(cursor)
        cursor = add_months(cursor, 1)
    frame = pd.DataFrame(
        {"month_start": starts, "month_end": [add_months(s, 1) for s in starts]}
    )
    schema = ibis.schema({"month_start": "date", "month_end": "date"})
    return ibis.memtable(frame, schema=schema)


def days_between(later: Value, earlier: Value) -> IntegerValue:
    """Whole days from ``earlier`` to ``later`` (negative when ``later`` is earlier)."""
    return later.delta(earlier, unit="day")  # type: ignore[attr-defined,no-any-return]


def plus_days(day: Value, days: int) -> DateValue:
    """``day`` moved by a whole number of days."""
    return day + ibis.interval(days=days)  # type: ignore[operator,no-any-return]


def days_within(start: Value, end: Value, t: Table) -> IntegerValue:
    """Midnights of ``[start, end)`` inside the period (an open ``end`` runs to its end).

    This is the publication's bed-day rule: admission day counted, discharge day not.
    """
    upper = ibis.least(ibis.coalesce(end, t.period_end), t.period_end)
    lower = ibis.greatest(start, t.period_start)
    return ibis.greatest(days_between(upper, lower), 0)  # type: ignore[no-any-return]


def touches(start: Value, end: Value, t: Table) -> BooleanValue:
    """The interval has at least one day, or its start or end, in the period.

    Zero-length stays (admitted and discharged the same day) touch the period they
    happen in, so they count as people in hospital during it. Written as two plain
    comparisons (an open end as the far future, not an ``OR``) so that joining
    intervals to periods is a range join, not a nested loop over every pair.
    """
    open_end = ibis.coalesce(end, ibis.date(9999, 12, 31))
    return (start <= t.period_last) & (open_end >= t.period_start)  # type: ignore[operator,no-any-return]


def in_period(day: Value, t: Table) -> BooleanValue:
    """``day`` falls in the period."""
    return (day >= t.period_start) & (day < t.period_end)  # type: ignore[operator,no-any-return]


def open_at_end(start: Value, end: Value, t: Table) -> BooleanValue:
    """Started by the period's last day and not ended by it (end null or after it)."""
    return (start <= t.period_last) & (end.isnull() | (end > t.period_last))  # type: ignore[operator,attr-defined,no-any-return]


def age_on(birth: Value, day: Value) -> IntegerValue:
    """Age in whole years on ``day`` (the publication's ``AgeRepPeriodEnd`` when
    ``day`` is the period's last day)."""
    years = day.year() - birth.year()  # type: ignore[attr-defined]
    before_birthday = (day.month() < birth.month()) | (  # type: ignore[attr-defined]
        (day.month() == birth.month()) & (day.day() < birth.day())  # type: ignore[attr-defined]
    )
    return (years - before_birthday.cast("int64")).cast("int64")  # type: ignore[no-any-return]
