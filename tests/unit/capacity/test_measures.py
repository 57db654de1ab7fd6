"""Pooled ratio estimator and batch joining."""

from __future__ import annotations

import doctest
import math

import numpy as np
import pytest

from nearhome.capacity import measures
from nearhome.capacity.measures import ratio_estimate


def test_ratio_estimate() -> None:
    est, se = ratio_estimate(np.array([2.0, 4.0, 6.0]), np.array([10.0, 20.0, 30.0]))
    assert est == pytest.approx(0.2) and se == pytest.approx(0.0)
    assert math.isnan(ratio_estimate(np.array([0.0]), np.array([0.0]))[0])
    assert math.isnan(ratio_estimate(np.array([1.0]), np.array([5.0]))[1])


def test_doctests() -> None:
    assert doctest.testmod(measures).failed == 0
