"""Span totals of monthly metric rows, and the funnel of units."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest
from scipy import stats as sps

from nearhome.equity.breakdowns import resolve_breakdowns
from nearhome.equity.funnel import funnel
from nearhome.equity.inputs import input_breakdowns, span_totals
from nearhome.equity.measures import MEASURES


def month_rows(
    metric_id: str, unit: str, values: list[tuple[float, float]]
) -> pd.DataFrame:
    starts = [dt.date(2025, 4 + i, 1) for i in range(len(values))]
    return pd.DataFrame(
        {
            "measure_id": metric_id,
            "mhsds_id": None,
            "period_start": starts,
            "period_end": [s.replace(day=28) for s in starts],
            "breakdown": "ethnic_group",
            "level": "White",
            "level_description": "White",
            "numerator": [n for n, _ in values],
            "denominator": [d for _, d in values],
            "value": math.nan,
            "unit": unit,
        }
    )


def test_population_is_averaged_and_bed_days_added() -> None:
    monthly = pd.concat(
        [
            month_rows(
                "detentions.detentions_per_100k",
                "per_100k",
                [(3, 40_000), (5, 40_000), (4, 40_300)],
            ),
            month_rows(
                "restrictive.per_1000_bed_days",
                "per_1000_bed_days",
                [(2, 300), (0, 310), (4, 290)],
            ),
        ],
        ignore_index=True,
    )
    totals = span_totals(monthly).set_index("measure_id")
    detentions = totals.loc["detentions.detentions_per_100k"]
    assert detentions["numerator"] == 12
    assert detentions["denominator"] == pytest.approx(40_100)
    assert detentions["value"] == pytest.approx(12 / 40_100 * 100_000)
    assert detentions["period_start"] == dt.date(2025, 4, 1)
    restrictive = totals.loc["restrictive.per_1000_bed_days"]
    assert restrictive["denominator"] == 900
    assert restrictive["value"] == pytest.approx(6 / 900 * 1_000)


def test_input_breakdowns_fall_back_to_counts_without_population() -> None:
    rate, count = input_breakdowns(
        MEASURES["admissions"], resolve_breakdowns("ethnicity,age,ld_autism")
    )
    assert "ethnic_group*age_five_year" in rate  # for the DSR
    assert "age_ri" in rate and "age_ri*age_five_year" not in rate
    assert count == ["ld_status", "autism_status"]  # no population by these
    assert "sub_icb" in rate and "provider" not in rate
    bed_rate, _ = input_breakdowns(
        MEASURES["restrictive_per_1000_bed_days"], resolve_breakdowns("sex")
    )
    assert "provider" in bed_rate


def test_funnel_limits_and_positions() -> None:
    metric = "restrictive.per_1000_bed_days"
    inputs = pd.DataFrame(
        {
            "measure_id": metric,
            "breakdown": ["all", "provider", "provider"],
            "level": ["ALL", "AAA", "BBB"],
            "level_description": ["Total", "Trust A", "Trust B"],
            "numerator": [40.0, 30.0, 10.0],
            "denominator": [4_000.0, 1_000.0, 3_000.0],
        }
    )
    table = funnel(inputs, MEASURES["restrictive_per_1000_bed_days"])
    rates = table[table["statistic"] == "funnel_rate"].set_index(
        ["level", "confidence"]
    )
    target = 40 / 4_000 * 1_000  # 10 per 1,000 bed days
    a95 = rates.loc[("AAA", 0.95)]
    expected = target / 1_000 * 1_000  # 10 expected events in 1,000 bed days
    assert a95["value"] == pytest.approx(30.0)
    assert a95["upper"] == pytest.approx(sps.chi2.ppf(0.975, 2 * expected + 2) / 2)
    assert a95["lower"] == pytest.approx(sps.chi2.ppf(0.025, 2 * expected) / 2)
    # 30 events where 10 are expected: P(X >= 30) is far below 0.001
    assert a95["significance"] == "above"
    assert rates.loc[("AAA", 0.998)]["significance"] == "above"
    # 10 events where 30 are expected: P(X <= 10) = 7e-6
    assert rates.loc[("BBB", 0.998)]["significance"] == "below"
    assert a95["reference"] == "overall rate 10"
    sizes = table[table["statistic"] == "denominator"].set_index("level")["value"]
    assert sizes["BBB"] == 3_000
