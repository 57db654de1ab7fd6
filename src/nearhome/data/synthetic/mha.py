"""Mental Health Act legal status periods (MHS401).

Each episode gets a legal-status history: informal throughout, or one of the detention
pathways (section 2 on admission, often converted to section 3; a place-of-safety order
under section 136 or 135 followed by section 2; section 3 on admission; informal, then a
holding power and a section; Part 3 court orders, mostly in secure care). Section 3 is
renewed every six months for long stays. Whether an episode is detained depends on the
bed type, the person's ethnic group and the deprivation of their LSOA, which is how the
published disparities arise (Black people detained about 3.5 times as often as White
people per head, the most deprived decile about 3 times the least).

The history belongs to the episode; each provider records its own part of it. A
section that continues across a transfer becomes a new record at the receiving
provider starting on the day of the transfer (a transfer on section).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nearhome.data.synthetic.calibration import Calibration
from nearhome.data.synthetic.demand import Demand
from nearhome.data.synthetic.draws import BoolArray, IntArray, StrArray, codes
from nearhome.data.synthetic.geography import Geography
from nearhome.data.synthetic.patients import People, ethnic_weights
from nearhome.data.synthetic.stays import NO_DAY, Stays

_SECURE = ("206", "207")
_RESTRICTED = ("09", "15", "17", "31", "37")
RENEWALS = 8


@dataclass(frozen=True)
class LegalPeriods:
    """Legal status records as each provider submits them."""

    person: IntArray
    provider: IntArray
    code: StrArray
    start: IntArray
    expiry: IntArray
    end: IntArray


@dataclass(frozen=True)
class _History:
    episode: IntArray
    code: StrArray
    start: IntArray
    expiry: IntArray
    end: IntArray


def build_legal_periods(
    stays: Stays,
    *,
    demand: Demand,
    episode_person: IntArray,
    people: People,
    geo: Geography,
    calibration: Calibration,
    rng: np.random.Generator,
) -> tuple[LegalPeriods, BoolArray]:
    """Legal status records, and which episodes include a detention."""
    detained = _detained(demand, episode_person, people, geo, calibration, rng)
    history = _histories(demand, detained, calibration, rng)
    return _by_provider(history, stays, episode_person), detained


def _detained(
    demand: Demand,
    episode_person: IntArray,
    people: People,
    geo: Geography,
    calibration: Calibration,
    rng: np.random.Generator,
) -> BoolArray:
    targets = calibration.people
    base = np.array([p.detention_share for p in calibration.bed_types])[
        demand.episode_type
    ]
    group = people.ethnic_group[episode_person]
    decile = geo.lsoa_imd[people.lsoa[episode_person]]
    risk = ethnic_weights(targets.ethnic_detention_risk)[group]
    risk *= np.exp(targets.imd_detention_slope * (5.5 - decile))
    return rng.random(demand.episodes) < np.minimum(base * risk, 0.98)


def _histories(
    demand: Demand,
    detained: BoolArray,
    calibration: Calibration,
    rng: np.random.Generator,
) -> _History:
    targets = calibration.mha
    n = demand.episodes
    start, end = demand.episode_start, demand.episode_end
    code = np.array([p.code for p in calibration.bed_types])[demand.episode_type]
    pathway = codes(rng, (
        ("s2", targets.section2_on_admission), ("pos", targets.place_of_safety_then_section2),
        ("s3", targets.section3_on_admission), ("sub", targets.subsequent_to_informal),
        ("p3", targets.part3),
    ), n)  # fmt: skip
    pathway[np.isin(code, _SECURE)] = "p3"
    pathway[~detained] = "informal"
    parts: list[_History] = []
    informal_until = np.where(pathway == "sub", start + rng.integers(1, 21, n), start)
    informal_until = np.minimum(informal_until, end)
    holding = (pathway == "sub") & (rng.random(n) < targets.holding_power_first)
    section_from = np.where(
        holding, informal_until + rng.integers(0, 4, n), informal_until
    )
    section_from = np.minimum(section_from, end)
    parts.append(_period(pathway == "sub", "01", start, informal_until, NO_DAY))
    parts.append(
        _period(holding, "05", informal_until, section_from, informal_until + 3)
    )
    parts += _place_of_safety(pathway == "pos", start, targets.section135_share, rng)
    parts += _section2(
        np.isin(pathway, ("s2", "pos", "sub")), section_from, end, calibration, rng
    )
    parts += _section3(pathway == "s3", start, end, targets.section3_days)
    parts += _part3(pathway == "p3", start, end, calibration, rng)
    parts += _informal(pathway == "informal", start, end, calibration, rng)
    return _History(
        *(
            np.concatenate([getattr(p, f) for p in parts])
            for f in ("episode", "code", "start", "expiry", "end")
        )
    )


def _period(
    mask: BoolArray,
    code: str | StrArray,
    start: IntArray,
    end: IntArray,
    expiry: IntArray | int,
) -> _History:
    idx = np.flatnonzero(mask)
    code_arr = np.broadcast_to(np.asarray(code), mask.shape)[idx].astype("<U2")
    expiry_arr = np.broadcast_to(np.asarray(expiry, dtype=np.int64), mask.shape)[idx]
    return _History(idx, code_arr, start[idx], expiry_arr, end[idx])


def _place_of_safety(
    mask: BoolArray, start: IntArray, share_135: float, rng: np.random.Generator
) -> list[_History]:
    n = len(mask)
    code = np.where(rng.random(n) < share_135, "19", "20")
    begun = start - rng.integers(0, 2, n)
    return [_period(mask, code, begun, start, begun + 1)]


def _section2(
    mask: BoolArray,
    start: IntArray,
    end: IntArray,
    calibration: Calibration,
    rng: np.random.Generator,
) -> list[_History]:
    """Section 2: ends by discharge, lapses to informal, or becomes section 3."""
    targets = calibration.mha
    n = len(mask)
    convert = mask & (end - start > 21) & (rng.random(n) < targets.section2_to_section3)
    s2_end = np.where(
        convert,
        start + rng.integers(10, 28, n),
        np.minimum(end, start + rng.integers(7, 29, n)),
    )
    s2_end = np.minimum(s2_end, end)
    lapses = mask & ~convert & (s2_end < end)
    informal = lapses & (rng.random(n) < targets.informal_recorded)
    return [
        _period(mask, "02", start, s2_end, start + 28),
        _period(informal, "01", s2_end, end, NO_DAY),
        *_section3(convert, s2_end, end, targets.section3_days),
    ]


def _section3(
    mask: BoolArray, start: IntArray, end: IntArray, days: int
) -> list[_History]:
    """Section 3 with six-monthly renewals while the episode lasts."""
    parts = []
    for k in range(RENEWALS):
        begin = start + k * days
        live = mask & ((begin < end) if k else np.ones_like(mask))
        stop = end if k == RENEWALS - 1 else np.minimum(end, begin + days)
        parts.append(_period(live, "03", begin, np.asarray(stop), begin + days))
    return parts


def _part3(
    mask: BoolArray,
    start: IntArray,
    end: IntArray,
    calibration: Calibration,
    rng: np.random.Generator,
) -> list[_History]:
    code = codes(rng, calibration.mha.secure_sections, len(mask))
    expiry = np.where(np.isin(code, _RESTRICTED), NO_DAY, start + 182)
    return [_period(mask, code, start, end, expiry)]


def _informal(
    mask: BoolArray,
    start: IntArray,
    end: IntArray,
    calibration: Calibration,
    rng: np.random.Generator,
) -> list[_History]:
    """Informal patients: recorded as 01 by most providers; a few lapsed holding powers."""
    targets = calibration.mha
    n = len(mask)
    recorded = mask & (rng.random(n) < targets.informal_recorded)
    lapse = (
        recorded & (end - start > 10) & (rng.random(n) < targets.holding_power_lapses)
    )
    at = start + rng.integers(2, 9, n)
    plain = recorded & ~lapse
    return [
        _period(plain, "01", start, end, NO_DAY),
        _period(lapse, "01", start, at, NO_DAY),
        _period(lapse, "05", at, at + 3, at + 3),
        _period(lapse, "01", at + 3, end, NO_DAY),
    ]


def _by_provider(
    history: _History, stays: Stays, episode_person: IntArray
) -> LegalPeriods:
    """Cut each period at the episode's provider changes (one record per provider)."""
    order = np.argsort(stays.spell_episode, kind="stable")
    spell_ep = stays.spell_episode[order]
    first = np.searchsorted(spell_ep, history.episode, side="left")
    count = np.searchsorted(spell_ep, history.episode, side="right") - first
    period = np.repeat(np.arange(len(history.episode)), count)
    spell = order[
        np.repeat(first, count)
        + np.arange(count.sum())
        - np.repeat(np.cumsum(count) - count, count)
    ]
    p_start, p_end = history.start[period], history.end[period]
    s_start, s_end = stays.spell_start[spell], stays.spell_end[spell]
    opening = stays.spell_index[spell] == 0
    start = np.where(
        opening & (p_start < s_start), p_start, np.maximum(p_start, s_start)
    )
    end = np.minimum(p_end, s_end)
    keep = (start < end) | ((start == end) & opening & (p_start <= s_start))
    return LegalPeriods(
        person=episode_person[history.episode[period]][keep],
        provider=stays.spell_provider[spell][keep],
        code=history.code[period][keep],
        start=start[keep],
        expiry=history.expiry[period][keep],
        end=end[keep],
    )
