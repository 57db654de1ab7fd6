"""One ward where nobody waits, counted directly: admissions, refusals, midnight census.

The general engine records every stay segment and out-of-area placement so that transfers,
queues, repatriation and bed schedules can be measured afterwards. A single pool whose
beds are always open and where nobody ever waits (the Erlang B ward) needs none of that:
its answer is three things per replication — admissions, admissions sent out of area and
the midnight census — and building and then re-reading the records cost several times the
simulation itself. This module computes those three directly from the same pre-drawn
batch (:func:`nearhome.capacity.draws.build_batch`), so the seeding discipline and common
random numbers are untouched and the counts are exactly the engine's (a test checks it).

Beds are alike, so only the *multiset* of the beds' release times matters: an admission
finds a bed iff some release has passed, and it then replaces any passed release with its
own (every free bed is alike for every later admission, and the census counts stays, not
beds). The compiled core scans a replication's few beds per admission — a branch-free
count of beds still occupied, then the first free one — and, when no lever touches the
ward, reads each stay straight from the drawn visits. The NumPy core steps every
replication of the batch together with an ``argmin`` over the beds
(:func:`nearhome.capacity.engine.single_pool_admissions`, which the engine's own
single-ward path uses too).

The census is :func:`nearhome.capacity.measures.midnight_census`: a stay from ``start``
to ``end`` counts on each midnight ``d`` with ``start <= d < end``; the compiled core
applies the same rule one stay at a time.
"""

from __future__ import annotations

# The numba functions below are typed by numba when compiled, not by annotations.
# mypy: disable-error-code="no-untyped-def,no-untyped-call"
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from nearhome.capacity.batch import MIN_STAY_DAYS, BatchInputs
from nearhome.capacity.compiled import HAVE_NUMBA, jit, jit_inline
from nearhome.capacity.engine import (
    first_pool_neutral,
    first_pool_stays,
    single_pool_admissions,
    single_pool_loss,
)
from nearhome.capacity.measures import NEVER, midnight_census

__all__ = [
    "HAVE_NUMBA",
    "WardCounts",
    "census_histogram",
    "count_ward",
    "is_plain_ward",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class WardCounts:
    """What a plain ward's replications produce: counts from the warm-up on and the census."""

    arrivals: IntArray  # [R] admissions demanded within [warm-up, horizon]
    sent_away: IntArray  # [R] of which sent out of area
    census: NDArray[np.int32]  # [R, D] midnight census of the ward's beds


def is_plain_ward(inputs: BatchInputs) -> bool:
    """One pool, every bed always open, nobody ever waits: the case counted here."""
    return single_pool_loss(inputs)


@jit_inline
def _midnight(x, days):
    """Index of the first midnight at or after ``x``, clipped to ``[0, days]``."""
    c = math.ceil(min(x, NEVER))
    return min(max(c, 0), days)


@jit
def _ward_kernel(  # noqa: PLR0913, PLR0917
    arr_t, stays, first, nvis, init_end, horizon, warmup, arrivals, sent_away, census
):
    """Every replication in turn: bed releases scanned, refusals counted, census by day.

    The k-th admission of replication r stays ``max(stays[r, first + k % nvis],
    MIN_STAY_DAYS)`` days: the drawn visits themselves when no lever touches the ward,
    else stays worked out beforehand (with ``first = 0``, ``nvis`` their number).
    """
    reps, width = arr_t.shape
    days = census.shape[1]
    beds = init_end.shape[1]
    diff = np.zeros(days + 1, dtype=np.int32)
    release = np.empty(beds)
    for r in range(reps):
        diff[:] = 0
        for j in range(beds):
            e = init_end[r, j]
            release[j] = e
            if e > -np.inf:
                diff[0] += 1
                diff[_midnight(e, days)] -= 1
        n_in = 0
        n_out = 0
        v = first  # first + k % nvis, without a division per admission
        for k in range(width):
            t = arr_t[r, k]
            if not t <= horizon:
                break
            counted = t >= warmup
            n_in += counted
            # beds still occupied at t: a count with no branch, which the compiler
            # vectorises (a heap's or a running minimum's chain of dependent compares
            # cost half as much again)
            busy = 0
            for j in range(beds):
                busy += release[j] > t
            if busy < beds:
                j = 0
                while release[j] > t:
                    j += 1
                stop = t + max(stays[r, v], MIN_STAY_DAYS)
                release[j] = stop
                diff[_midnight(t, days)] += 1
                diff[_midnight(stop, days)] -= 1
            else:
                n_out += counted
            v = first if v + 1 == first + nvis else v + 1
        arrivals[r] = n_in
        sent_away[r] = n_out
        running = 0
        for d in range(days):
            running += diff[d]
            census[r, d] = running


def _numpy_counts(
    arr_t: FloatArray,
    leave: FloatArray,
    init_end: FloatArray,
    horizon: float,
    warmup: float,
    days: int,
) -> WardCounts:
    """The same counts with every replication stepped together (one pass per admission)."""
    reps = arr_t.shape[0]
    live = arr_t <= horizon
    admitted = single_pool_admissions(arr_t, leave, live, init_end)
    counted = live & (arr_t >= warmup)
    row, col = np.nonzero(admitted)
    r0, j0 = np.nonzero(init_end > -np.inf)
    rows = np.concatenate((r0, row))
    starts = np.concatenate((np.zeros(r0.size), arr_t[row, col]))
    stops = np.concatenate((init_end[r0, j0], leave[row, col]))
    census = midnight_census(rows, np.zeros_like(rows), starts, stops, days, (reps, 1))[
        :, 0
    ]
    return WardCounts(
        arrivals=counted.sum(axis=1).astype(np.int64),
        sent_away=(counted & ~admitted).sum(axis=1).astype(np.int64),
        census=census,
    )


def count_ward(inputs: BatchInputs, days: int, *, use_numba: bool) -> WardCounts:
    """Admissions, refusals and census of a plain ward's batch (see :func:`is_plain_ward`).

    ``use_numba`` picks the compiled core (when numba is installed) over the NumPy
    core; both give identical counts from the same batch.
    """
    if not is_plain_ward(inputs):
        raise ValueError("count_ward needs one always-open pool where nobody waits")
    x = inputs
    reps, width = x.arr_t.shape
    nvis = int(x.vis_offset[1] - x.vis_offset[0])
    init_end = np.ascontiguousarray(x.init_end[:, 0, :])
    compiled = use_numba and HAVE_NUMBA
    if compiled and first_pool_neutral(x, width, nvis):
        stays, first = x.vis_clin, int(x.vis_offset[0])  # read in place, no arithmetic
    else:
        live = x.arr_t <= x.horizon
        safe = np.where(live, x.arr_t, 0.0)
        stays = first_pool_stays(x, width, safe, nvis)
        if not compiled:
            return _numpy_counts(
                x.arr_t, safe + stays, init_end, x.horizon, x.warmup, days
            )
        first, nvis = 0, max(width, 1)
    arrivals = np.zeros(reps, dtype=np.int64)
    sent_away = np.zeros(reps, dtype=np.int64)
    census = np.empty((reps, days), dtype=np.int32)
    _ward_kernel(
        x.arr_t,  # a view of the padded draws: numba reads it in place
        stays,
        first,
        nvis,
        init_end,
        float(x.horizon),
        float(x.warmup),
        arrivals,
        sent_away,
        census,
    )
    return WardCounts(arrivals=arrivals, sent_away=sent_away, census=census)


@jit
def _histogram(census):
    """Counts of each census value, or ``None`` if a value is negative."""
    top = 0
    for r in range(census.shape[0]):
        for d in range(census.shape[1]):
            c = census[r, d]
            if c < 0:
                return None
            top = max(top, c)
    counts = np.zeros(top + 1, dtype=np.int64)
    for r in range(census.shape[0]):
        for d in range(census.shape[1]):
            counts[census[r, d]] += 1
    return counts


def census_histogram(census: NDArray[np.int32]) -> IntArray:
    """How many replication-days had each census value: ``numpy.bincount`` of the census.

    ``bincount`` needs a flat array of platform integers, so for a window of the census
    it first made two copies of it; the compiled count reads the window in place.
    """
    if HAVE_NUMBA and census.ndim == 2 and census.size:
        counts = _histogram(census)
        if counts is not None:
            return np.asarray(counts, dtype=np.int64)
    return np.bincount(census.ravel()).astype(np.int64)
