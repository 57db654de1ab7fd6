"""Independent providers' wards, sized from the use the simulation made of them.

Independent beds never refuse an admission in the simulation (the sector absorbs the
NHS's overflow), so their wards are laid out afterwards: each ward group gets enough
wards of about 16 beds for its busiest day in the extract, its patients are spread over
those wards, and each ward's bed number is its own busiest day plus a little slack.
That keeps every ward's occupancy at or below 100 %, as in the NHS wards.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from nearhome.data.synthetic.allocation import Placement
from nearhome.data.synthetic.calibration import Calibration
from nearhome.data.synthetic.draws import IntArray, distinct
from nearhome.data.synthetic.providers import Estate, ward_codes
from nearhome.data.synthetic.timeline import Timeline


def size_independent_wards(
    estate: Estate,
    placement: Placement,
    timeline: Timeline,
    calibration: Calibration,
    rng: np.random.Generator,
) -> tuple[Estate, Placement]:
    """Add the independent wards to the estate and give every placement a ward."""
    indep = np.flatnonzero(placement.ward < 0)
    group = placement.group[indep]
    peak = _peak(
        group,
        placement.start[indep],
        placement.end[indep],
        len(estate.group_provider),
        timeline,
    )
    used = distinct(group)
    n_wards = np.maximum(
        1, np.ceil(peak[used] / calibration.capacity.independent_ward_beds)
    ).astype(np.int64)
    ward_group = np.repeat(used, n_wards)
    first = np.zeros(len(estate.group_provider), dtype=np.int64)
    first[used] = len(estate.ward_codes) + np.cumsum(n_wards) - n_wards
    count = np.zeros(len(estate.group_provider), dtype=np.int64)
    count[used] = n_wards
    ward = placement.ward.copy()
    ward[indep] = first[group] + (
        rng.random(len(indep)) * np.maximum(count[group], 1)
    ).astype(np.int64)
    new_wards = np.arange(
        len(estate.ward_codes), len(estate.ward_codes) + len(ward_group)
    )
    ward_peak = _peak(
        ward[indep],
        placement.start[indep],
        placement.end[indep],
        new_wards[-1] + 1 if len(new_wards) else 0,
        timeline,
    )
    beds = np.maximum(
        1, np.ceil(ward_peak[new_wards] * rng.uniform(1.0, 1.2, len(new_wards)))
    ).astype(np.int64)
    site = _sites_for(estate, estate.group_provider[ward_group], rng)
    all_sites = np.r_[estate.ward_site, site]
    codes = ward_codes(estate.site_codes, all_sites)
    grown = dataclasses.replace(
        estate,
        ward_codes=codes,
        ward_site=all_sites,
        ward_group=np.r_[estate.ward_group, ward_group],
        ward_beds=np.r_[estate.ward_beds, beds],
    )
    return grown, dataclasses.replace(placement, ward=ward)


def _peak(
    key: IntArray, start: IntArray, end: IntArray, n: int, timeline: Timeline
) -> IntArray:
    """Most beds in use at any midnight of the extract, per key."""
    first = np.clip(start, timeline.start, timeline.end) - timeline.start
    last = np.clip(end, timeline.start, timeline.end) - timeline.start
    days = timeline.end - timeline.start
    diff = np.zeros((n, days + 1), dtype=np.int64)
    np.add.at(diff, (key, first), 1)
    np.add.at(diff, (key, last), -1)
    return np.cumsum(diff, axis=1).max(axis=1)


def _sites_for(
    estate: Estate, provider: IntArray, rng: np.random.Generator
) -> IntArray:
    site_first = np.searchsorted(estate.site_provider, provider)
    site_count = np.bincount(
        estate.site_provider, minlength=len(estate.provider_codes)
    )[provider]
    return site_first + (rng.random(len(provider)) * site_count).astype(np.int64)
