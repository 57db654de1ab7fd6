"""The seasonal M_t/G/infinity mean against its closed form."""

from __future__ import annotations

import doctest
import math

import numpy as np
import pytest

from nearhome.capacity import queueing
from nearhome.capacity.distributions import Deterministic, Exponential, Lognormal
from nearhome.capacity.queueing import daily_mean_occupancy, sinusoidal_mean_occupancy

T = 365.25


def _daily_sine(days: int, mean: float, amp: float) -> np.ndarray:
    k = np.arange(days)
    # exact integral of the rate over each day
    integral = mean * (
        1
        + amp
        * (np.cos(2 * math.pi * k / T) - np.cos(2 * math.pi * (k + 1) / T))
        * T
        / (2 * math.pi)
    )
    return np.asarray(integral)


def test_daily_convolution_matches_exact_sine() -> None:
    rates = _daily_sine(3 * 365, 0.5, 0.3)
    got = daily_mean_occupancy(rates, Exponential(mean_days=35.0))
    exact = sinusoidal_mean_occupancy(
        np.arange(1, 3 * 365 + 1),
        mean_rate=0.5,
        amplitude=0.3,
        period_days=T,
        mean_los_days=35.0,
    )
    assert np.abs(got - exact)[400:].max() < 0.01


def test_constant_rate_gives_littles_law() -> None:
    for los in (
        Exponential(mean_days=20.0),
        Lognormal(mean_days=20.0, sd_days=30.0),
        Deterministic(days=20.0),
    ):
        got = daily_mean_occupancy(np.full(200, 1.5), los)
        assert got == pytest.approx(np.full(200, 30.0), rel=1e-9)


def test_history_rate() -> None:
    got = daily_mean_occupancy(
        np.full(5, 1.0), Deterministic(days=10.0), history_rate=0.0
    )
    assert got.tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]


def test_doctests() -> None:
    assert doctest.testmod(queueing).failed == 0
