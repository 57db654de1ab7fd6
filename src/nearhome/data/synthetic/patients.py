"""The people who are admitted: drawn from the population by who is most at risk.

Each first admission of a care episode draws one resident of the home ICB, weighting
every (LSOA, age band, sex, ethnic group) cell by its population and by the bed type's
age and sex profile, the ethnic admission risk and a deprivation gradient. That is what
makes admission and detention rates per population show the published gaps without any
rate being written into the data directly. Readmissions reuse the same person.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nearhome.data.synthetic.calibration import BedTypeProfile, PeopleTargets
from nearhome.data.synthetic.draws import (
    BoolArray,
    IntArray,
    StrArray,
    codes,
)
from nearhome.data.synthetic.geography import ETHNIC_GROUPS, Geography

DAYS_PER_YEAR = 365.25
NO_PRACTICE = -1
PSEUDO_PRACTICE = -2


@dataclass(frozen=True)
class People:
    """One entry per person, as parallel arrays."""

    icb: IntArray
    lsoa: IntArray
    sex: IntArray
    """1 male, 2 female."""
    ethnic_group: IntArray
    """Index into ``ETHNIC_GROUPS`` (the true group, used for risks)."""
    ethnic_code: StrArray
    """Recorded ``EthnicCategory`` (a letter, ``Z`` not stated or ``99`` not known)."""
    gender_identity: StrArray
    birth_day: IntArray
    practice: IntArray
    """Practice index, ``NO_PRACTICE`` (no GP row) or ``PSEUDO_PRACTICE`` (V81999)."""
    registered_day: IntArray
    """When the person registered with their practice."""
    ld_status: StrArray
    autism_status: StrArray
    """Empty when the person has no patient-indicator record."""

    def __len__(self) -> int:
        return len(self.icb)


def ethnic_weights(weights: tuple[tuple[str, float], ...]) -> np.ndarray:
    """Weights in ``ETHNIC_GROUPS`` order."""
    lookup = dict(weights)
    return np.array([lookup[group] for group in ETHNIC_GROUPS])


def sample_people(
    geo: Geography,
    *,
    icb: IntArray,
    bed_type: IntArray,
    admitted: IntArray,
    profiles: tuple[BedTypeProfile, ...],
    targets: PeopleTargets,
    rng: np.random.Generator,
) -> People:
    """One new person for each first admission (home ICB, bed type, admission day)."""
    n = len(icb)
    lsoa = np.zeros(n, dtype=np.int64)
    band = np.zeros(n, dtype=np.int64)
    sex = np.zeros(n, dtype=np.int64)
    group = np.zeros(n, dtype=np.int64)
    base = _base_weights(geo, targets)
    lsoa_bounds = np.searchsorted(geo.lsoa_icb, np.arange(geo.icbs + 1))
    order = np.lexsort((bed_type, icb))
    cut = (
        np.zeros(1, dtype=np.int64)
        if n == 0
        else np.flatnonzero(
            np.r_[
                True, np.diff(icb[order] * len(profiles) + bed_type[order]) != 0, True
            ]
        )
    )
    for a, b in zip(cut[:-1], cut[1:], strict=True):
        who = order[a:b]
        i, t = icb[who[0]], bed_type[who[0]]
        local = base[lsoa_bounds[i] : lsoa_bounds[i + 1]]
        cdf = np.cumsum(_cell_weights(local, profiles[t]).ravel())
        pick = np.minimum(
            np.searchsorted(cdf, rng.random(len(who)) * cdf[-1], side="right"),
            cdf.size - 1,
        )
        lsoa_pos, band[who], sex_pos, group[who] = np.unravel_index(pick, local.shape)
        lsoa[who] = lsoa_bounds[i] + lsoa_pos
        sex[who] = sex_pos + 1
    ages = _ages(band, bed_type, profiles, rng)
    ld_status, autism_status = _indicators(targets, n, rng)
    return People(
        icb=icb.copy(), lsoa=lsoa, sex=sex, ethnic_group=group,
        ethnic_code=_ethnic_codes(group, targets, rng),
        gender_identity=_gender_identity(sex, targets, rng),
        birth_day=admitted - np.rint(ages * DAYS_PER_YEAR).astype(np.int64),
        practice=_practices(geo, lsoa, targets, rng),
        registered_day=np.maximum(
            admitted - np.rint(rng.uniform(0.5, 15.0, n) * DAYS_PER_YEAR).astype(np.int64),
            admitted - np.rint(ages * DAYS_PER_YEAR).astype(np.int64),
        ),
        ld_status=ld_status,
        autism_status=autism_status,
    )  # fmt: skip


def _base_weights(geo: Geography, targets: PeopleTargets) -> np.ndarray:
    """Population x ethnic risk x deprivation risk, shape (LSOA, age, sex, ethnic)."""
    ethnic = ethnic_weights(targets.ethnic_admission_risk)
    imd = np.exp(-targets.imd_admission_slope * (geo.lsoa_imd - 1))
    return geo.population * ethnic[None, None, None, :] * imd[:, None, None, None]


def _cell_weights(base: np.ndarray, profile: BedTypeProfile) -> np.ndarray:
    age = np.asarray(profile.age_risk)
    sex = np.array([profile.male_risk, profile.female_risk])
    return base * age[None, :, None, None] * sex[None, None, :, None]


def _ages(
    band: IntArray,
    bed_type: IntArray,
    profiles: tuple[BedTypeProfile, ...],
    rng: np.random.Generator,
) -> np.ndarray:
    """Exact ages within each band, kept inside the bed type's age range."""
    age_min = np.array([p.age_min for p in profiles])[bed_type]
    age_max = np.array([p.age_max for p in profiles])[bed_type] + 1
    low = np.maximum(band * 5, age_min)
    high = np.minimum(np.where(band == 18, 100, band * 5 + 5), age_max)
    high = np.maximum(high, low + 1)
    return low + rng.random(len(band)) * (high - low)


def _ethnic_codes(
    group: IntArray, targets: PeopleTargets, rng: np.random.Generator
) -> StrArray:
    out = np.empty(len(group), dtype="<U2")
    for g, (_, weights) in enumerate(targets.ethnic_categories):
        who = np.flatnonzero(group == g)
        out[who] = codes(rng, weights, len(who))
    u = rng.random(len(group))
    out[u < targets.not_stated_share] = "Z"
    out[
        (u >= targets.not_stated_share)
        & (u < targets.not_stated_share + targets.not_known_share)
    ] = "99"
    return out


def _gender_identity(
    sex: IntArray, targets: PeopleTargets, rng: np.random.Generator
) -> StrArray:
    out = sex.astype(str).astype("<U1")
    u = rng.random(len(sex))
    out[u < targets.non_binary_share] = "3"
    out[u > targets.gender_identity_recorded] = ""
    return out


def _practices(
    geo: Geography, lsoa: IntArray, targets: PeopleTargets, rng: np.random.Generator
) -> IntArray:
    """Usually a practice in the home sub-ICB; sometimes elsewhere, pseudo or none."""
    n = len(lsoa)
    sub = geo.lsoa_sub_icb[lsoa]
    u = rng.random(n)
    cut = np.cumsum(
        [
            targets.gp_same_sub_icb,
            targets.gp_other_sub_icb_same_icb,
            targets.gp_other_icb,
        ]
    )
    same_icb_subs = _random_sub_icb_in_icb(geo, geo.lsoa_icb[lsoa], rng)
    any_sub = rng.integers(0, len(geo.sub_icb_codes), n)
    target = np.where(u < cut[0], sub, np.where(u < cut[1], same_icb_subs, any_sub))
    counts = np.bincount(geo.practice_sub_icb, minlength=len(geo.sub_icb_codes))
    first = np.r_[0, np.cumsum(counts)[:-1]]
    practice = first[target] + (rng.random(n) * counts[target]).astype(np.int64)
    pseudo = (u >= cut[2]) & (u < cut[2] + targets.gp_pseudo_practice)
    missing = u >= 1.0 - targets.gp_missing
    practice[pseudo] = PSEUDO_PRACTICE
    practice[missing] = NO_PRACTICE
    return practice


def _random_sub_icb_in_icb(
    geo: Geography, icb: IntArray, rng: np.random.Generator
) -> IntArray:
    counts = np.bincount(geo.sub_icb_icb, minlength=geo.icbs)
    first = np.r_[0, np.cumsum(counts)[:-1]]
    return first[icb] + (rng.random(len(icb)) * counts[icb]).astype(np.int64)


def _indicators(
    targets: PeopleTargets, n: int, rng: np.random.Generator
) -> tuple[StrArray, StrArray]:
    """Learning disability and autism status, recorded together for some people."""
    ld = codes(rng, targets.ld_status, n).astype("<U1")
    autism = codes(rng, targets.autism_status, n).astype("<U1")
    missing: BoolArray = rng.random(n) >= targets.indicators_recorded
    ld[missing] = ""
    autism[missing] = ""
    return ld, autism
