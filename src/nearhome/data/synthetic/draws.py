"""Vectorised random draws shared by the generator's modules.

Everything here takes a ``numpy.random.Generator`` and whole arrays, so the generator
never loops over patients in Python.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from nearhome.data.synthetic.calibration import Weights

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
StrArray = npt.NDArray[np.str_]


def normalised(weights: Weights) -> tuple[StrArray, FloatArray]:
    """Codes and their probabilities (weights scaled to sum to one)."""
    codes = np.array([code for code, _ in weights], dtype=np.str_)
    p = np.array([w for _, w in weights], dtype=np.float64)
    return codes, p / p.sum()


def codes(rng: np.random.Generator, weights: Weights, n: int) -> StrArray:
    """``n`` codes drawn independently with the given weights."""
    values, p = normalised(weights)
    cdf = np.cumsum(p)
    return values[
        np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), len(values) - 1)
    ]


def rows_choice(rng: np.random.Generator, p: FloatArray) -> IntArray:
    """One column index per row of ``p`` (rows need not be normalised)."""
    cum = np.cumsum(p, axis=1)
    u = rng.random(len(p)) * cum[:, -1]
    return np.minimum((cum < u[:, None]).sum(axis=1), p.shape[1] - 1).astype(np.int64)


def lognormal_days(
    rng: np.random.Generator,
    median: FloatArray | float,
    sigma: FloatArray | float,
    n: int,
) -> IntArray:
    """Heavy-tailed whole-day durations (at least one day)."""
    days = np.asarray(median) * np.exp(np.asarray(sigma) * rng.standard_normal(n))
    return np.maximum(np.rint(days), 1).astype(np.int64)


def rank_within(groups: IntArray, rng: np.random.Generator) -> IntArray:
    """A random order 0, 1, 2, ... of the items of each group."""
    n = len(groups)
    order = np.lexsort((rng.random(n), groups))
    sorted_groups = groups[order]
    starts = np.flatnonzero(np.r_[True, sorted_groups[1:] != sorted_groups[:-1]])
    run_start = np.repeat(starts, np.diff(np.r_[starts, n]))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - run_start
    return rank


def haversine_km(
    lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray
) -> FloatArray:
    """Great-circle distance in km (Earth radius 6,371 km)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def stream(seed: int, *key: int) -> np.random.Generator:
    """An independent generator for one part of the build (same seed, key -> same draws).

    Child streams are keyed rather than drawn in sequence, so that, for example, ICB 3's
    geography is the same whether 5 or 42 ICBs are built.
    """
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


def recode(values: StrArray, mapping: dict[str, str], default: str) -> StrArray:
    """Map each value through ``mapping`` (``default`` where it has no entry)."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.str_)
    unique, inverse = distinct_inverse(values)
    mapped = np.array([mapping.get(str(v), default) for v in unique])
    return mapped[inverse]


def distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (by sorting: ``np.unique`` hashes, slowly for big arrays)."""
    ordered = np.sort(values, kind="stable")
    return (
        ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if len(ordered) else ordered
    )


def distinct_inverse(values: np.ndarray) -> tuple[np.ndarray, IntArray]:
    """Sorted distinct values and, for each input, the position of its value among them."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    new = (
        np.r_[True, ordered[1:] != ordered[:-1]]
        if len(ordered)
        else np.zeros(0, dtype=bool)
    )
    inverse = np.empty(len(values), dtype=np.int64)
    inverse[order] = np.cumsum(new) - 1
    return ordered[new], inverse
