"""Rate ratios and differences against a reference group."""

from __future__ import annotations

import doctest
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from nearhome import stats
from nearhome.errors import DataError, InvalidConfig
from nearhome.stats import intervals, ratios


def crude(frame: pd.DataFrame, **options: Any) -> pd.DataFrame:
    settings = {
        "group": "g",
        "reference": "ref",
        "count": "x",
        "population": "n",
    } | options
    result: pd.DataFrame = stats.rate_ratio(frame, **settings)
    return result


def pair(x1: float, n1: float, x0: float, n0: float) -> pd.DataFrame:
    return pd.DataFrame({"g": ["ref", "other"], "x": [x0, x1], "n": [n0, n1]})


def test_docstring_examples_run() -> None:
    assert doctest.testmod(ratios).failed == 0


@given(
    x1=st.integers(min_value=1, max_value=3000),
    x0=st.integers(min_value=1, max_value=3000),
    n1=st.integers(min_value=100, max_value=5_000_000),
    n0=st.integers(min_value=100, max_value=5_000_000),
    level=st.sampled_from((0.95, 0.998)),
)
@settings(max_examples=100, deadline=None)
def test_exact_conditional_ratio_matches_statsmodels_clopper_pearson(
    x1: int, x0: int, n1: int, n0: int, level: float
) -> None:
    row = crude(pair(x1, n1, x0, n0), confidence=level).iloc[0]
    p_low, p_high = proportion_confint(x1, x1 + x0, alpha=1 - level, method="beta")
    assert row["measure"] == "ratio"
    assert math.isclose(row["value"], (x1 / n1) / (x0 / n0), rel_tol=1e-12)
    assert math.isclose(row["lower"], p_low / (1 - p_low) * n0 / n1, rel_tol=1e-9)
    assert math.isclose(row["upper"], p_high / (1 - p_high) * n0 / n1, rel_tol=1e-9)
    assert row["method"] == "exact conditional (binomial)"


def test_no_events_in_the_group_gives_a_finite_upper_limit() -> None:
    # Clopper-Pearson at 0 of 0 + x0: upper p = 1 - 0.025^(1/x0).
    row = crude(pair(0, 1000, 8, 2000)).iloc[0]
    p_high = 1 - 0.025 ** (1 / 8)
    assert row["value"] == 0.0
    assert row["lower"] == 0.0
    assert row["upper"] == pytest.approx(p_high / (1 - p_high) * 2000 / 1000, rel=1e-12)


def test_no_events_in_the_reference_is_suppressed_but_the_difference_is_not() -> None:
    result = crude(pair(5, 1000, 0, 1000)).set_index("measure")
    assert result.loc[["ratio"], "value"].isna().all()
    assert result.loc["ratio", "suppressed_reason"] == (
        "reference group has no events: ratio undefined"
    )
    assert result.loc["ratio", "method"] == "not calculated"
    assert result.loc["difference", "value"] == pytest.approx(500.0)


def test_mover_difference_hand_worked() -> None:
    # Rates per 100,000: 228 and 64. Each rate's own Byar limits recover its variance:
    # lower = d - sqrt((r1 - l1)^2 + (u0 - r0)^2), upper = d + sqrt((u1 - r1)^2 + (r0 - l0)^2).
    row = crude(pair(228, 100_000, 64, 100_000)).iloc[1]
    l1, u1 = intervals.byar(np.array([228.0]), 0.95)
    l0, u0 = intervals.byar(np.array([64.0]), 0.95)
    assert row["measure"] == "difference"
    assert row["value"] == pytest.approx(164.0)
    assert row["lower"] == pytest.approx(
        164 - math.hypot(228 - l1[0], u0[0] - 64), rel=1e-12
    )
    assert row["upper"] == pytest.approx(
        164 + math.hypot(u1[0] - 228, 64 - l0[0]), rel=1e-12
    )
    assert row["lower"] == pytest.approx(130.32, abs=0.01)
    assert row["upper"] == pytest.approx(198.85, abs=0.01)


def test_difference_with_no_events_in_the_group_uses_exact_limits() -> None:
    # Rates 0 and 3 per 10,000. Exact limits: 0 events (0, 3.6889); 3 events
    # (0.6187, 8.7673). Lower -3 - (8.7673 - 3) = -8.7673; upper
    # -3 + sqrt(3.6889^2 + (3 - 0.6187)^2) = -3 + 4.3907 = 1.3907.
    row = crude(pair(0, 10_000, 3, 10_000), multiplier=10_000).iloc[1]
    assert row["value"] == pytest.approx(-3.0)
    assert row["lower"] == pytest.approx(-8.7673, abs=1e-4)
    assert row["upper"] == pytest.approx(1.3907, abs=1e-4)
    assert row["method"] == "MOVER from exact/Byar limits"


def test_dsr_ratio_uses_the_log_scale_taylor_method() -> None:
    # DSRs 120 (variance 100) and 80 (variance 64): RR 1.5,
    # se(log RR) = sqrt(100/120^2 + 64/80^2) = sqrt(0.006944 + 0.01) = 0.130171.
    frame = pd.DataFrame(
        {"g": ["ref", "b"], "dsr": [80.0, 120.0], "var": [64.0, 100.0]}
    )
    result = stats.rate_ratio(
        frame, group="g", reference="ref", value="dsr", variance="var"
    )
    ratio, diff = result.iloc[0], result.iloc[1]
    se = math.sqrt(100 / 120**2 + 64 / 80**2)
    assert se == pytest.approx(0.130171, abs=1e-6)
    assert ratio["value"] == pytest.approx(1.5)
    assert ratio["lower"] == pytest.approx(1.5 * math.exp(-1.959964 * se), rel=1e-6)
    assert ratio["upper"] == pytest.approx(1.5 * math.exp(1.959964 * se), rel=1e-6)
    assert ratio["method"] == "log-scale Taylor (delta method)"
    # Difference 40 ± 1.959964 * sqrt(164) = 40 ± 25.0997.
    assert diff["lower"] == pytest.approx(40 - 25.0997, abs=1e-3)
    assert diff["upper"] == pytest.approx(40 + 25.0997, abs=1e-3)


def test_dsr_output_feeds_straight_in_and_suppressed_rates_stay_suppressed() -> None:
    esp = stats.esp2013()
    frames = []
    for group, per_band in (("ref", 20), ("high", 40), ("tiny", 0)):
        events = [per_band] * 19
        if group == "tiny":
            events[3] = 5
        frames.append(
            pd.DataFrame({"g": group, "band": esp["age_band"], "x": events, "n": 1000})
        )
    dsrs = stats.dsr(
        pd.concat(frames), count="x", population="n", age_band="band", by="g",
        confidence=(0.95, 0.998),
    )  # fmt: skip
    result = stats.rate_ratio(
        dsrs, group="g", reference="ref", value="value", variance="variance"
    )
    ratio = result[result["measure"] == "ratio"].set_index("group")
    assert ratio.loc["high", "value"] == pytest.approx(2.0)
    assert ratio.loc["tiny", "suppressed_reason"] == (
        "rate suppressed or missing in the group or the reference"
    )


def test_comparisons_within_each_by_group() -> None:
    frame = pd.DataFrame(
        {
            "year": [2023, 2023, 2024, 2024, 2025],
            "g": ["ref", "b", "ref", "b", "b"],
            "x": [10, 30, 20, 20, 5],
            "n": [1000, 1000, 1000, 1000, 1000],
        }
    )
    result = crude(frame, by="year", confidence=(0.95, 0.998))
    ratio = result[(result["measure"] == "ratio") & (result["confidence"] == 0.95)]
    assert ratio["year"].tolist() == [2023, 2024, 2025]
    assert ratio["value"].tolist()[:2] == [3.0, 1.0]
    assert (
        ratio["suppressed_reason"].iloc[2] == "group or reference figures are missing"
    )
    assert list(result.columns) == [
        "year", "group", "reference", "measure", "value", "lower", "upper", "confidence",
        "method", "suppressed_reason",
    ]  # fmt: skip


def test_errors_users_can_fix() -> None:
    with pytest.raises(InvalidConfig, match="count= and population="):
        stats.rate_ratio(pair(1, 2, 3, 4), group="g", reference="ref")
    with pytest.raises(DataError, match="'nobody'"):
        crude(pair(1, 2, 3, 4), reference="nobody")
    with pytest.raises(DataError, match="one row per group"):
        crude(pd.concat([pair(1, 2, 3, 4), pair(2, 2, 3, 4)]))


@given(
    x1=st.integers(min_value=0, max_value=500),
    x0=st.integers(min_value=1, max_value=500),
    n=st.integers(min_value=1, max_value=100_000),
)
@settings(max_examples=80, deadline=None)
def test_limits_bracket_the_estimates(x1: int, x0: int, n: int) -> None:
    result = crude(pair(x1, n, x0, n), confidence=(0.95, 0.998))
    assert (result["lower"] <= result["value"] + 1e-9).all()
    assert (result["value"] <= result["upper"] + 1e-9).all()
