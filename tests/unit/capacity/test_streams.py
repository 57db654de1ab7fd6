"""The bulk streams are NumPy's generators' numbers, bit for bit, and so are arrival times."""

from __future__ import annotations

import numpy as np
import pytest

from nearhome.capacity.distributions import Exponential
from nearhome.capacity.draws import _arrival_times
from nearhome.capacity.plan import PlanModel, PoolModel
from nearhome.capacity.streams import (
    COMPILED,
    fill_exponential,
    fill_uniform,
    stream_generator,
)
from nearhome.capacity.ward import _model

SEEDS = [0, 1, 31, 2**40 + 5, 123456789012345678901234567890]
KEYS = [0, 7, 2**32 - 1]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("key", KEYS)
def test_streams_are_numpys(seed: int, key: int) -> None:
    reps = [*range(0, 40, 7), 2**32 - 1]
    for stream in range(5):
        # long enough for the ziggurat's rare branches (about 1 draw in 90)
        u = np.empty((len(reps), 2000))
        e = np.empty((len(reps), 2000))
        fill_uniform(seed, reps, key, stream, u)
        fill_exponential(seed, reps, key, stream, e)
        for row, r in enumerate(reps):
            g = stream_generator(seed, (r, key, stream))
            assert np.array_equal(u[row], g.random(2000))
            g = stream_generator(seed, (r, key, stream))
            assert np.array_equal(e[row], g.standard_exponential(2000))


def test_a_view_is_filled_by_numpy() -> None:
    out = np.empty((3, 10))
    fill_uniform(5, [0, 1, 2], 9, 1, out[:, ::2])
    for row, r in enumerate([0, 1, 2]):
        assert np.array_equal(out[row, ::2], stream_generator(5, (r, 9, 1)).random(5))


def test_negative_seeds_are_refused() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        fill_uniform(-1, [0], 0, 0, np.empty((1, 3)))


def test_replication_numbers_beyond_one_word_are_numpys() -> None:
    out = np.empty((2, 50))
    fill_exponential(3, [1, 2**32], 4, 0, out)
    for row, r in enumerate([1, 2**32]):
        assert np.array_equal(
            out[row], stream_generator(3, (r, 4, 0)).standard_exponential(50)
        )


@pytest.mark.parametrize("rates", ["constant", "weekly", "with_gaps", "noisy"])
def test_compiled_arrival_times_are_numpys(rates: str) -> None:
    days = 3 * 365
    rate = np.full(days, 0.5)
    if rates == "weekly":
        rate = 0.5 + 0.3 * np.sin(np.arange(days) * 2 * np.pi / 7)
    if rates == "with_gaps":
        rate[100:130] = 0.0  # no admissions for a month: zero-width intervals
    model = _model(rate, Exponential(mean_days=35.0), 20, "empty", 0.0, 11)
    if rates == "noisy":
        pool = PoolModel(**{**model.pools[0].__dict__, "monthly_cv": 0.2})
        model = PlanModel(**{**model.__dict__, "pools": (pool,)})
    reps = list(range(25))
    a = _arrival_times(model, model.pools[0], reps, compiled=False)
    b = _arrival_times(model, model.pools[0], reps, compiled=COMPILED)
    assert np.array_equal(a, b)
    assert np.isfinite(a).sum() > 25 * 400
