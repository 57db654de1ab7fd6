"""Building: the reporting period, merged needs, and checks made before any work."""

from __future__ import annotations

import datetime as dt

import pytest

from nearhome.data.coverage import Coverage
from nearhome.errors import InvalidConfig
from nearhome.periods import ReportingPeriod, parse_span
from nearhome.reports.build import ReportSpec, build_report, resolve_period
from nearhome.reports.plan import parse_plan
from nearhome.reports.results import Needs, label, merge_needs

COVERAGE = Coverage(dt.date(2024, 10, 1), dt.date(2026, 9, 1))
NOW = dt.datetime(2026, 10, 15, 9, 0)


def spec(period: str | None = None) -> ReportSpec:
    return ReportSpec(
        icb="QAA", generated_at=NOW, period=parse_span(period) if period else None
    )


def test_default_period_is_the_latest_twelve_months() -> None:
    assert resolve_period(spec(), COVERAGE) == ReportingPeriod(
        dt.date(2025, 10, 1), dt.date(2026, 10, 1)
    )


@pytest.mark.parametrize("period", ["2026-09", "2026-07..2026-09", "2025-04..2026-03"])
def test_months_quarters_and_years_are_accepted(period: str) -> None:
    assert resolve_period(spec(period), COVERAGE) == parse_span(period)


@pytest.mark.parametrize(
    ("period", "words"),
    [
        ("2026-01..2026-06", "1, 3 or 12 whole months"),
        ("2026-02..2026-04", "not a quarter"),
        ("2026-04..2027-03", "outside the data"),
        ("2023-01..2023-12", "outside the data"),
    ],
)
def test_other_periods_are_refused(period: str, words: str) -> None:
    with pytest.raises(InvalidConfig, match=words):
        resolve_period(spec(period), COVERAGE)


def test_needs_merge_and_always_include_the_total() -> None:
    merged = merge_needs(
        [
            Needs(monthly=("a",), year={"x": ("icb",)}),
            Needs(
                monthly=("a", "b"),
                year={"x": ("ethnic_group", "icb")},
                quarterly=("q",),
            ),
        ]
    )
    assert merged.monthly == ("a", "b")
    assert merged.year == {"x": ("all", "icb", "ethnic_group")}
    assert merged.quarterly == ("q",)
    assert (
        label("receiving_provider*distance_band") == "receiving_provider;distance_band"
    )


def test_unknown_formats_fail_before_any_work() -> None:
    with pytest.raises(InvalidConfig, match="docx"):
        build_report(
            "duckdb://", icb="QAA", out_dir="unused", formats=["docx"], generated_at=NOW
        )


def test_a_plan_for_another_icb_is_refused() -> None:
    from nearhome.data.warehouse import connect
    from nearhome.reports.build import assemble

    plan = parse_plan({"title": "P", "icb": "QBB", "baseline": "2024-04..2025-03"})
    with pytest.raises(InvalidConfig, match="plan is for ICB QBB"):
        assemble(
            connect("duckdb://"), ReportSpec(icb="QAA", generated_at=NOW, plan=plan)
        )


def test_an_empty_warehouse_says_to_load_first() -> None:
    from nearhome.data.coverage import data_coverage
    from nearhome.data.warehouse import connect
    from nearhome.errors import DataError

    with pytest.raises(DataError, match="nearhome data load"):
        data_coverage(connect("duckdb://"))
