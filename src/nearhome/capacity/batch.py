"""The arrays of one batch of replications: what the engine reads and what it records.

Both engine cores (vectorised NumPy and the per-replication loop that numba can compile)
read a :class:`BatchInputs` and fill a :class:`BatchRecords` with identical layouts, which
is how a test shows the two agree exactly. Shapes use ``R`` replications, ``P`` pools,
``C`` bed slots per pool (padding slots are never usable), ``K`` arrivals, ``V`` pre-drawn
visits, ``S`` local stay segments, ``A`` out-of-area records and ``Q`` queue entries.

Codes used in records:

* ``seg_kind``: 0 census, 1 admission, 2 transfer in, 3 repatriation, 4 admitted after waiting;
* ``seg_out``: 0 discharge, 1 transfer out (at ``seg_end``);
* ``aw_kind``: 0 census, 1 admission sent out of area, 2 transfer sent out of area;
* ``aw_out``: 0 discharge, 1 transfer, 2 repatriated (at ``aw_end``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["REPAT_RULES", "BatchInputs", "BatchRecords", "empty_records"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
SmallArray = NDArray[np.int16]
BoolArray = NDArray[np.bool_]

REPAT_RULES = {"none": 0, "longest_away_first": 1, "longest_remaining_first": 2}
MIN_STAY_DAYS = 1e-6


@dataclass(frozen=True)
class BatchInputs:
    """Everything random or scenario-specific, pre-drawn, for R replications."""

    open_from: FloatArray  # [P, C]
    close_at: FloatArray  # [P, C]
    init_end: FloatArray  # [R, P, C]  -inf = empty
    init_next: IntArray  # [R, P, C]  -1 = discharge at end
    init_away_pool: IntArray  # [R, A0]
    init_away_start: FloatArray  # [R, A0]
    init_away_end: FloatArray  # [R, A0]
    init_away_next: IntArray  # [R, A0]
    init_away_n: IntArray  # [R]
    arr_t: FloatArray  # [R, K]  +inf padding
    arr_p: IntArray  # [R, K]
    vis_offset: IntArray  # [P + 1]
    vis_clin: FloatArray  # [R, V]
    vis_crfd: FloatArray  # [R, V]
    vis_rem: FloatArray  # [R, V]
    vis_next: IntArray  # [R, V]
    clin_mult: FloatArray  # [P, D]
    crfd_mult: FloatArray  # [P, D]
    removal_ramp: FloatArray  # [P, D]
    long_cut: FloatArray  # [P, D]
    long_thr: FloatArray  # [P]
    arrival_wait: BoolArray  # [P]
    route_wait: BoolArray  # [P, P]
    repat_rule: int
    repat_min_remaining: float
    horizon: float
    warmup: float
    open_t: FloatArray  # [E] sorted bed openings within the plan
    open_p: IntArray  # [E]
    open_j: IntArray  # [E]

    @property
    def reps(self) -> int:
        """Replications in the batch."""
        return int(self.arr_t.shape[0])

    @property
    def pools(self) -> int:
        """Pools."""
        return int(self.open_from.shape[0])

    @property
    def slots(self) -> int:
        """Slots per pool (the widest pool; others padded)."""
        return int(self.open_from.shape[1])

    def can_wait(self) -> bool:
        """Whether anyone can ever wait for a bed (queue, blocked transfer or repatriation)."""
        return bool(
            self.repat_rule > 0
            or self.arrival_wait.any()
            # a maximum reads the [R, V] routes once, with no mask of their size
            or self.vis_next.max(initial=-1) >= 0
            or (self.init_next >= 0).any()
            or (self.init_away_next >= 0).any()
        )

    def capacities(self) -> tuple[int, int, int]:
        """Record capacities (S, A, Q) large enough for any run of this batch."""
        census = int((self.init_end > -np.inf).sum(axis=(1, 2)).max(initial=0))
        away0 = int(self.init_away_end.shape[1])
        arrivals = int(self.arr_t.shape[1])
        if not self.can_wait():
            return census + arrivals + 1, away0 + arrivals + 1, 1
        visits = int(self.vis_offset[-1]) + arrivals
        queue = (
            visits + 1 if bool(self.arrival_wait.any() or self.route_wait.any()) else 1
        )
        return census + away0 + visits + 1, away0 + visits + 1, queue


@dataclass
class BatchRecords:
    """What happened in each replication: stays, placements, queues and counts."""

    seg_pool: SmallArray
    seg_start: FloatArray
    seg_end: FloatArray
    seg_block: FloatArray
    seg_out: SmallArray
    seg_kind: SmallArray
    seg_n: IntArray
    aw_pool: SmallArray
    aw_start: FloatArray
    aw_end: FloatArray
    aw_out: SmallArray
    aw_kind: SmallArray
    aw_n: IntArray
    q_pool: SmallArray
    q_since: FloatArray
    q_until: FloatArray
    q_src_pool: SmallArray
    q_n: IntArray
    arrivals: IntArray  # [R, P] from the warm-up on
    sent_away: IntArray  # [R, P]
    waited: IntArray  # [R, P]


def empty_records(
    reps: int, pools: int, capacities: tuple[int, int, int]
) -> BatchRecords:
    """Records sized for a batch.

    Stay and placement columns are left uninitialised (only the first ``seg_n`` / ``aw_n``
    entries of a row are ever written or read); the columns whose default means something
    (``seg_block`` = never blocked, ``*_out`` = discharge, and the queue, which is searched
    by pool) are filled.
    """
    s, a, q = capacities

    def unset(n: int) -> FloatArray:
        return np.empty((reps, n))

    def unset_small(n: int) -> SmallArray:
        return np.empty((reps, n), dtype=np.int16)

    def floats(n: int) -> FloatArray:
        return np.full((reps, n), np.inf)

    def ints(n: int) -> SmallArray:
        return np.full((reps, n), -1, dtype=np.int16)

    return BatchRecords(
        seg_pool=unset_small(s),
        seg_start=unset(s),
        seg_end=unset(s),
        seg_block=floats(s),
        seg_out=np.zeros((reps, s), dtype=np.int16),
        seg_kind=unset_small(s),
        seg_n=np.zeros(reps, dtype=np.int64),
        aw_pool=unset_small(a),
        aw_start=unset(a),
        aw_end=unset(a),
        aw_out=np.zeros((reps, a), dtype=np.int16),
        aw_kind=unset_small(a),
        aw_n=np.zeros(reps, dtype=np.int64),
        q_pool=ints(q),
        q_since=floats(q),
        q_until=floats(q),
        q_src_pool=ints(q),
        q_n=np.zeros(reps, dtype=np.int64),
        arrivals=np.zeros((reps, pools), dtype=np.int64),
        sent_away=np.zeros((reps, pools), dtype=np.int64),
        waited=np.zeros((reps, pools), dtype=np.int64),
    )
