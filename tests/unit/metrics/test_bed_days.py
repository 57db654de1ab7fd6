"""Bed days (MHS24, MHS25) and open ward stays (MHS21) on the tiny extract.

Midnights per ward stay, from the later of its start and the month's first day up to
(not including) the earlier of its end and the next month's first day:

  stay   start  end    March        April        May
  WS01   03-10  04-20  22 (10..31)  19 (1..19)   -
  WS02   03-31  03-31  0 (same day) -            -
  WS03A  02-01  03-15  14 (1..14)   -            -
  WS03B  03-15  open   17 (15..31)  30           31
  WS04   04-25  05-10  -            6 (25..30)   9 (1..9)
  WS05   04-01  05-31  -            30           30 (1..30)
  WS06   03-01  open   31           30           31
  WS07A  03-01  03-20  19           -            -
  WS07B  03-30  04-15  2 (30, 31)   14           -
  WS08   03-05  05-20  27           30           19
  WS09   04-10  open   -            21 (10..30)  31
  WS10   05-02  open   -            -            30 (2..31)
  WS11   03-05  03-25  20           -            -
  total                152          180          181

MHS25: WS01's home leave 5-8 April takes 3 nights (5, 6, 7): April = 177. AWOL (WS09,
15-16 April) is not subtracted. W1 in March: WS01 22 + WS02 0 + WS03A 14 + WS06 31 +
WS07A 19 + WS07B 2 = 88.
Ward stays open at the end: March WS01, WS03B, WS06, WS07B, WS08 = 5; April WS03B,
WS04, WS05, WS06, WS08, WS09 = 6; May WS03B, WS06, WS09, WS10 = 4.
People with a stay touching the month: March P01, P02, P03, P06, P07, P08, P11 = 7;
April P01, P03, P04, P05, P06, P07, P08, P09 = 8; May P03, P04, P05, P06, P08, P09,
P10 = 7.
"""

from __future__ import annotations

import pytest

from nearhome.metrics.run import run_metrics

from .conftest import SPAN, pick

EXPECTED = {
    "bed_days.occupied": (152, 180, 181),
    "bed_days.occupied_less_leave": (152, 177, 181),
    "bed_days.occupied_adult_acute": (152, 180, 181),
    "bed_days.open_ward_stays": (5, 6, 4),
    "bed_days.people_in_hospital_during": (7, 8, 7),
}


@pytest.mark.parametrize(("metric_id", "expected"), EXPECTED.items())
def test_counts(value, metric_id: str, expected: tuple[int, int, int]) -> None:
    assert [value(metric_id, m) for m in (3, 4, 5)] == list(expected)


def test_bed_days_by_ward(tiny_warehouse) -> None:
    frame = run_metrics(tiny_warehouse, "bed_days.occupied", period=SPAN, by="ward")
    # W1 March as above; W2 (PICU) holds only WS03B: 17; W3 (independent) WS11: 20;
    # W4 (older adult) WS08: 27.
    assert pick(frame, "bed_days.occupied", 3, "W1") == 88
    assert pick(frame, "bed_days.occupied", 3, "W2") == 17
    assert pick(frame, "bed_days.occupied", 3, "W3") == 20
    assert pick(frame, "bed_days.occupied", 3, "W4") == 27


def test_quarter_is_one_period(tiny_warehouse) -> None:
    # Quarters run April-June: the span March-May holds none; a span of March-June
    # holds April-June, whose bed days are April + May + June.
    frame = run_metrics(
        tiny_warehouse,
        "bed_days.occupied",
        period="2024-03..2024-06",
        frequency="quarter",
    )
    assert len(frame) == 1
    june = 30 + 30 + 30 + 30  # WS03B, WS06, WS09, WS10 stay open all June
    assert frame["value"].iloc[0] == 180 + 181 + june
