"""Leave from the ward: home leave (MHS509), leave of absence (MHS510), AWOL (MHS511).

Longer ward stays have periods of leave, more often later in the stay and on
rehabilitation wards: home leave for informal patients, section 17 leave of absence for
detained ones. Each lasts from a day visit (start = end) to a few nights, never
overlaps another and lies inside its ward stay. A few stays have one absence without
leave of up to three days.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nearhome.data.synthetic.calibration import Calibration
from nearhome.data.synthetic.draws import BoolArray, IntArray
from nearhome.data.synthetic.stays import Stays
from nearhome.data.synthetic.timeline import Timeline

_LEAVE_NIGHTS = np.array([0, 1, 1, 1, 1, 2, 2, 3, 4, 7])
_AWOL_TYPES = ("200", "202", "206", "207", "212", "301")


@dataclass(frozen=True)
class Leave:
    """Periods of leave, each within one ward stay."""

    stay: IntArray
    start: IntArray
    end: IntArray
    detained: BoolArray
    """Leave of absence (MHS510) rather than home leave (MHS509)."""


def build_leave(
    stays: Stays,
    detained_episode: BoolArray,
    timeline: Timeline,
    calibration: Calibration,
    rng: np.random.Generator,
) -> Leave:
    """Home leave and leave of absence on ward stays of a week or more."""
    stay_end = np.minimum(stays.stay_end, timeline.end)
    days = stay_end - stays.stay_start
    rate = np.array([p.leave_per_day for p in calibration.bed_types])[stays.stay_type]
    eligible = (days >= 7) & (stay_end >= timeline.start - 30)
    count = np.where(eligible, rng.poisson(rate * np.maximum(days - 5, 0)), 0)
    stay = np.repeat(np.arange(len(days)), count)
    offset = 3 + (rng.random(len(stay)) ** 0.7 * (days[stay] - 4)).astype(np.int64)
    start = stays.stay_start[stay] + offset
    end = np.minimum(
        start + _LEAVE_NIGHTS[rng.integers(0, len(_LEAVE_NIGHTS), len(stay))],
        stays.stay_end[stay],
    )
    keep = _without_overlaps(stay, start, end)
    detained = detained_episode[stays.spell_episode[stays.stay_spell[stay]]]
    return Leave(
        stay=stay[keep], start=start[keep], end=end[keep], detained=detained[keep]
    )


def _without_overlaps(stay: IntArray, start: IntArray, end: IntArray) -> BoolArray:
    """Keep a leave only if it starts after every earlier leave of its stay has ended."""
    order = np.lexsort((start, stay))
    s, b, e = stay[order], start[order], end[order]
    span = np.int64(1) << 40
    running = np.maximum.accumulate(s * span + e)
    previous = np.r_[-1, running[:-1]]
    same_stay = np.r_[False, s[1:] == s[:-1]]
    ok = ~same_stay | (s * span + b > previous)
    keep = np.zeros(len(stay), dtype=bool)
    keep[order[ok]] = True
    return keep


def build_awol(
    stays: Stays, timeline: Timeline, calibration: Calibration, rng: np.random.Generator
) -> Leave:
    """At most one absence without leave per ward stay, on acute and secure wards."""
    targets = calibration.contacts
    stay_end = np.minimum(stays.stay_end, timeline.end)
    days = stay_end - stays.stay_start
    code = np.array([p.code for p in calibration.bed_types])[stays.stay_type]
    p = np.minimum(targets.awol_base + targets.awol_per_day * days, 0.3)
    chosen = np.isin(code, _AWOL_TYPES) & (days >= 3) & (stay_end >= timeline.start - 5)
    stay = np.flatnonzero(chosen & (rng.random(len(days)) < p))
    start = (
        stays.stay_start[stay]
        + 1
        + (rng.random(len(stay)) * (days[stay] - 2)).astype(np.int64)
    )
    end = np.minimum(start + rng.integers(0, 4, len(stay)), stays.stay_end[stay])
    return Leave(
        stay=stay, start=start, end=end, detained=np.zeros(len(stay), dtype=bool)
    )
