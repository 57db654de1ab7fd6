"""From engine records to per-replication measures: counts, bed days by month, daily census.

Bed days follow the house convention: a bed day is a midnight. The midnight census on day
``d`` counts stays with ``start <= d < end`` (days from the plan start), and the bed days of a
month are its midnights' census summed, as the official statistics count them. Only the
window from the warm-up to the horizon is measured.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nearhome.capacity.batch import BatchInputs, BatchRecords

__all__ = [
    "NEVER",
    "RepMeasures",
    "concat_measures",
    "measure_batch",
    "midnight_census",
    "ratio_estimate",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
AnyInt = NDArray[np.integer[Any]]

# a stay that never ends (a blocked bed, say) is counted up to this day
NEVER = 1e15


@dataclass(frozen=True)
class RepMeasures:
    """Measures of R replications for P pools over M months and D days."""

    arrivals: IntArray  # [R, P] admissions demanded
    sent_away: IntArray  # [R, P] admissions sent out of area
    waited: IntArray  # [R, P] admissions that queued for a bed
    repatriations: IntArray  # [R, P]
    transfers_in: IntArray  # [R, P]
    transfers_blocked: IntArray  # [R, P]
    local_bed_days: FloatArray  # [R, P, M]
    oap_bed_days: FloatArray  # [R, P, M]
    blocked_bed_days: FloatArray  # [R, P, M]
    wait_days: FloatArray  # [R, P, M]
    census: NDArray[np.int32]  # [R, P, D] midnight census of local beds
    people_start: IntArray  # [R]
    people_arrived: IntArray  # [R]
    people_discharged: IntArray  # [R]
    people_in_system: IntArray  # [R]

    @property
    def reps(self) -> int:
        """Number of replications."""
        return int(self.arrivals.shape[0])


def ratio_estimate(
    numerator: FloatArray, denominator: FloatArray
) -> tuple[float, float]:
    """Pooled ratio ``Σy / Σx`` over replications and its standard error (delta method).

    Pooling the counts, rather than averaging per-replication shares, gives the long-run
    share and stays defined when a replication has no admissions.

    Examples:
        >>> est, se = ratio_estimate(np.array([1.0, 3.0]), np.array([10.0, 10.0]))
        >>> round(est, 3), round(se, 3)
        (0.2, 0.1)
    """
    y = np.asarray(numerator, dtype=np.float64)
    x = np.asarray(denominator, dtype=np.float64)
    total = float(x.sum())
    if total <= 0:
        return float("nan"), float("nan")
    estimate = float(y.sum()) / total
    n = y.size
    if n < 2:
        return estimate, float("nan")
    residual = y - estimate * x
    variance = float((residual**2).sum()) / (n * (n - 1)) / (total / n) ** 2
    return estimate, variance**0.5


def _by_month(census: NDArray[np.int32], edges: IntArray) -> FloatArray:
    """Bed days (midnights) in each period ``[edges[m], edges[m+1])`` from a daily census."""
    total = np.zeros((*census.shape[:2], census.shape[2] + 1))
    np.cumsum(census, axis=2, out=total[:, :, 1:])
    return np.asarray(
        total[:, :, edges[1:]] - total[:, :, edges[:-1]], dtype=np.float64
    )


def midnight_census(
    rep: AnyInt,
    pool: AnyInt,
    start: FloatArray,
    stop: FloatArray,
    days: int,
    shape: tuple[int, int],
) -> NDArray[np.int32]:
    """Daily census ([R, P, D]) of stays ``[start, stop)`` of replication ``rep``, pool ``pool``.

    A stay counts on each midnight ``d`` with ``start <= d < stop``: +1 at its first
    midnight and -1 at the first midnight after it, summed along the days.
    """
    reps, pools = shape
    if not rep.size:
        return np.zeros((reps, pools, days), dtype=np.int32)
    width = days + 1
    first = np.clip(np.ceil(start), 0, days).astype(np.int64)
    last = np.clip(np.ceil(np.minimum(stop, NEVER)), 0, days).astype(np.int64)
    base = (rep * pools + pool) * width
    size = reps * pools * width
    diff = np.bincount(base + first, minlength=size) - np.bincount(
        base + last, minlength=size
    )
    return np.cumsum(diff.reshape(reps, pools, width), axis=2)[:, :, :days].astype(
        np.int32
    )


def _valid(n: IntArray, width: int) -> tuple[IntArray, IntArray]:
    rows, cols = np.nonzero(np.arange(width)[None, :] < n[:, None])
    return rows.astype(np.int64), cols.astype(np.int64)


def measure_batch(
    inputs: BatchInputs, records: BatchRecords, month_edges: FloatArray, days: int
) -> RepMeasures:
    """Measures of one batch's records within ``[warm-up, horizon)``."""
    rec, x = records, inputs
    shape = (x.reps, x.pools)
    lo, hi = x.warmup, x.horizon
    first = min(math.ceil(lo), days)
    edges = np.clip(np.ceil(month_edges), first, days).astype(np.int64)
    r, k = _valid(rec.seg_n, rec.seg_pool.shape[1])
    sp, s0, s1 = rec.seg_pool[r, k], rec.seg_start[r, k], rec.seg_end[r, k]
    census = midnight_census(r, sp, s0, s1, days, shape)
    local = _by_month(census, edges)
    held = rec.seg_block[r, k] < np.inf
    blocked = _by_month(
        midnight_census(
            r[held], sp[held], rec.seg_block[r, k][held], s1[held], days, shape
        ),
        edges,
    )
    ra, ka = _valid(rec.aw_n, rec.aw_pool.shape[1])
    ap, a0, a1 = rec.aw_pool[ra, ka], rec.aw_start[ra, ka], rec.aw_end[ra, ka]
    away = _by_month(midnight_census(ra, ap, a0, a1, days, shape), edges)
    rq, kq = _valid(rec.q_n, rec.q_pool.shape[1])
    arrivals_q = rec.q_src_pool[rq, kq] < 0
    qp = rec.q_pool[rq, kq]
    since, until = rec.q_since[rq, kq][arrivals_q], rec.q_until[rq, kq][arrivals_q]
    wait = _by_month(
        midnight_census(rq[arrivals_q], qp[arrivals_q], since, until, days, shape),
        edges,
    )

    def count(rows: AnyInt, pools: AnyInt, mask: NDArray[np.bool_]) -> IntArray:
        flat = np.bincount(
            rows[mask] * x.pools + pools[mask], minlength=x.reps * x.pools
        )
        return flat.reshape(shape).astype(np.int64)

    in_window_a = (a1 >= lo) & (a1 <= hi)
    kind_s, kind_a = rec.seg_kind[r, k], rec.aw_kind[ra, ka]
    start_s = (s0 >= lo) & (s0 <= hi)
    start_a = (a0 >= lo) & (a0 <= hi)
    blocked_q = (~arrivals_q) & (rec.q_since[rq, kq] >= lo)
    people_start = np.bincount(r[kind_s == 0], minlength=x.reps) + x.init_away_n
    discharged = np.bincount(r[(rec.seg_out[r, k] == 0) & (s1 <= hi)], minlength=x.reps)
    discharged += np.bincount(
        ra[(rec.aw_out[ra, ka] == 0) & (a1 <= hi)], minlength=x.reps
    )
    in_system = np.bincount(r[s1 > hi], minlength=x.reps) + np.bincount(
        ra[(a1 > hi) & (rec.aw_out[ra, ka] != 2)], minlength=x.reps
    )
    in_system += np.bincount(
        rq[arrivals_q & ~(rec.q_until[rq, kq] <= hi)], minlength=x.reps
    )
    arrived = (x.arr_t <= hi).sum(axis=1)
    return RepMeasures(
        arrivals=rec.arrivals.copy(),
        sent_away=rec.sent_away.copy(),
        waited=rec.waited.copy(),
        repatriations=count(ra, ap, (rec.aw_out[ra, ka] == 2) & in_window_a),
        transfers_in=count(r, sp, (kind_s == 2) & start_s)
        + count(ra, ap, (kind_a == 2) & start_a),
        transfers_blocked=count(rq, qp, blocked_q),
        local_bed_days=local,
        oap_bed_days=away,
        blocked_bed_days=blocked,
        wait_days=wait,
        census=census,
        people_start=people_start.astype(np.int64),
        people_arrived=arrived.astype(np.int64),
        people_discharged=discharged.astype(np.int64),
        people_in_system=in_system.astype(np.int64),
    )


def concat_measures(parts: list[RepMeasures]) -> RepMeasures:
    """Join batches in replication order."""
    return RepMeasures(
        **{
            f.name: np.concatenate([getattr(p, f.name) for p in parts])
            for f in fields(RepMeasures)
        }
    )
