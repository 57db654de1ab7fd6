"""Restrictive interventions on the tiny extract.

Incident I03 on S03 (P03, ward W2, RAA) on 2 April: T03A prone restraint 10:00-10:20
(20 minutes, band 11-30 Minutes) and T03B seclusion 10:20 on the 2nd to 10:20 on the 3rd
(1,440 minutes = 24 hours, band 0-24 Hours); no injury.
  April: people (MHS76) 1; interventions (MHS77) 2; incidents 1;
  per 1,000 bed days (MHS96) = 2 / 180 x 1,000 = 11.1; people % (MHS97) = 1 / 8 = 12.5%.
  By type group: prone 1, seclusion 1 (each over all 180 bed days: 5.6).
  RAA x prone: 1 over RAA's 174 bed days (180 less NAB's 6).
"""

from __future__ import annotations

import pytest

from nearhome.metrics.run import run_metrics

from .conftest import SPAN, pick

EXPECTED = {
    "restrictive.people": (0, 1, 0),
    "restrictive.interventions": (0, 2, 0),
    "restrictive.incidents": (0, 1, 0),
}


@pytest.mark.parametrize(("metric_id", "expected"), EXPECTED.items())
def test_counts(value, metric_id: str, expected: tuple[int, int, int]) -> None:
    assert [value(metric_id, m) for m in (3, 4, 5)] == list(expected)


def test_rates(value) -> None:
    assert value("restrictive.per_1000_bed_days", 4) == pytest.approx(2000 / 180)
    assert value("restrictive.people_pct", 4) == pytest.approx(12.5)
    assert value("restrictive.per_1000_bed_days", 3) == 0


def test_breakdowns(tiny_warehouse) -> None:
    frame = run_metrics(
        tiny_warehouse,
        "restrictive.interventions,restrictive.per_1000_bed_days",
        period=SPAN,
        by="ri_type_group,ri_duration_band,ri_injury,provider*ri_type_group",
    )
    count = frame[frame.measure_id == "restrictive.interventions"]
    rate = frame[frame.measure_id == "restrictive.per_1000_bed_days"]
    assert pick(count, "restrictive.interventions", 4, "prone") == 1
    assert pick(count, "restrictive.interventions", 4, "seclusion") == 1
    assert pick(count, "restrictive.interventions", 4, "11-30 Minutes") == 1
    assert pick(count, "restrictive.interventions", 4, "0-24 Hours") == 1
    assert pick(count, "restrictive.interventions", 4, "no_injury") == 2
    assert pick(rate, "restrictive.per_1000_bed_days", 4, "prone") == pytest.approx(
        1000 / 180
    )
    assert (
        pick(rate, "restrictive.per_1000_bed_days", 4, "RAA;prone", "denominator")
        == 174
    )
