"""Out-of-area placements on the tiny extract.

R04: P04 referred by RAA to NAB with reason 10 (inappropriate), received 25 April,
closed 10 May; spell S04 25 April - 10 May on W3 (adult acute 200), 180 km from home
(submitted), at NAB01 in ICB QBB while P04 lives in QAA.
R11: P11 referred to NAB with reason 14 (patient choice: appropriate), 5-25 March;
spell S11 on W3; P11 lives in QBB, so this placement is inside their own ICB.

  inappropriate: started April 1; active end of April 1; ended May 1;
                 bed days April 6 (25..30), May 9 (1..9) = LOS 15, none in March
  all OAPs:      March started 1, ended 1, bed days 20 (S11); plus R04 as above
  OAP08 April = OAP01 / admissions = 1 / 3 = 33.3%; OAP09 April = 6 / 180 = 3.3%;
  OAP10 April = 1 / 6 open spells = 16.7%; OAP11 May = 1 / 3 discharges = 33.3%
  OAP05 April = 1 / 3,600 x 1,000,000 = 277.8 per million
MHS22 (open ward stays 50 km+ at the end): April WS04 = 1.
Outside own ICB: April P04 (1 person, 6 bed days = 3.3%), May 9 bed days.
"""

from __future__ import annotations

import pytest

from nearhome.metrics.run import run_metrics

from .conftest import SPAN, pick

EXPECTED = {
    "out_of_area.inappropriate_started": (0, 1, 0),
    "out_of_area.inappropriate_active": (0, 1, 0),
    "out_of_area.inappropriate_ended": (0, 0, 1),
    "out_of_area.inappropriate_bed_days": (0, 6, 9),
    "out_of_area.inappropriate_started_adult_acute": (0, 1, 0),
    "out_of_area.inappropriate_bed_days_adult_acute": (0, 6, 9),
    "out_of_area.all_started": (1, 1, 0),
    "out_of_area.all_ended": (1, 0, 1),
    "out_of_area.all_active": (0, 1, 0),
    "out_of_area.all_bed_days": (20, 6, 9),
    "out_of_area.open_ward_stays_50km_plus": (0, 1, 0),
    "out_of_area.outside_own_icb_people": (0, 1, 0),
    "out_of_area.outside_own_icb_bed_days": (0, 6, 9),
}


@pytest.mark.parametrize(("metric_id", "expected"), EXPECTED.items())
def test_counts(value, metric_id: str, expected: tuple[int, int, int]) -> None:
    assert [value(metric_id, m) for m in (3, 4, 5)] == list(expected)


def test_proportions_and_rates(value) -> None:
    assert value("out_of_area.inappropriate_started_pct", 4) == pytest.approx(100 / 3)
    assert value("out_of_area.inappropriate_bed_days_pct", 4) == pytest.approx(
        600 / 180
    )
    assert value("out_of_area.inappropriate_active_pct", 4) == pytest.approx(100 / 6)
    assert value("out_of_area.inappropriate_ended_pct", 5) == pytest.approx(100 / 3)
    assert value("out_of_area.inappropriate_started_per_1m", 4) == pytest.approx(
        1e6 / 3600
    )
    assert value("out_of_area.outside_own_icb_bed_days_pct", 4) == pytest.approx(
        600 / 180
    )


def test_sending_receiving_and_distance(tiny_warehouse) -> None:
    frame = run_metrics(
        tiny_warehouse,
        "out_of_area.inappropriate_started",
        period=SPAN,
        by="sending_provider,receiving_provider,distance_band,sending_provider*receiving_provider",
    )
    assert pick(frame, "out_of_area.inappropriate_started", 4, "RAA") == 1
    assert pick(frame, "out_of_area.inappropriate_started", 4, "NAB") == 1
    assert pick(frame, "out_of_area.inappropriate_started", 4, "70+km") == 1
    assert pick(frame, "out_of_area.inappropriate_started", 4, "RAA;NAB") == 1
