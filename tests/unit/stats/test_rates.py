"""Crude rates, proportions and means: hand-worked values, edge cases and PHStatsMethods."""

from __future__ import annotations

import doctest
import math

import numpy as np
import pandas as pd
import PHStatsMethods as PHS
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nearhome import stats
from nearhome.errors import DataError, InvalidConfig
from nearhome.stats import rates

RESULT = ["value", "lower", "upper", "confidence", "method", "suppressed_reason"]


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def test_docstring_examples_run() -> None:
    assert doctest.testmod(rates).failed == 0


def test_rate_columns_and_hand_worked_value() -> None:
    # 25 events in 50,000 people = 50 per 100,000; Byar's limits on 25 events
    # (16.1744, 36.9065) scaled by 100,000 / 50,000 = 2.
    result = stats.rate(25, 50_000)
    assert list(result.columns) == [
        "count",
        "population",
        "value",
        "lower",
        "upper",
        "confidence",
        "multiplier",
        "method",
        "suppressed_reason",
    ]
    row = result.iloc[0]
    assert row["value"] == 50.0
    assert row["lower"] == pytest.approx(32.3488, abs=1e-3)
    assert row["upper"] == pytest.approx(73.8131, abs=1e-3)
    assert row["method"] == "Byar"
    assert row["suppressed_reason"] is None


def test_zero_events_give_zero_rate_and_exact_upper_limit() -> None:
    row = stats.rate(0, 10_000, multiplier=1_000).iloc[0]
    assert row["value"] == 0.0
    assert row["lower"] == 0.0
    assert row["upper"] == pytest.approx(-math.log(0.025) / 10, rel=1e-12)
    assert row["method"] == "exact (chi-square)"
    assert row["suppressed_reason"] is None


def test_zero_population_is_suppressed_with_a_reason_not_an_error() -> None:
    result = stats.rate([4, 0], [0, 0])
    assert result["value"].isna().all()
    assert result["lower"].isna().all()
    assert result["method"].tolist() == ["not calculated"] * 2
    assert (
        result["suppressed_reason"].tolist()
        == ["population is zero: a rate is undefined"] * 2
    )


def test_missing_count_is_suppressed() -> None:
    row = stats.rate(np.nan, 100).iloc[0]
    assert np.isnan(row["value"])
    assert row["suppressed_reason"] == "count or denominator is missing"


def test_nine_and_ten_events_use_different_methods() -> None:
    result = stats.rate([9, 10], 1000)
    assert result["method"].tolist() == ["exact (chi-square)", "Byar"]


def test_two_levels_give_two_rows_per_input_side_by_side() -> None:
    result = stats.rate([5, 50], 1000, confidence=(0.95, 0.998))
    assert result["count"].tolist() == [5, 5, 50, 50]
    assert result["confidence"].tolist() == [0.95, 0.998, 0.95, 0.998]
    wide, narrow = result.iloc[1], result.iloc[0]
    assert wide["lower"] < narrow["lower"] < narrow["upper"] < wide["upper"]


def test_bad_inputs_raise_user_errors() -> None:
    with pytest.raises(DataError, match="negative"):
        stats.rate(-1, 100)
    with pytest.raises(DataError, match="different lengths"):
        stats.rate([1, 2, 3], [10, 20])
    with pytest.raises(InvalidConfig, match=r"0\.95"):
        stats.rate(1, 100, confidence=95)


@given(
    count=st.integers(min_value=1, max_value=50_000),
    population=st.integers(min_value=1, max_value=10_000_000),
    level=st.sampled_from((0.95, 0.998)),
)
@settings(max_examples=100, deadline=None)
def test_rate_matches_phstatsmethods(count: int, population: int, level: float) -> None:
    ours = stats.rate(count, population, confidence=level).iloc[0]
    frame = pd.DataFrame({"x": [count], "n": [population]})
    theirs = PHS.ph_rate(frame, "x", "n", confidence=level).iloc[0]
    tag = "95" if level == 0.95 else "99_8"
    assert close(ours["value"], theirs["Value"])
    assert close(ours["lower"], theirs[f"lower_{tag}_ci"])
    assert close(ours["upper"], theirs[f"upper_{tag}_ci"])
    assert (
        ours["method"]
        == {"Exact": "exact (chi-square)", "Byars": "Byar"}[theirs["Method"]]
    )


def test_proportion_at_zero_and_total() -> None:
    result = stats.proportion([0, 10], 10)
    assert result["value"].tolist() == [0.0, 1.0]
    assert result["lower"].iloc[0] == 0.0
    assert result["upper"].iloc[1] == 1.0
    assert (result["method"] == "Wilson score").all()


def test_proportion_zero_total_is_suppressed_and_excess_count_is_an_error() -> None:
    row = stats.proportion(0, 0).iloc[0]
    assert np.isnan(row["value"])
    assert row["suppressed_reason"] == "total is zero: a proportion is undefined"
    with pytest.raises(DataError, match="larger than its total"):
        stats.proportion(11, 10)


@given(
    total=st.integers(min_value=1, max_value=1_000_000),
    share=st.floats(min_value=0, max_value=1),
    level=st.sampled_from((0.95, 0.998)),
    percent=st.booleans(),
)
@settings(max_examples=100, deadline=None)
def test_proportion_matches_phstatsmethods(
    total: int, share: float, level: float, percent: bool
) -> None:
    count = round(total * share)
    multiplier = 100 if percent else 1
    ours = stats.proportion(count, total, multiplier=multiplier, confidence=level).iloc[
        0
    ]
    frame = pd.DataFrame({"x": [count], "n": [total]})
    theirs = PHS.ph_proportion(frame, "x", "n", confidence=level, multiplier=multiplier)
    tag = "95" if level == 0.95 else "99_8"
    assert close(ours["value"], theirs["Value"].iloc[0])
    assert close(ours["lower"], theirs[f"lower_{tag}_ci"].iloc[0])
    assert close(ours["upper"], theirs[f"upper_{tag}_ci"].iloc[0])


def test_mean_by_group_with_single_and_empty_cases() -> None:
    frame = pd.DataFrame(
        {"ward": ["a"] * 5 + ["b"] + ["c"], "los": [8, 9, 10, 11, 12, 30, np.nan]}
    )
    result = stats.mean(frame, value="los", by="ward").set_index("ward")
    assert result.loc["a", "value"] == 10.0
    assert result.loc["a", "lower"] == pytest.approx(10 - 1.963243, abs=1e-6)
    assert result.loc["a", "method"] == "Student's t"
    assert result.loc["b", "value"] == 30.0
    assert result.loc[["b"], "lower"].isna().all()
    assert (
        result.loc["b", "suppressed_reason"]
        == "one value: no spread to estimate limits"
    )
    assert "c" not in result.index  # only missing values: nothing to average


def test_mean_argument_errors() -> None:
    with pytest.raises(DataError, match="value="):
        stats.mean(pd.DataFrame({"x": [1.0]}))
    with pytest.raises(DataError, match="pass a frame"):
        stats.mean([1.0, 2.0], by="x")


@given(
    groups=st.lists(
        st.lists(st.floats(min_value=0, max_value=1e6), min_size=2, max_size=30),
        min_size=1,
        max_size=4,
    ),
    level=st.sampled_from((0.95, 0.998)),
)
@settings(max_examples=80, deadline=None)
def test_mean_matches_phstatsmethods(groups: list[list[float]], level: float) -> None:
    frame = pd.DataFrame(
        [(g, v) for g, values in enumerate(groups) for v in values], columns=["g", "v"]
    )
    ours = stats.mean(frame, value="v", by="g", confidence=level)
    theirs = PHS.ph_mean(frame, "v", "g", confidence=level)
    tag = "95" if level == 0.95 else "99_8"
    for (_, a), (_, b) in zip(ours.iterrows(), theirs.iterrows(), strict=True):
        scale = max(1.0, abs(b["Value"]))
        assert math.isclose(a["value"], b["Value"], rel_tol=1e-9, abs_tol=1e-9 * scale)
        assert math.isclose(
            a["lower"], b[f"lower_{tag}_ci"], rel_tol=1e-9, abs_tol=1e-9 * scale
        )
        assert math.isclose(
            a["upper"], b[f"upper_{tag}_ci"], rel_tol=1e-9, abs_tol=1e-9 * scale
        )


@given(
    count=st.integers(min_value=0, max_value=10_000),
    population=st.integers(min_value=1, max_value=1_000_000),
)
@settings(max_examples=100, deadline=None)
def test_lower_value_upper_are_ordered(count: int, population: int) -> None:
    for result in (
        stats.rate(count, population, confidence=(0.95, 0.998)),
        stats.proportion(min(count, population), population, confidence=(0.95, 0.998)),
    ):
        assert (result["lower"] <= result["value"]).all()
        assert (result["value"] <= result["upper"]).all()
        assert set(RESULT) <= set(result.columns)
