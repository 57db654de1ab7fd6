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
finds a bed iff the earliest release has passed, and it then replaces that release with
its own. The compiled core keeps the releases in a binary min-heap (``O(log beds)`` per
admission, one replication at a time); the NumPy core steps every replication of the batch
together with an ``argmin`` over the beds, as :mod:`nearhome.capacity.engine` does.

The census follows :mod:`nearhome.capacity.measures`: a stay from ``start`` to ``end``
counts on each midnight ``d`` with ``start <= d < end``.
"""

from __future__ import annotations

# The numba functions below are typed by numba when compiled, not by annotations.
# mypy: disable-error-code="no-untyped-def,no-untyped-call"
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import numpy as np
from numpy.typing import NDArray

from nearhome.capacity.batch import BatchInputs
from nearhome.capacity.engine import first_pool_stays, single_pool_loss

__all__ = ["HAVE_NUMBA", "WardCounts", "count_ward", "is_plain_ward"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
F = TypeVar("F", bound=Callable[..., Any])

# a stay that never ends is counted up to this day, as the measures do
NEVER = 1e15

try:  # numba is an optional speed-up; everything works without it
    import numba

    HAVE_NUMBA = True

    def _jit(func: F) -> F:
        return cast(F, numba.njit(cache=True, nogil=True)(func))

    def _jit_inline(func: F) -> F:
        # Small helpers are inlined at numba's level: as separate compiled calls each one
        # took and released a reference to every array it was passed, which cost far more
        # than the few comparisons inside (the loop core ran tens of times slower).
        return cast(F, numba.njit(cache=True, nogil=True, inline="always")(func))

except ImportError:  # pragma: no cover - depends on the environment
    HAVE_NUMBA = False

    def _jit(func: F) -> F:
        return func

    _jit_inline = _jit


@dataclass(frozen=True)
class WardCounts:
    """What a plain ward's replications produce: counts from the warm-up on and the census."""

    arrivals: IntArray  # [R] admissions demanded within [warm-up, horizon]
    sent_away: IntArray  # [R] of which sent out of area
    census: NDArray[np.int32]  # [R, D] midnight census of the ward's beds


def is_plain_ward(inputs: BatchInputs) -> bool:
    """One pool, every bed always open, nobody ever waits: the case counted here."""
    return single_pool_loss(inputs)


@_jit_inline
def _sift_down(heap, i):
    """Restore the min-heap below position ``i`` after its value grew."""
    n = heap.shape[0]
    value = heap[i]
    while True:
        child = 2 * i + 1
        if child >= n:
            break
        if child + 1 < n and heap[child + 1] < heap[child]:
            child += 1
        if heap[child] < value:
            heap[i] = heap[child]
            i = child
        else:
            break
    heap[i] = value


@_jit_inline
def _midnight(x, days):
    """Index of the first midnight at or after ``x``, clipped to ``[0, days]``."""
    c = math.ceil(min(x, NEVER))
    return min(max(c, 0), days)


@_jit
def _ward_kernel(arr_t, leave, init_end, horizon, warmup, arrivals, sent_away, census):
    """Every replication in turn: heap of bed releases, refusals counted, census by day."""
    reps, width = arr_t.shape
    days = census.shape[1]
    beds = init_end.shape[1]
    diff = np.zeros(days + 1, dtype=np.int32)
    heap = np.empty(beds)
    for r in range(reps):
        diff[:] = 0
        for j in range(beds):
            e = init_end[r, j]
            heap[j] = e
            if e > -np.inf:
                diff[0] += 1
                diff[_midnight(e, days)] -= 1
        for i in range(beds // 2 - 1, -1, -1):
            _sift_down(heap, i)
        n_in = 0
        n_out = 0
        for k in range(width):
            t = arr_t[r, k]
            if not t <= horizon:
                break
            counted = t >= warmup
            n_in += counted
            if beds > 0 and heap[0] <= t:
                stop = leave[r, k]
                heap[0] = stop
                _sift_down(heap, 0)
                diff[_midnight(t, days)] += 1
                diff[_midnight(stop, days)] -= 1
            else:
                n_out += counted
        arrivals[r] = n_in
        sent_away[r] = n_out
        running = 0
        for d in range(days):
            running += diff[d]
            census[r, d] = running


def _midnights(x: FloatArray, days: int) -> IntArray:
    return np.clip(np.ceil(np.minimum(x, NEVER)), 0, days).astype(np.int64)


def _numpy_counts(
    arr_t: FloatArray,
    leave: FloatArray,
    init_end: FloatArray,
    horizon: float,
    warmup: float,
    days: int,
) -> WardCounts:
    """The same counts with every replication stepped together (one pass per admission)."""
    reps, width = arr_t.shape
    ends = np.ascontiguousarray(init_end).copy()
    flat = ends.reshape(-1)
    base = np.arange(reps) * ends.shape[1]
    live = arr_t <= horizon
    times_t = np.ascontiguousarray(arr_t.T)
    leave_t = np.ascontiguousarray(leave.T)
    admitted_t = np.zeros((width, reps), dtype=np.bool_)
    for k in range(int(live.sum(axis=1).max(initial=0))):
        idx = base + ends.argmin(axis=1)
        earliest = flat.take(idx)
        ok = earliest <= times_t[k]
        # a replication without a k-th admission has time inf: it "admits" at inf, which
        # is harmless (it has no later admissions either) and masked out below
        flat[idx] = np.where(ok, leave_t[k], earliest)
        admitted_t[k] = ok
    admitted = admitted_t.T & live
    counted = live & (arr_t >= warmup)
    row, col = np.nonzero(admitted)
    r0, j0 = np.nonzero(init_end > -np.inf)
    rows = np.concatenate((r0, row))
    first = np.concatenate(
        (np.zeros(r0.size, np.int64), _midnights(arr_t[row, col], days))
    )
    last = np.concatenate(
        (_midnights(init_end[r0, j0], days), _midnights(leave[row, col], days))
    )
    size = reps * (days + 1)
    at = rows * (days + 1)
    diff = np.bincount(at + first, minlength=size) - np.bincount(
        at + last, minlength=size
    )
    census = np.cumsum(diff.reshape(reps, days + 1), axis=1)[:, :days]
    return WardCounts(
        arrivals=counted.sum(axis=1).astype(np.int64),
        sent_away=(counted & ~admitted).sum(axis=1).astype(np.int64),
        census=census.astype(np.int32),
    )


def count_ward(inputs: BatchInputs, days: int, *, use_numba: bool) -> WardCounts:
    """Admissions, refusals and census of a plain ward's batch (see :func:`is_plain_ward`).

    ``use_numba`` picks the compiled heap core (when numba is installed) over the NumPy
    core; both give identical counts from the same batch.
    """
    if not is_plain_ward(inputs):
        raise ValueError("count_ward needs one always-open pool where nobody waits")
    x = inputs
    reps, width = x.arr_t.shape
    live = x.arr_t <= x.horizon
    safe = np.where(live, x.arr_t, 0.0)
    nvis = int(x.vis_offset[1] - x.vis_offset[0])
    leave = safe + first_pool_stays(x, width, safe, nvis)
    init_end = np.ascontiguousarray(x.init_end[:, 0, :])
    if not (use_numba and HAVE_NUMBA):
        return _numpy_counts(x.arr_t, leave, init_end, x.horizon, x.warmup, days)
    arrivals = np.zeros(reps, dtype=np.int64)
    sent_away = np.zeros(reps, dtype=np.int64)
    census = np.empty((reps, days), dtype=np.int32)
    _ward_kernel(
        x.arr_t,  # a view of the padded draws: numba reads it in place
        leave,
        init_end,
        float(x.horizon),
        float(x.warmup),
        arrivals,
        sent_away,
        census,
    )
    return WardCounts(arrivals=arrivals, sent_away=sent_away, census=census)
