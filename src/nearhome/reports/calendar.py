"""Periods the report speaks in: the reporting year, its months, and NHS quarters.

A plan sets targets per financial-year quarter (``2025/26 Q4`` is January to March
2026), so quarters are parsed and printed here the way a programme board writes them.
"""

from __future__ import annotations

import datetime as dt
import re

from nearhome.errors import InvalidConfig
from nearhome.periods import ReportingPeriod, add_months

_QUARTER = re.compile(r"^\s*(\d{4})\s*/\s*(\d{2})\s*Q([1-4])\s*$", re.IGNORECASE)


def quarter_start(label: str) -> dt.date:
    """First day of a financial-year quarter written ``2025/26 Q4``.

    Examples:
        >>> quarter_start("2025/26 Q4")
        datetime.date(2026, 1, 1)

    Raises:
        InvalidConfig: the label is not a quarter of a financial year.
    """
    match = _QUARTER.match(label)
    if match is None:
        raise InvalidConfig(
            f"'{label}' is not a quarter; write it as YYYY/YY Qn, e.g. 2025/26 Q4."
        )
    first, second, number = int(match[1]), int(match[2]), int(match[3])
    if (first + 1) % 100 != second:
        raise InvalidConfig(
            f"'{label}' names the financial year {first}/{second:02d}, which does not exist."
        )
    return add_months(dt.date(first, 4, 1), 3 * (number - 1))


def quarter_label(start: dt.date) -> str:
    """The financial-year quarter containing ``start``.

    Examples:
        >>> quarter_label(dt.date(2026, 2, 1))
        '2025/26 Q4'
    """
    first = start.year if start.month >= 4 else start.year - 1
    number = ((start.month - 4) % 12) // 3 + 1
    return f"{first}/{(first + 1) % 100:02d} Q{number}"


def quarter_of(day: dt.date) -> ReportingPeriod:
    """The financial-year quarter containing ``day`` as a period."""
    start = quarter_start(quarter_label(day))
    return ReportingPeriod(start, add_months(start, 3))


def month_label(day: dt.date) -> str:
    """``Sep 2026``."""
    return f"{day:%b %Y}"


def period_words(period: ReportingPeriod) -> str:
    """``Oct 2025 to Sep 2026`` (a single month prints as ``Sep 2026``)."""
    first, last = month_label(period.start), month_label(period.last_day)
    return first if first == last else f"{first} to {last}"


def trailing_months(period: ReportingPeriod, months: int) -> ReportingPeriod:
    """The ``months`` whole months ending with the period's last month."""
    end = add_months(period.last_day, 1)
    return ReportingPeriod(add_months(end, -months), end)


def latest_year(last_month: dt.date) -> ReportingPeriod:
    """The 12 whole months ending with ``last_month``: the default reporting period."""
    end = add_months(last_month, 1)
    return ReportingPeriod(add_months(end, -12), end)
