"""Population denominators for rates per 100,000 (or per 1,000,000) residents.

The population file holds counts by area (LSOA or sub-ICB), year, sex, five-year age
band and ethnic group. To divide by "the population of this breakdown level" the rows
are given the same columns as facts (``icb_code``, ``gender_code``, ``ethnic_group``,
``imd_decile``, ``age`` ...) so the very same :class:`~nearhome.metrics.dimensions.Dimension`
expressions place them in levels. Age bands that do not line up with five-year bands
(18–64 cuts the 15–19 band) are split evenly across the single years of each band, the
usual assumption when single-year estimates are not loaded.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import pandas as pd
from ibis.expr.types import Table

from nearhome.data import codes
from nearhome.metrics.dimensions import Dimension
from nearhome.metrics.measures import Population, Tables

POPULATION_COLUMNS = frozenset(
    {
        "region_code",
        "icb_code",
        "sub_icb_code",
        "gender_code",
        "ethnic_group",
        "imd_decile",
        "imd_quintile",
        "age",
    }
)
"""Facts columns a population row also has; a breakdown using only these has a
population denominator."""
OPEN_BAND_WIDTH = 10
"""Single years assumed in the open top band (``90+`` is read as 90–99)."""


def supports(dims: Sequence[Dimension]) -> bool:
    """Whether every dimension can be read from population rows."""
    return all(set(d.columns) <= POPULATION_COLUMNS for d in dims)


def range_key(population: Population) -> str:
    """Column name of one age range's count."""
    return f"pop_{population.min_age or 0}_{population.max_age or 'plus'}"


def _bands() -> Table:
    frame = codes.code_list("age_band_sets")
    frame = frame[frame["band_set"] == "five_year"]
    lower = frame["min_age"].astype("int64")
    upper = (
        frame["max_age"].fillna(frame["min_age"] + OPEN_BAND_WIDTH - 1).astype("int64")
    )
    bands = pd.DataFrame(
        {"_b_band": frame["band"].astype(str), "_b_min": lower, "_b_max": upper}
    )
    return ibis.memtable(bands)


def _ages() -> Table:
    top = 90 + OPEN_BAND_WIDTH
    return ibis.memtable(pd.DataFrame({"_a_age": list(range(top))}))


def population_rows(tables: Tables, icb: str | None = None) -> Table:
    """Population with the geography columns of a facts row and single years of age.

    LSOAs are first summed into their sub-ICB, ICB, region and IMD decile (the only
    things breakdowns read), then each five-year band is spread evenly over its single
    years, so a 30-million-row LSOA file becomes a few million rows before any
    breakdown. ``icb`` keeps only that ICB's residents.
    """
    pop = tables["population"]
    geo = tables["geography"].select(
        _g_lsoa="lsoa_code",
        _g_sub="sub_icb_code",
        _g_icb="icb_code",
        _g_region="region_code",
        _g_imd="imd_decile",
    )
    subs = (
        tables["geography"]
        .select(_s_sub="sub_icb_code", _s_icb="icb_code", _s_region="region_code")
        .distinct(on="_s_sub", keep="first")
    )
    joined = pop.left_join(geo, pop.area_code == geo._g_lsoa).left_join(
        subs, pop.area_code == subs._s_sub
    )
    areas = joined.group_by(
        year=joined.year.cast("int64"),
        sub_icb_code=ibis.coalesce(joined._g_sub, joined._s_sub),
        icb_code=ibis.coalesce(joined._g_icb, joined._s_icb),
        region_code=ibis.coalesce(joined._g_region, joined._s_region),
        imd_decile=joined._g_imd.cast("int64"),
        gender_code=joined.sex.cast("string"),
        ethnic_group=joined.ethnic_group,
        age_band=joined.age_band,
    ).aggregate(count=joined["count"].cast("float64").sum())
    if icb is not None:
        areas = areas.filter(areas.icb_code == icb)
    bands = _bands()
    banded = areas.join(bands, areas.age_band == bands._b_band)
    ages = _ages()
    spread = banded.join(
        ages, (ages._a_age >= banded._b_min) & (ages._a_age <= banded._b_max)
    )
    width = (spread._b_max - spread._b_min + 1).cast("float64")
    return spread.select(
        "year",
        "sub_icb_code",
        "icb_code",
        "region_code",
        "imd_decile",
        "gender_code",
        "ethnic_group",
        imd_quintile=((spread.imd_decile + 1) // 2).cast("int64"),
        age=spread._a_age.cast("int64"),
        count=spread["count"] / width,
    )


def population_table(
    rows: Table, dims: Sequence[Dimension], ranges: Sequence[Population]
) -> Table:
    """Population by year and breakdown level, one column per age range.

    Args:
        rows: :func:`population_rows` (usually materialised once per request).
        dims: The breakdown's dimensions (all population-capable).
        ranges: Age ranges wanted (each becomes a column named by :func:`range_key`).
    """
    keys = {"year": rows.year}
    for i, dim in enumerate(dims):
        if dim.columns:
            keys[f"level_{i}"] = dim.level(rows)
    counts = {}
    for population in dict.fromkeys(ranges):
        condition = ibis.literal(True)
        if population.min_age is not None:
            condition = condition & (rows.age >= population.min_age)
        if population.max_age is not None:
            condition = condition & (rows.age <= population.max_age)
        counts[range_key(population)] = ibis.coalesce(
            rows["count"].sum(where=condition), 0.0
        )
    return rows.group_by(**keys).aggregate(**counts)
