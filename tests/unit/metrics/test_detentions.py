"""Mental Health Act measures on the tiny extract.

Legal status periods: M03 P03 section 3 from 1 February (S03 admitted that day: class A,
before the span); M09 P09 informal from 10 April; M10A P10 section 2 from 2 May, the
day S10 was admitted, nothing before (class A); M10B P10 section 3 from 29 May, the day
M10A ended (class L, 3 subsequent to 2: not a new detention).
  MHS81 detentions: May 1 (M10A). Uses of section 2 (A, B, C, L with code 02): May 1;
  uses of section 3: May 1 (M10B, class L).
  MHS81a May = 1 / 3,600 x 100,000 = 27.8.
People detained at the end (open spell, detention in force on the last day): March P03,
April P03, May P03 and P10 = 1, 1, 2.
Admissions detained on the day: May S10 = 1; informal: March 7, April 3 (S09 informal).
Detained bed days: P03 all month (WS03A/WS03B): March 31, April 30, May 31; P10 2-31 May
= 30: May 61.
"""

from __future__ import annotations

import pytest

from nearhome.metrics.run import run_metrics

from .conftest import SPAN, pick

EXPECTED = {
    "detentions.detentions": (0, 0, 1),
    "detentions.section_2": (0, 0, 1),
    "detentions.section_3": (0, 0, 1),
    "detentions.short_term_orders": (0, 0, 0),
    "detentions.part_3": (0, 0, 0),
    "detentions.people_detained_at_end": (1, 1, 2),
    "detentions.admissions_detained": (0, 0, 1),
    "detentions.admissions_informal": (7, 3, 0),
    "detentions.detained_bed_days": (31, 30, 61),
}


@pytest.mark.parametrize(("metric_id", "expected"), EXPECTED.items())
def test_counts(value, metric_id: str, expected: tuple[int, int, int]) -> None:
    assert [value(metric_id, m) for m in (3, 4, 5)] == list(expected)


def test_rate(value) -> None:
    assert value("detentions.detentions_per_100k", 5) == pytest.approx(100_000 / 3600)


def test_classes(tiny_warehouse) -> None:
    frame = run_metrics(
        tiny_warehouse,
        "detentions.section_2,detentions.section_3",
        period=SPAN,
        by="mha_category",
    )
    assert (
        pick(
            frame[frame.measure_id == "detentions.section_2"],
            "detentions.section_2",
            5,
            "A",
        )
        == 1
    )
    assert (
        pick(
            frame[frame.measure_id == "detentions.section_3"],
            "detentions.section_3",
            5,
            "L",
        )
        == 1
    )


def test_legal_status_breakdown_of_admissions(tiny_warehouse) -> None:
    frame = run_metrics(
        tiny_warehouse, "activity.admissions", period=SPAN, by="legal_status_group"
    )
    assert pick(frame, "activity.admissions", 5, "detention") == 1
    assert pick(frame, "activity.admissions", 4, "informal") == 3
