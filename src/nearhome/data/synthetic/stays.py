"""From placed segments to hospital spells and ward stays, with their coding.

A spell is a run of an episode's segments at one provider; moving provider (an
out-of-area placement, a transfer to PICU elsewhere, a repatriation) ends one spell
and starts another. The first spell of an episode is an admission from the community
(emergency for acute beds, planned for rehabilitation and specialist beds, often from
the justice system for secure beds); later spells are transfers in (source 53 from an
NHS mental health ward, 87 from the independent sector). A spell that ends in a transfer
is discharged to that kind of provider; the episode's last spell is discharged home or
elsewhere, or rarely ends in death. Spells placed out of area because no local bed was
free carry ``ReasonOAT`` 10 on their referral.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nearhome.data.synthetic.allocation import APPROPRIATE, OVERFLOW, Placement
from nearhome.data.synthetic.calibration import Calibration
from nearhome.data.synthetic.demand import Demand
from nearhome.data.synthetic.draws import (
    BoolArray,
    FloatArray,
    IntArray,
    StrArray,
    codes,
    haversine_km,
)
from nearhome.data.synthetic.geography import Geography
from nearhome.data.synthetic.patients import People
from nearhome.data.synthetic.providers import Estate
from nearhome.data.synthetic.timeline import Timeline

NO_DAY = np.iinfo(np.int64).max
"""Stands for "no date" (still open, or not recorded)."""

_PLANNED_TYPES = ("212", "203", "204")
_SECURE_TYPES = ("206", "207")


@dataclass(frozen=True)
class Stays:
    """Spells and ward stays, as parallel arrays."""

    spell_episode: IntArray
    spell_person: IntArray
    spell_provider: IntArray
    spell_start: IntArray
    spell_end: IntArray
    spell_first_type: IntArray
    spell_last_type: IntArray
    spell_index: IntArray
    spell_is_last: BoolArray
    spell_oap_reason: StrArray
    spell_referrer: IntArray
    """Referring (sending) provider index, -1 for none."""
    admission_method: StrArray
    admission_source: StrArray
    discharge_method: StrArray
    discharge_destination: StrArray
    estimated_discharge: IntArray
    stay_spell: IntArray
    stay_start: IntArray
    stay_end: IntArray
    stay_type: IntArray
    stay_ward: IntArray
    stay_distance: FloatArray
    death_day: IntArray
    """Per person: day of death, or ``NO_DAY``."""


def build_stays(
    placement: Placement,
    *,
    demand: Demand,
    episode_person: IntArray,
    people: People,
    estate: Estate,
    geo: Geography,
    timeline: Timeline,
    calibration: Calibration,
    rng: np.random.Generator,
) -> Stays:
    """Group placed segments into spells and code admissions and discharges."""
    provider = estate.group_provider[placement.group]
    ep = placement.episode
    new = np.r_[True, (ep[1:] != ep[:-1]) | (provider[1:] != provider[:-1])]
    spell_of = np.cumsum(new) - 1
    first, last = np.flatnonzero(new), np.r_[np.flatnonzero(new)[1:] - 1, len(ep) - 1]
    spell_ep = ep[first]
    index = np.arange(len(first)) - np.searchsorted(spell_ep, spell_ep)
    is_last = np.r_[spell_ep[1:] != spell_ep[:-1], True]
    start = np.where(
        index == 0,
        np.minimum(demand.episode_start[spell_ep], placement.start[first]),
        placement.start[first],
    )
    spell_provider = provider[first]
    home = demand.episode_icb[spell_ep]
    reason = _oap_reason(
        placement.how[first],
        placement.bed_type[first],
        demand.episode_reason[spell_ep],
        calibration,
    )
    previous = np.r_[-1, spell_provider[:-1]]
    referrer = np.where(reason != "", home, np.where(index > 0, previous, -1))
    person = episode_person[spell_ep]
    kinds = _Kinds(calibration, placement.bed_type[first], placement.bed_type[last])
    method, source = _admission(index, previous, estate, kinds, calibration, rng)
    end = placement.end[last]
    death = _deaths(
        person, spell_ep, is_last, end, demand, kinds, timeline, calibration, rng
    )
    next_provider = np.r_[spell_provider[1:], -1]
    d_method, d_dest = _discharge(
        is_last,
        death,
        next_provider,
        placement.bed_type[np.minimum(last + 1, len(ep) - 1)],
        estate,
        kinds,
        calibration,
        rng,
    )
    ward_site = estate.ward_site[placement.ward]
    lsoa = people.lsoa[episode_person[ep]]
    distance = haversine_km(
        geo.lsoa_lat[lsoa],
        geo.lsoa_lon[lsoa],
        estate.site_lat[ward_site],
        estate.site_lon[ward_site],
    )
    death_day = np.full(len(people), NO_DAY, dtype=np.int64)
    death_day[person[death]] = end[death]
    return Stays(
        spell_episode=spell_ep, spell_person=person, spell_provider=spell_provider,
        spell_start=start, spell_end=end, spell_first_type=placement.bed_type[first],
        spell_last_type=placement.bed_type[last], spell_index=index, spell_is_last=is_last,
        spell_oap_reason=reason, spell_referrer=referrer, admission_method=method,
        admission_source=source, discharge_method=d_method, discharge_destination=d_dest,
        estimated_discharge=_estimated_discharge(start, end, calibration, rng),
        stay_spell=spell_of, stay_start=placement.start, stay_end=placement.end,
        stay_type=placement.bed_type, stay_ward=placement.ward,
        stay_distance=np.round(distance, 1), death_day=death_day,
    )  # fmt: skip


class _Kinds:
    """Which spells are of which broad kind, by the bed type they start and end on."""

    def __init__(
        self, calibration: Calibration, first: IntArray, last: IntArray
    ) -> None:
        code = np.array([p.code for p in calibration.bed_types])
        self.first_code, self.last_code = code[first], code[last]
        self.planned = np.isin(self.first_code, _PLANNED_TYPES)
        self.secure = np.isin(self.first_code, _SECURE_TYPES)
        self.older = self.last_code == "201"


def _oap_reason(
    how: IntArray, bed_type: IntArray, appropriate: StrArray, calibration: Calibration
) -> StrArray:
    oap_type = np.array([p.oap_on_overflow for p in calibration.bed_types])[bed_type]
    reason = np.full(len(how), "", dtype="<U2")
    reason[(how == OVERFLOW) & oap_type] = "10"
    chosen = how == APPROPRIATE
    reason[chosen] = appropriate[chosen]
    return reason


def _admission(
    index: IntArray,
    previous: IntArray,
    estate: Estate,
    kinds: _Kinds,
    calibration: Calibration,
    rng: np.random.Generator,
) -> tuple[StrArray, StrArray]:
    targets, n = calibration.stays, len(index)
    method = codes(rng, targets.emergency_methods, n)
    planned = codes(rng, targets.planned_methods, n)
    method[kinds.planned | kinds.secure] = planned[kinds.planned | kinds.secure]
    source = codes(rng, targets.community_sources, n)
    secure = codes(rng, targets.secure_sources, n)
    source[kinds.secure] = secure[kinds.secure]
    source[method == "81"] = "53"
    transfer = index > 0
    method[transfer] = codes(rng, targets.transfer_methods, int(transfer.sum()))
    from_nhs = estate.provider_is_nhs[np.maximum(previous, 0)]
    source[transfer] = np.where(from_nhs[transfer], "53", "87")
    return method, source


def _deaths(
    person: IntArray,
    episode: IntArray,
    is_last: BoolArray,
    end: IntArray,
    demand: Demand,
    kinds: _Kinds,
    timeline: Timeline,
    calibration: Calibration,
    rng: np.random.Generator,
) -> BoolArray:
    """Rare deaths in hospital, only in a person's last episode."""
    latest = np.zeros(person.max() + 1 if len(person) else 0, dtype=np.int64)
    np.maximum.at(latest, person, demand.episode_start[episode])
    final_episode = demand.episode_start[episode] == latest[person]
    share = np.where(
        kinds.older, calibration.stays.older_death_share, calibration.stays.death_share
    )
    return (
        is_last
        & final_episode
        & (end < timeline.end)
        & (rng.random(len(person)) < share)
    )


def _discharge(
    is_last: BoolArray,
    death: BoolArray,
    next_provider: IntArray,
    next_type: IntArray,
    estate: Estate,
    kinds: _Kinds,
    calibration: Calibration,
    rng: np.random.Generator,
) -> tuple[StrArray, StrArray]:
    targets, n = calibration.stays, len(is_last)
    method = codes(rng, targets.discharge_methods, n)
    dest = codes(rng, targets.adult_destinations, n)
    older = codes(rng, targets.older_destinations, n)
    dest[kinds.older] = older[kinds.older]
    secure = codes(rng, targets.secure_destinations, n)
    dest[kinds.secure] = secure[kinds.secure]
    moving = ~is_last
    to_nhs = estate.provider_is_nhs[np.maximum(next_provider, 0)]
    medium = np.array([p.code == "207" for p in calibration.bed_types])[next_type]
    dest[moving] = np.where(to_nhs[moving], "53", np.where(medium[moving], "84", "87"))
    method[moving] = "1"
    method[death], dest[death] = "4", "79"
    return method, dest


def _estimated_discharge(
    start: IntArray, end: IntArray, calibration: Calibration, rng: np.random.Generator
) -> IntArray:
    """An estimated discharge date on many spells, near (often before) the real one."""
    targets = calibration.stays
    n = len(start)
    factor = rng.uniform(targets.edd_low, targets.edd_high, n)
    estimate = start + np.maximum(1, np.rint((end - start) * factor)).astype(np.int64)
    return np.where(rng.random(n) < targets.edd_recorded, estimate, NO_DAY)
