"""The estate: NHS trusts and independent providers, their sites, wards and beds.

Each ICB has one NHS mental health trust (codes ``TZA``, ``TZB``, ...) with 2-4 sites
near the ICB's centre. Every trust has adult acute wards (male and female), older adult,
PICU and rehabilitation wards; some also host low or medium secure, eating disorder,
mother and baby or young people's wards. Beds are sized from the demand the trust would
face if every resident were admitted locally (the *offered load*): adult acute beds at
90-100 % of that load, which is what keeps occupancy high and sends people out of area
when beds run out; other wards at the bed type's target occupancy.

Three to five national independent providers (``NZA``, ...) have sites anywhere in
England and take the overflow. Their beds are not a constraint in the simulation; their
wards are sized afterwards from the occupancy they actually had (``independent.py``).
Ward *groups* are the pools the simulation allocates from: one per provider, bed type
and ward sex (male, female or mixed).
"""

from __future__ import annotations

import string
from dataclasses import dataclass

import numpy as np

from nearhome.data.synthetic.calibration import Calibration
from nearhome.data.synthetic.draws import (
    BoolArray,
    FloatArray,
    IntArray,
    StrArray,
    haversine_km,
)
from nearhome.data.synthetic.geography import Geography, place_name

MIXED, MALE, FEMALE = 0, 1, 2
SPECIALIST_MIN_BEDS = 4
_SITE_KINDS = ("Hospital", "Centre", "Unit", "House")


@dataclass(frozen=True)
class Estate:
    """Providers, sites, ward groups and wards, as parallel arrays.

    Providers ``0 .. icbs-1`` are the ICBs' own trusts, in ICB order; the independent
    providers follow. ``group_of[provider, bed_type, sex]`` is the ward group a person
    of that sex (1 male, 2 female) is placed in, or -1 where the provider has none.
    """

    provider_codes: StrArray
    provider_names: StrArray
    provider_is_nhs: BoolArray
    site_codes: StrArray
    site_names: StrArray
    site_provider: IntArray
    site_lat: FloatArray
    site_lon: FloatArray
    group_provider: IntArray
    group_type: IntArray
    group_sex: IntArray
    group_of: IntArray
    ward_codes: StrArray
    ward_site: IntArray
    ward_group: IntArray
    ward_beds: IntArray

    @property
    def group_finite(self) -> BoolArray:
        """Whether a group's beds limit admissions (NHS groups do; independent do not)."""
        return self.provider_is_nhs[self.group_provider]

    @property
    def ward_provider(self) -> IntArray:
        """Provider of each ward."""
        return self.site_provider[self.ward_site]


def provider_code(index: int, prefix: str) -> str:
    """``TZA`` ... for trusts, ``NZA`` ... for independent providers (not real codes)."""
    letters = string.ascii_uppercase
    return f"{prefix}{'ZYXW'[index // 26]}{letters[index % 26]}"


def build_estate(
    geo: Geography, load: FloatArray, calibration: Calibration, rng: np.random.Generator
) -> Estate:
    """Trusts sized to ``load`` (offered load by ICB x bed type x sex) plus independents."""
    n_indep = int(
        rng.integers(
            calibration.capacity.independent_providers_min,
            calibration.capacity.independent_providers_max + 1,
        )
    )
    names = [f"{place_name(i)} Mental Health NHS Trust" for i in range(geo.icbs)]
    names += [f"{place_name(100 + k)} Healthcare (independent)" for k in range(n_indep)]
    codes = [provider_code(i, "T") for i in range(geo.icbs)]
    codes += [provider_code(k, "N") for k in range(n_indep)]
    sites = _sites(geo, n_indep, calibration, rng)
    groups = _groups(geo, n_indep, load, calibration, rng)
    wards = _nhs_wards(groups, sites, calibration, rng)
    n_providers = geo.icbs + n_indep
    return Estate(
        provider_codes=np.array(codes), provider_names=np.array(names),
        provider_is_nhs=np.arange(n_providers) < geo.icbs,
        site_codes=sites[0], site_names=sites[1], site_provider=sites[2],
        site_lat=sites[3], site_lon=sites[4],
        group_provider=groups[0], group_type=groups[1], group_sex=groups[2],
        group_of=_group_lookup(groups, n_providers, len(calibration.bed_types)),
        ward_codes=wards[0], ward_site=wards[1], ward_group=wards[2], ward_beds=wards[3],
    )  # fmt: skip


def _sites(
    geo: Geography, n_indep: int, calibration: Calibration, rng: np.random.Generator
) -> tuple[StrArray, StrArray, IntArray, FloatArray, FloatArray]:
    targets = calibration.capacity
    counts = rng.integers(targets.sites_min, targets.sites_max + 1, geo.icbs + n_indep)
    provider = np.repeat(np.arange(len(counts)), counts)
    local = provider < geo.icbs
    centre_lat = np.where(local, geo.icb_lat[np.minimum(provider, geo.icbs - 1)], 0.0)
    centre_lon = np.where(local, geo.icb_lon[np.minimum(provider, geo.icbs - 1)], 0.0)
    lat = np.where(
        local,
        centre_lat + rng.normal(0, 0.06, len(provider)),
        rng.uniform(50.6, 54.8, len(provider)),
    )
    lon = np.where(
        local,
        centre_lon + rng.normal(0, 0.09, len(provider)),
        rng.uniform(-3.2, 0.6, len(provider)),
    )
    k = np.arange(len(provider)) - np.repeat(np.cumsum(counts) - counts, counts)
    prefix = [
        provider_code(p, "T") if p < geo.icbs else provider_code(p - geo.icbs, "N")
        for p in provider
    ]
    codes = np.array([f"{c}{j + 1:02d}" for c, j in zip(prefix, k, strict=True)])
    names = np.array(
        [
            f"{place_name(3 * int(p) + int(j) + 7)} {_SITE_KINDS[int(j) % 4]}"
            for p, j in zip(provider, k, strict=True)
        ]
    )
    return codes, names, provider, lat, lon


def _groups(
    geo: Geography,
    n_indep: int,
    load: FloatArray,
    calibration: Calibration,
    rng: np.random.Generator,
) -> tuple[IntArray, IntArray, IntArray, FloatArray]:
    """Ward groups and their bed numbers (independent groups: zero, sized later)."""
    provider, kind, sex, beds = [], [], [], []
    ratio = rng.uniform(
        calibration.capacity.acute_beds_per_load_min,
        calibration.capacity.acute_beds_per_load_max,
        geo.icbs,
    )
    for t, profile in enumerate(calibration.bed_types):
        hosted = rng.random(geo.icbs) < profile.hosted_share
        indep = rng.random(n_indep) < max(profile.hosted_share, 0.6)
        indep[rng.integers(n_indep)] = True
        for sex_group in _sex_groups(profile.ward_sex):
            demand = (
                load[:, t, 1:].sum(axis=1)
                if sex_group == MIXED
                else load[:, t, sex_group]
            )
            factor = ratio if profile.code == "200" else 1 / profile.local_occupancy
            need = demand * factor
            minimum = 1.0 if profile.hosted_share >= 1 else SPECIALIST_MIN_BEDS
            ok = np.flatnonzero(hosted & (need >= minimum - 0.5))
            provider += [*ok, *(geo.icbs + np.flatnonzero(indep))]
            kind += [t] * (len(ok) + int(indep.sum()))
            sex += [sex_group] * (len(ok) + int(indep.sum()))
            beds += [*np.maximum(1, np.rint(need[ok])), *([0.0] * int(indep.sum()))]
    order = np.lexsort((sex, kind, provider))
    return (
        np.array(provider, dtype=np.int64)[order],
        np.array(kind, dtype=np.int64)[order],
        np.array(sex, dtype=np.int64)[order],
        np.array(beds, dtype=np.float64)[order],
    )


def _sex_groups(ward_sex: str) -> tuple[int, ...]:
    return {"single": (MALE, FEMALE), "female": (FEMALE,)}.get(ward_sex, (MIXED,))


def _group_lookup(
    groups: tuple[IntArray, IntArray, IntArray, FloatArray], providers: int, types: int
) -> IntArray:
    lookup = np.full((providers, types, 3), -1, dtype=np.int64)
    provider, kind, sex, _ = groups
    for g in range(len(provider)):
        targets = (MALE, FEMALE) if sex[g] == MIXED else (sex[g],)
        for s in targets:
            lookup[provider[g], kind[g], s] = g
    return lookup


def _nhs_wards(
    groups: tuple[IntArray, IntArray, IntArray, FloatArray],
    sites: tuple[StrArray, StrArray, IntArray, FloatArray, FloatArray],
    calibration: Calibration,
    rng: np.random.Generator,
) -> tuple[StrArray, IntArray, IntArray, IntArray]:
    """Split each NHS group's beds into wards of about 12-24 beds on the trust's sites."""
    targets = calibration.capacity
    provider, _, _, beds = groups
    nhs = np.flatnonzero(beds > 0)
    n_wards = np.maximum(1, np.rint(beds[nhs] / targets.ward_beds_typical)).astype(
        np.int64
    )
    ward_group = np.repeat(nhs, n_wards)
    share = np.repeat(beds[nhs] / n_wards, n_wards)
    first = np.repeat(np.cumsum(n_wards) - n_wards, n_wards)
    k = np.arange(len(ward_group)) - first
    ward_beds = np.floor(share).astype(np.int64)
    remainder = np.rint(
        beds[ward_group]
        - np.bincount(ward_group, weights=ward_beds, minlength=len(beds))[ward_group]
    )
    ward_beds += (k < remainder).astype(np.int64)
    site_codes, _, site_provider, _, _ = sites
    site_first = np.searchsorted(site_provider, provider[ward_group])
    site_count = np.bincount(site_provider)[provider[ward_group]]
    ward_site = site_first + (rng.random(len(ward_group)) * site_count).astype(np.int64)
    return ward_codes(site_codes, ward_site), ward_site, ward_group, ward_beds


def ward_codes(site_codes: StrArray, ward_site: IntArray) -> StrArray:
    """``<site>W01``, ``<site>W02``, ... numbered within each site."""
    order = np.argsort(ward_site, kind="stable")
    counts = np.bincount(ward_site, minlength=len(site_codes))
    within = np.empty(len(ward_site), dtype=np.int64)
    within[order] = np.arange(len(ward_site)) - np.repeat(
        np.cumsum(counts) - counts, counts
    )
    return np.array(
        [f"{site_codes[s]}W{w + 1:02d}" for s, w in zip(ward_site, within, strict=True)]
    )


def site_distance_km(estate: Estate, lat: FloatArray, lon: FloatArray) -> FloatArray:
    """Distance from each point to every site, shape (points, sites)."""
    return haversine_km(
        lat[:, None], lon[:, None], estate.site_lat[None, :], estate.site_lon[None, :]
    )


def ward_capacity(
    estate: Estate, days: int, calibration: Calibration, rng: np.random.Generator
) -> IntArray:
    """Open beds of each NHS ward on each simulated day (beds less temporary closures).

    Wards close a bed or two now and then (staffing, maintenance): a few closures a
    year of 5-45 days. They lower capacity in the simulation and show up as
    ``ClosedBedDays`` in MHS903.
    """
    targets = calibration.capacity
    n = len(estate.ward_codes)
    open_beds = np.repeat(estate.ward_beds[:, None], days, axis=1).astype(np.int64)
    count = rng.poisson(targets.closures_per_ward_year * days / 365.25, n)
    ward = np.repeat(np.arange(n), count)
    start = rng.integers(0, days, len(ward))
    length = rng.integers(5, targets.closure_days_max + 1, len(ward))
    closed = np.minimum(
        rng.integers(1, 3, len(ward)), np.maximum(estate.ward_beds[ward] // 6, 1)
    )
    diff = np.zeros((n, days + 1), dtype=np.int64)
    np.add.at(diff, (ward, start), closed)
    np.add.at(diff, (ward, np.minimum(start + length, days)), -closed)
    return np.maximum(open_beds - np.cumsum(diff[:, :days], axis=1), 0)
