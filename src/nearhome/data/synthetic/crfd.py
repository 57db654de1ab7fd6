"""Clinically ready for discharge (MHS518, v6) and delayed discharge (MHS504, v5).

Long stays end with a wait: the longer the stay, the likelier it is that the person was
ready to leave some time before they did. A CRFD period takes the last part of the
spell (a Beta-distributed share of it) and ends on the discharge day; about a quarter
are recorded as two periods with different reasons. Reasons are drawn per bed type;
housing (awaiting supported, social or private rented accommodation) is the largest
group for adults, care homes and care packages for older adults. Who the delay is
attributable to follows the reason's group; the local authority is the person's district
where social care or housing is involved. Before April 2024 the same period is
recorded with the nearest v5 reason, and housing delays are attributed to code 07.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nearhome.data.codes import code_list
from nearhome.data.synthetic.calibration import Calibration
from nearhome.data.synthetic.draws import IntArray, StrArray, codes, recode
from nearhome.data.synthetic.stays import Stays
from nearhome.data.synthetic.timeline import Timeline

_ATTRIBUTION = {
    "housing": (("05", 0.5), ("06", 0.3), ("04", 0.2)),
    "social_care": (("05", 0.8), ("06", 0.2)),
    "community": (("04", 0.7), ("06", 0.3)),
    "hospital": (("04", 1.0),),
    "not_known": (("04", 0.4), ("05", 0.3), ("06", 0.3)),
}


@dataclass(frozen=True)
class ReadyPeriods:
    """CRFD periods, each at the end of (or late in) one spell."""

    spell: IntArray
    start: IntArray
    end: IntArray
    reason: StrArray
    """v6 reason code."""
    reason_v5: StrArray
    attributable: StrArray
    """v6 code (04-06); v5 rows use 07 for housing reasons."""
    housing: np.ndarray


def build_ready_periods(
    stays: Stays, timeline: Timeline, calibration: Calibration, rng: np.random.Generator
) -> ReadyPeriods:
    """CRFD periods for the last spells of long episodes."""
    targets = calibration.crfd
    code = np.array([p.code for p in calibration.bed_types])
    los = stays.spell_end - stays.spell_start
    eligible = (
        stays.spell_is_last
        & np.isin(code[stays.spell_last_type], targets.eligible_types)
        & (stays.discharge_method != "4")
        & (los >= targets.min_stay_days)
        & (stays.spell_end >= timeline.start)
    )
    chance = targets.share_max * (1 - np.exp(-los / targets.share_scale_days))
    spell = np.flatnonzero(eligible & (rng.random(len(los)) < chance))
    length = np.maximum(
        1,
        np.rint(
            los[spell]
            * rng.beta(targets.fraction_alpha, targets.fraction_beta, len(spell))
        ),
    )
    length = np.minimum(length, los[spell] - 1).astype(np.int64)
    start = stays.spell_end[spell] - length
    split = (length >= 6) & (rng.random(len(spell)) < targets.two_period_share)
    cut = start + np.maximum(
        1, (length * rng.uniform(0.2, 0.7, len(spell))).astype(np.int64)
    )
    spells = np.r_[spell, spell[split]]
    starts = np.r_[start, cut[split]]
    ends = np.r_[
        np.where(split, cut, stays.spell_end[spell]), stays.spell_end[spell][split]
    ]
    older = code[stays.spell_last_type[spells]] == "201"
    reason = np.where(
        older,
        codes(rng, targets.older_reasons, len(spells)),
        codes(rng, targets.adult_reasons, len(spells)),
    )
    return _coded(spells, starts, ends, reason, calibration, rng)


def _coded(
    spell: IntArray,
    start: IntArray,
    end: IntArray,
    reason: StrArray,
    calibration: Calibration,
    rng: np.random.Generator,
) -> ReadyPeriods:
    reasons = code_list("crfd_reason")
    group_of = dict(zip(reasons["code"], reasons["group"], strict=True))
    group = recode(reason, group_of, "not_known")
    attributable = np.full(len(reason), "04", dtype="<U2")
    for name, weights in _ATTRIBUTION.items():
        who = np.flatnonzero(group == name)
        attributable[who] = codes(rng, weights, len(who))
    v5 = dict(calibration.crfd.v5_reasons)
    reason_v5 = recode(reason, v5, "98")
    order = np.lexsort((start, spell))
    return ReadyPeriods(
        spell=spell[order], start=start[order], end=end[order], reason=reason[order],
        reason_v5=reason_v5[order], attributable=attributable[order],
        housing=(group == "housing")[order],
    )  # fmt: skip
