"""Per-replication random draws: one seed sequence, common random numbers across scenarios.

Replication ``r`` of a scenario with seed ``s`` draws pool ``p``'s numbers from
``SeedSequence(s, spawn_key=(r, key(p), stream))`` — the same child ``SeedSequence(s).spawn``
would give — so results do not depend on how replications are split into batches or
processes. Each pool has its own streams (arrivals, visits, routes, census, rate noise),
keyed by a hash of the pool id, so two scenarios that differ only in their levers use the
same numbers for the same things: the same unit-rate arrival epochs (stretched through each
scenario's own cumulative rate), the same ranks of stay, the same transfer decisions.

Each generator is per replication; the streams of a whole batch are drawn in one call
(:mod:`nearhome.capacity.streams`, compiled when numba is installed, NumPy's numbers bit for
bit) and the arithmetic on what they draw is done for the whole batch at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.stats import poisson

from nearhome.capacity.batch import BatchInputs
from nearhome.capacity.interp import interp_grid
from nearhome.capacity.plan import PlanModel, PoolModel
from nearhome.capacity.streams import (
    COMPILED,
    fill_arrival_times,
    fill_exponential,
    fill_uniform,
    one_word,
    stream_generator,
)

__all__ = ["build_batch", "rng_for"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

ARRIVALS, VISITS, ROUTES, CENSUS, NOISE = range(5)


def rng_for(seed: int, rep: int, pool: PoolModel, stream: int) -> np.random.Generator:
    """The generator of one stream of one pool in one replication."""
    return stream_generator(seed, (rep, pool.key, stream))


def _uniforms(
    model: PlanModel, pool: PoolModel, reps: Sequence[int], stream: int, size: int
) -> FloatArray:
    """Each replication's first ``size`` uniforms of a stream ([R, size]), drawn in bulk."""
    u = np.empty((len(reps), size))
    fill_uniform(model.seed, reps, pool.key, stream, u)
    return u


def _cumulative_rates(
    model: PlanModel, pool: PoolModel, reps: Sequence[int]
) -> FloatArray:
    """Cumulative expected admissions at each midnight, per replication ([R, D+1]).

    Without month-to-month noise every replication shares one row (a broadcast view).
    """
    if pool.monthly_cv <= 0:
        row = np.concatenate(([0.0], np.cumsum(pool.rates)))
        return np.broadcast_to(row, (len(reps), row.size))
    rates = np.broadcast_to(pool.rates, (len(reps), pool.rates.size))
    if pool.monthly_cv > 0:
        shape = 1.0 / pool.monthly_cv**2
        months = model.month_edges.size - 1
        noise = np.stack(
            [
                rng_for(model.seed, r, pool, NOISE).gamma(shape, 1.0 / shape, months)
                for r in reps
            ]
        )
        month = (
            np.searchsorted(model.month_edges, np.arange(pool.rates.size), side="right")
            - 1
        )
        rates = rates * noise[:, np.clip(month, 0, months - 1)]
    out = np.zeros((len(reps), pool.rates.size + 1))
    np.cumsum(rates, axis=1, out=out[:, 1:])
    return out


def _arrival_times(
    model: PlanModel,
    pool: PoolModel,
    reps: Sequence[int],
    *,
    compiled: bool = COMPILED,
) -> FloatArray:
    """Non-homogeneous Poisson arrivals by inverting the cumulative rate ([R, n], inf padded).

    With numba and one shared rate (no month-to-month noise) the epochs are drawn, summed
    and stretched in one compiled pass (:func:`fill_arrival_times`), the same numbers as
    the NumPy steps below, which remain for noisy rates and the rare row that needs more
    than ``n`` epochs.
    """
    cumulative = _cumulative_rates(model, pool, reps)
    totals = cumulative[:, -1]
    top = float(totals.max(initial=0.0))
    if top <= 0:
        return np.full((len(reps), 0), np.inf)
    n = int(top + 6 * np.sqrt(top) + 10)
    if compiled and pool.monthly_cv <= 0 and one_word(reps):
        times = np.empty((len(reps), n))
        last = fill_arrival_times(
            model.seed,
            reps,
            pool.key,
            ARRIVALS,
            cumulative=cumulative[0],
            totals=totals,
            out=times,
        )
        if not bool((last < totals).any()):
            return times
    epochs = np.empty((len(reps), n))
    fill_exponential(model.seed, reps, pool.key, ARRIVALS, epochs)
    np.cumsum(epochs, axis=1, out=epochs)
    for i in np.flatnonzero(
        epochs[:, -1] < totals
    ):  # rare: keep drawing the same stream, from where the first n draws left it
        g = rng_for(model.seed, reps[int(i)], pool, ARRIVALS)
        g.standard_exponential(n)
        row = epochs[i]
        while row[-1] < totals[i]:
            row = np.concatenate(
                (row, row[-1] + np.cumsum(g.standard_exponential(n // 4 + 10)))
            )
        epochs = np.pad(
            epochs,
            ((0, 0), (0, max(row.size - epochs.shape[1], 0))),
            constant_values=np.inf,
        )
        epochs[i, : row.size] = row
    days = np.arange(cumulative.shape[1], dtype=np.float64)
    inside = epochs < totals[:, None]
    if pool.monthly_cv > 0:
        times = np.stack(
            [np.interp(e, c, days) for e, c in zip(epochs, cumulative, strict=True)]
        )
    else:
        times = interp_grid(epochs, cumulative[0], days)
    return np.where(inside, times, np.inf)


def _routes(model: PlanModel, p: int, u: FloatArray) -> IntArray:
    cum = np.cumsum(model.routing[p])
    target = np.searchsorted(cum, u, side="right")
    return np.where(target >= cum.size, -1, target).astype(np.int64)


def _route_draws(model: PlanModel, p: int, reps: Sequence[int], size: int) -> IntArray:
    if not model.routing[p].any():
        return np.full((len(reps), size), -1, dtype=np.int64)
    pool = model.pools[p]
    return _routes(model, p, _uniforms(model, pool, reps, ROUTES, size))


def _census(
    model: PlanModel, p: int, reps: Sequence[int]
) -> tuple[FloatArray, IntArray, FloatArray, IntArray]:
    """Residual stays ([R, n], nan where nobody) and routes of people in beds and away at the start.

    Each replication's census stream is laid out in fixed blocks (count, residuals, second
    residual uniforms, routes) so the layout never depends on the draws.
    """
    pool = model.pools[p]
    n_local = (
        pool.beds_at_start if pool.start == "stationary" else pool.census_local.size
    )
    n_away = pool.census_away.size if pool.start == "census" else 0
    width = n_local + n_away
    if pool.start == "empty" or width == 0:
        none = np.full((len(reps), 0), np.nan)
        return (
            none,
            np.zeros((len(reps), 0), np.int64),
            none,
            np.zeros((len(reps), 0), np.int64),
        )
    u = _uniforms(model, pool, reps, CENSUS, 1 + 3 * width)
    u_res, u_two, u_route = (
        u[:, 1 + k * width : 1 + (k + 1) * width] for k in range(3)
    )
    routes = _routes(model, p, u_route)
    if pool.start == "stationary":
        load = float(pool.rates.mean() * pool.los.mean)
        count = np.minimum(
            poisson.ppf(u[:, 0] * poisson.cdf(n_local, load), load), n_local
        )
        residual = pool.los.equilibrium(u_res, u_two)
        residual = np.where(np.arange(n_local) < count[:, None], residual, np.nan)
        return residual, routes, np.full((len(reps), 0), np.nan), routes[:, :0]
    elapsed = np.concatenate((pool.census_local, pool.census_away))
    residual = pool.los.residual(np.broadcast_to(elapsed, u_res.shape), u_res)
    return (
        residual[:, :n_local],
        routes[:, :n_local],
        residual[:, n_local:],
        routes[:, n_local:],
    )


def _slot_layout(model: PlanModel) -> tuple[FloatArray, FloatArray, list[IntArray]]:
    """Slots per pool: the scheduled beds, plus never-usable slots for census beyond them."""
    rows_open, rows_close, census_slots = [], [], []
    for pool in model.pools:
        usable0 = np.flatnonzero((pool.open_from <= 0.0) & (pool.close_at > 0.0))
        n_census = (
            pool.census_local.size if pool.start == "census" else pool.beds_at_start
        )
        extra = max(n_census - usable0.size, 0)
        rows_open.append(np.concatenate((pool.open_from, np.full(extra, np.inf))))
        rows_close.append(np.concatenate((pool.close_at, np.full(extra, -np.inf))))
        census_slots.append(
            np.concatenate((usable0, pool.open_from.size + np.arange(extra)))
        )
    width = max(*(r.size for r in rows_open), 1)
    open_from = np.full((len(model.pools), width), np.inf)
    close_at = np.full((len(model.pools), width), -np.inf)
    for p, (o, c) in enumerate(zip(rows_open, rows_close, strict=True)):
        open_from[p, : o.size], close_at[p, : c.size] = o, c
    return open_from, close_at, census_slots


def _openings(
    model: PlanModel, open_from: FloatArray
) -> tuple[FloatArray, IntArray, IntArray]:
    p, j = np.nonzero((open_from > 0.0) & (open_from <= model.horizon))
    times = open_from[p, j]
    order = np.lexsort((j, p, times))
    return times[order], p[order].astype(np.int64), j[order].astype(np.int64)


def _merge_arrivals(times: list[FloatArray]) -> tuple[FloatArray, IntArray]:
    """All pools' admissions of each replication in time order ([R, K], inf padded)."""
    if len(times) == 1:
        width = int((times[0] < np.inf).sum(axis=1).max(initial=0))
        return times[0][:, :width], np.zeros((times[0].shape[0], width), dtype=np.int64)
    stacked = np.concatenate(times, axis=1)
    pools = np.concatenate(
        [np.full(t.shape, p, dtype=np.int64) for p, t in enumerate(times)], axis=1
    )
    order = np.argsort(stacked, axis=1, kind="stable")
    arr_t = np.take_along_axis(stacked, order, axis=1)
    arr_p = np.take_along_axis(pools, order, axis=1)
    width = int((arr_t < np.inf).sum(axis=1).max(initial=0))
    return arr_t[:, :width], arr_p[:, :width]


def _away_census(
    parts: list[tuple[int, FloatArray, FloatArray, IntArray]], reps: int
) -> tuple[IntArray, FloatArray, FloatArray, IntArray]:
    """People placed away at the start, all pools, [R, A0] (each row the same pools in order)."""
    pools = (
        np.concatenate(
            [np.full(res.shape, p, dtype=np.int64) for p, _, res, _ in parts], axis=1
        )
        if parts
        else np.zeros((reps, 0), np.int64)
    )
    starts = (
        np.concatenate(
            [np.broadcast_to(-elapsed, res.shape) for _, elapsed, res, _ in parts],
            axis=1,
        )
        if parts
        else np.zeros((reps, 0))
    )
    ends = (
        np.concatenate([res for _, _, res, _ in parts], axis=1)
        if parts
        else np.zeros((reps, 0))
    )
    nexts = (
        np.concatenate([nx for *_, nx in parts], axis=1)
        if parts
        else np.zeros((reps, 0), np.int64)
    )
    return pools, starts.astype(np.float64), ends, nexts


def _join(parts: Sequence[NDArray[Any]]) -> NDArray[Any]:
    """Pools' visit arrays side by side (no copy for a single pool)."""
    return parts[0] if len(parts) == 1 else np.concatenate(parts, axis=1)


def _visits_needed(model: PlanModel, times: list[FloatArray]) -> IntArray:
    """Visits to draw per pool: the plan's margin, or fewer where admissions are all.

    A pool nobody is transferred into starts a visit only for its own admissions, so it
    never needs more visits than the batch's most admissions in one replication. Fewer
    columns of the same streams change no number and no result (the k-th visit is the
    same draw either way); they spare drawing and transforming visits nobody takes.
    """
    cap = model.visit_capacity()
    for p, t in enumerate(times):
        if not model.routing[:, p].any():
            admissions = int(np.isfinite(t).sum(axis=1).max(initial=0))
            cap[p] = min(int(cap[p]), max(admissions, 1))
    return cap


def build_batch(model: PlanModel, reps: Sequence[int]) -> BatchInputs:
    """Draw every random number replications ``reps`` need and lay them out for the engine."""
    reps = list(reps)
    n_pools = len(model.pools)
    open_from, close_at, census_slots = _slot_layout(model)
    times = [_arrival_times(model, pool, reps) for pool in model.pools]
    cap = _visits_needed(model, times)
    offset = np.concatenate(([0], np.cumsum(cap))).astype(np.int64)
    init_end = np.full((len(reps), n_pools, open_from.shape[1]), -np.inf)
    init_next = np.full(init_end.shape, -1, dtype=np.int64)
    clin, crfd, rem, nxt, away = [], [], [], [], []
    for p, pool in enumerate(model.pools):
        u = _uniforms(model, pool, reps, VISITS, int(cap[p]))
        parts = pool.los.components(u, pool.removal_share)
        clin.append(parts.clinical)
        crfd.append(parts.crfd)
        rem.append(parts.removable)
        nxt.append(_route_draws(model, p, reps, int(cap[p])))
        local, local_next, away_res, away_next = _census(model, p, reps)
        slots = census_slots[p][: local.shape[1]]
        init_end[:, p, slots] = np.where(np.isnan(local), -np.inf, local)
        init_next[:, p, slots] = np.where(np.isnan(local), -1, local_next)
        if away_res.shape[1]:
            away.append((p, pool.census_away, away_res, away_next))
    arr_t, arr_p = _merge_arrivals(times)
    a_pool, a_start, a_end, a_next = _away_census(away, len(reps))
    open_t, open_p, open_j = _openings(model, open_from)
    return BatchInputs(
        open_from=open_from,
        close_at=close_at,
        init_end=init_end,
        init_next=init_next,
        init_away_pool=a_pool,
        init_away_start=a_start,
        init_away_end=a_end,
        init_away_next=a_next,
        init_away_n=np.full(len(reps), a_pool.shape[1], dtype=np.int64),
        arr_t=arr_t,
        arr_p=arr_p,
        vis_offset=offset,
        vis_clin=_join(clin),
        vis_crfd=_join(crfd),
        vis_rem=_join(rem),
        vis_next=_join(nxt),
        clin_mult=model.clin_mult,
        crfd_mult=model.crfd_mult,
        removal_ramp=model.removal_ramp,
        long_cut=model.long_cut,
        long_thr=model.long_thr,
        arrival_wait=np.array([p.arrival_wait for p in model.pools], dtype=np.bool_),
        route_wait=model.route_wait,
        repat_rule=model.repat_rule,
        repat_min_remaining=model.repat_min_remaining,
        horizon=model.horizon,
        warmup=model.warmup,
        open_t=open_t,
        open_p=open_p,
        open_j=open_j,
    )
