"""Restrictive interventions: incidents (MHS505) and their types (MHS515).

Incidents happen on ward stays at a rate set by the bed type (PICU and young people's
wards most, rehabilitation least), higher in the first fortnight, and heavily
concentrated on a few people (a gamma "frailty" per episode). An incident starts with
one intervention and sometimes adds others: rapid tranquillisation after a restraint,
seclusion afterwards, a prone hold. Durations follow the type: minutes for holds and
injections, hours to days for seclusion, weeks for long-term segregation. Times are
minutes since 1970-01-01; the tables split them into a date and ``HH:MM:SS``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nearhome.data.synthetic.calibration import Calibration, RestrictiveTargets
from nearhome.data.synthetic.draws import (
    BoolArray,
    IntArray,
    StrArray,
    codes,
)
from nearhome.data.synthetic.stays import Stays
from nearhome.data.synthetic.timeline import Timeline

MINUTES_PER_DAY = 1440
_GROUP_OF_TYPE = {
    "01": "prone", "04": "mechanical", "05": "seclusion", "06": "segregation",
    **dict.fromkeys(("14", "15", "16", "17"), "chemical"),
    **dict.fromkeys(("07", "08", "09", "10", "11", "12", "13"), "physical"),
}  # fmt: skip
_LONG_GROUPS = ("seclusion", "segregation")


@dataclass(frozen=True)
class Interventions:
    """Incidents and the interventions (types) within them."""

    incident_stay: IntArray
    incident_start: IntArray
    incident_end: IntArray
    incident_reason: StrArray
    type_incident: IntArray
    type_code: StrArray
    type_start: IntArray
    type_end: IntArray
    type_injury: StrArray


def build_interventions(
    stays: Stays, timeline: Timeline, calibration: Calibration, rng: np.random.Generator
) -> Interventions:
    """Incidents on every ward stay that reaches the extract, and their types."""
    targets = calibration.restrictive
    stay_end = np.minimum(stays.stay_end, timeline.end)
    days = np.maximum(stay_end - stays.stay_start, 0)
    rate = np.array([p.incidents_per_day for p in calibration.bed_types])[
        stays.stay_type
    ]
    episodes = stays.spell_episode[stays.stay_spell]
    frailty = rng.gamma(
        targets.frailty_shape,
        1 / targets.frailty_shape,
        episodes.max() + 1 if len(episodes) else 0,
    )[episodes]
    early = np.minimum(days, targets.early_days) * (targets.early_multiplier - 1)
    relevant = stay_end >= timeline.start - 120
    count = np.where(relevant, rng.poisson(frailty * rate * (days + early)), 0)
    stay = np.repeat(np.arange(len(days)), count)
    in_early = rng.random(len(stay)) < early[stay] / (days[stay] + early[stay])
    span = np.where(in_early, np.minimum(days[stay], targets.early_days), days[stay])
    day = stays.stay_start[stay] + (rng.random(len(stay)) * span).astype(np.int64)
    start = day * MINUTES_PER_DAY + rng.integers(0, MINUTES_PER_DAY, len(stay))
    kind, kind_incident, kind_start, kind_end = _types(start, targets, rng)
    limit = stays.stay_end[stay][kind_incident] * MINUTES_PER_DAY + 600
    kind_end = np.maximum(np.minimum(kind_end, limit), kind_start)
    incident_end = start.copy()
    np.maximum.at(incident_end, kind_incident, kind_end)
    injury_share = np.where(
        kind == "01", targets.prone_injury_share, targets.injury_share
    )
    return Interventions(
        incident_stay=stay, incident_start=start, incident_end=incident_end,
        incident_reason=codes(rng, targets.reasons, len(stay)), type_incident=kind_incident,
        type_code=kind, type_start=kind_start, type_end=kind_end,
        type_injury=np.where(rng.random(len(kind)) < injury_share, "Y", "N"),
    )  # fmt: skip


def _types(
    start: IntArray, targets: RestrictiveTargets, rng: np.random.Generator
) -> tuple[StrArray, IntArray, IntArray, IntArray]:
    """The incident's first intervention and any that follow it."""
    n = len(start)
    first = codes(rng, targets.primary_types, n)
    first_minutes = _minutes(first, targets, rng)
    holding = np.isin(
        first, [c for c, g in _GROUP_OF_TYPE.items() if g in ("physical", "prone")]
    )
    physical = holding & (first != "01")
    chemical = holding & (rng.random(n) < targets.add_chemical_share)
    seclusion = holding & (rng.random(n) < targets.add_seclusion_share)
    prone = physical & (rng.random(n) < targets.add_prone_share)
    after = start + first_minutes
    extra = [
        (prone, np.full(n, "01"), start + 1),
        (chemical, codes(rng, targets.chemical_types, n), after),
        (seclusion, np.full(n, "05"), after + rng.integers(1, 15, n)),
    ]
    kinds, incidents, starts = [first], [np.arange(n)], [start]
    for mask, code, begin in extra:
        kinds.append(code[mask])
        incidents.append(np.flatnonzero(mask))
        starts.append(begin[mask])
    kind = np.concatenate(kinds).astype("<U2")
    kind_start = np.concatenate(starts)
    ends = np.r_[
        start + first_minutes, kind_start[n:] + _minutes(kind[n:], targets, rng)
    ]
    return kind, np.concatenate(incidents), kind_start, ends


def _minutes(
    kind: StrArray, targets: RestrictiveTargets, rng: np.random.Generator
) -> IntArray:
    group = type_groups(kind)
    names, median = _lookup(targets.minutes_median)
    _, sigma = _lookup(targets.minutes_sigma)
    index = np.searchsorted(names, group)
    minutes = median[index] * np.exp(sigma[index] * rng.standard_normal(len(kind)))
    long: BoolArray = np.isin(group, _LONG_GROUPS)
    return np.where(long, np.maximum(minutes, 30), np.clip(minutes, 1, 180)).astype(
        np.int64
    )


def type_groups(kind: StrArray) -> StrArray:
    """Broad group of each intervention type (physical, prone, chemical, ...)."""
    keys = np.array(sorted(_GROUP_OF_TYPE))
    groups = np.array([_GROUP_OF_TYPE[k] for k in keys])
    return groups[np.searchsorted(keys, kind)]


def _lookup(weights: tuple[tuple[str, float], ...]) -> tuple[StrArray, np.ndarray]:
    names = np.array([name for name, _ in weights])
    values = np.array([value for _, value in weights])
    order = np.argsort(names)
    return names[order], values[order]
