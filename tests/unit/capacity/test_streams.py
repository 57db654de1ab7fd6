"""The bulk streams are NumPy's generators' numbers, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from nearhome.capacity.streams import (
    fill_exponential,
    fill_uniform,
    stream_generator,
)

SEEDS = [0, 1, 31, 2**40 + 5, 123456789012345678901234567890]
KEYS = [0, 7, 2**32 - 1]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("key", KEYS)
def test_streams_are_numpys(seed: int, key: int) -> None:
    reps = [*range(0, 40, 7), 2**31]
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
