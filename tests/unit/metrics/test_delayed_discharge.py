"""Discharge readiness on the tiny extract.

S06's delay was submitted as v5 MHS504 D06 in March (reason J2, attributable 07, open)
and as v6 MHS518 C06 from April (reason 18 supported accommodation, attributable 05,
20 March - 10 April): one period on v6 codes. S05: C05 reason 15 (social housing),
1-31 May, ending on the discharge day. Both housing.

MHS26 days: C06 in March from the day after it began (21st) to 1 April = 11; in April
from the 1st to the 10th = 9; C05 in May from 2nd to 31st = 29.
People CRFD at the end: March P06 (C06 open, S06 open) = 1; April none (C06 ended on
the 10th); May none (C05 ended on the 31st, the last day).
Episodes started: March C06, May C05. Ended: April C06, May C05.
% of bed days: March 11 / 152 = 7.24%; May 29 / 181 = 16.0%.
"""

from __future__ import annotations

import pytest

from nearhome.metrics.run import run_metrics

from .conftest import SPAN, pick

EXPECTED = {
    "delayed_discharge.crfd_days": (11, 9, 29),
    "delayed_discharge.people_at_end": (1, 0, 0),
    "delayed_discharge.episodes_started": (1, 0, 1),
    "delayed_discharge.episodes_ended": (0, 1, 1),
}


@pytest.mark.parametrize(("metric_id", "expected"), EXPECTED.items())
def test_counts(value, metric_id: str, expected: tuple[int, int, int]) -> None:
    assert [value(metric_id, m) for m in (3, 4, 5)] == list(expected)


def test_share_of_bed_days(value) -> None:
    assert value("delayed_discharge.crfd_bed_days_pct", 3) == pytest.approx(1100 / 152)
    assert value("delayed_discharge.crfd_bed_days_pct", 5) == pytest.approx(2900 / 181)


def test_by_reason_group_and_attribution(tiny_warehouse) -> None:
    frame = run_metrics(
        tiny_warehouse,
        "delayed_discharge.crfd_days,delayed_discharge.crfd_bed_days_pct",
        period=SPAN,
        by="crfd_reason,crfd_reason_group,crfd_attributable_to",
    )
    days = frame[frame["measure_id"] == "delayed_discharge.crfd_days"]
    # The v5 record (J2, attributable 07) is replaced by the v6 one (18, 05).
    assert pick(days, "delayed_discharge.crfd_days", 3, "18") == 11
    assert pick(days, "delayed_discharge.crfd_days", 5, "15") == 29
    assert pick(days, "delayed_discharge.crfd_days", 4, "housing") == 9
    assert pick(days, "delayed_discharge.crfd_days", 3, "05") == 11
    assert "07" not in set(days["level"])
    # The share by reason divides by all bed days (the reason is numerator-only).
    assert (
        pick(frame, "delayed_discharge.crfd_bed_days_pct", 5, "housing", "denominator")
        == 181
    )
