"""The simulation one replication at a time: the reference core, compiled by numba if present.

This is the same discrete-event logic as :mod:`nearhome.capacity.engine` (which steps every
replication of a batch together with NumPy), written as plain loops over one replication.
It serves two purposes: it is the readable statement of what the engine does, and, when
numba is installed, it compiles to machine code (``run_scenario(..., use_numba=True)``).
A test runs both on the same draws and requires identical records.

Events of one replication are taken in time order; at equal times a bed's end comes first,
then an out-of-area stay's end, then a bed opening, then an admission. A bed whose occupant
is discharged is only *processed* when someone is waiting for a bed in that pool (blocked
transfers, queued admissions, or residents out of area who may be repatriated); otherwise
it is simply free once its end time has passed.
"""

from __future__ import annotations

# The numba functions below are typed by numba when compiled, not by annotations (numba
# would read them); mypy is told not to ask for them.
# mypy: disable-error-code="no-untyped-def,no-untyped-call"
import math

import numpy as np

from nearhome.capacity.batch import MIN_STAY_DAYS, BatchInputs, BatchRecords
from nearhome.capacity.compiled import HAVE_NUMBA, jit, jit_inline

__all__ = ["HAVE_NUMBA", "run_batch_loop"]


@jit_inline
def _stay(  # noqa: PLR0913, PLR0917
    v,
    p,
    t,
    vis_clin,
    vis_crfd,
    vis_rem,
    clin_mult,
    crfd_mult,
    removal_ramp,
    long_cut,
    long_thr,
):
    d = min(max(math.floor(t), 0), clin_mult.shape[1] - 1)
    length = (
        vis_clin[v] * clin_mult[p, d]
        + (vis_crfd[v] - vis_rem[v] * removal_ramp[p, d]) * crfd_mult[p, d]
    )
    if length > long_thr[p]:
        length = length - (length - long_thr[p]) * long_cut[p, d]
    return max(length, MIN_STAY_DAYS)


@jit_inline
def _needs(p, nq, away_possible, repat):
    return nq[p] > 0 or (repat and away_possible[p])


@jit_inline
def _eventful(p, j, pending, nxt, nq, away_possible, repat):
    return pending[p, j] and (nxt[p, j] >= 0 or _needs(p, nq, away_possible, repat))


@jit_inline
def _free_slot(p, t, end, pending, nxt, nq, away_possible, repat, open_from, close_at):  # noqa: PLR0913, PLR0917
    for j in range(end.shape[1]):
        if (
            end[p, j] <= t
            and open_from[p, j] <= t < close_at[p, j]
            and not _eventful(p, j, pending, nxt, nq, away_possible, repat)
        ):
            return j
    return -1


@jit_inline
def _needs_on(p, t, end, pending):
    for j in range(end.shape[1]):
        if pending[p, j] and end[p, j] <= t:
            pending[p, j] = False


@jit
def _run_rep(  # noqa: C901, PLR0912, PLR0913, PLR0915, PLR0917
    r,
    open_from,
    close_at,
    init_end,
    init_next,
    init_away_pool,
    init_away_start,
    init_away_end,
    init_away_next,
    init_away_n,
    arr_t,
    arr_p,
    vis_offset,
    vis_clin,
    vis_crfd,
    vis_rem,
    vis_next,
    clin_mult,
    crfd_mult,
    removal_ramp,
    long_cut,
    long_thr,
    arrival_wait,
    route_wait,
    repat_rule,
    repat_min_remaining,
    horizon,
    warmup,
    open_t,
    open_p,
    open_j,
    seg_pool,
    seg_start,
    seg_end,
    seg_block,
    seg_out,
    seg_kind,
    seg_n,
    aw_pool,
    aw_start,
    aw_end,
    aw_out,
    aw_kind,
    aw_n,
    q_pool,
    q_since,
    q_until,
    q_src_pool,
    q_n,
    arrivals,
    sent_away,
    waited,
):
    n_pools, n_slots = open_from.shape
    repat = repat_rule > 0
    end = init_end[r].copy()
    nxt = init_next[r].copy()
    pending = end > -np.inf
    slot_seg = np.full((n_pools, n_slots), -1, dtype=np.int64)
    vptr = np.zeros(n_pools, dtype=np.int64)
    nq = np.zeros(n_pools, dtype=np.int64)
    away_possible = np.zeros(n_pools, dtype=np.bool_)
    n_away_cap = aw_pool.shape[1]
    aw_next = np.full(n_away_cap, -1, dtype=np.int64)
    aw_done = np.zeros(n_away_cap, dtype=np.bool_)
    q_src_slot = np.full(q_pool.shape[1], -1, dtype=np.int64)
    q_done = np.zeros(q_pool.shape[1], dtype=np.bool_)
    # caches of the next event: per pool (bed ends) and over the live away records
    pdirty = np.ones(n_pools, dtype=np.bool_)
    pmin = np.full(n_pools, np.inf)
    pj = np.zeros(n_pools, dtype=np.int64)
    adirty = True
    amin = np.inf
    aidx = -1
    live = np.zeros(n_away_cap, dtype=np.int64)
    nlive = 0
    events = 0
    ns = 0
    na = 0
    nqe = 0
    for p in range(n_pools):
        for j in range(n_slots):
            if end[p, j] > -np.inf:
                seg_pool[r, ns] = p
                seg_start[r, ns] = 0.0
                seg_end[r, ns] = end[p, j]
                seg_kind[r, ns] = 0
                slot_seg[p, j] = ns
                ns += 1
    for i in range(init_away_n[r]):
        p = init_away_pool[r, i]
        aw_pool[r, na] = p
        aw_start[r, na] = init_away_start[r, i]
        aw_end[r, na] = init_away_end[r, i]
        aw_kind[r, na] = 0
        aw_next[na] = init_away_next[r, i]
        live[nlive] = na
        nlive += 1
        na += 1
        if repat:
            away_possible[p] = True
    # the "fill" work list: (pool, slot) pairs freed at time t, processed as a chain
    chain_p = -1
    chain_j = -1
    t = 0.0
    init_p = 0
    init_j = 0
    aptr = 0
    optr = 0
    n_arr = arr_t.shape[1]
    n_open = open_t.shape[0]
    while True:
        if chain_p < 0:
            # initial repatriation into free beds at time 0, one slot at a time
            while init_p < n_pools and chain_p < 0:
                if (
                    _needs(init_p, nq, away_possible, repat)
                    and end[init_p, init_j] <= 0.0
                    and (open_from[init_p, init_j] <= 0.0 < close_at[init_p, init_j])
                ):
                    chain_p = init_p
                    chain_j = init_j
                init_j += 1
                if init_j == n_slots:
                    init_j = 0
                    init_p += 1
        if chain_p >= 0:
            # ---- fill the freed slot (chain_p, chain_j) at time t -------------------------
            p = chain_p
            j = chain_j
            chain_p = -1
            pdirty[p] = True
            if end[p, j] > t or not (open_from[p, j] <= t < close_at[p, j]):
                continue
            if _eventful(p, j, pending, nxt, nq, away_possible, repat):
                continue
            if nq[p] > 0:
                e = -1
                for k in range(nqe):
                    if q_pool[r, k] == p and not q_done[k]:
                        e = k
                        break
                q_done[e] = True
                q_until[r, e] = t
                nq[p] -= 1
                sp = q_src_pool[r, e]
                kind = 4
                if sp >= 0:
                    sj = q_src_slot[e]
                    seg_end[r, slot_seg[sp, sj]] = t
                    end[sp, sj] = t
                    pdirty[sp] = True
                    chain_p = sp
                    chain_j = sj
                    kind = 2
                v = vis_offset[p] + vptr[p] % (vis_offset[p + 1] - vis_offset[p])
                vptr[p] += 1
                stay = _stay(
                    v,
                    p,
                    t,
                    vis_clin[r],
                    vis_crfd[r],
                    vis_rem[r],
                    clin_mult,
                    crfd_mult,
                    removal_ramp,
                    long_cut,
                    long_thr,
                )
                end[p, j] = t + stay
                nxt[p, j] = vis_next[r, v]
                pending[p, j] = True
                seg_pool[r, ns] = p
                seg_start[r, ns] = t
                seg_end[r, ns] = t + stay
                seg_kind[r, ns] = kind
                slot_seg[p, j] = ns
                ns += 1
            elif repat and away_possible[p]:
                best = -1
                for m in range(nlive):
                    k = live[m]
                    if (
                        aw_pool[r, k] == p
                        and not aw_done[k]
                        and aw_end[r, k] - t > repat_min_remaining
                    ) and (
                        best < 0
                        or (repat_rule == 1 and aw_start[r, k] < aw_start[r, best])
                        or (repat_rule == 2 and aw_end[r, k] > aw_end[r, best])
                    ):
                        best = k
                if best < 0:
                    away_possible[p] = False
                else:
                    aw_done[best] = True
                    adirty = True
                    original = aw_end[r, best]
                    aw_end[r, best] = t
                    aw_out[r, best] = 2
                    end[p, j] = original
                    nxt[p, j] = aw_next[best]
                    pending[p, j] = True
                    seg_pool[r, ns] = p
                    seg_start[r, ns] = t
                    seg_end[r, ns] = original
                    seg_kind[r, ns] = 3
                    slot_seg[p, j] = ns
                    ns += 1
            continue
        if init_p < n_pools:
            continue
        # ---- choose the next event ---------------------------------------------------------
        events += 1
        if events % 64 == 0:
            kept = 0
            for m in range(nlive):
                k = live[m]
                if not aw_done[k] and not (aw_next[k] < 0 and aw_end[r, k] <= t):
                    live[kept] = k
                    kept += 1
            nlive = kept
        t_slot = np.inf
        ep = -1
        ej = -1
        for p in range(n_pools):
            if pdirty[p]:
                pdirty[p] = False
                pmin[p] = np.inf
                pj[p] = -1
                for j in range(n_slots):
                    if (
                        _eventful(p, j, pending, nxt, nq, away_possible, repat)
                        and end[p, j] < pmin[p]
                    ):
                        pmin[p] = end[p, j]
                        pj[p] = j
            if pmin[p] < t_slot:
                t_slot = pmin[p]
                ep = p
                ej = pj[p]
        if adirty:
            adirty = False
            amin = np.inf
            aidx = -1
            for m in range(nlive):
                k = live[m]
                if not aw_done[k] and aw_next[k] >= 0 and aw_end[r, k] < amin:
                    amin = aw_end[r, k]
                    aidx = k
        t_away = amin
        ea = aidx
        t_open = open_t[optr] if optr < n_open else np.inf
        t_arr = arr_t[r, aptr] if aptr < n_arr else np.inf
        t = t_slot
        kind_of_event = 0
        if t_away < t:
            t = t_away
            kind_of_event = 1
        if t_open < t:
            t = t_open
            kind_of_event = 2
        if t_arr < t:
            t = t_arr
            kind_of_event = 3
        if not t <= horizon:
            break
        target = -1
        source_p = -1
        source_j = -1
        kind = 1
        if kind_of_event == 0:
            pdirty[ep] = True
            pending[ep, ej] = False
            target = nxt[ep, ej]
            if target < 0:
                chain_p = ep
                chain_j = ej
                continue
            seg_out[r, slot_seg[ep, ej]] = 1
            source_p = ep
            source_j = ej
            kind = 2
        elif kind_of_event == 1:
            adirty = True
            aw_done[ea] = True
            aw_out[r, ea] = 1
            target = aw_next[ea]
            kind = 2
        elif kind_of_event == 2:
            p = open_p[optr]
            j = open_j[optr]
            optr += 1
            pdirty[p] = True
            if _needs(p, nq, away_possible, repat):
                chain_p = p
                chain_j = j
            continue
        else:
            target = arr_p[r, aptr]
            aptr += 1
            if t >= warmup:
                arrivals[r, target] += 1
        # ---- someone needs a bed in pool `target` at time t -------------------------------
        pdirty[target] = True
        if source_p >= 0:
            pdirty[source_p] = True
        k = _free_slot(
            target, t, end, pending, nxt, nq, away_possible, repat, open_from, close_at
        )
        if k >= 0:
            v = vis_offset[target] + vptr[target] % (
                vis_offset[target + 1] - vis_offset[target]
            )
            vptr[target] += 1
            stay = _stay(
                v,
                target,
                t,
                vis_clin[r],
                vis_crfd[r],
                vis_rem[r],
                clin_mult,
                crfd_mult,
                removal_ramp,
                long_cut,
                long_thr,
            )
            end[target, k] = t + stay
            nxt[target, k] = vis_next[r, v]
            pending[target, k] = True
            seg_pool[r, ns] = target
            seg_start[r, ns] = t
            seg_end[r, ns] = t + stay
            seg_kind[r, ns] = kind
            slot_seg[target, k] = ns
            ns += 1
            if source_p >= 0:
                chain_p = source_p
                chain_j = source_j
            continue
        wait = arrival_wait[target] if source_p < 0 else route_wait[source_p, target]
        if kind_of_event == 1:
            wait = False
        if wait:
            was_needed = _needs(target, nq, away_possible, repat)
            q_pool[r, nqe] = target
            q_since[r, nqe] = t
            q_src_pool[r, nqe] = source_p
            q_src_slot[nqe] = source_j
            nqe += 1
            nq[target] += 1
            if not was_needed:
                _needs_on(target, t, end, pending)
            if source_p >= 0:
                s = slot_seg[source_p, source_j]
                seg_end[r, s] = np.inf
                seg_block[r, s] = t
                end[source_p, source_j] = np.inf
            elif t >= warmup:
                waited[r, target] += 1
            continue
        v = vis_offset[target] + vptr[target] % (
            vis_offset[target + 1] - vis_offset[target]
        )
        vptr[target] += 1
        stay = _stay(
            v,
            target,
            t,
            vis_clin[r],
            vis_crfd[r],
            vis_rem[r],
            clin_mult,
            crfd_mult,
            removal_ramp,
            long_cut,
            long_thr,
        )
        aw_pool[r, na] = target
        aw_start[r, na] = t
        aw_end[r, na] = t + stay
        aw_kind[r, na] = 1 if kind_of_event == 3 else 2
        aw_next[na] = vis_next[r, v]
        live[nlive] = na
        nlive += 1
        adirty = True
        na += 1
        if kind_of_event == 3 and t >= warmup:
            sent_away[r, target] += 1
        if repat and not away_possible[target]:
            was_needed = _needs(target, nq, away_possible, repat)
            away_possible[target] = True
            if not was_needed:
                _needs_on(target, t, end, pending)
        if source_p >= 0:
            chain_p = source_p
            chain_j = source_j
    seg_n[r] = ns
    aw_n[r] = na
    q_n[r] = nqe


def run_batch_loop(inputs: BatchInputs, records: BatchRecords) -> None:
    """Simulate every replication of the batch one after another, filling ``records``."""
    arrays = (
        inputs.open_from,
        inputs.close_at,
        inputs.init_end,
        inputs.init_next,
        inputs.init_away_pool,
        inputs.init_away_start,
        inputs.init_away_end,
        inputs.init_away_next,
        inputs.init_away_n,
        inputs.arr_t,
        inputs.arr_p,
        inputs.vis_offset,
        inputs.vis_clin,
        inputs.vis_crfd,
        inputs.vis_rem,
        inputs.vis_next,
        inputs.clin_mult,
        inputs.crfd_mult,
        inputs.removal_ramp,
        inputs.long_cut,
        inputs.long_thr,
        inputs.arrival_wait,
        inputs.route_wait,
        inputs.repat_rule,
        inputs.repat_min_remaining,
        inputs.horizon,
        inputs.warmup,
        inputs.open_t,
        inputs.open_p,
        inputs.open_j,
        records.seg_pool,
        records.seg_start,
        records.seg_end,
        records.seg_block,
        records.seg_out,
        records.seg_kind,
        records.seg_n,
        records.aw_pool,
        records.aw_start,
        records.aw_end,
        records.aw_out,
        records.aw_kind,
        records.aw_n,
        records.q_pool,
        records.q_since,
        records.q_until,
        records.q_src_pool,
        records.q_n,
        records.arrivals,
        records.sent_away,
        records.waited,
    )
    for r in range(inputs.reps):
        _run_rep(r, *arrays)
