"""The day-by-day bed simulation: where each segment of care is spent.

Every day, beds freed by discharges and transfers are returned, then the day's new
segments ask for a bed: first at the provider they belong to (the home trust for a new
episode, the current provider for a transfer within one). NHS ward groups admit only
while they have open beds; a request they cannot take is an *overflow*: it tries a
nearby trust with a free bed (sometimes) and otherwise goes to an independent provider,
weighted towards nearer ones. For adult acute, older adult and PICU beds that overflow
is an inappropriate out-of-area placement. Finally, people placed out of area are
brought home, a few at a time, when a bed at their home trust is free (repatriation).

The loop runs over days; everything inside a day is vectorised over that day's
requests, so a 42-ICB, 5-year build loops about 2,200 times, never once per patient.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from nearhome.data.synthetic.calibration import Calibration
from nearhome.data.synthetic.demand import Demand
from nearhome.data.synthetic.draws import (
    FloatArray,
    IntArray,
    haversine_km,
    rank_within,
    rows_choice,
)
from nearhome.data.synthetic.geography import Geography
from nearhome.data.synthetic.providers import Estate
from nearhome.data.synthetic.timeline import Timeline

HOME, CONTINUING, OVERFLOW, APPROPRIATE, SPECIALIST, REPATRIATED = range(6)
"""How a segment came to be where it is."""


@dataclass(frozen=True)
class Placement:
    """Placed segments (the input's segments, split where someone was repatriated)."""

    episode: IntArray
    start: IntArray
    end: IntArray
    bed_type: IntArray
    group: IntArray
    ward: IntArray
    """NHS ward index; -1 at independent providers until their wards are sized."""
    how: IntArray


@dataclass(frozen=True)
class Routing:
    """Where overflow goes: nearby trusts and independent groups by home ICB."""

    nearby: IntArray
    """Nearby other trusts of each ICB, nearest first (-1 pads)."""
    independent: FloatArray
    """Weight of each independent group for (ICB, bed type, sex), last axis = groups."""


def routing(geo: Geography, estate: Estate, calibration: Calibration) -> Routing:
    """Nearest trusts and distance-weighted independent groups for each ICB."""
    k = calibration.capacity.nearby_trusts
    trust_lat = estate.site_lat[
        np.searchsorted(estate.site_provider, np.arange(geo.icbs))
    ]
    trust_lon = estate.site_lon[
        np.searchsorted(estate.site_provider, np.arange(geo.icbs))
    ]
    dist = haversine_km(
        geo.icb_lat[:, None],
        geo.icb_lon[:, None],
        trust_lat[None, :],
        trust_lon[None, :],
    )
    np.fill_diagonal(dist, np.inf)
    nearby = np.argsort(dist, axis=1, kind="stable")[:, :k]
    nearby = np.where(np.take_along_axis(dist, nearby, axis=1) < np.inf, nearby, -1)
    if nearby.shape[1] < k:
        nearby = np.pad(nearby, ((0, 0), (0, k - nearby.shape[1])), constant_values=-1)
    site_dist = haversine_km(
        geo.icb_lat[:, None],
        geo.icb_lon[:, None],
        estate.site_lat[None, :],
        estate.site_lon[None, :],
    )
    n_groups = len(estate.group_provider)
    nearest = np.full((geo.icbs, n_groups), np.inf)
    for g in np.flatnonzero(~estate.group_finite):
        nearest[:, g] = site_dist[
            :, estate.site_provider == estate.group_provider[g]
        ].min(axis=1)
    weight = np.exp(-nearest / calibration.capacity.independent_distance_km)
    match = np.zeros((len(calibration.bed_types), 3, n_groups))
    for s in (1, 2):
        for t in range(len(calibration.bed_types)):
            g = estate.group_of[:, t, s]
            g = g[(g >= 0) & ~estate.group_finite[np.maximum(g, 0)]]
            match[t, s, g] = 1.0
    return Routing(
        nearby=nearby, independent=weight[:, None, None, :] * match[None, :, :, :]
    )


@dataclass
class _State:
    """Mutable state of one simulation run (local to ``allocate_beds``)."""

    occupied: IntArray
    leaving: IntArray
    episode_provider: IntArray
    episode_away: np.ndarray
    ward: IntArray
    group: IntArray
    how: IntArray
    away: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    extra: list[tuple[IntArray, ...]] = field(default_factory=list)


def allocate_beds(
    demand: Demand,
    *,
    sex: IntArray,
    estate: Estate,
    capacity: IntArray,
    geo: Geography,
    timeline: Timeline,
    calibration: Calibration,
    rng: np.random.Generator,
    progress: Callable[[float], None] | None = None,
) -> Placement:
    """Run the bed simulation over the simulated days; ``sex`` is per episode.

    ``progress`` is told the fraction of days done, about twenty times.
    """
    sim = _Simulation(
        demand,
        sex,
        estate,
        capacity,
        routing(geo, estate, calibration),
        timeline,
        calibration,
        rng,
    )
    return sim.run(progress or (lambda _fraction: None))


class _Simulation:
    """One run of the bed simulation; its state never leaves ``allocate_beds``."""

    def __init__(
        self,
        demand: Demand,
        sex: IntArray,
        estate: Estate,
        capacity: IntArray,
        route: Routing,
        timeline: Timeline,
        calibration: Calibration,
        rng: np.random.Generator,
    ) -> None:
        self.d, self.sex, self.estate, self.capacity = demand, sex, estate, capacity
        self.route, self.timeline, self.cal, self.rng = (
            route,
            timeline,
            calibration,
            rng,
        )
        self.days = timeline.end - timeline.sim_start
        self.seg_end = demand.segment_end.copy()
        n_seg, n_wards = len(demand.segment_start), len(estate.ward_codes)
        self.state = _State(
            occupied=np.zeros(n_wards, dtype=np.int64),
            leaving=np.zeros((n_wards, self.days + 1), dtype=np.int64),
            episode_provider=np.full(demand.episodes, -1, dtype=np.int64),
            episode_away=np.zeros(demand.episodes, dtype=bool),
            ward=np.full(n_seg, -1, dtype=np.int64),
            group=np.full(n_seg, -1, dtype=np.int64),
            how=np.full(n_seg, -1, dtype=np.int64),
        )
        self.oap_types = np.array([p.oap_on_overflow for p in calibration.bed_types])
        self.repatriable = np.isin(
            np.arange(len(calibration.bed_types)),
            [calibration.bed_type_index("200"), calibration.bed_type_index("201")],
        )

    def run(self, progress: Callable[[float], None]) -> Placement:
        """Loop over the days, then gather the placed segments."""
        queue, bounds = self._queue()
        step = max(1, self.days // 20)
        for t in range(self.days):
            if t % step == 0:
                progress(t / self.days)
            self.state.occupied -= self.state.leaving[:, t]
            today = queue[bounds[t] : bounds[t + 1]]
            if len(today):
                self._place(today, t)
            if len(self.state.away):
                self._repatriate(t)
        return self._placement()

    def _queue(self) -> tuple[IntArray, IntArray]:
        """Segments in request order, and where each day's requests begin."""
        start, sim_start = self.d.segment_start, self.timeline.sim_start
        live = (self.seg_end > sim_start) | (start >= sim_start)
        day = np.maximum(start, sim_start) - sim_start
        queue = np.flatnonzero(live)[np.argsort(day[live], kind="stable")]
        bounds = np.searchsorted(day[queue], np.arange(self.days + 1))
        first = np.r_[True, self.d.segment_episode[1:] != self.d.segment_episode[:-1]]
        previous_live = np.r_[False, live[:-1]] & ~first
        self.initial = live & ~previous_live
        return queue, bounds

    def _place(self, seg: IntArray, t: int) -> None:
        """Place the day's requests: preferred group, then overflow routes."""
        ep = self.d.segment_episode[seg]
        kind, sex = self.d.segment_type[seg], self.sex[ep]
        home = self.d.episode_icb[ep]
        initial = self.initial[seg]
        appropriate = initial & (self.d.episode_reason[ep] != "")
        preferred = np.where(initial, home, self.state.episode_provider[ep])
        group = self.estate.group_of[preferred, kind, sex]
        group[appropriate] = -1
        ward, placed = self._take(group, t)
        how = np.where(initial, HOME, CONTINUING)
        missing = ~placed
        how[missing] = np.where(
            appropriate[missing],
            APPROPRIATE,
            np.where(group[missing] < 0, SPECIALIST, OVERFLOW),
        )
        group[missing], ward[missing] = self._elsewhere(
            seg[missing], home[missing], kind[missing], sex[missing], t
        )
        self._commit(seg, group, ward, how, t)

    def _take(self, group: IntArray, t: int) -> tuple[IntArray, np.ndarray]:
        """Try to seat each request in its group: NHS groups need a free bed."""
        ward = np.full(len(group), -1, dtype=np.int64)
        ok = group >= 0
        finite = np.zeros(len(group), dtype=bool)
        finite[ok] = self.estate.group_finite[group[ok]]
        placed = ok & ~finite
        if finite.any():
            ward[finite] = self._seat(group[finite], t)
            placed[finite] = ward[finite] >= 0
        return ward, placed

    def _seat(self, group: IntArray, t: int) -> IntArray:
        """Wards for requests to NHS groups, filling wards in turn; -1 if all full."""
        free = self.capacity[:, t] - self.state.occupied
        wanted = np.zeros(len(self.estate.group_provider), dtype=bool)
        wanted[group] = True
        wards = np.flatnonzero((free > 0) & wanted[self.estate.ward_group])
        reps = free[wards]
        slot_ward = np.repeat(wards, reps)
        within = np.arange(len(slot_ward)) - np.repeat(np.cumsum(reps) - reps, reps)
        slot_group = self.estate.ward_group[slot_ward]
        order = np.lexsort((self.rng.random(len(slot_ward)), within, slot_group))
        slot_ward, slot_group = slot_ward[order], slot_group[order]
        count = np.bincount(slot_group, minlength=len(wanted))
        first = np.cumsum(count) - count
        rank = rank_within(group, self.rng)
        ok = rank < count[group]
        out = np.full(len(group), -1, dtype=np.int64)
        out[ok] = slot_ward[first[group[ok]] + rank[ok]]
        return out

    def _elsewhere(
        self, seg: IntArray, home: IntArray, kind: IntArray, sex: IntArray, t: int
    ) -> tuple[IntArray, IntArray]:
        """Overflow: a nearby trust with a free bed, else an independent provider."""
        n = len(seg)
        group = np.full(n, -1, dtype=np.int64)
        ward = np.full(n, -1, dtype=np.int64)
        if n == 0:
            return group, ward
        pick = self.rng.integers(0, self.route.nearby.shape[1], n)
        trust = self.route.nearby[home, pick]
        try_nhs = (trust >= 0) & (
            self.rng.random(n) < self.cal.capacity.overflow_to_nhs_share
        )
        candidate = np.where(
            try_nhs, self.estate.group_of[np.maximum(trust, 0), kind, sex], -1
        )
        ward_nhs, placed = self._take(candidate, t)
        group[placed], ward[placed] = candidate[placed], ward_nhs[placed]
        rest = ~placed
        weights = self.route.independent[home[rest], kind[rest], sex[rest]]
        group[rest] = rows_choice(self.rng, weights)
        return group, ward

    def _commit(
        self, seg: IntArray, group: IntArray, ward: IntArray, how: IntArray, t: int
    ) -> None:
        st = self.state
        st.group[seg], st.ward[seg], st.how[seg] = group, ward, how
        ep = self.d.segment_episode[seg]
        provider = self.estate.group_provider[group]
        st.episode_provider[ep] = provider
        went_away = np.isin(how, (OVERFLOW,)) & self.oap_types[self.d.segment_type[seg]]
        st.episode_away[ep] |= went_away
        st.episode_away[ep[provider == self.d.episode_icb[ep]]] = False
        self._occupy(ward, self.seg_end[seg], t)
        far = (
            st.episode_away[ep]
            & (provider != self.d.episode_icb[ep])
            & self.repatriable[self.d.segment_type[seg]]
        )
        if far.any():
            st.away = np.r_[st.away, seg[far]]

    def _occupy(self, ward: IntArray, end: IntArray, t: int) -> None:
        nhs = ward >= 0
        stays = nhs & (end - self.timeline.sim_start > t)
        np.add.at(self.state.occupied, ward[stays], 1)
        np.add.at(
            self.state.leaving,
            (ward[stays], np.minimum(end[stays] - self.timeline.sim_start, self.days)),
            1,
        )

    def _repatriate(self, t: int) -> None:
        """Bring some people home when their home trust has a free bed today."""
        st, day = self.state, self.timeline.sim_start + t
        keep = (self.seg_end[st.away] > day + 1) & (self.d.segment_start[st.away] < day)
        st.away = st.away[keep]
        ask = st.away[
            self.rng.random(len(st.away)) < self.cal.capacity.repatriation_daily
        ]
        if len(ask) == 0:
            return
        ep = self._episode_of(ask)
        group = self.estate.group_of[
            self.d.episode_icb[ep], self._type_of(ask), self.sex[ep]
        ]
        ward, placed = self._take(group, t)
        moved = ask[placed]
        if len(moved) == 0:
            return
        old_end = self.seg_end[moved].copy()
        self._release(moved, old_end, t)
        self.seg_end[moved] = day
        self._add_segments(moved, group[placed], ward[placed], old_end, t)
        st.away = np.setdiff1d(st.away, moved, assume_unique=True)

    def _release(self, seg: IntArray, old_end: IntArray, t: int) -> None:
        ward = self._ward_of(seg)
        nhs = ward >= 0
        np.add.at(self.state.occupied, ward[nhs], -1)
        np.add.at(
            self.state.leaving,
            (ward[nhs], np.minimum(old_end[nhs] - self.timeline.sim_start, self.days)),
            -1,
        )

    def _add_segments(
        self, old: IntArray, group: IntArray, ward: IntArray, end: IntArray, t: int
    ) -> None:
        ep = self._episode_of(old)
        day = self.timeline.sim_start + t
        kind = self._type_of(old)
        self.state.extra.append(
            (
                ep,
                np.full(len(old), day),
                end.copy(),
                kind,
                group,
                ward,
                np.full(len(old), REPATRIATED),
            )
        )
        self.state.episode_provider[ep] = self.estate.group_provider[group]
        self.state.episode_away[ep] = False
        self._occupy(ward, end, t)

    def _episode_of(self, seg: IntArray) -> IntArray:
        return self.d.segment_episode[seg]

    def _type_of(self, seg: IntArray) -> IntArray:
        return self.d.segment_type[seg]

    def _ward_of(self, seg: IntArray) -> IntArray:
        return self.state.ward[seg]

    def _placement(self) -> Placement:
        st = self.state
        placed = np.flatnonzero(st.how >= 0)
        base = (
            self.d.segment_episode[placed], self.d.segment_start[placed], self.seg_end[placed],
            self.d.segment_type[placed], st.group[placed], st.ward[placed], st.how[placed],
        )  # fmt: skip
        parts = [base, *st.extra]
        columns = [
            np.concatenate([p[i] for p in parts]).astype(np.int64) for i in range(7)
        ]
        order = np.lexsort((columns[1], columns[0]))
        return Placement(*(c[order] for c in columns))
