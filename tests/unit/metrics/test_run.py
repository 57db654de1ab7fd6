"""run_metrics: frequencies in one request, scope, strictness, progress, crossing."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from nearhome.errors import InvalidConfig, UnsupportedBreakdown
from nearhome.metrics.run import COLUMNS, run_metric, run_metrics

from .conftest import SPAN, pick


def test_rolling_and_financial_years_match_the_months(tiny_warehouse) -> None:
    months = run_metrics(tiny_warehouse, "activity.admissions", period=SPAN)
    rolling = run_metrics(
        tiny_warehouse, "activity.admissions", period=SPAN, frequency="rolling12"
    )
    # Three overlapping 12-month periods ending March, April and May 2024: each is the
    # months up to its end plus S03, admitted on 1 February 2024.
    assert list(rolling["period_end"]) == [
        dt.date(2024, 3, 31),
        dt.date(2024, 4, 30),
        dt.date(2024, 5, 31),
    ]
    assert list(rolling["value"]) == [8, 11, 12]
    assert months["value"].sum() == 11
    fy = run_metrics(
        tiny_warehouse, "activity.admissions", period="2023-04..2024-03", frequency="fy"
    )
    assert list(fy["value"]) == [8]  # April 2023 - March 2024: S03 and March's 7


def test_span_without_a_whole_period(tiny_warehouse) -> None:
    with pytest.raises(InvalidConfig, match="no whole quarter"):
        run_metrics(
            tiny_warehouse,
            "activity.admissions",
            period="2024-05..2024-06",
            frequency="quarter",
        )


def test_icb_scope(tiny_warehouse) -> None:
    scoped = run_metrics(
        tiny_warehouse,
        "activity.admissions,occupancy.available_beds",
        period=SPAN,
        icb="QBB",
    )
    # QBB residents: only P11 (admitted in March); QBB sites: NAB01's 12 beds.
    assert pick(scoped, "activity.admissions", 3) == 1
    assert pick(scoped, "occupancy.available_beds", 3) == 12
    assert scoped.attrs["nearhome"]["scope"] == "QBB"
    assert scoped.attrs["nearhome"]["national_total"] is False


def test_strict_and_lenient_unsupported_breakdowns(tiny_warehouse) -> None:
    with pytest.raises(UnsupportedBreakdown, match="ri_type"):
        run_metric(tiny_warehouse, "bed_days.occupied", period=SPAN, by="ri_type")
    lenient = run_metrics(
        tiny_warehouse, "bed_days.occupied", period=SPAN, by="all,ri_type"
    )
    assert set(lenient["breakdown"]) == {"all"}


def test_crossed_breakdown_and_progress(tiny_warehouse) -> None:
    seen = []
    frame = run_metrics(
        tiny_warehouse,
        "bed_days.occupied",
        period=SPAN,
        by="provider*ethnic_group",
        progress=lambda message, fraction: seen.append(fraction),
    )
    assert list(frame.columns) == COLUMNS
    assert pick(frame, "bed_days.occupied", 4, "NAB;White") == 6
    assert frame[frame["period_start"] == dt.date(2024, 4, 1)]["value"].sum() == 180
    assert seen and seen[-1] == pytest.approx(1.0)


def test_suppression_is_applied_and_recorded(tiny_warehouse) -> None:
    frame = run_metrics(
        tiny_warehouse,
        "restrictive.people",
        period=SPAN,
        by="all,provider",
        suppress="mhsds",
    )
    assert frame.attrs["nearhome"]["disclosure"]["name"] == "mhsds"
    assert pick(frame, "restrictive.people", 4) == 1  # national total: unsuppressed
    provider = frame[frame["breakdown"] == "provider"]
    assert "*" in set(provider["value"])


@pytest.mark.parametrize(
    ("metric", "breakdown"),
    [
        ("bed_days.occupied", "icb"),
        # the legal status lookup stores the facts it reads twice, until the queries end
        ("restrictive.interventions", "legal_status_group"),
    ],
)
def test_few_breakdowns_are_aggregated_without_storing_the_facts(
    tiny_warehouse, monkeypatch: pytest.MonkeyPatch, metric: str, breakdown: str
) -> None:
    stored: list[object] = []
    cache = type(tiny_warehouse).cache

    def counting(self, expr):  # type: ignore[no-untyped-def]
        stored.append(expr)
        return cache(self, expr)

    monkeypatch.setattr(type(tiny_warehouse), "cache", counting)
    two = run_metrics(tiny_warehouse, metric, period=SPAN, by=f"all,{breakdown}")
    legal = breakdown == "legal_status_group"
    assert len(stored) == legal  # the facts themselves are read within one query
    three = run_metrics(
        tiny_warehouse, metric, period=SPAN, by=f"all,{breakdown},gender"
    )
    assert len(stored) == 2 * legal + 1
    shared = three[three["breakdown"].isin(["all", breakdown])].reset_index(drop=True)
    pd.testing.assert_frame_equal(two.reset_index(drop=True), shared)
