"""A synthetic England: ICBs, sub-ICBs, local authorities, LSOAs, GP practices, people.

Nothing here maps to a real place. Codes have the real shapes (ICB ``QAA``, sub-ICB
``50A``, LSOA ``E01900001``, local authority ``E06901001``, practice ``Z01001``) but use
ranges chosen so they do not collide with real codes, and positions are laid out on a
jittered grid over England's bounding box. Each ICB is built from its own random stream,
so ICB *n* is the same whichever number of ICBs is asked for.

Deprivation is a latent score (an ICB-wide level, higher in the urban core, plus local
noise) turned into deciles against the national spread, so a 42-ICB build has roughly
equal deciles while single ICBs are more or less deprived. Minority ethnic shares rise
with deprivation and urbanity; minority groups are younger. The population array is the
base year's estimate by LSOA x 5-year age band x sex x ethnic group.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from nearhome.data.synthetic.calibration import GeographyTargets
from nearhome.data.synthetic.draws import (
    FloatArray,
    IntArray,
    StrArray,
    normalised,
    stream,
)

MAX_ICBS = 42
MAX_LSOAS_PER_ICB = 2000
ETHNIC_GROUPS = ("White", "Mixed", "Asian", "Black", "Other")
AGE_BAND_MIDS = np.array([*(lo + 2.5 for lo in range(0, 90, 5)), 92.5])
ENGLAND_AGE_SHARES = np.array(
    [5.6, 6.0, 6.0, 5.6, 6.0, 6.6, 6.8, 6.6, 6.3, 6.2, 6.8, 6.7, 5.9, 5.1, 5.0, 3.9,
     2.6, 1.6, 0.9]
)  # fmt: skip
MALE_SHARE_BY_AGE = np.array(
    [0.512, 0.512, 0.512, 0.515, 0.51, 0.5, 0.497, 0.497, 0.497, 0.495, 0.493, 0.49,
     0.487, 0.48, 0.47, 0.455, 0.43, 0.39, 0.3]
)  # fmt: skip
_LAT = (50.0, 55.5)
_LON = (-5.5, 1.7)
_GRID = (7, 6)
_LAYOUT_KEY = 1
_ICB_KEY = 2
_PLACE_STEMS = (
    "Amber", "Brindle", "Corvid", "Dapple", "Ember", "Fennel", "Gorse", "Heron", "Inkle",
    "Juniper", "Kestrel", "Linnet", "Marram", "Nettle", "Osier", "Pippin", "Quillet",
    "Rowan", "Sorrel", "Teasel", "Vetch",
)  # fmt: skip
_PLACE_ENDS = (
    "wick",
    "mere",
    "ford",
    "stow",
    "by",
    "worth",
    "ley",
    "field",
    "combe",
    "holm",
)


@dataclass(frozen=True)
class Geography:
    """All areas of the build, as parallel arrays (LSOAs ordered by ICB)."""

    icb_codes: StrArray
    icb_names: StrArray
    icb_regions: StrArray
    icb_lat: FloatArray
    icb_lon: FloatArray
    sub_icb_codes: StrArray
    sub_icb_icb: IntArray
    la_codes: StrArray
    lsoa_codes: StrArray
    lsoa_icb: IntArray
    lsoa_sub_icb: IntArray
    lsoa_la: IntArray
    lsoa_imd: IntArray
    lsoa_lat: FloatArray
    lsoa_lon: FloatArray
    lsoa_growth: FloatArray
    practice_codes: StrArray
    practice_sub_icb: IntArray
    population: FloatArray
    """Base-year residents, shape (LSOA, age band, sex, ethnic group)."""

    @property
    def icbs(self) -> int:
        """Number of ICBs."""
        return len(self.icb_codes)


@dataclass(frozen=True)
class _Icb:
    code: str
    name: str
    region: str
    lat: float
    lon: float
    sub_icbs: list[str]
    las: list[str]
    lsoa_sub: IntArray
    lsoa_la: IntArray
    lsoa_imd: IntArray
    lsoa_lat: FloatArray
    lsoa_lon: FloatArray
    lsoa_growth: FloatArray
    practices: list[str]
    practice_sub: IntArray
    population: FloatArray


def icb_code(index: int) -> str:
    """ICB code of the ``index``-th ICB: QAA, QAB, ... (not real ICB codes)."""
    letters = string.ascii_uppercase
    return f"Q{letters[index // 26]}{letters[index % 26]}"


def place_name(index: int) -> str:
    """An invented place name, unique for each index below 210."""
    stem = _PLACE_STEMS[index % len(_PLACE_STEMS)]
    end = _PLACE_ENDS[(index // len(_PLACE_STEMS) + 3 * index) % len(_PLACE_ENDS)]
    return stem + end


def region_of(lat: float, lon: float) -> str:
    """An NHS England region code by rough position (a synthetic assignment)."""
    if abs(lat - 51.5) < 0.35 and abs(lon + 0.1) < 0.6:
        return "Y56"
    if lat >= 53.3:
        return "Y62" if lon < -2.2 else "Y63"
    if lat >= 52.0:
        return "Y60" if lon < 0.0 else "Y61"
    return "Y58" if lon < -2.5 else "Y59"


def build_geography(
    icbs: int, scale: float, seed: int, targets: GeographyTargets
) -> Geography:
    """Build ``icbs`` ICBs with populations shrunk by ``scale``."""
    cells = stream(seed, _LAYOUT_KEY).permutation(_GRID[0] * _GRID[1])
    parts = [
        _build_icb(i, int(cells[i]), scale, targets, stream(seed, _ICB_KEY, i))
        for i in range(icbs)
    ]
    return _combine(parts)


def _build_icb(
    index: int,
    cell: int,
    scale: float,
    targets: GeographyTargets,
    rng: np.random.Generator,
) -> _Icb:
    row, col = divmod(cell, _GRID[1])
    lat = (
        _LAT[0]
        + (row + 0.5 + rng.uniform(-0.25, 0.25)) * (_LAT[1] - _LAT[0]) / _GRID[0]
    )
    lon = (
        _LON[0]
        + (col + 0.5 + rng.uniform(-0.25, 0.25)) * (_LON[1] - _LON[0]) / _GRID[1]
    )
    people = rng.uniform(targets.icb_population_min, targets.icb_population_max) * scale
    n_sub = int(rng.integers(targets.sub_icbs_min, targets.sub_icbs_max + 1))
    n = int(np.clip(round(people / targets.people_per_lsoa), 10, MAX_LSOAS_PER_ICB))
    dlat = rng.normal(0.0, targets.lsoa_spread_deg, n)
    dlon = rng.normal(0.0, targets.lsoa_spread_deg * 1.6, n)
    centrality = np.exp(
        -(
            (dlat / targets.lsoa_spread_deg) ** 2
            + (dlon / (1.6 * targets.lsoa_spread_deg)) ** 2
        )
        / 2
    )
    angle = (np.arctan2(dlat, dlon) + np.pi + rng.uniform(0, 2 * np.pi)) % (2 * np.pi)
    lsoa_sub = np.minimum((angle / (2 * np.pi) * n_sub).astype(np.int64), n_sub - 1)
    deprivation = _deprivation(centrality, targets, rng)
    region = region_of(lat, lon)
    las, lsoa_la = _local_authorities(index, region, lsoa_sub, centrality, n_sub, rng)
    sizes = targets.people_per_lsoa * rng.lognormal(0.0, 0.15, n)
    sizes *= people / sizes.sum()
    population = _population(sizes, deprivation, centrality, targets, rng)
    practices, practice_sub = _practices(index, population, lsoa_sub, n_sub, targets)
    return _Icb(
        code=icb_code(index), name=place_name(index), region=region, lat=lat, lon=lon,
        sub_icbs=[f"{50 + index:02d}{string.ascii_uppercase[k]}" for k in range(n_sub)],
        las=las, lsoa_sub=lsoa_sub, lsoa_la=lsoa_la, lsoa_imd=_deciles(deprivation, targets),
        lsoa_lat=lat + dlat, lsoa_lon=lon + dlon,
        lsoa_growth=rng.normal(targets.annual_growth, 0.005, n), practices=practices,
        practice_sub=practice_sub, population=population,
    )  # fmt: skip


def _deprivation(
    centrality: FloatArray, targets: GeographyTargets, rng: np.random.Generator
) -> FloatArray:
    level = rng.normal(0.0, targets.icb_deprivation_sd)
    local = rng.normal(0.0, targets.lsoa_deprivation_sd, len(centrality))
    return level + targets.centrality_deprivation * (2 * centrality - 1) + local


def _deciles(deprivation: FloatArray, targets: GeographyTargets) -> IntArray:
    """Decile 1 = most deprived, against the national spread of the latent score."""
    spread = np.sqrt(
        targets.icb_deprivation_sd**2
        + (0.6 * targets.centrality_deprivation) ** 2
        + targets.lsoa_deprivation_sd**2
    )
    rank = ndtr(deprivation / spread)
    return np.clip(10 - np.floor(rank * 10), 1, 10).astype(np.int64)


def _local_authorities(
    index: int,
    region: str,
    lsoa_sub: IntArray,
    centrality: FloatArray,
    n_sub: int,
    rng: np.random.Generator,
) -> tuple[list[str], IntArray]:
    """One or two districts per sub-ICB (inner and outer), coded by district type."""
    prefix = "E09" if region == "Y56" else str(rng.choice(["E06", "E07", "E08"]))
    split = rng.random(n_sub) < 0.5
    outer = (centrality < np.median(centrality)) & split[lsoa_sub]
    slot = lsoa_sub * 2 + outer
    used, lsoa_la = np.unique(slot, return_inverse=True)
    las = [f"{prefix}9{index:02d}{k:03d}" for k in range(len(used))]
    return las, lsoa_la.astype(np.int64)


def _population(
    sizes: FloatArray,
    deprivation: FloatArray,
    centrality: FloatArray,
    targets: GeographyTargets,
    rng: np.random.Generator,
) -> FloatArray:
    n = len(sizes)
    urban = rng.random() < targets.urban_icb_share
    base = targets.minority_share_urban if urban else targets.minority_share_typical
    base *= rng.lognormal(0.0, 0.3)
    logit = np.log(base / (1 - base)) + 0.45 * deprivation + 0.8 * (centrality - 0.5)
    minority = 1 / (1 + np.exp(-(logit + rng.normal(0.0, 0.8, n))))
    _, mix = normalised(targets.minority_mix)
    icb_mix = rng.gamma(40 * mix)
    icb_mix /= icb_mix.sum()
    lsoa_mix = rng.gamma(np.broadcast_to(4 * icb_mix, (n, 4)))
    lsoa_mix /= lsoa_mix.sum(axis=1, keepdims=True)
    ethnic = np.column_stack([1 - minority, minority[:, None] * lsoa_mix])
    tilt = np.array([0.0, *([targets.minority_age_tilt] * 4)])
    lsoa_tilt = -0.004 * deprivation + rng.normal(0.0, 0.003, n)
    age = ENGLAND_AGE_SHARES[None, None, :] * np.exp(
        -(lsoa_tilt[:, None, None] + tilt[None, :, None])
        * (AGE_BAND_MIDS - 40)[None, None, :]
    )
    age /= age.sum(axis=2, keepdims=True)
    sex = np.column_stack([MALE_SHARE_BY_AGE, 1 - MALE_SHARE_BY_AGE])
    people = sizes[:, None, None] * ethnic[:, :, None] * age
    return np.einsum("lea,as->lase", people, sex)


def _practices(
    index: int,
    population: FloatArray,
    lsoa_sub: IntArray,
    n_sub: int,
    targets: GeographyTargets,
) -> tuple[list[str], IntArray]:
    sub_people = np.bincount(
        lsoa_sub, weights=population.sum(axis=(1, 2, 3)), minlength=n_sub
    )
    counts = np.maximum(1, np.rint(sub_people / targets.people_per_practice)).astype(
        np.int64
    )
    practice_sub = np.repeat(np.arange(n_sub), counts)
    return [f"Z{index:02d}{k:03d}" for k in range(len(practice_sub))], practice_sub


def _combine(parts: list[_Icb]) -> Geography:
    def offsets(sizes: list[int]) -> IntArray:
        return np.cumsum([0, *sizes[:-1]]).astype(np.int64)

    sub_off = offsets([len(p.sub_icbs) for p in parts])
    la_off = offsets([len(p.las) for p in parts])
    lsoa_counts = [len(p.lsoa_sub) for p in parts]
    return Geography(
        icb_codes=np.array([p.code for p in parts]),
        icb_names=np.array([p.name for p in parts]),
        icb_regions=np.array([p.region for p in parts]),
        icb_lat=np.array([p.lat for p in parts]),
        icb_lon=np.array([p.lon for p in parts]),
        sub_icb_codes=np.array([c for p in parts for c in p.sub_icbs]),
        sub_icb_icb=np.repeat(np.arange(len(parts)), [len(p.sub_icbs) for p in parts]),
        la_codes=np.array([c for p in parts for c in p.las]),
        lsoa_codes=np.array(
            [f"E01{900000 + i * MAX_LSOAS_PER_ICB + j:06d}" for i, p in enumerate(parts) for j in range(len(p.lsoa_sub))]
        ),
        lsoa_icb=np.repeat(np.arange(len(parts)), lsoa_counts),
        lsoa_sub_icb=np.concatenate([p.lsoa_sub + o for p, o in zip(parts, sub_off, strict=True)]),
        lsoa_la=np.concatenate([p.lsoa_la + o for p, o in zip(parts, la_off, strict=True)]),
        lsoa_imd=np.concatenate([p.lsoa_imd for p in parts]),
        lsoa_lat=np.concatenate([p.lsoa_lat for p in parts]),
        lsoa_lon=np.concatenate([p.lsoa_lon for p in parts]),
        lsoa_growth=np.concatenate([p.lsoa_growth for p in parts]),
        practice_codes=np.array([c for p in parts for c in p.practices]),
        practice_sub_icb=np.concatenate([p.practice_sub + o for p, o in zip(parts, sub_off, strict=True)]),
        population=np.concatenate([p.population for p in parts]),
    )  # fmt: skip
