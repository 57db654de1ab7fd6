"""Reporting periods as a table, and the day-counting rules every family shares.

Every request's periods (60 months, or 24 overlapping rolling years) become one small
table that facts join to, so all periods are computed in one query instead of a Python
loop. The day rules are the publication's: an interval ``[start, end)`` occupies the
midnights from ``start`` up to but not including ``end`` (admission day counted,
discharge day not), an open interval runs to the end of the period, and a record is
*open at the end* of a period when its end is missing or after the period's last day.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.operations as ops
import pandas as pd
from ibis.expr.types import BooleanValue, DateValue, IntegerValue, Table, Value

from nearhome.metrics.intervals import OPEN_END
from nearhome.periods import ReportingPeriod, month_number

PERIOD_KEYS = ("period_start", "period_end", "period_last")
MAX_PERIOD_MONTHS = 12
"""The longest reporting period, in calendar months (a financial or rolling year)."""
PERIOD_MONTH = "_period_month"
"""Column of :func:`period_months`: one calendar month of a period (:func:`month_index`)."""


def periods_table(periods: Sequence[ReportingPeriod]) -> Table:
    """The periods as an in-memory table: ``period_start``, ``period_end`` (exclusive),
    ``period_last`` (inclusive last day) and ``days``.

    Every reporting period is whole calendar months, at most a year (months, quarters,
    financial and rolling years): :func:`joined_on_day` finds a day's periods by its
    month, so a period that is not is refused here rather than miscounted there.
    """
    for period in periods:
        months = period.whole_months
        if months is None or months > MAX_PERIOD_MONTHS:
            raise ValueError(
                f"Reporting period {period.start}..{period.last_day} is not whole "
                f"calendar months, or is longer than {MAX_PERIOD_MONTHS} months."
            )
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


def month_index(day: Value) -> IntegerValue:
    """The calendar month of ``day`` as one whole number: in a query, what
    :func:`~nearhome.periods.month_number` is in Python.

    Months are compared as numbers, not as first days: engines type a date moved by an
    interval differently (DuckDB makes it a timestamp), and a join of a date to a
    timestamp is not an equality they can hash.
    """
    return day.year() * 12 + day.month() - 1  # type: ignore[attr-defined,no-any-return]


def period_months(periods: Table) -> Table:
    """Each period once per calendar month it holds, that month's :func:`month_index`
    in :data:`PERIOD_MONTH` (a month of the rolling years belongs to twelve of them).

    Made in memory from the rows of :func:`periods_table`, so that engines see one
    small table to hash: written as a join of the periods to month offsets, DuckDB
    folded it into the facts' join and compared every fact with every pair.
    """
    op = periods.op()
    if not isinstance(op, ops.InMemoryTable):
        raise TypeError("period_months needs the periods of periods_table().")
    rows: list[dict[str, object]] = []
    for row in op.data.to_frame().to_dict("records"):
        start = pd.Timestamp(row["period_start"]).date()
        period = ReportingPeriod(start, pd.Timestamp(row["period_end"]).date())
        months = range(period.whole_months or 0)
        rows.extend({**row, PERIOD_MONTH: month_number(start) + k} for k in months)
    schema = periods.schema() | ibis.schema({PERIOD_MONTH: "int64"})
    return ibis.memtable(pd.DataFrame(rows, columns=list(schema.names)), schema=schema)


def joined_on_day(rows: Table, day: str, periods: Table) -> Table:
    """``rows`` with the periods their ``day`` falls in (none where it is missing).

    The same pairs as joining on :func:`in_period`, found by an equality instead of two
    comparisons: a day is in a period exactly when its calendar month is one of the
    period's months. Engines join on an equality with a hash table, where two range
    conditions become a merge join (DuckDB) or a nested loop (Spark) over every pair.
    The day's month is made a column before the join: left as an expression in the
    condition, DuckDB planned admissions' join as a cross product of every spell and
    period-month, filtered afterwards.
    """
    months = period_months(periods)
    keyed = rows.mutate(_day_month=month_index(rows[day]))
    joined = keyed.join(months, keyed._day_month == months[PERIOD_MONTH])
    return joined.drop(PERIOD_MONTH, "_day_month")


def joined_on_interval(rows: Table, start: str, end: Value, periods: Table) -> Table:
    """``rows`` with every period their ``[start, end]`` touches (an open end runs on).

    The same pairs as joining on :func:`touches`. Most intervals this serves (a
    restrictive intervention lasts minutes) end in the month they start, so the periods
    holding the start are found by :func:`joined_on_day`, and only the few intervals
    that run into a later month are joined by range, to the periods that begin after
    their first day (which the first join did not find).
    """
    marked = rows.mutate(_open_end=ibis.coalesce(end, OPEN_END))
    holding_start = joined_on_day(marked, start, periods)
    longer = marked.filter(month_index(marked._open_end) > month_index(marked[start]))
    later = longer.join(
        periods,
        (periods.period_start > longer[start])
        & (periods.period_start <= longer._open_end),
    )
    both = ibis.union(holding_start, later.select(*holding_start.columns))
    return both.drop("_open_end")


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
    open_end = ibis.coalesce(end, OPEN_END)
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
