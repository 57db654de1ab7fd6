"""Funnel-plot limits and positions against hand-worked Poisson figures."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from nearhome.errors import DataError
from nearhome.stats.funnel import funnel_limits, funnel_position


def test_limits_are_exact_poisson_limits_of_the_expected_count() -> None:
    # 50 per 100,000 in 1,000 people: 0.5 expected events
    limits = funnel_limits([1_000], target=50.0)
    upper95 = sps.chi2.ppf(0.975, 2 * 0.5 + 2) / 2 / 1_000 * 100_000
    assert limits["upper"].iloc[0] == pytest.approx(upper95)
    assert round(limits["upper"].iloc[0], 2) == 467.42
    assert limits["confidence"].tolist() == [0.95, 0.998]
    assert (limits["lower"] <= 50.0).all() and (limits["upper"] >= 50.0).all()


def test_funnel_narrows_as_the_denominator_grows() -> None:
    limits = funnel_limits(np.geomspace(100, 1e7, 30), target=20.0, confidence=0.95)
    width = (limits["upper"] - limits["lower"]).to_numpy()
    assert (np.diff(width) < 0).all()


def test_zero_denominator_has_no_limits_and_no_position() -> None:
    limits = funnel_limits([0], target=20.0, confidence=0.95)
    assert math.isnan(limits["lower"].iloc[0]) and math.isnan(limits["upper"].iloc[0])
    assert funnel_position([0], [0], 20.0)[0] is None


def test_positions_by_the_exact_test() -> None:
    # 4 expected events (20 per 100,000 in 20,000 people)
    assert sps.poisson.cdf(0, 4) == pytest.approx(math.exp(-4))  # 0.0183
    got = funnel_position([0, 0, 12, 7], [20_000] * 4, 20.0, confidence=0.95)
    assert got.tolist() == ["below", "below", "above", "within"]
    assert funnel_position([0], [20_000], 20.0, confidence=0.998)[0] == "within"
    # under one expected event, no events is never "below"
    assert funnel_position([0], [1_000], 20.0, confidence=0.95)[0] == "within"


def test_negative_target_is_refused() -> None:
    with pytest.raises(DataError):
        funnel_limits([100], target=-1.0)
