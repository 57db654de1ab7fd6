"""Financial-year quarters and the report's period words."""

from __future__ import annotations

import datetime as dt

import pytest

from nearhome.errors import InvalidConfig
from nearhome.periods import ReportingPeriod
from nearhome.reports.calendar import (
    latest_year,
    period_words,
    quarter_label,
    quarter_of,
    quarter_start,
)


@pytest.mark.parametrize(
    ("label", "start"),
    [
        ("2025/26 Q1", dt.date(2025, 4, 1)),
        ("2025/26 Q2", dt.date(2025, 7, 1)),
        ("2025/26 Q3", dt.date(2025, 10, 1)),
        ("2025/26 Q4", dt.date(2026, 1, 1)),
        ("1999/00 Q4", dt.date(2000, 1, 1)),
        (" 2027/28 q1 ", dt.date(2027, 4, 1)),
    ],
)
def test_quarters_round_trip(label: str, start: dt.date) -> None:
    assert quarter_start(label) == start
    assert quarter_label(start) == label.strip().upper().replace("Q", "Q")


@pytest.mark.parametrize("label", ["2025 Q1", "2025/27 Q1", "2025/26 Q5", "Q1"])
def test_bad_quarters_are_refused(label: str) -> None:
    with pytest.raises(InvalidConfig):
        quarter_start(label)


def test_quarter_of_any_day() -> None:
    assert quarter_of(dt.date(2026, 2, 17)) == ReportingPeriod(
        dt.date(2026, 1, 1), dt.date(2026, 4, 1)
    )


def test_latest_year_and_words() -> None:
    year = latest_year(dt.date(2026, 9, 1))
    assert year == ReportingPeriod(dt.date(2025, 10, 1), dt.date(2026, 10, 1))
    assert period_words(year) == "Oct 2025 to Sep 2026"
    assert period_words(ReportingPeriod.month(2026, 9)) == "Sep 2026"
