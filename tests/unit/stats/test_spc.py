"""XmR charts: the published Making Data Count check, rules, icons, options, properties.

A plain per-point reference implementation, written from the rule definitions, checks
the vectorised rules on generated series.
"""

from __future__ import annotations

import doctest
from typing import Any, cast

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nearhome import stats
from nearhome.errors import DataError, InvalidConfig
from nearhome.stats import spc, spc_rules

PUBLISHED = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
BASELINE = [0.0, 1.0] * 6  # mean 0.5, average moving range 1 (with fix_after=12)
RULE_COLUMNS = ["rule_outside_limits", "rule_trend", "rule_two_sigma", "rule_run"]


def test_docstring_examples_run() -> None:
    assert doctest.testmod(spc).failed == 0


def test_published_check_without_screening() -> None:
    # Mean 35/18 = 1.94; moving ranges sum to 32 over 17: limits 35/18 ± 2.66 * 32/17.
    days = pd.date_range("2021-03-22", periods=18, freq="D")
    points = stats.xmr(PUBLISHED, days).points
    assert points["mean"].round(2).unique().tolist() == [1.94]
    assert points["lower_process_limit"].round(2).unique().tolist() == [-3.06]
    assert points["upper_process_limit"].round(2).unique().tolist() == [6.95]
    assert points["mean"].iloc[0] == pytest.approx(35 / 18, rel=1e-12)
    assert points["upper_process_limit"].iloc[0] == pytest.approx(
        35 / 18 + 2.66 * 32 / 17
    )
    assert points["date"].tolist() == list(days)


def test_published_check_with_screening() -> None:
    # 3.267 * 32/17 = 6.15 screens out the moving ranges 8 and 9; the other 15 are 1.
    points = stats.xmr(PUBLISHED, screen_outliers=True).points
    assert points["lower_process_limit"].round(2).unique().tolist() == [-0.72]
    assert points["upper_process_limit"].round(2).unique().tolist() == [4.60]
    assert (
        points["moving_range_screened"].tolist()
        == [False] * 4 + [True, True] + [False] * 12
    )
    assert points["special_cause"].tolist() == [False] * 4 + [True] + [False] * 13
    assert points["variation"].iloc[4] == "concern_high"  # higher is worse by default
    assert points["special_cause_rule"].iloc[4] == "outside_limits"


def test_points_and_summary_columns() -> None:
    chart = stats.xmr(PUBLISHED, pd.date_range("2024-01-01", periods=18, freq="MS"))
    assert list(chart.points.columns) == [
        "date", "index", "value", "segment", "mean", "lower_process_limit",
        "upper_process_limit", "lower_two_sigma", "upper_two_sigma", "lower_one_sigma",
        "upper_one_sigma", "moving_range", "moving_range_screened", "in_baseline",
        *RULE_COLUMNS, "special_cause", "special_cause_rule", "variation",
    ]  # fmt: skip
    assert list(chart.summary.columns) == [
        "points", "segments", "mean", "lower_process_limit", "upper_process_limit",
        "improvement", "target", "variation_icon", "assurance_icon", "warning",
    ]  # fmt: skip
    assert np.isnan(chart.points["moving_range"].iloc[0])
    assert chart.points["moving_range"].iloc[4] == 8.0


def series_after_baseline(tail: list[float]) -> pd.DataFrame:
    chart = stats.xmr(BASELINE + tail, fix_after=12, improvement="increase")
    points: pd.DataFrame = chart.points
    return points


def test_fixed_baseline_limits_and_two_sigma_rule() -> None:
    # Baseline 0,1 repeated: mean 0.5, amr 1; two sigma at 0.5 + 1.7733 = 2.2733,
    # limit at 3.16. Then 2.5, 0.6, 2.5: two of three beyond two sigma, all above the mean.
    points = series_after_baseline([2.5, 0.6, 2.5, 0.0, 1.0])
    assert points["in_baseline"].tolist() == [True] * 12 + [False] * 5
    assert points["upper_two_sigma"].iloc[0] == pytest.approx(0.5 + 2 * 2.66 / 3)
    assert points["rule_two_sigma"].tolist()[12:] == [True, False, True, False, False]
    assert points["variation"].tolist()[12:15] == [
        "improvement_high",
        "common_cause",
        "improvement_high",
    ]


def test_two_sigma_rule_ignores_a_window_that_crosses_the_mean() -> None:
    points = series_after_baseline([2.5, 0.4, 2.5, 0.0, 1.0])
    assert not points["rule_two_sigma"].any()


def test_current_two_sigma_rule_counts_points_beyond_the_limits() -> None:
    tail = [2.5, 4.0, 0.6, 0.0, 1.0]
    current = series_after_baseline(tail)
    earlier = stats.xmr(
        BASELINE + tail, fix_after=12, improvement="increase", two_sigma_rule="earlier"
    ).points
    assert current["rule_two_sigma"].tolist()[12:14] == [True, True]
    assert current["rule_outside_limits"].tolist()[12:14] == [False, True]
    assert current["special_cause_rule"].tolist()[12:14] == [
        "two_sigma",
        "outside_limits",
    ]
    assert earlier["rule_two_sigma"].tolist()[12:14] == [False, False]
    assert earlier["special_cause"].tolist()[12:14] == [False, True]


def test_run_of_seven_and_optional_six() -> None:
    # The baseline ends on 1.0 (above the mean), so each tail starts below it.
    tail = [0.0] + [1.0] * 6 + [0.0, 1.0]
    six = series_after_baseline(tail)
    assert not six["rule_run"].any()
    with_six = stats.xmr(BASELINE + tail, fix_after=12, run_length=6).points
    assert with_six["rule_run"].tolist()[12:] == [False] + [True] * 6 + [False, False]
    seven = series_after_baseline([0.0] + [1.0] * 7)
    assert seven["rule_run"].tolist()[12:] == [False] + [True] * 7
    assert set(seven["variation"].iloc[13:]) == {"improvement_high"}


def test_trend_crossing_the_mean_keeps_its_direction() -> None:
    tail = [-1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5]
    points = stats.xmr(BASELINE + tail, fix_after=12, improvement="decrease").points
    assert points["rule_trend"].tolist()[12:] == [True] * 7
    assert set(points["variation"].iloc[12:]) == {"concern_high"}


def test_directions_name_the_variation() -> None:
    expected: dict[Any, str] = {"increase": "improvement_high",
                                "decrease": "concern_high",
                                "neither": "neither_high"}  # fmt: skip
    for improvement, variation in expected.items():
        chart = stats.xmr(PUBLISHED, screen_outliers=True, improvement=improvement)
        assert chart.points["variation"].iloc[4] == variation
    low = [10 - v for v in PUBLISHED]
    chart = stats.xmr(low, screen_outliers=True, improvement="decrease")
    assert chart.points["variation"].iloc[4] == "improvement_low"


def test_variation_icon_is_the_last_point() -> None:
    tail = [0.0] + [1.0] * 7
    summary = stats.xmr(BASELINE + tail, fix_after=12, improvement="increase").summary
    assert summary["variation_icon"].iloc[0] == "improvement_high"
    summary = stats.xmr([*BASELINE, *tail, 0.0], fix_after=12).summary
    assert summary["variation_icon"].iloc[0] == "common_cause"


@pytest.mark.parametrize(
    ("improvement", "target", "icon"),
    [
        # Limits 0.5 ± 2.66 = -2.16 .. 3.16.
        ("increase", -3.0, "consistently_pass"),
        ("increase", 4.0, "consistently_fail"),
        ("increase", 1.0, "hit_and_miss"),
        ("decrease", 4.0, "consistently_pass"),
        ("decrease", -3.0, "consistently_fail"),
        ("decrease", 1.0, "hit_and_miss"),
        ("neither", 1.0, None),
    ],
)
def test_assurance_icon(improvement: str, target: float, icon: str | None) -> None:
    chart = stats.xmr(BASELINE + BASELINE[:2], improvement=improvement, target=target)  # type: ignore[arg-type]
    assert chart.summary["assurance_icon"].iloc[0] == icon
    assert chart.summary["target"].iloc[0] == target


def test_no_target_no_assurance() -> None:
    assert stats.xmr(BASELINE + BASELINE).summary["assurance_icon"].iloc[0] is None


def test_short_series_warning_in_the_output() -> None:
    short = stats.xmr(BASELINE).summary["warning"].iloc[0]
    assert short is not None
    assert "12 points, fewer than 13" in short
    assert stats.xmr([*BASELINE, 0.0]).summary["warning"].iloc[0] is None


def test_rebase_starts_new_limits_and_warns_about_a_short_earlier_baseline() -> None:
    dates = pd.date_range("2022-01-01", periods=30, freq="MS")
    values = [10.0, 11.0] * 5 + [20.0, 21.0] * 10
    chart = stats.xmr(values, dates, rebase=["2022-11-01"])
    points = chart.points
    assert points["segment"].tolist() == [0] * 10 + [1] * 20
    assert points["mean"].iloc[0] == 10.5
    assert points["mean"].iloc[-1] == 20.5
    assert np.isnan(points["moving_range"].iloc[10])  # no moving range across a rebase
    assert not points["special_cause"].any()
    summary = chart.summary.iloc[0]
    assert summary["segments"] == 2
    assert summary["warning"] == (
        "An earlier baseline has 10 points, fewer than 13: its limits are provisional."
    )
    unrebased = stats.xmr(values, dates).points
    assert unrebased["special_cause"].any()


def test_rebase_per_series_and_by_position() -> None:
    values = [1.0, 2.0] * 10
    series = ["a"] * 10 + ["b"] * 10
    chart = stats.xmr(values, series=series, rebase={"b": [5]})
    assert chart.points["segment"].tolist() == [0] * 10 + [0] * 5 + [1] * 5
    assert chart.points["index"].tolist() == list(range(10)) * 2
    both = stats.xmr(values, series=series, rebase=[4])
    assert both.points["segment"].tolist() == ([0] * 4 + [1] * 6) * 2
    with pytest.raises(DataError, match="'c'"):
        stats.xmr(values, series=series, rebase={"c": [5]})


def test_dates_sort_the_points() -> None:
    dates = pd.date_range("2024-01-01", periods=18, freq="MS")
    order = np.random.default_rng(7).permutation(18)
    shuffled = stats.xmr(np.array(PUBLISHED)[order], dates[order]).points
    ordered = stats.xmr(PUBLISHED, dates).points
    pd.testing.assert_frame_equal(shuffled, ordered)


def test_input_errors() -> None:
    with pytest.raises(DataError, match="missing"):
        stats.xmr([1.0, np.nan, 2.0])
    with pytest.raises(DataError, match="dates include missing"):
        stats.xmr([1.0, 2.0], [pd.Timestamp("2024-01-01"), pd.NaT])
    with pytest.raises(DataError, match="same date"):
        stats.xmr([1.0, 2.0], ["2024-01", "2024-01"])
    with pytest.raises(DataError, match="non-empty"):
        stats.xmr([])
    with pytest.raises(DataError, match="3 values but 2 dates"):
        stats.xmr([1.0, 2.0, 3.0], ["a", "b"])
    with pytest.raises(InvalidConfig, match="fix_after"):
        stats.xmr(PUBLISHED, fix_after=11)
    with pytest.raises(InvalidConfig, match="run_length"):
        stats.xmr(PUBLISHED, run_length=8)
    with pytest.raises(InvalidConfig, match="improvement"):
        stats.xmr(PUBLISHED, improvement="up")  # type: ignore[arg-type]


def test_one_point_has_no_limits_and_a_warning() -> None:
    chart = stats.xmr([5.0])
    assert np.isnan(chart.points["upper_process_limit"].iloc[0])
    assert chart.points["variation"].iloc[0] == "common_cause"
    assert "1 points" in chart.summary["warning"].iloc[0]


def reference_flags(y: list[float], run: int, trend: int, rule: str) -> pd.DataFrame:
    """The four rules point by point, written straight from their definitions."""
    n = len(y)
    mean = sum(y) / n
    amr = sum(abs(y[i] - y[i - 1]) for i in range(1, n)) / (n - 1)
    lines = spc_rules.sigma_lines(np.array(mean), np.array(amr))
    upl, lpl = float(lines["upper_process_limit"]), float(lines["lower_process_limit"])
    hi2, lo2 = float(lines["upper_two_sigma"]), float(lines["lower_two_sigma"])
    side = [1 if v > mean else -1 if v < mean else 0 for v in y]
    flags = {name: [False] * n for name in RULE_COLUMNS}
    for i, v in enumerate(y):
        flags["rule_outside_limits"][i] = v > upl or v < lpl
    for start in range(n - run + 1):
        window = side[start : start + run]
        if window[0] != 0 and all(s == window[0] for s in window):
            for i in range(start, start + run):
                flags["rule_run"][i] = True
    for start in range(n - trend + 1):
        steps = [y[i + 1] - y[i] for i in range(start, start + trend - 1)]
        if all(d > 0 for d in steps) or all(d < 0 for d in steps):
            for i in range(start, start + trend):
                flags["rule_trend"][i] = True

    def beyond(v: float, sign: int) -> bool:
        if sign > 0:
            return v > hi2 and (rule == "current" or v <= upl)
        return v < lo2 and (rule == "current" or v >= lpl)

    for start in range(n - 2):
        idx = range(start, start + 3)
        for sign in (1, -1):
            if (
                all(side[i] == sign for i in idx)
                and sum(beyond(y[i], sign) for i in idx) >= 2
            ):
                for i in idx:
                    if beyond(y[i], sign):
                        flags["rule_two_sigma"][i] = True
    return pd.DataFrame(flags)


values_strategy = st.lists(
    st.integers(min_value=0, max_value=40).map(float), min_size=2, max_size=60
)


@given(
    y=values_strategy,
    run=st.sampled_from((6, 7)),
    trend=st.sampled_from((6, 7)),
    rule=st.sampled_from(("current", "earlier")),
)
@settings(max_examples=150, deadline=None)
def test_vectorised_rules_match_the_plain_reference(
    y: list[float], run: int, trend: int, rule: str
) -> None:
    points = stats.xmr(
        y, run_length=run, trend_length=trend, two_sigma_rule=cast(Any, rule)
    ).points
    expected = reference_flags(y, run, trend, rule)
    pd.testing.assert_frame_equal(points[RULE_COLUMNS], expected)
    assert (points["special_cause"] == expected.any(axis=1)).all()


@given(series=st.lists(values_strategy, min_size=1, max_size=6))
@settings(max_examples=60, deadline=None)
def test_many_series_in_one_call_equal_one_call_each(series: list[list[float]]) -> None:
    values = [v for one in series for v in one]
    labels = [f"s{i}" for i, one in enumerate(series) for _ in one]
    together = stats.xmr(values, series=labels, improvement="increase", target=20.0)
    for i, one in enumerate(series):
        alone = stats.xmr(one, improvement="increase", target=20.0)
        part = together.points[together.points["series"] == f"s{i}"].drop(
            columns="series"
        )
        pd.testing.assert_frame_equal(part.reset_index(drop=True), alone.points)
        summary = together.summary[together.summary["series"] == f"s{i}"]
        pd.testing.assert_frame_equal(
            summary.drop(columns="series").reset_index(drop=True), alone.summary
        )


@given(y=values_strategy, screen=st.booleans())
@settings(max_examples=100, deadline=None)
def test_limits_are_symmetric_about_the_mean(y: list[float], screen: bool) -> None:
    points = stats.xmr(y, screen_outliers=screen).points
    for k in ("process_limit", "two_sigma", "one_sigma"):
        upper = points[f"upper_{k}"] - points["mean"]
        lower = points["mean"] - points[f"lower_{k}"]
        np.testing.assert_allclose(upper, lower, rtol=1e-12, atol=1e-9)


@given(y=values_strategy, shift=st.integers(min_value=-1000, max_value=1000))
@settings(max_examples=100, deadline=None)
def test_adding_a_constant_shifts_the_limits_by_it(y: list[float], shift: int) -> None:
    base = stats.xmr(y).points
    moved = stats.xmr([v + shift for v in y]).points
    for column in ("mean", "lower_process_limit", "upper_process_limit",
                   "lower_two_sigma", "upper_two_sigma"):  # fmt: skip
        np.testing.assert_allclose(
            moved[column], base[column] + shift, rtol=0, atol=1e-9
        )
    np.testing.assert_allclose(moved["moving_range"], base["moving_range"], atol=1e-9)
    lines = base[["mean", "lower_process_limit", "upper_process_limit",
                  "lower_two_sigma", "upper_two_sigma"]]  # fmt: skip
    on_a_line = lines.sub(base["value"], axis=0).abs().min(axis=1) < 1e-6
    same = (moved[RULE_COLUMNS] == base[RULE_COLUMNS]).all(axis=1)
    assert (same | on_a_line).all()
