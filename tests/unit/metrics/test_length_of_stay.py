"""Length of stay on the tiny extract (LOS = discharge date - admission date).

Discharges: March S02 0 (same-day), S07A 19, S11 20; April S01 41, S07B 16;
May S04 15, S05 60, S08 76.
  mean:   March 39/3 = 13; April 57/2 = 28.5; May 151/3 = 50.33
  median: 19; 28.5; 60
  p90 (linear): March 19 + 0.8 x 1 = 19.8; April 16 + 0.9 x 25 = 38.5;
                May 60 + 0.8 x 16 = 72.8
  geometric mean (LOS >= 1): March sqrt(19 x 20) = 19.49 (S02's 0 days left out);
                April sqrt(41 x 16) = 25.61; May (15 x 60 x 76)^(1/3) = 40.90
LOS excluding CRFD (MHS26 rule over the spell): S05's CRFD 1-31 May counts from 2 May to
31 May = 29 days, so May = 15 + (60 - 29) + 76 = 122, mean 40.67.
People still in hospital at the end, days so far (end of month - admission):
  31 March: S01 22, S03 60, S06 31, S07B 2, S08 27 -> mean 28.4, median 27, 60+: 1
  30 April: S03 90, S04 6, S05 30, S06 61, S08 57, S09 21 -> mean 44.17, median 43.5, 60+: 2
  31 May:   S03 121, S06 92, S09 52, S10 30 -> mean 73.75, median 72, 60+: 2
Cohorts (age on the last day of the month, bed type of the last ward stay):
  adult acute (200) aged 18-64: March P02, P07, P11 = 3 (mean 13); April P01, P07 = 2;
  May P04 (15 days), P05 (60 days) = 2, mean 37.5; MHS100 (60+) May = 1 (P05).
  older adult acute (201) aged 65+: May P08 (born 1954, 76 days) = 1: MHS141 = 1,
  MHS102 (60+) = 1, MHS103 (90+) = 0.
  Population 18-64 = 3 LSOAs x 2 sexes x bands 20-24, 40-44 x 2 groups x 100 = 2,400;
  65+ = 1,200. MHS100a May = 1 / 2,400 x 100,000 = 41.67; MHS100b = 1 / 2 = 50%;
  MHS102a = 83.33; MHS102b = 100%. Nobody is under 18 (and no population): empty.
"""

from __future__ import annotations

import math

import pytest

EXPECTED = {
    "length_of_stay.mean": (13, 28.5, 151 / 3),
    "length_of_stay.median": (19, 28.5, 60),
    "length_of_stay.p90": (19.8, 38.5, 72.8),
    "length_of_stay.geometric_mean": (math.sqrt(380), math.sqrt(656), 68400 ** (1 / 3)),
    "length_of_stay.mean_excluding_crfd": (13, 28.5, 122 / 3),
    "length_of_stay.in_hospital_mean": (28.4, 265 / 6, 73.75),
    "length_of_stay.in_hospital_median": (27, 43.5, 72),
    "length_of_stay.in_hospital_60_plus": (1, 2, 2),
    "length_of_stay.adult_acute_discharged": (3, 2, 2),
    "length_of_stay.adult_acute_mean": (13, 28.5, 37.5),
    "length_of_stay.adult_acute_median": (19, 28.5, 37.5),
    "length_of_stay.adult_acute_60_plus": (0, 0, 1),
    "length_of_stay.adult_acute_90_plus": (0, 0, 0),
    "length_of_stay.older_adult_acute_discharged": (0, 0, 1),
    "length_of_stay.older_adult_acute_60_plus": (0, 0, 1),
    "length_of_stay.older_adult_acute_90_plus": (0, 0, 0),
    "length_of_stay.under_18_discharged": (0, 0, 0),
}


@pytest.mark.parametrize(("metric_id", "expected"), EXPECTED.items())
def test_values(value, metric_id: str, expected: tuple[float, float, float]) -> None:
    assert [value(metric_id, m) for m in (3, 4, 5)] == pytest.approx(list(expected))


def test_geometric_mean_leaves_out_zero_day_stays(value) -> None:
    assert value("length_of_stay.geometric_mean", 3, "denominator") == 2
    assert value("length_of_stay.median", 3, "denominator") == 3


def test_long_stay_rates_and_shares(value) -> None:
    assert value("length_of_stay.adult_acute_60_plus_per_100k", 5) == pytest.approx(
        100_000 / 2400
    )
    assert value("length_of_stay.adult_acute_60_plus_pct", 5) == 50
    assert value(
        "length_of_stay.older_adult_acute_60_plus_per_100k", 5
    ) == pytest.approx(100_000 / 1200)
    assert value("length_of_stay.older_adult_acute_60_plus_pct", 5) == 100
    assert math.isnan(value("length_of_stay.older_adult_acute_60_plus_pct", 3))  # 0 / 0
    assert math.isnan(
        value("length_of_stay.under_18_60_plus_per_100k", 5)
    )  # no population


def test_los_is_never_negative(tiny_all) -> None:
    los = tiny_all[
        tiny_all["unit"].str.endswith("_days") & ~tiny_all["unit"].eq("days")
    ]
    assert (los["value"].dropna() >= 0).all()
