"""Referrals (MHS101), care contacts (MHS201) and onward referrals (MHS105).

Every spell hangs off a referral at its provider; an out-of-area spell's referral names
the home trust as the referring organisation and carries ``ReasonOAT``. Around an
episode the home trust's community team has its own referral: opened months before
admission for people already known to services (with contacts before admission), or at
discharge, and closed some weeks after discharge. After a discharge home the community
team sees most people within three days (the 72-hour follow-up), then a few more times.
When the home trust sends someone out of area it records an onward referral to the
receiving provider.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nearhome.data.codes import code_list
from nearhome.data.synthetic.calibration import Calibration, ContactTargets
from nearhome.data.synthetic.demand import Demand
from nearhome.data.synthetic.draws import BoolArray, IntArray, StrArray, codes
from nearhome.data.synthetic.stays import NO_DAY, Stays
from nearhome.data.synthetic.timeline import Timeline

_REASON_BY_TYPE = {"203": "12", "204": "13"}


@dataclass(frozen=True)
class Referrals:
    """Referrals: one per spell, then the community referrals around episodes."""

    person: IntArray
    provider: IntArray
    received: IntArray
    closed: IntArray
    referrer: IntArray
    oap_reason: StrArray
    primary_reason: StrArray
    spells: int
    """Referrals ``0 .. spells-1`` belong to spells ``0 .. spells-1``."""


@dataclass(frozen=True)
class Contacts:
    """Care contacts on community referrals."""

    referral: IntArray
    day: IntArray
    attend: StrArray
    mechanism: StrArray


@dataclass(frozen=True)
class OnwardReferrals:
    """Onward referrals recorded by the home trust when it places someone away."""

    referral: IntArray
    day: IntArray
    reason: StrArray
    receiving: IntArray


def build_referrals(
    stays: Stays,
    *,
    demand: Demand,
    episode_person: IntArray,
    timeline: Timeline,
    calibration: Calibration,
    rng: np.random.Generator,
) -> tuple[Referrals, Contacts, OnwardReferrals]:
    """Spell referrals, community referrals with their contacts, onward referrals."""
    targets = calibration.contacts
    n_ep = demand.episodes
    primary = _primary_reasons(demand, calibration, rng)
    first_spell = np.full(n_ep, -1, dtype=np.int64)
    first_spell[stays.spell_episode[::-1]] = np.arange(len(stays.spell_episode))[::-1]
    last_spell = np.full(n_ep, -1, dtype=np.int64)
    last_spell[stays.spell_episode] = np.arange(len(stays.spell_episode))
    has_spells = first_spell >= 0
    known = has_spells & (rng.random(n_ep) < targets.pre_admission_share)
    follow = has_spells & _followed_up(stays, last_spell, timeline)
    community = np.flatnonzero(known | follow)
    start = demand.episode_start[community]
    end = stays.spell_end[last_spell[community]]
    received = np.where(
        known[community], start - rng.integers(20, 400, len(community)), end
    )
    closed = np.where(
        end < timeline.end, end + rng.integers(28, 181, len(community)), NO_DAY
    )
    death = stays.death_day[episode_person[community]]
    closed = np.minimum(closed, death)
    inpatient = _spell_referrals(stays, demand, primary, calibration, rng)
    n_spells = len(stays.spell_episode)
    contacts = _contacts(
        community, known, follow, start, end, received, closed, targets, rng
    )
    contacts = Contacts(
        referral=contacts.referral + n_spells,
        day=contacts.day,
        attend=contacts.attend,
        mechanism=contacts.mechanism,
    )
    last_contact = np.full(len(community), np.iinfo(np.int64).min)
    np.maximum.at(last_contact, contacts.referral - n_spells, contacts.day)
    closed = np.where(closed == NO_DAY, NO_DAY, np.maximum(closed, last_contact))
    referrals = Referrals(
        person=np.r_[inpatient.person, episode_person[community]],
        provider=np.r_[inpatient.provider, demand.episode_icb[community]],
        received=np.r_[inpatient.received, received], closed=np.r_[inpatient.closed, closed],
        referrer=np.r_[inpatient.referrer, np.full(len(community), -1)],
        oap_reason=np.r_[inpatient.oap_reason, np.full(len(community), "")],
        primary_reason=np.r_[inpatient.primary_reason, primary[community]], spells=n_spells,
    )  # fmt: skip
    onward = _onward(stays, community, received, n_spells, n_ep, calibration, rng)
    return referrals, contacts, onward


def _primary_reasons(
    demand: Demand, calibration: Calibration, rng: np.random.Generator
) -> StrArray:
    code = np.array([p.code for p in calibration.bed_types])[demand.episode_type]
    reason = codes(rng, calibration.stays.referral_reasons, demand.episodes)
    for bed, value in _REASON_BY_TYPE.items():
        reason[code == bed] = value
    organic = (code == "201") & (rng.random(demand.episodes) < 0.45)
    reason[organic] = "08"
    return reason


def _followed_up(stays: Stays, last_spell: IntArray, timeline: Timeline) -> BoolArray:
    """Episodes discharged alive to a place where the 72-hour follow-up applies."""
    destinations = code_list("discharge_destination")
    eligible = destinations.loc[
        ~destinations["excluded_from_72h"].astype(bool), "code"
    ].to_numpy(dtype=str)
    spell = np.maximum(last_spell, 0)
    return (
        (last_spell >= 0)
        & (stays.spell_end[spell] < timeline.end)
        & (stays.discharge_method[spell] != "4")
        & np.isin(stays.discharge_destination[spell], eligible)
    )


def _spell_referrals(
    stays: Stays,
    demand: Demand,
    primary: StrArray,
    calibration: Calibration,
    rng: np.random.Generator,
) -> Referrals:
    n = len(stays.spell_episode)
    code = np.array([p.code for p in calibration.bed_types])[stays.spell_first_type]
    planned = np.isin(code, ("212", "203", "204", "206", "207")) & (
        stays.spell_index == 0
    )
    wait = np.where(planned, rng.integers(7, 91, n), rng.integers(0, 2, n))
    wait[stays.spell_index > 0] = 0
    return Referrals(
        person=stays.spell_person, provider=stays.spell_provider,
        received=stays.spell_start - wait, closed=stays.spell_end, referrer=stays.spell_referrer,
        oap_reason=stays.spell_oap_reason, primary_reason=primary[stays.spell_episode], spells=n,
    )  # fmt: skip


def _contacts(
    community: IntArray,
    known: BoolArray,
    follow: BoolArray,
    start: IntArray,
    end: IntArray,
    received: IntArray,
    closed: IntArray,
    t: ContactTargets,
    rng: np.random.Generator,
) -> Contacts:
    """Contacts before admission and after discharge, on the community referral."""
    n = len(community)
    before = np.where(
        known[community], rng.integers(1, t.pre_admission_contacts_max + 1, n), 0
    )
    ref_b = np.repeat(np.arange(n), before)
    span = np.maximum(start[ref_b] - 3 - received[ref_b], 1)
    day_b = received[ref_b] + (rng.random(len(ref_b)) * span).astype(np.int64)
    u = rng.random(n)
    quick = u < t.follow_up_within_3_days
    late = ~quick & (u < t.follow_up_within_3_days + t.late_follow_up_share)
    weights = np.asarray(t.follow_up_day_weights)
    first_gap = np.where(
        quick,
        rng.choice(len(weights), n, p=weights / weights.sum()),
        rng.integers(4, 15, n),
    )
    seen = follow[community] & (quick | late)
    ref_f = np.flatnonzero(seen)
    day_f = end[ref_f] + first_gap[ref_f]
    later = rng.integers(0, t.later_contacts_max + 1, len(ref_f))
    ref_l = np.repeat(ref_f, later)
    day_l = np.repeat(day_f, later) + rng.integers(3, 60, len(ref_l))
    referral = np.r_[ref_b, ref_f, ref_l]
    day = np.r_[day_b, day_f, day_l]
    attend = codes(rng, t.other_attendance, len(referral))
    attend[len(ref_b) : len(ref_b) + len(ref_f)] = np.where(
        rng.random(len(ref_f)) < 0.93, "5", "6"
    )
    keep = day <= np.where(closed[referral] == NO_DAY, day, closed[referral])
    order = np.lexsort((day[keep], referral[keep]))
    return Contacts(
        referral=referral[keep][order], day=day[keep][order], attend=attend[keep][order],
        mechanism=codes(rng, t.mechanisms, int(keep.sum())),
    )  # fmt: skip


def _onward(
    stays: Stays,
    community: IntArray,
    received: IntArray,
    n_spells: int,
    n_episodes: int,
    calibration: Calibration,
    rng: np.random.Generator,
) -> OnwardReferrals:
    """The home trust's onward referral for some placements out of area."""
    referral_of = np.full(n_episodes, -1, dtype=np.int64)
    referral_of[community] = np.arange(len(community))
    oap = np.flatnonzero(stays.spell_oap_reason == "10")
    ref = referral_of[stays.spell_episode[oap]]
    ok = (ref >= 0) & (
        rng.random(len(oap)) < calibration.contacts.onward_referral_share
    )
    ok[ok] &= received[ref[ok]] <= stays.spell_start[oap[ok]]
    return OnwardReferrals(
        referral=ref[ok] + n_spells, day=stays.spell_start[oap[ok]],
        reason=np.full(int(ok.sum()), "10"), receiving=stays.spell_provider[oap[ok]],
    )  # fmt: skip
