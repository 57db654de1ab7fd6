"""Run the whole generator, from a seed to every real-world thing the extract describes.

The stages run in a fixed order, each with its own random stream keyed by the stage, so
that a change to one stage's draws does not reshuffle another's:

geography -> demand (episodes) -> people -> estate (beds sized to demand) -> bed
simulation -> independent wards -> spells and ward stays -> Mental Health Act ->
restrictive interventions -> leave -> CRFD -> referrals and contacts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nearhome.data.synthetic.allocation import Placement, allocate_beds
from nearhome.data.synthetic.calibration import Calibration
from nearhome.data.synthetic.crfd import ReadyPeriods, build_ready_periods
from nearhome.data.synthetic.demand import Demand, build_demand, offered_load
from nearhome.data.synthetic.draws import BoolArray, IntArray, stream
from nearhome.data.synthetic.geography import Geography, build_geography
from nearhome.data.synthetic.independent import size_independent_wards
from nearhome.data.synthetic.leave import Leave, build_awol, build_leave
from nearhome.data.synthetic.mha import LegalPeriods, build_legal_periods
from nearhome.data.synthetic.patients import People, sample_people
from nearhome.data.synthetic.providers import Estate, build_estate, ward_capacity
from nearhome.data.synthetic.referrals import (
    Contacts,
    OnwardReferrals,
    Referrals,
    build_referrals,
)
from nearhome.data.synthetic.restrictive import Interventions, build_interventions
from nearhome.data.synthetic.stays import Stays, build_stays
from nearhome.data.synthetic.timeline import Timeline

Progress = Callable[[str, float], None]
_DEMAND, _PEOPLE, _ESTATE, _CAPACITY, _BEDS, _WARDS, _STAYS = range(3, 10)
_MHA, _RI, _LEAVE, _AWOL, _CRFD, _REFERRALS = range(10, 16)


@dataclass(frozen=True)
class World:
    """Everything the extract will describe."""

    timeline: Timeline
    calibration: Calibration
    geo: Geography
    people: People
    demand: Demand
    episode_person: IntArray
    estate: Estate
    capacity: IntArray
    """Open beds of each NHS ward on each simulated day."""
    placement: Placement
    stays: Stays
    legal: LegalPeriods
    detained: BoolArray
    interventions: Interventions
    leave: Leave
    awol: Leave
    ready: ReadyPeriods
    referrals: Referrals
    contacts: Contacts
    onward: OnwardReferrals


def simulate(
    *,
    icbs: int,
    years: int,
    seed: int,
    end_month: dt.date,
    scale: float,
    calibration: Calibration,
    progress: Progress | None = None,
) -> World:
    """Build the synthetic world for ``icbs`` ICBs over ``years`` years."""
    report = progress or (lambda _stage, _fraction: None)
    timeline = Timeline.ending(end_month, 12 * years, calibration.demand.burn_in_days)
    report("geography", 0.0)
    geo = build_geography(icbs, scale, seed, calibration.geography)
    report("demand", 0.03)
    demand = build_demand(geo, timeline, calibration, stream(seed, _DEMAND))
    people, episode_person = _people(geo, demand, calibration, stream(seed, _PEOPLE))
    sex = people.sex[episode_person]
    load = offered_load(demand, sex, timeline, geo.icbs, len(calibration.bed_types))
    estate = build_estate(geo, load, calibration, stream(seed, _ESTATE))
    days = timeline.end - timeline.sim_start
    capacity = ward_capacity(estate, days, calibration, stream(seed, _CAPACITY))
    report("beds", 0.08)
    placement = allocate_beds(
        demand, sex=sex, estate=estate, capacity=capacity, geo=geo, timeline=timeline,
        calibration=calibration, rng=stream(seed, _BEDS),
        progress=lambda f: report("beds", 0.08 + 0.32 * f),
    )  # fmt: skip
    estate, placement = size_independent_wards(
        estate, placement, timeline, calibration, stream(seed, _WARDS)
    )
    report("stays", 0.4)
    return _events(
        timeline,
        calibration,
        geo,
        people,
        demand,
        episode_person,
        estate,
        capacity,
        placement,
        seed,
        report,
    )


def _people(
    geo: Geography, demand: Demand, calibration: Calibration, rng: np.random.Generator
) -> tuple[People, IntArray]:
    """One person per first episode; readmissions belong to the same person."""
    first = np.flatnonzero(demand.episode_root == np.arange(demand.episodes))
    people = sample_people(
        geo, icb=demand.episode_icb[first], bed_type=demand.episode_type[first],
        admitted=demand.episode_start[first], profiles=calibration.bed_types,
        targets=calibration.people, rng=rng,
    )  # fmt: skip
    person_of = np.full(demand.episodes, -1, dtype=np.int64)
    person_of[first] = np.arange(len(first))
    return people, person_of[demand.episode_root]


def _events(
    timeline: Timeline,
    calibration: Calibration,
    geo: Geography,
    people: People,
    demand: Demand,
    episode_person: IntArray,
    estate: Estate,
    capacity: IntArray,
    placement: Placement,
    seed: int,
    report: Progress,
) -> World:
    stays = build_stays(
        placement, demand=demand, episode_person=episode_person, people=people, estate=estate,
        geo=geo, timeline=timeline, calibration=calibration, rng=stream(seed, _STAYS),
    )  # fmt: skip
    legal, detained = build_legal_periods(
        stays, demand=demand, episode_person=episode_person, people=people, geo=geo,
        calibration=calibration, rng=stream(seed, _MHA),
    )  # fmt: skip
    report("events", 0.45)
    referrals, contacts, onward = build_referrals(
        stays, demand=demand, episode_person=episode_person, timeline=timeline,
        calibration=calibration, rng=stream(seed, _REFERRALS),
    )  # fmt: skip
    return World(
        timeline=timeline, calibration=calibration, geo=geo, people=people, demand=demand,
        episode_person=episode_person, estate=estate, capacity=capacity, placement=placement,
        stays=stays, legal=legal, detained=detained,
        interventions=build_interventions(stays, timeline, calibration, stream(seed, _RI)),
        leave=build_leave(stays, detained, timeline, calibration, stream(seed, _LEAVE)),
        awol=build_awol(stays, timeline, calibration, stream(seed, _AWOL)),
        ready=build_ready_periods(stays, timeline, calibration, stream(seed, _CRFD)),
        referrals=referrals, contacts=contacts, onward=onward,
    )  # fmt: skip
