"""Reporting periods: half-open date ranges ``[start, end)`` with NHS conventions.

Publications speak of inclusive calendar months (``period_end`` is the last day); inside
nearhome every interval is half-open so bed days and overlaps never suffer off-by-one
errors. NHS financial years run April to March.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from nearhome.errors import InvalidConfig

Frequency = Literal["month", "quarter", "fy", "rolling12"]
FREQUENCIES: tuple[Frequency, ...] = ("month", "quarter", "fy", "rolling12")


def month_number(day: dt.date) -> int:
    """The calendar month of ``day`` as one whole number (months since year 0)."""
    return day.year * 12 + day.month - 1


def add_months(day: dt.date, months: int) -> dt.date:
    """Return the first of the month ``months`` after the month containing ``day``."""
    index = month_number(day) + months
    return dt.date(index // 12, index % 12 + 1, 1)


def uniq_month_id(day: dt.date) -> int:
    """MHSDS ``UniqMonthID`` of the month containing ``day`` (April 1900 is 1).

    Examples:
        >>> uniq_month_id(dt.date(2024, 4, 1))
        1489
    """
    return (day.year - 1900) * 12 + day.month - 3


def month_of_uniq_id(month_id: int) -> dt.date:
    """First day of the month with this ``UniqMonthID``.

    Examples:
        >>> month_of_uniq_id(1459)
        datetime.date(2021, 10, 1)
    """
    return add_months(dt.date(1900, 4, 1), month_id - 1)


@dataclass(frozen=True, order=True)
class ReportingPeriod:
    """A half-open period ``[start, end)`` of whole days."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise InvalidConfig(
                f"Period end {self.end} must be after its start {self.start}."
            )

    @property
    def last_day(self) -> dt.date:
        """The inclusive end date, as publications print it."""
        return self.end - dt.timedelta(days=1)

    @property
    def days(self) -> int:
        """Number of days (midnights) in the period."""
        return (self.end - self.start).days

    @classmethod
    def month(cls, year: int, month: int) -> ReportingPeriod:
        """The calendar month."""
        start = dt.date(year, month, 1)
        return cls(start, add_months(start, 1))

    @classmethod
    def financial_year(cls, first_year: int) -> ReportingPeriod:
        """NHS financial year starting 1 April ``first_year``."""
        return cls(dt.date(first_year, 4, 1), dt.date(first_year + 1, 4, 1))

    @property
    def whole_months(self) -> int | None:
        """How many calendar months the period is, or ``None`` when it does not start
        and end on the first of a month."""
        if self.start.day != 1 or self.end.day != 1:
            return None
        return month_number(self.end) - month_number(self.start)

    def label(self) -> str:
        """A short label: ``2025-04`` for a month, else ``2025-04..2026-03``."""
        if self.whole_months == 1:
            return f"{self.start:%Y-%m}"
        return f"{self.start:%Y-%m}..{self.last_day:%Y-%m}"


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str) -> dt.date:
    """Parse ``YYYY-MM`` to the first of that month."""
    match = _MONTH.match(text.strip())
    if match is None:
        raise InvalidConfig(
            f"'{text}' is not a month; write it as YYYY-MM, e.g. 2025-04."
        )
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12:
        raise InvalidConfig(f"'{text}' has month {month}; months run 01 to 12.")
    return dt.date(year, month, 1)


def parse_span(text: str) -> ReportingPeriod:
    """Parse ``YYYY-MM`` or ``YYYY-MM..YYYY-MM`` (inclusive months) to a period."""
    first, _, last = text.partition("..")
    start = parse_month(first)
    end = add_months(parse_month(last) if last else start, 1)
    return ReportingPeriod(start, end)


def _first_fy_start(day: dt.date) -> dt.date:
    year = day.year if day.month >= 4 else day.year - 1
    return dt.date(year, 4, 1)


def split(span: ReportingPeriod, frequency: Frequency) -> list[ReportingPeriod]:
    """Cut ``span`` into reporting periods of ``frequency``.

    Months, quarters (Apr-Jun, ...) and financial years that lie wholly inside the span are
    returned; ``rolling12`` gives one 12-month period ending with each month of the span.

    Examples:
        >>> [p.label() for p in split(parse_span("2025-04..2025-09"), "quarter")]
        ['2025-04..2025-06', '2025-07..2025-09']
    """
    if frequency not in FREQUENCIES:
        raise InvalidConfig(
            f"Unknown frequency '{frequency}'; use one of {', '.join(FREQUENCIES)}."
        )
    if frequency == "rolling12":
        return [ReportingPeriod(add_months(m.end, -12), m.end) for m in _months(span)]
    step = {"month": 1, "quarter": 3, "fy": 12}[frequency]
    # A span may start mid-month (a ReportingPeriod from Python): its first whole
    # period starts on the next aligned first day, never on the span's own start.
    cursor = _aligned_start(span.start, step)
    periods = []
    while add_months(cursor, step) <= span.end:
        if cursor >= span.start:
            periods.append(ReportingPeriod(cursor, add_months(cursor, step)))
        cursor = add_months(cursor, step)
    return periods


def _aligned_start(day: dt.date, step: int) -> dt.date:
    fy_start = _first_fy_start(day)
    cursor = fy_start
    while cursor < day:
        cursor = add_months(cursor, step)
    return cursor


def _months(span: ReportingPeriod) -> Iterator[ReportingPeriod]:
    cursor = dt.date(span.start.year, span.start.month, 1)
    while cursor < span.end:
        yield ReportingPeriod(cursor, add_months(cursor, 1))
        cursor = add_months(cursor, 1)
