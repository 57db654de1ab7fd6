"""Confidence intervals: published values, the defining equations, and PHStatsMethods."""

from __future__ import annotations

import doctest
import math

import numpy as np
import PHStatsMethods as PHS
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from nearhome.stats import intervals

LEVELS = (0.95, 0.998)


def test_docstring_examples_run() -> None:
    assert doctest.testmod(intervals).failed == 0


def test_z_values_for_the_two_published_levels() -> None:
    assert intervals.z_value(0.95) == pytest.approx(1.959963985, abs=1e-9)
    assert intervals.z_value(0.998) == pytest.approx(3.090232306, abs=1e-9)


@pytest.mark.parametrize(
    ("count", "lower", "upper"),
    [
        # Published exact Poisson limits (Armitage & Berry tables, 95%).
        (0, 0.0, 3.689),
        (1, 0.0253, 5.572),
        (9, 4.115, 17.085),
    ],
)
def test_exact_poisson_matches_published_tables(
    count: int, lower: float, upper: float
) -> None:
    lo, hi = intervals.exact_poisson(np.array([float(count)]), 0.95)
    assert lo[0] == pytest.approx(lower, abs=6e-4)
    assert hi[0] == pytest.approx(upper, abs=6e-4)


def test_exact_limits_at_zero_are_closed_form() -> None:
    # With no events, P(X = 0 | mu) = exp(-mu) = alpha / 2 gives mu = -ln(alpha / 2).
    lo, hi = intervals.exact_poisson(np.array([0.0]), 0.95)
    assert lo[0] == 0.0
    assert hi[0] == pytest.approx(-math.log(0.025), rel=1e-12)


@given(count=st.integers(min_value=1, max_value=500), level=st.sampled_from(LEVELS))
@settings(max_examples=60, deadline=None)
def test_exact_limits_solve_the_poisson_tail_equations(
    count: int, level: float
) -> None:
    # Exact limits are the means at which the observed count sits in a tail of alpha/2.
    alpha = 1 - level
    lo, hi = intervals.exact_poisson(np.array([float(count)]), level)
    assert sps.poisson.cdf(count, hi[0]) == pytest.approx(alpha / 2, rel=1e-8)
    assert sps.poisson.sf(count - 1, lo[0]) == pytest.approx(alpha / 2, rel=1e-8)


def test_byar_at_ten_events_hand_worked() -> None:
    # lower = 10 (1 - 1/90 - 1.959964 / (3 sqrt 10))^3 = 10 * 0.782290^3 = 4.7874
    # upper = 11 (1 - 1/99 + 1.959964 / (3 sqrt 11))^3 = 11 * 1.186883^3 = 18.3915
    lo, hi = intervals.byar(np.array([10.0]), 0.95)
    assert lo[0] == pytest.approx(4.7874, abs=5e-5)
    assert hi[0] == pytest.approx(18.3915, abs=5e-5)


def test_switch_from_exact_to_byar_between_nine_and_ten() -> None:
    counts = np.array([9.0, 9.999, 10.0, 11.0])
    lo, hi = intervals.poisson_limits(counts, 0.95)
    exact_lo, exact_hi = intervals.exact_poisson(counts, 0.95)
    byar_lo, byar_hi = intervals.byar(counts, 0.95)
    assert lo[:2].tolist() == exact_lo[:2].tolist()
    assert hi[:2].tolist() == exact_hi[:2].tolist()
    assert lo[2:].tolist() == byar_lo[2:].tolist()
    assert hi[2:].tolist() == byar_hi[2:].tolist()
    assert intervals.poisson_method(counts).tolist() == [
        "exact (chi-square)",
        "exact (chi-square)",
        "Byar",
        "Byar",
    ]


@pytest.mark.parametrize(
    ("count", "total", "lower", "upper"),
    [
        # Newcombe (1998), Statistics in Medicine 17:857-72, Table I, Wilson score (95%).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_newcombe(
    count: int, total: int, lower: float, upper: float
) -> None:
    lo, hi = intervals.wilson(np.array([float(count)]), np.array([float(total)]), 0.95)
    assert lo[0] == pytest.approx(lower, abs=6e-5)
    assert hi[0] == pytest.approx(upper, abs=6e-5)


def test_wilson_at_zero_and_all_is_closed_form() -> None:
    # At 0 of n the upper limit is z^2 / (n + z^2); at n of n the lower is n / (n + z^2).
    z2 = intervals.z_value(0.95) ** 2
    lo, hi = intervals.wilson(np.array([0.0, 10.0]), np.array([10.0, 10.0]), 0.95)
    assert lo.tolist() == [0.0, pytest.approx(10 / (10 + z2), rel=1e-12)]
    assert hi.tolist() == [pytest.approx(z2 / (10 + z2), rel=1e-12), 1.0]


def test_dobson_hand_worked() -> None:
    # value 100, variance 400, total 25: sqrt(400 / 25) = 4. Byar(25):
    # lower 25 (1 - 1/225 - 1.959964/15)^3 = 25 * 0.864892^3 = 16.1744,
    # upper 26 (1 - 1/234 + 1.959964/15.29706)^3 = 26 * 1.123854^3 = 36.9065;
    # limits 100 + 4 * (16.1744 - 25) = 64.698 and 100 + 4 * (36.9065 - 25) = 147.626.
    lo, hi = intervals.dobson(
        np.array([100.0]), np.array([25.0]), np.array([400.0]), 0.95
    )
    assert lo[0] == pytest.approx(64.698, abs=1e-3)
    assert hi[0] == pytest.approx(147.626, abs=1e-3)


def test_t_interval_hand_worked_and_undefined_for_one_value() -> None:
    # t(0.975, 4) = 2.776445; half width 2.776445 * 2 / sqrt(5) = 2.48333.
    lo, hi = intervals.t_interval(
        np.array([10.0, 3.0]), np.array([2.0, np.nan]), np.array([5.0, 1.0]), 0.95
    )
    assert lo[0] == pytest.approx(10 - 2.483328, abs=1e-6)
    assert hi[0] == pytest.approx(10 + 2.483328, abs=1e-6)
    assert np.isnan(lo[1])
    assert np.isnan(hi[1])


@given(count=st.integers(min_value=1, max_value=100_000), level=st.sampled_from(LEVELS))
@settings(max_examples=200, deadline=None)
def test_poisson_limits_match_phstatsmethods(count: int, level: float) -> None:
    lo, hi = intervals.poisson_limits(np.array([float(count)]), level)
    assert math.isclose(lo[0], PHS.byars_lower(count, level), rel_tol=1e-9)
    assert math.isclose(hi[0], PHS.byars_upper(count, level), rel_tol=1e-9)


@given(
    total=st.integers(min_value=1, max_value=1_000_000),
    share=st.floats(min_value=0, max_value=1),
    level=st.sampled_from(LEVELS),
)
@settings(max_examples=200, deadline=None)
def test_wilson_matches_phstatsmethods(total: int, share: float, level: float) -> None:
    count = round(total * share)
    lo, hi = intervals.wilson(np.array([float(count)]), np.array([float(total)]), level)
    assert math.isclose(
        lo[0], PHS.wilson_lower(count, total, level), rel_tol=1e-9, abs_tol=1e-12
    )
    assert math.isclose(
        hi[0], PHS.wilson_upper(count, total, level), rel_tol=1e-9, abs_tol=1e-12
    )


@given(count=st.integers(min_value=0, max_value=10_000), level=st.sampled_from(LEVELS))
@settings(max_examples=100, deadline=None)
def test_limits_bracket_the_count(count: int, level: float) -> None:
    lo, hi = intervals.poisson_limits(np.array([float(count)]), level)
    assert 0 <= lo[0] <= count <= hi[0]
