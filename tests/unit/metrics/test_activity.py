"""Admissions, discharges and people in hospital on the tiny extract.

Worked by hand from the literal records in ``nearhome.testing.tiny`` (March-May 2024):

Admissions by admission date (MHS27):
  March: S01 (10th), S02 (31st), S06 (1st), S07A (1st), S07B (30th), S08 (5th), S11 (5th) = 7
  April: S04 (25th), S05 (1st), S09 (10th)                                              = 3
  May:   S10 (2nd)                                                                      = 1
  (S03 was admitted on 1 February, before the span.)
New admissions exclude S09, whose source 49 is a transfer from another MH setting:
  April = 2. Every first ward stay is 200/201/202, so acute = new, adult acute = all.
Discharges by discharge date (MHS28):
  March: S02 (31st, same-day), S07A (20th), S11 (25th) = 3
  April: S01 (20th), S07B (15th)                       = 2
  May:   S04 (10th), S05 (31st), S08 (20th)            = 3
Spells open at the period end (discharge missing or after the last day):
  31 March: S01, S03, S06, S07B, S08 = 5 (S02 left on the 31st: not open)
  30 April: S03, S04, S05, S06, S08, S09 = 6
  31 May:   S03, S06, S09, S10 = 4 (S05 left on the 31st)
  One spell each, so people in hospital (MHS07) are the same 5, 6, 4.
Admissions per 100,000: the tiny population is 3 LSOAs x 2 sexes x 3 bands x 2 groups x
100 = 3,600, so March = 7 / 3,600 x 100,000 = 194.44.
"""

from __future__ import annotations

import pytest

EXPECTED = {
    "activity.admissions": (7, 3, 1),
    "activity.new_admissions": (7, 2, 1),
    "activity.acute_new_admissions": (7, 2, 1),
    "activity.admissions_adult_acute": (7, 3, 1),
    "activity.discharges": (3, 2, 3),
    "activity.discharges_adult_acute": (3, 2, 3),
    "activity.open_spells": (5, 6, 4),
    "activity.open_spells_adult_acute": (5, 6, 4),
    "activity.people_in_hospital": (5, 6, 4),
}


@pytest.mark.parametrize(("metric_id", "expected"), EXPECTED.items())
def test_counts(value, metric_id: str, expected: tuple[int, int, int]) -> None:
    assert [value(metric_id, m) for m in (3, 4, 5)] == list(expected)


def test_admissions_per_100k(value) -> None:
    assert value("activity.admissions_per_100k", 3) == pytest.approx(7 / 3600 * 100_000)
    assert value("activity.admissions_per_100k", 3, "denominator") == 3600
    assert value("activity.admissions_per_100k", 5) == pytest.approx(1 / 3600 * 100_000)
