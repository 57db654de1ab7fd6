"""The Monte Carlo engine: every replication of a batch stepped together in NumPy.

Each replication is a discrete-event simulation of finite bed pools (see
:mod:`nearhome.capacity.engine_loop` for the same logic written one replication at a time,
which is the easier read). On each pass of the loop *every* live replication takes its own
next event — a bed's end, an out-of-area stay's end, a bed opening or an admission — as
whole-array operations over the replications that take that kind of event, then follows
any chain of moves a freed bed sets off. No replication waits for another, and each one's
sequence of steps is exactly the loop core's, so both cores give identical records.

Discharges are lazy: a bed whose occupant leaves is simply free once its end time has
passed. Only while someone waits for a bed in that pool (a blocked transfer, a queued
admission, a resident out of area who may come back) is a discharge processed as an event.
That keeps the number of passes close to the number of admissions. ``key[r, p, j]`` holds
the time of slot j's pending event (``inf`` if none), kept up to date as state changes.

The engine is pure: arrays in, arrays out. It never imports the data layer.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from nearhome.capacity.batch import MIN_STAY_DAYS, BatchInputs, BatchRecords

__all__ = [
    "first_pool_neutral",
    "first_pool_stays",
    "run_batch",
    "single_pool_admissions",
    "single_pool_loss",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
Kind = IntArray | int

COMPACT_EVERY = 16


class _Batch:
    """One run of the vectorised engine over a batch: inputs, records and running state."""

    def __init__(self, inputs: BatchInputs, records: BatchRecords) -> None:
        self.x, self.rec = inputs, records
        reps, pools, slots = inputs.init_end.shape
        a_cap, q_cap = records.aw_pool.shape[1], records.q_pool.shape[1]
        self.repat = inputs.repat_rule > 0
        self.nvis = np.diff(inputs.vis_offset)
        self.open_times = np.append(inputs.open_t, np.inf)
        self.end = inputs.init_end.copy()
        self.nxt = inputs.init_next.copy()
        self.pending = self.end > -np.inf
        self.key = np.where(self.pending & (self.nxt >= 0), self.end, np.inf)
        self.slot_seg = np.full((reps, pools, slots), -1, dtype=np.int64)
        self.vptr = np.zeros((reps, pools), dtype=np.int64)
        self.nq = np.zeros((reps, pools), dtype=np.int64)
        self.away_possible = np.zeros((reps, pools), dtype=np.bool_)
        self.aw_next = np.full((reps, a_cap), -1, dtype=np.int64)
        self.aw_done = np.zeros((reps, a_cap), dtype=np.bool_)
        self.live = np.zeros((reps, a_cap), dtype=np.int64)
        self.nlive = np.zeros(reps, dtype=np.int64)
        self.q_src_slot = np.full((reps, q_cap), -1, dtype=np.int64)
        self.q_done = np.zeros((reps, q_cap), dtype=np.bool_)
        self.t = np.zeros(reps)
        self.chain_p = np.full(reps, -1, dtype=np.int64)
        self.chain_j = np.full(reps, -1, dtype=np.int64)
        self.aptr = np.zeros(reps, dtype=np.int64)
        self.optr = np.zeros(reps, dtype=np.int64)
        self.pmin = np.full((reps, pools), np.inf)
        self.dirty = np.ones((reps, pools), dtype=np.bool_)
        self.amin = np.full(reps, np.inf)
        self.aidx = np.zeros(reps, dtype=np.int64)
        self.adirty = np.ones(reps, dtype=np.bool_)

    # ---- pending-event keys ----------------------------------------------------------------
    def needs(self, r: IntArray, p: IntArray) -> BoolArray:
        """Someone may be waiting for a bed in pool ``p`` of replication ``r``."""
        return (self.nq[r, p] > 0) | (self.repat & self.away_possible[r, p])

    def rekey_rows(self, r: IntArray, p: IntArray) -> None:
        """Recompute event keys of whole pools (after their 'someone waits' state changed)."""
        if not r.size:
            return
        busy = self.pending[r, p] & ((self.nxt[r, p] >= 0) | self.needs(r, p)[:, None])
        self.key[r, p] = np.where(busy, self.end[r, p], np.inf)
        self.dirty[r, p] = True

    def rekey_slot(self, r: IntArray, p: IntArray, j: IntArray) -> None:
        """Recompute the event key of single slots."""
        busy = self.pending[r, p, j] & ((self.nxt[r, p, j] >= 0) | self.needs(r, p))
        self.key[r, p, j] = np.where(busy, self.end[r, p, j], np.inf)
        self.dirty[r, p] = True

    def set_waiting(self, r: IntArray, p: IntArray, was: BoolArray) -> None:
        """After a change to who waits in (r, p): when waiting starts, past ends are just free."""
        now = self.needs(r, p)
        on = now & ~was
        ro, po = r[on], p[on]
        self.pending[ro, po] &= ~(self.end[ro, po] <= self.t[ro][:, None])
        flip = now != was
        self.rekey_rows(r[flip], p[flip])

    # ---- records -------------------------------------------------------------------------
    def draw_stay(self, r: IntArray, p: IntArray) -> tuple[IntArray, FloatArray]:
        """Take each replication's next pre-drawn visit in pool p; its stay given levers."""
        x = self.x
        v = x.vis_offset[p] + self.vptr[r, p] % self.nvis[p]
        self.vptr[r, p] += 1
        d = np.clip(np.floor(self.t[r]).astype(np.int64), 0, x.clin_mult.shape[1] - 1)
        length = (
            x.vis_clin[r, v] * x.clin_mult[p, d]
            + (x.vis_crfd[r, v] - x.vis_rem[r, v] * x.removal_ramp[p, d])
            * x.crfd_mult[p, d]
        )
        over = np.maximum(length - x.long_thr[p], 0.0)
        length = length - over * x.long_cut[p, d]
        return v, np.maximum(length, MIN_STAY_DAYS)

    def occupy(
        self,
        r: IntArray,
        p: IntArray,
        j: IntArray,
        stop: FloatArray,
        nxt: IntArray,
        kind: Kind,
    ) -> None:
        """Put someone in slot j from now until ``stop``; record the local stay segment."""
        rec = self.rec
        self.end[r, p, j] = stop
        self.nxt[r, p, j] = nxt
        self.pending[r, p, j] = True
        n = rec.seg_n[r]
        rec.seg_pool[r, n] = p
        rec.seg_start[r, n] = self.t[r]
        rec.seg_end[r, n] = stop
        rec.seg_kind[r, n] = kind
        rec.seg_n[r] = n + 1
        self.slot_seg[r, p, j] = n
        self.rekey_slot(r, p, j)

    def start_local(self, r: IntArray, p: IntArray, j: IntArray, kind: Kind) -> None:
        """Start a new visit in slot j of pool p."""
        v, stay = self.draw_stay(r, p)
        self.occupy(r, p, j, self.t[r] + stay, self.x.vis_next[r, v], kind)

    def start_away(self, r: IntArray, p: IntArray, kind: IntArray) -> None:
        """Place people out of area for a new visit of pool p."""
        if not r.size:
            return
        rec = self.rec
        v, stay = self.draw_stay(r, p)
        n = rec.aw_n[r]
        rec.aw_pool[r, n] = p
        rec.aw_start[r, n] = self.t[r]
        rec.aw_end[r, n] = self.t[r] + stay
        rec.aw_kind[r, n] = kind
        self.aw_next[r, n] = self.x.vis_next[r, v]
        rec.aw_n[r] = n + 1
        self.live[r, self.nlive[r]] = n
        self.nlive[r] += 1
        self.adirty[r] = True
        if self.repat:
            was = self.needs(r, p)
            self.away_possible[r, p] = True
            self.set_waiting(r, p, was)

    # ---- caches ----------------------------------------------------------------------------
    def live_records(self, r: IntArray) -> tuple[IntArray, BoolArray]:
        """Away records that may still matter (in record order) and a validity mask."""
        width = int(self.nlive[r].max(initial=0))
        return self.live[r, :width], np.arange(width) < self.nlive[r][:, None]

    def compact(self) -> None:
        """Drop away records that can no longer end in a transfer or be repatriated."""
        width = int(self.nlive.max(initial=0))
        if not width:
            return
        rows = np.arange(self.t.size)[:, None]
        idx = self.live[:, :width]
        ends = self.rec.aw_end[rows, idx] - self.t[:, None]
        finished = (
            (ends <= self.x.repat_min_remaining)
            if self.repat
            else np.ones(idx.shape, np.bool_)
        )
        dead = ~(np.arange(width) < self.nlive[:, None]) | self.aw_done[rows, idx]
        dead |= (self.aw_next[rows, idx] < 0) & finished
        order = np.argsort(dead, axis=1, kind="stable")
        self.live[:, :width] = np.take_along_axis(idx, order, axis=1)
        self.nlive[:] = (~dead).sum(axis=1)

    def refresh(self) -> None:
        """Recompute next-event caches of pools and replications that changed."""
        r, p = np.nonzero(self.dirty)
        if r.size:
            self.pmin[r, p] = self.key[r, p].min(axis=1)
            self.dirty[r, p] = False
        (ra,) = np.nonzero(self.adirty)
        if not ra.size:
            return
        self.adirty[ra] = False
        idx, valid = self.live_records(ra)
        if not idx.shape[1]:
            self.amin[ra] = np.inf
            return
        rows = ra[:, None]
        ok = valid & ~self.aw_done[rows, idx] & (self.aw_next[rows, idx] >= 0)
        key = np.where(ok, self.rec.aw_end[rows, idx], np.inf)
        pos = key.argmin(axis=1)
        self.aidx[ra] = idx[np.arange(ra.size), pos]
        self.amin[ra] = key[np.arange(ra.size), pos]

    # ---- a freed slot goes to whoever waits -------------------------------------------------
    def fill(self, r: IntArray) -> None:
        """One link of a chain: give each freed slot to the first in the queue, else repatriate."""
        x = self.x
        p, j = self.chain_p[r], self.chain_j[r]
        self.chain_p[r] = -1
        t = self.t[r]
        usable = (
            (self.end[r, p, j] <= t) & (x.open_from[p, j] <= t) & (t < x.close_at[p, j])
        )
        keep = usable & ~(self.key[r, p, j] < np.inf)
        r, p, j = r[keep], p[keep], j[keep]
        queued = self.nq[r, p] > 0
        self.fill_from_queue(r[queued], p[queued], j[queued])
        if self.repat:
            rest = ~queued & self.away_possible[r, p]
            self.repatriate(r[rest], p[rest], j[rest])

    def fill_from_queue(self, r: IntArray, p: IntArray, j: IntArray) -> None:
        """Admit the longest-waiting person (a queued admission or a blocked transfer)."""
        if not r.size:
            return
        rec = self.rec
        width = int(rec.q_n[r].max())
        e = ((rec.q_pool[r, :width] == p[:, None]) & ~self.q_done[r, :width]).argmax(
            axis=1
        )
        self.q_done[r, e] = True
        rec.q_until[r, e] = self.t[r]
        was = self.needs(r, p)
        self.nq[r, p] -= 1
        sp = rec.q_src_pool[r, e]
        blocked = sp >= 0
        rb, spb, sjb = r[blocked], sp[blocked], self.q_src_slot[r, e][blocked]
        rec.seg_end[rb, self.slot_seg[rb, spb, sjb]] = self.t[rb]
        self.end[rb, spb, sjb] = self.t[rb]
        self.dirty[rb, spb] = True
        self.chain_p[rb], self.chain_j[rb] = spb, sjb
        self.start_local(r, p, j, np.where(blocked, 2, 4))
        self.set_waiting(r, p, was)

    def repatriate(self, r: IntArray, p: IntArray, j: IntArray) -> None:
        """Bring back a resident placed out of area (by the scenario's rule) into the slot."""
        if not r.size:
            return
        x, rec = self.x, self.rec
        idx, valid = self.live_records(r)
        rows = r[:, None]
        if idx.shape[1]:
            eligible = (
                valid
                & (rec.aw_pool[rows, idx] == p[:, None])
                & ~self.aw_done[rows, idx]
            )
            eligible &= (
                rec.aw_end[rows, idx] - self.t[r][:, None] > x.repat_min_remaining
            )
        else:
            eligible = np.zeros((r.size, 1), dtype=np.bool_)
            idx = np.zeros((r.size, 1), dtype=np.int64)
        found = eligible.any(axis=1)
        gone_r, gone_p = r[~found], p[~found]
        was = self.needs(gone_r, gone_p)
        self.away_possible[gone_r, gone_p] = False
        self.set_waiting(gone_r, gone_p, was)
        if not found.any():
            return
        if x.repat_rule == 1:
            pos = np.where(eligible, rec.aw_start[rows, idx], np.inf).argmin(axis=1)
        else:
            pos = np.where(eligible, rec.aw_end[rows, idx], -np.inf).argmax(axis=1)
        best = idx[np.arange(r.size), pos][found]
        r, p, j = r[found], p[found], j[found]
        original = rec.aw_end[r, best].copy()
        self.aw_done[r, best] = True
        rec.aw_end[r, best] = self.t[r]
        rec.aw_out[r, best] = 2
        self.adirty[r] = True
        self.occupy(r, p, j, original, self.aw_next[r, best], 3)

    # ---- events ----------------------------------------------------------------------------
    def step(self, r: IntArray) -> BoolArray:
        """Each replication in ``r`` takes its next event; returns which ones have none left."""
        x = self.x
        ep = self.pmin[r].argmin(axis=1)
        t = self.pmin[r, ep]
        n_arr = x.arr_t.shape[1]
        t_arr = np.where(
            self.aptr[r] < n_arr,
            x.arr_t[r, np.minimum(self.aptr[r], n_arr - 1)],
            np.inf,
        )
        kind = np.zeros(r.size, dtype=np.int64)
        for code, when in (
            (1, self.amin[r]),
            (2, self.open_times[self.optr[r]]),
            (3, t_arr),
        ):
            sooner = when < t
            t = np.where(sooner, when, t)
            kind[sooner] = code
        done = ~(t <= x.horizon)
        go = ~done
        self.t[r[go]] = t[go]
        self.events(r[go], ep[go], kind[go])
        return np.asarray(done, dtype=np.bool_)

    def events(self, r: IntArray, ep: IntArray, kind: IntArray) -> None:
        """Handle this pass's events; people who need a bed go to :meth:`place`."""
        x, rec = self.x, self.rec
        target = np.full(r.size, -1, dtype=np.int64)
        src_p = np.full(r.size, -1, dtype=np.int64)
        src_j = np.full(r.size, -1, dtype=np.int64)
        (m,) = np.nonzero(kind == 0)  # a bed's occupant leaves or moves on
        if m.size:
            rs, ps = r[m], ep[m]
            js = self.key[rs, ps].argmin(axis=1)
            self.pending[rs, ps, js] = False
            self.key[rs, ps, js] = np.inf
            self.dirty[rs, ps] = True
            nx = self.nxt[rs, ps, js]
            out = nx < 0
            self.chain_p[rs[out]], self.chain_j[rs[out]] = ps[out], js[out]
            mv = ~out
            rec.seg_out[rs[mv], self.slot_seg[rs[mv], ps[mv], js[mv]]] = 1
            target[m[mv]], src_p[m[mv]], src_j[m[mv]] = nx[mv], ps[mv], js[mv]
        (m,) = np.nonzero(kind == 1)  # an out-of-area stay ends in a transfer
        if m.size:
            rs = r[m]
            k = self.aidx[rs]
            self.aw_done[rs, k] = True
            rec.aw_out[rs, k] = 1
            self.adirty[rs] = True
            target[m] = self.aw_next[rs, k]
        (m,) = np.nonzero(kind == 2)  # a bed opens
        if m.size:
            rs = r[m]
            o = self.optr[rs]
            self.optr[rs] += 1
            ps, js = x.open_p[o], x.open_j[o]
            self.dirty[rs, ps] = True
            wanted = self.needs(rs, ps)
            self.chain_p[rs[wanted]], self.chain_j[rs[wanted]] = ps[wanted], js[wanted]
        (m,) = np.nonzero(kind == 3)  # an admission
        if m.size:
            rs = r[m]
            ps = x.arr_p[rs, self.aptr[rs]]
            self.aptr[rs] += 1
            counted = self.t[rs] >= x.warmup
            rec.arrivals[rs[counted], ps[counted]] += 1
            target[m] = ps
        need = target >= 0
        self.place(r[need], target[need], src_p[need], src_j[need], kind[need])

    def place(
        self, r: IntArray, p: IntArray, sp: IntArray, sj: IntArray, kind: IntArray
    ) -> None:
        """Find a bed in pool p for each person; else queue, block or send out of area."""
        if not r.size:
            return
        x = self.x
        t = self.t[r][:, None]
        free = (self.end[r, p] <= t) & (x.open_from[p] <= t) & (t < x.close_at[p])
        free &= ~(self.key[r, p] < np.inf)
        found = free.any(axis=1)
        self.dirty[r, p] = True
        self.dirty[r[sp >= 0], sp[sp >= 0]] = True
        self.start_local(
            r[found],
            p[found],
            free.argmax(axis=1)[found],
            np.where(kind == 3, 1, 2)[found],
        )
        moved = found & (sp >= 0)
        self.chain_p[r[moved]], self.chain_j[r[moved]] = sp[moved], sj[moved]
        r, p, sp, sj, kind = r[~found], p[~found], sp[~found], sj[~found], kind[~found]
        wait = np.where(
            sp < 0, x.arrival_wait[p], x.route_wait[np.maximum(sp, 0), p]
        ) & (kind != 1)
        self.enqueue(r[wait], p[wait], sp[wait], sj[wait])
        go = ~wait
        r, p, sp, sj, kind = r[go], p[go], sp[go], sj[go], kind[go]
        self.start_away(r, p, np.where(kind == 3, 1, 2))
        sent = (kind == 3) & (self.t[r] >= x.warmup)
        self.rec.sent_away[r[sent], p[sent]] += 1
        moved = sp >= 0
        self.chain_p[r[moved]], self.chain_j[r[moved]] = sp[moved], sj[moved]

    def enqueue(self, r: IntArray, p: IntArray, sp: IntArray, sj: IntArray) -> None:
        """Queue people for a bed in pool p; a blocked transfer keeps its current bed."""
        if not r.size:
            return
        rec = self.rec
        was = self.needs(r, p)
        n = rec.q_n[r]
        rec.q_pool[r, n] = p
        rec.q_since[r, n] = self.t[r]
        rec.q_src_pool[r, n] = sp
        self.q_src_slot[r, n] = sj
        rec.q_n[r] = n + 1
        self.nq[r, p] += 1
        self.set_waiting(r, p, was)
        blocked = sp >= 0
        rb, spb, sjb = r[blocked], sp[blocked], sj[blocked]
        seg = self.slot_seg[rb, spb, sjb]
        rec.seg_end[rb, seg] = np.inf
        rec.seg_block[rb, seg] = self.t[rb]
        self.end[rb, spb, sjb] = np.inf
        rw, pw = r[~blocked], p[~blocked]
        counted = self.t[rw] >= self.x.warmup
        rec.waited[rw[counted], pw[counted]] += 1

    # ---- set-up and the main loop ------------------------------------------------------
    def start(self) -> None:
        """Record the census and repatriate into free beds at time 0, as the loop core does."""
        x, rec = self.x, self.rec
        reps, pools, slots = self.end.shape
        for p in range(pools):
            for j in range(slots):
                (r,) = np.nonzero(self.end[:, p, j] > -np.inf)
                n = rec.seg_n[r]
                rec.seg_pool[r, n], rec.seg_start[r, n] = p, 0.0
                rec.seg_end[r, n], rec.seg_kind[r, n] = self.end[r, p, j], 0
                rec.seg_n[r] = n + 1
                self.slot_seg[r, p, j] = n
        for i in range(x.init_away_pool.shape[1]):
            (r,) = np.nonzero(x.init_away_n > i)
            n, p = rec.aw_n[r], x.init_away_pool[r, i]
            rec.aw_pool[r, n], rec.aw_start[r, n] = p, x.init_away_start[r, i]
            rec.aw_end[r, n], rec.aw_kind[r, n] = x.init_away_end[r, i], 0
            self.aw_next[r, n] = x.init_away_next[r, i]
            rec.aw_n[r] = n + 1
            self.live[r, self.nlive[r]] = n
            self.nlive[r] += 1
            if self.repat:
                self.away_possible[r, p] = True
        every = np.arange(reps)
        for p in range(pools):
            self.rekey_rows(every, np.full(reps, p))
        for p in range(pools):
            for j in range(slots):
                ok = self.needs(every, np.full(reps, p)) & (self.end[:, p, j] <= 0.0)
                ok &= (x.open_from[p, j] <= 0.0) & (x.close_at[p, j] > 0.0)
                (r,) = np.nonzero(ok)
                self.chain_p[r], self.chain_j[r] = p, j
                self.fill(r)

    def settle(self) -> None:
        """Follow every chain of moves freed beds set off, before the next event."""
        while True:
            (rc,) = np.nonzero(self.chain_p >= 0)
            if not rc.size:
                return
            self.fill(rc)

    def run(self) -> None:
        """Step every replication until none has an event left within the horizon."""
        self.start()
        live = np.ones(self.t.size, dtype=np.bool_)
        passes = 0
        while live.any():
            passes += 1
            if passes % COMPACT_EVERY == 0:
                self.compact()
            self.refresh()
            (re,) = np.nonzero(live)
            live[re[self.step(re)]] = False
            self.settle()

    def run_loss_only(self) -> None:
        """The same dynamics when nobody can ever wait: no transfers, queues or repatriation.

        Then no bed end is ever an event and bed openings change nothing until an admission
        arrives, so the k-th admission of every replication can be handled in one pass.
        """
        x, rec = self.x, self.rec
        self.start()
        reps, pools, _ = self.end.shape
        always_open = (x.open_from == -np.inf) & (x.close_at == np.inf)
        scheduled = not bool(always_open.all())
        single = pools == 1 and not scheduled
        every = np.arange(reps)
        for k in range(x.arr_t.shape[1]):
            t_all = x.arr_t[:, k]
            live = t_all <= x.horizon
            r = every if live.all() else np.flatnonzero(live)
            if not r.size:
                break
            t = t_all[r]
            p = x.arr_p[r, k]
            self.t[r] = t
            rows = self.end[r, 0] if single else self.end[r, p]
            free = rows <= t[:, None]
            if scheduled:
                free &= (x.open_from[p] <= t[:, None]) & (t[:, None] < x.close_at[p])
            found = free.any(axis=1)
            j = free.argmax(axis=1)
            counted = t >= x.warmup
            rec.arrivals[r, p] += counted
            v, stay = self.draw_stay(r, p)
            rl, pl, jl, tl = r[found], p[found], j[found], t[found]
            self.end[rl, pl, jl] = tl + stay[found]
            n = rec.seg_n[rl]
            rec.seg_pool[rl, n], rec.seg_start[rl, n], rec.seg_end[rl, n] = (
                pl,
                tl,
                tl + stay[found],
            )
            rec.seg_kind[rl, n] = 1
            rec.seg_n[rl] = n + 1
            away = ~found
            ra, pa, ta = r[away], p[away], t[away]
            n = rec.aw_n[ra]
            rec.aw_pool[ra, n], rec.aw_start[ra, n], rec.aw_end[ra, n] = (
                pa,
                ta,
                ta + stay[away],
            )
            rec.aw_kind[ra, n] = 1
            rec.aw_n[ra] = n + 1
            rec.sent_away[ra, pa] += counted[away]
            del v


def single_pool_loss(inputs: BatchInputs) -> bool:
    """One pool, every bed always open, nobody ever waits: the single-ward fast path."""
    return (
        inputs.pools == 1
        and not inputs.can_wait()
        and bool(np.all(inputs.open_from == -np.inf))
        and bool(np.all(inputs.close_at == np.inf))
    )


def _append(rec_n: IntArray, mask: BoolArray) -> tuple[IntArray, IntArray, IntArray]:
    """Rows, columns and record positions for the True cells of ``mask``, in row order."""
    rows, cols = np.nonzero(mask)
    rank = np.cumsum(mask, axis=1)[rows, cols] - 1
    return rows, cols, rec_n[rows] + rank


def first_pool_neutral(x: BatchInputs, width: int, nvis: int) -> bool:
    """Whether pool 0's first ``width`` visits stay exactly their clinical days.

    True when no lever touches the pool and the visits used carry no CRFD days: the
    general stay formula then reduces to ``clin * 1 + (0 - rem * 0) * 1 = clin``, bit for
    bit, and the stays can be read from the draws without arithmetic.
    """
    first = int(x.vis_offset[0])
    # the visits used are the first min(width, nvis) of the pool: read them as a view
    used = slice(first, first + min(width, nvis))
    return (
        bool(np.all(x.clin_mult[0] == 1.0))
        and bool(np.all(x.crfd_mult[0] == 1.0))
        and bool(np.all(x.removal_ramp[0] == 0.0))
        and not np.isfinite(x.long_thr[0])
        and not bool(np.any(x.vis_crfd[:, used]))
    )


def first_pool_stays(
    x: BatchInputs, width: int, start: FloatArray, nvis: int
) -> FloatArray:
    """Stays of the k-th visit of pool 0 starting at ``start[:, k]`` (the loop core's formula)."""
    first = int(x.vis_offset[0])
    v = first + np.arange(width) % nvis
    clin = x.vis_clin[:, :width] if width <= nvis else x.vis_clin[:, v]
    if first_pool_neutral(x, width, nvis):
        # the general formula reduces to clin * 1 + (0 - rem * 0) * 1 = clin, bit for bit
        return np.asarray(np.maximum(clin, MIN_STAY_DAYS), dtype=np.float64)
    d = np.clip(np.floor(start).astype(np.int64), 0, x.clin_mult.shape[1] - 1)
    stay = (
        x.vis_clin[:, v] * x.clin_mult[0, d]
        + (x.vis_crfd[:, v] - x.vis_rem[:, v] * x.removal_ramp[0, d])
        * x.crfd_mult[0, d]
    )
    over = np.maximum(stay - x.long_thr[0], 0.0) * x.long_cut[0, d]
    return np.asarray(np.maximum(stay - over, MIN_STAY_DAYS), dtype=np.float64)


def single_pool_admissions(
    times: FloatArray, leave: FloatArray, live: BoolArray, init_end: FloatArray
) -> BoolArray:
    """Which admissions of one always-open pool find a bed ([R, K]), a pass per admission.

    With identical beds only the *multiset* of bed end times matters: an admission finds a
    bed iff the earliest end has passed, and which free bed it takes changes nothing that
    is recorded. So each pass is one ``argmin`` over the beds of every replication.
    ``times`` and ``leave`` are each admission's arrival and end; ``live`` marks real
    admissions; ``init_end`` is each bed's end at the start (``-inf`` if empty).
    """
    reps, width = times.shape
    ends = np.array(init_end, dtype=np.float64, order="C")  # the passes update it
    flat = ends.reshape(-1)
    base = np.arange(reps) * ends.shape[1]
    times_t = np.ascontiguousarray(times.T)
    leave_t = np.ascontiguousarray(leave.T)
    admitted_t = np.zeros((width, reps), dtype=np.bool_)
    for k in range(int(live.sum(axis=1).max(initial=0))):
        idx = base + ends.argmin(axis=1)
        earliest = flat.take(idx)
        ok = earliest <= times_t[k]
        # a replication with no k-th admission has time inf: it "admits" at inf, harmlessly,
        # because it has no later admissions either; it is masked out below
        flat[idx] = np.where(ok, leave_t[k], earliest)
        admitted_t[k] = ok
    return admitted_t.T & live


def _run_single_pool_loss(batch: _Batch) -> None:
    """A single pool where beds are all alike and nobody waits, one pass per admission.

    The stays (the k-th admission takes the k-th pre-drawn visit) are computed up front;
    :func:`single_pool_admissions` decides who finds a bed.
    """
    x, rec = batch.x, batch.rec
    batch.start()
    width = x.arr_t.shape[1]
    times = x.arr_t
    live = times <= x.horizon
    safe = np.where(live, times, 0.0)
    leave = safe + first_pool_stays(x, width, safe, int(batch.nvis[0]))
    admitted = single_pool_admissions(times, leave, live, batch.end[:, 0, :])
    counted = live & (times >= x.warmup)
    rec.arrivals[:, 0] = counted.sum(axis=1)
    rec.sent_away[:, 0] = (counted & ~admitted).sum(axis=1)
    r, k, n = _append(rec.seg_n, admitted)
    rec.seg_pool[r, n], rec.seg_start[r, n], rec.seg_end[r, n], rec.seg_kind[r, n] = (
        0,
        times[r, k],
        leave[r, k],
        1,
    )
    rec.seg_n += admitted.sum(axis=1)
    away = live & ~admitted
    r, k, n = _append(rec.aw_n, away)
    rec.aw_pool[r, n], rec.aw_start[r, n], rec.aw_end[r, n], rec.aw_kind[r, n] = (
        0,
        times[r, k],
        leave[r, k],
        1,
    )
    rec.aw_n += away.sum(axis=1)


def run_batch(inputs: BatchInputs, records: BatchRecords) -> None:
    """Simulate a batch of replications with NumPy, filling ``records`` in place."""
    batch = _Batch(inputs, records)
    if single_pool_loss(inputs):
        _run_single_pool_loss(batch)
    elif not inputs.can_wait():
        batch.run_loss_only()
    else:
        batch.run()
