"""The reference folder: geography, population, providers, sites and wards.

Columns follow ``schema.REFERENCE_FILES``. The population is the synthetic mid-year
estimate for every calendar year the extract touches, by LSOA, 5-year age band, sex
(``1`` male, ``2`` female) and broad ethnic group; empty cells are left out to keep the
file small. Every ward is valid from well before the extract and still open.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from nearhome.data.schema import POPULATION_AGE_BANDS, REFERENCE_FILES
from nearhome.data.synthetic.columns import arrow_type
from nearhome.data.synthetic.geography import ETHNIC_GROUPS
from nearhome.data.synthetic.simulation import World
from nearhome.data.synthetic.timeline import day_number

WARDS_OPEN_YEARS_BEFORE = 12


def reference_tables(world: World) -> dict[str, pa.Table]:
    """Every reference file of the extract, as Arrow tables."""
    tables = {
        "geography": _geography(world),
        "population": _population(world),
        "providers": _providers(world),
        "sites": _sites(world),
        "wards": _wards(world),
    }
    return {name: _typed(name, table) for name, table in tables.items()}


def _typed(name: str, table: pa.Table) -> pa.Table:
    columns = REFERENCE_FILES[name]
    assert tuple(table.column_names) == tuple(c for c, _ in columns), name
    return pa.table({c: table[c].cast(arrow_type(kind)) for c, kind in columns})


def _geography(world: World) -> pa.Table:
    g = world.geo
    return pa.table({
        "lsoa_code": g.lsoa_codes,
        "sub_icb_code": g.sub_icb_codes[g.lsoa_sub_icb],
        "icb_code": g.icb_codes[g.lsoa_icb],
        "region_code": g.icb_regions[g.lsoa_icb],
        "imd_decile": g.lsoa_imd,
        "latitude": np.round(g.lsoa_lat, 5),
        "longitude": np.round(g.lsoa_lon, 5),
    })  # fmt: skip


def _population(world: World) -> pa.Table:
    g = world.geo
    years = world.timeline.years()
    parts = []
    for year in years:
        growth = (1 + g.lsoa_growth) ** (year - years[0])
        counts = np.rint(g.population * growth[:, None, None, None])
        lsoa, band, sex, group = np.nonzero(counts)
        parts.append(
            (
                lsoa,
                band,
                sex,
                group,
                counts[lsoa, band, sex, group],
                np.full(len(lsoa), year),
            )
        )
    lsoa, band, sex, group, count, year = (
        np.concatenate(c) for c in zip(*parts, strict=True)
    )
    return pa.table({
        "area_code": pa.array(g.lsoa_codes).take(pa.array(lsoa)),
        "year": year,
        "sex": pa.array(["1", "2"]).take(pa.array(sex)),
        "age_band": pa.array(POPULATION_AGE_BANDS).take(pa.array(band)),
        "ethnic_group": pa.array(ETHNIC_GROUPS).take(pa.array(group)),
        "count": count,
        "source": pa.array([world.calibration.geography.population_source]).take(pa.array(np.zeros(len(lsoa), dtype=np.int64))),
    })  # fmt: skip


def _providers(world: World) -> pa.Table:
    e = world.estate
    return pa.table({
        "provider_code": e.provider_codes,
        "provider_name": e.provider_names,
        "provider_type": np.where(e.provider_is_nhs, "NHS", "Independent"),
    })  # fmt: skip


def _sites(world: World) -> pa.Table:
    e = world.estate
    return pa.table({
        "site_code": e.site_codes,
        "provider_code": e.provider_codes[e.site_provider],
        "site_name": e.site_names,
        "latitude": np.round(e.site_lat, 5),
        "longitude": np.round(e.site_lon, 5),
    })  # fmt: skip


def _wards(world: World) -> pa.Table:
    e = world.estate
    codes = np.array([p.code for p in world.calibration.bed_types])
    first_year = dt.date.fromordinal(
        dt.date(1970, 1, 1).toordinal() + world.timeline.start
    ).year
    opened = day_number(dt.date(first_year - WARDS_OPEN_YEARS_BEFORE, 4, 1))
    n = len(e.ward_codes)
    return pa.table({
        "ward_code": e.ward_codes,
        "site_code": e.site_codes[e.ward_site],
        "provider_code": e.provider_codes[e.ward_provider],
        "bed_type_code": codes[e.group_type[e.ward_group]],
        "beds": e.ward_beds,
        "valid_from": pa.array(np.full(n, opened, dtype=np.int32)).view(pa.date32()),
        "valid_to": pa.nulls(n, pa.date32()),
    })  # fmt: skip
