"""Seasonal mean occupancy: the M_t/G/∞ model.

With unlimited beds, the number of people in hospital at time ``t`` is Poisson with mean

    m(t) = ∫₀^∞ λ(t − u) · P(LOS > u) du

whatever the length-of-stay distribution (a non-homogeneous Poisson process of admissions
through an infinite-server queue). It tells a planner how far the winter peak in demand
lags and damps in the census, and is the yardstick the simulation is tested against.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from nearhome.capacity.distributions import LengthOfStay

__all__ = ["daily_mean_occupancy", "sinusoidal_mean_occupancy"]

FloatArray = NDArray[np.float64]


def sinusoidal_mean_occupancy(
    t: FloatArray | float,
    *,
    mean_rate: float,
    amplitude: float,
    period_days: float,
    mean_los_days: float,
) -> FloatArray:
    """Exact mean census for ``λ(t) = λ̄ (1 + α sin(2πt/T))`` and exponential stays.

    The census follows the same sine, damped by ``1/√(1 + (ωL)²)`` and delayed by
    ``atan(ωL)/ω``, where ``L`` is the mean stay and ``ω = 2π/T``.

    Examples:
        >>> float(sinusoidal_mean_occupancy(0.0, mean_rate=0.5, amplitude=0.0,
        ...     period_days=365.25, mean_los_days=35.0))
        17.5
    """
    omega = 2.0 * math.pi / period_days
    ratio = omega * mean_los_days
    tt = np.asarray(t, dtype=np.float64)
    wave = (np.sin(omega * tt) - ratio * np.cos(omega * tt)) / (1.0 + ratio**2)
    return np.asarray(
        mean_rate * mean_los_days * (1.0 + amplitude * wave), dtype=np.float64
    )


def daily_mean_occupancy(
    daily_rates: FloatArray,
    los: LengthOfStay,
    *,
    history_rate: float | None = None,
) -> FloatArray:
    """Mean census at each midnight for admissions arriving at a constant rate within each day.

    ``daily_rates[d]`` is the admission rate on day ``d`` (from midnight ``d`` to ``d+1``).
    The result's element ``d`` is the mean census at midnight ``d + 1``. Before day 0 the
    rate is ``history_rate`` (default: the first day's rate), so a plan that starts in
    steady state is not mistaken for an empty ward.

    Examples:
        >>> from nearhome.capacity.distributions import Deterministic
        >>> daily_mean_occupancy(np.array([2.0, 2.0]), Deterministic(days=3.0)).tolist()
        [6.0, 6.0]
    """
    rates = np.asarray(daily_rates, dtype=np.float64)
    days = rates.size
    past = float(rates[0]) if history_rate is None else history_rate
    # weight[k] = ∫_k^{k+1} P(LOS > u) du = E[min(L, k+1)] - E[min(L, k)]
    horizon = days + 1
    edges = np.arange(horizon + 1, dtype=np.float64)
    limited = los.limited_mean(edges)
    weights = np.diff(limited)
    recent = np.convolve(rates, weights[:days])[:days]
    # everything admitted before day 0 contributes past × ∫_{d+1}^∞ S(u) du
    tail = past * (los.mean - limited[1 : days + 1])
    return np.asarray(recent + tail, dtype=np.float64)
