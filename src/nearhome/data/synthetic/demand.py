"""Demand for beds: care episodes, the bed-type segments within them, and readmissions.

An *episode* is one continuous period in hospital, whatever the provider: it becomes
one or more spells once beds are allocated (a move to another provider ends one spell
and starts the next). Within an episode the person passes through *segments*, each on
one bed type: most adult acute episodes are one segment; some go acute -> PICU -> acute
or acute -> rehabilitation. All durations are drawn here, before any bed is allocated,
so an episode lasts as long as it would anyway; where it is spent is the allocation's
business (``allocation.py``).

Arrivals are Poisson by day with seasonality, an ICB-level demand factor and a slowly
drifting monthly factor (so some months are busier than others, which is what drives
occupancy and out-of-area placements up and down). Arrivals start long enough before
the extract that long stays (secure care lasts years) are already in their beds when
the extract begins.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nearhome.data.synthetic.calibration import Calibration, DemandTargets
from nearhome.data.synthetic.draws import (
    FloatArray,
    IntArray,
    StrArray,
    codes,
    lognormal_days,
)
from nearhome.data.synthetic.geography import Geography
from nearhome.data.synthetic.timeline import Timeline

MAX_LOOKBACK_DAYS = 8 * 365
_Z_QUANTILE = {0.99: 2.326, 0.995: 2.576, 0.998: 2.878, 0.999: 3.09}


@dataclass(frozen=True)
class Demand:
    """Episodes (one per admission episode) and their bed-type segments."""

    episode_icb: IntArray
    episode_type: IntArray
    episode_start: IntArray
    episode_end: IntArray
    episode_root: IntArray
    """The first episode of the person's chain of readmissions (itself if first)."""
    episode_reason: StrArray
    """Appropriate out-of-area reason (11-14) when the person is placed away by choice."""
    segment_episode: IntArray
    segment_start: IntArray
    segment_end: IntArray
    segment_type: IntArray

    @property
    def episodes(self) -> int:
        """Number of episodes."""
        return len(self.episode_icb)


@dataclass(frozen=True)
class _Episodes:
    icb: IntArray
    type: IntArray
    start: IntArray
    parent: IntArray


def build_demand(
    geo: Geography,
    timeline: Timeline,
    calibration: Calibration,
    rng: np.random.Generator,
) -> Demand:
    """Draw every episode that touches the simulated days, with its segments."""
    first = _first_arrivals(geo, timeline, calibration, rng)
    seg_episode, seg_start, seg_end, seg_type = _segments(first, calibration, rng)
    episodes, segments = _with_readmissions(
        first, (seg_episode, seg_start, seg_end, seg_type), timeline, calibration, rng
    )
    return _finalise(episodes, segments, timeline, calibration, rng)


def _first_arrivals(
    geo: Geography,
    timeline: Timeline,
    calibration: Calibration,
    rng: np.random.Generator,
) -> _Episodes:
    targets = calibration.demand
    residents = np.bincount(geo.lsoa_icb, weights=geo.population.sum(axis=(1, 2, 3)))
    start = timeline.end - MAX_LOOKBACK_DAYS - timeline.burn_in_days
    days = np.arange(start, timeline.end)
    drift = _monthly_drift(geo.icbs, len(days), targets, rng)
    season = 1 + targets.seasonal_amplitude * np.cos(
        2 * np.pi * (days % 365.2425 - 196) / 365.2425
    )
    icbs, types, starts = [], [], []
    for t, profile in enumerate(calibration.bed_types):
        first_day = timeline.sim_start - _lookback(
            profile.los_median, profile.los_sigma, targets.lookback_quantile
        )
        keep = days >= first_day
        factor = rng.lognormal(0.0, targets.icb_demand_sd, geo.icbs)
        lam = (
            (profile.admissions_per_100k / 1e5 / 365.25)
            * (residents * factor)[:, None]
            * (season * drift)[..., keep]
        )
        counts = rng.poisson(lam)
        icb_idx, day_idx = np.nonzero(counts)
        reps = counts[icb_idx, day_idx]
        icbs.append(np.repeat(icb_idx, reps))
        starts.append(np.repeat(days[keep][day_idx], reps))
        types.append(np.full(reps.sum(), t))
    icb = np.concatenate(icbs).astype(np.int64)
    return _Episodes(
        icb=icb, type=np.concatenate(types).astype(np.int64),
        start=np.concatenate(starts).astype(np.int64), parent=np.full(len(icb), -1),
    )  # fmt: skip


def _lookback(median: float, sigma: float, quantile: float) -> int:
    z = _Z_QUANTILE.get(quantile, 2.878)
    return int(min(median * np.exp(sigma * z), MAX_LOOKBACK_DAYS))


def _monthly_drift(
    icbs: int, days: int, targets: DemandTargets, rng: np.random.Generator
) -> np.ndarray:
    """A persistent month-to-month demand factor per ICB (log-AR(1)), by day."""
    rho = targets.monthly_drift_persistence
    sd = targets.monthly_drift_sd
    months = days // 30 + 1
    shocks = rng.normal(0.0, sd * np.sqrt(1 - rho**2), (icbs, months))
    level = np.zeros((icbs, months))
    level[:, 0] = rng.normal(0.0, sd, icbs)
    for m in range(1, months):
        level[:, m] = rho * level[:, m - 1] + shocks[:, m]
    return np.exp(level - sd**2 / 2)[:, np.arange(days) // 30]


def _episode_length(
    types: IntArray, calibration: Calibration, rng: np.random.Generator
) -> IntArray:
    profiles = calibration.bed_types
    median = np.array([p.los_median for p in profiles])[types]
    sigma = np.array([p.los_sigma for p in profiles])[types]
    short = np.array([p.short_stay_share for p in profiles])[types]
    days = lognormal_days(rng, median, sigma, len(types))
    is_short = rng.random(len(types)) < short
    days[is_short] = rng.integers(0, 3, is_short.sum())
    return days


def _segments(
    episodes: _Episodes, calibration: Calibration, rng: np.random.Generator
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Cut each episode into bed-type segments (acute -> PICU -> acute, -> rehab)."""
    targets = calibration.demand
    acute = calibration.bed_type_index("200")
    picu = calibration.bed_type_index("202")
    rehab = calibration.bed_type_index("212")
    n = len(episodes.type)
    length = _episode_length(episodes.type, calibration, rng)
    is_acute = (episodes.type == acute) & (length >= 3)
    with_picu = is_acute & (rng.random(n) < targets.picu_transfer_share)
    stepdown = is_acute & ~with_picu & (rng.random(n) < targets.rehab_stepdown_share)
    direct_picu = episodes.type == picu
    first_len = np.where(
        with_picu,
        np.maximum(1, (length * rng.uniform(0.05, 0.5, n)).astype(np.int64)),
        length,
    )
    picu_len = lognormal_days(rng, targets.picu_stay_median, targets.picu_stay_sigma, n)
    rehab_len = lognormal_days(
        rng,
        calibration.bed_types[rehab].los_median,
        calibration.bed_types[rehab].los_sigma,
        n,
    )
    after_picu = lognormal_days(rng, 20.0, 0.8, n)
    pieces = [
        (np.ones(n, bool), episodes.type, first_len),
        (with_picu, np.full(n, picu), picu_len),
        (with_picu, np.full(n, acute), np.maximum(1, length - first_len)),
        (stepdown, np.full(n, rehab), rehab_len),
        (direct_picu, np.full(n, acute), after_picu),
    ]
    return _lay_out(episodes.start, pieces)


def _lay_out(
    starts: IntArray, pieces: list[tuple[np.ndarray, IntArray, IntArray]]
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Place the pieces of each episode end to end, in the order given."""
    seg_ep, seg_k, seg_type, seg_len = [], [], [], []
    for k, (mask, types, lengths) in enumerate(pieces):
        idx = np.flatnonzero(mask)
        seg_ep.append(idx)
        seg_k.append(np.full(len(idx), k))
        seg_type.append(types[idx])
        seg_len.append(lengths[idx])
    ep, k_arr = np.concatenate(seg_ep), np.concatenate(seg_k)
    order = np.lexsort((k_arr, ep))
    ep, length = ep[order], np.concatenate(seg_len)[order]
    ends = np.cumsum(length)
    first_of_ep = np.r_[True, ep[1:] != ep[:-1]]
    offset = np.maximum.accumulate(np.where(first_of_ep, np.r_[0, ends[:-1]], 0))
    seg_end = starts[ep] + ends - offset
    return ep, seg_end - length, seg_end, np.concatenate(seg_type)[order]


def _with_readmissions(
    first: _Episodes,
    segments: tuple[IntArray, IntArray, IntArray, IntArray],
    timeline: Timeline,
    calibration: Calibration,
    rng: np.random.Generator,
) -> tuple[_Episodes, tuple[IntArray, ...]]:
    """Add readmissions (three generations) after each episode's discharge."""
    episodes, segs = first, list(segments)
    fresh = np.arange(len(first.type))
    for _ in range(3):
        ends = np.full(len(episodes.type), np.iinfo(np.int64).min)
        np.maximum.at(ends, segs[0], segs[2])
        child = _readmissions(episodes, fresh, ends, timeline, calibration, rng)
        if len(child.type) == 0:
            break
        child_segs = _segments(child, calibration, rng)
        offset = len(episodes.type)
        episodes = _Episodes(
            icb=np.r_[episodes.icb, child.icb], type=np.r_[episodes.type, child.type],
            start=np.r_[episodes.start, child.start], parent=np.r_[episodes.parent, child.parent],
        )  # fmt: skip
        segs = [
            np.r_[segs[0], child_segs[0] + offset],
            *(np.r_[a, b] for a, b in zip(segs[1:], child_segs[1:], strict=True)),
        ]
        fresh = np.arange(offset, len(episodes.type))
    return episodes, tuple(segs)


def _readmissions(
    episodes: _Episodes,
    fresh: IntArray,
    ends: IntArray,
    timeline: Timeline,
    calibration: Calibration,
    rng: np.random.Generator,
) -> _Episodes:
    targets = calibration.demand
    parent = fresh[rng.random(len(fresh)) < targets.readmission_share]
    u = rng.random(len(parent))
    gap = np.where(
        u < targets.readmission_within_14, rng.integers(1, 14, len(parent)),
        np.where(
            u < targets.readmission_within_14 + targets.readmission_within_30,
            rng.integers(14, 30, len(parent)),
            np.exp(rng.uniform(np.log(30), np.log(targets.readmission_max_days), len(parent))).astype(np.int64),
        ),
    )  # fmt: skip
    start = ends[parent] + gap
    keep = start < timeline.end
    parent, start = parent[keep], start[keep]
    picu, acute = calibration.bed_type_index("202"), calibration.bed_type_index("200")
    kind = np.where(episodes.type[parent] == picu, acute, episodes.type[parent])
    return _Episodes(icb=episodes.icb[parent], type=kind, start=start, parent=parent)


def _finalise(
    episodes: _Episodes,
    segments: tuple[IntArray, ...],
    timeline: Timeline,
    calibration: Calibration,
    rng: np.random.Generator,
) -> Demand:
    """Drop episodes over before the simulation, order by start, and add OAP reasons."""
    seg_ep, seg_start, seg_end, seg_type = segments
    ends = np.zeros(len(episodes.type), dtype=np.int64)
    np.maximum.at(ends, seg_ep, seg_end)
    root = _roots(episodes.parent)
    alive_root = np.zeros(len(root), dtype=bool)
    alive_root[root[ends > timeline.sim_start]] = True
    keep = alive_root[root]
    order = np.flatnonzero(keep)[
        np.lexsort((np.flatnonzero(keep), episodes.start[keep]))
    ]
    new_index = np.full(len(keep), -1)
    new_index[order] = np.arange(len(order))
    seg_keep = keep[seg_ep]
    seg_order = np.lexsort((seg_start[seg_keep], new_index[seg_ep[seg_keep]]))
    acute = calibration.bed_type_index("200")
    n = len(order)
    reason = codes(rng, calibration.demand.appropriate_oap_reasons, n)
    chosen = (episodes.type[order] == acute) & (
        rng.random(n) < calibration.demand.appropriate_oap_share
    )
    reason[~chosen] = ""
    return Demand(
        episode_icb=episodes.icb[order], episode_type=episodes.type[order],
        episode_start=episodes.start[order], episode_end=ends[order],
        episode_root=new_index[root[order]], episode_reason=reason,
        segment_episode=new_index[seg_ep[seg_keep]][seg_order],
        segment_start=seg_start[seg_keep][seg_order], segment_end=seg_end[seg_keep][seg_order],
        segment_type=seg_type[seg_keep][seg_order],
    )  # fmt: skip


def _roots(parent: IntArray) -> IntArray:
    root = np.arange(len(parent))
    has_parent = parent >= 0
    root[has_parent] = parent[has_parent]
    for _ in range(4):
        root = np.where(parent[root] >= 0, parent[root], root)
    return root


def offered_load(
    demand: Demand, sex: IntArray, timeline: Timeline, icbs: int, types: int
) -> FloatArray:
    """Mean beds in use over the extract if everyone were admitted at home.

    Shape (ICB, bed type, sex) with sex indexed 1 male, 2 female (index 0 unused).
    """
    start = np.maximum(demand.segment_start, timeline.start)
    end = np.minimum(demand.segment_end, timeline.end)
    days = np.maximum(end - start, 0).astype(np.float64)
    ep = demand.segment_episode
    load = np.zeros((icbs, types, 3))
    np.add.at(load, (demand.episode_icb[ep], demand.segment_type, sex[ep]), days)
    return load / (timeline.end - timeline.start)
