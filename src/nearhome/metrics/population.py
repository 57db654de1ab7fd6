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

import itertools
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


def age_segments(ranges: Sequence[Population] = ()) -> pd.DataFrame:
    """Each five-year band cut wherever an age band (of any band set) or an age range
    starts or ends, with the share of the band's people in each piece.

    No band or range boundary falls inside a piece, so one age stands for all of it
    (its first): a piece lands in the same level and range as every single year it
    holds, and spreading over pieces gives exactly what spreading over single years
    gives, with about a quarter of the rows.
    """
    sets = codes.code_list("age_band_sets")
    cuts = {int(a) for a in sets["min_age"].dropna()}
    cuts |= {int(a) + 1 for a in sets["max_age"].dropna()}
    for population in ranges:
        if population.min_age is not None:
            cuts.add(population.min_age)
        if population.max_age is not None:
            cuts.add(population.max_age + 1)
    pieces = []
    five = sets[sets["band_set"] == "five_year"]
    for band, low, high in zip(
        five["band"], five["min_age"], five["max_age"], strict=True
    ):
        first = int(low)
        end = int(high) + 1 if not pd.isna(high) else first + OPEN_BAND_WIDTH
        points = sorted({first, end} | {c for c in cuts if first < c < end})
        for start, stop in itertools.pairwise(points):
            pieces.append((str(band), start, (stop - start) / (end - first)))
    return pd.DataFrame(pieces, columns=["_b_band", "_b_age", "_b_share"])


def population_rows(
    tables: Tables, icb: str | None = None, ranges: Sequence[Population] = ()
) -> Table:
    """Population with the geography columns of a facts row and an ``age``.

    LSOAs are first summed into their sub-ICB, ICB, region and IMD decile (the only
    things breakdowns read), then each five-year band is spread evenly over the pieces
    of :func:`age_segments` (the band's single years, merged where no age band or
    ``ranges`` boundary separates them), so a 30-million-row LSOA file becomes about a
    million rows before any breakdown. ``icb`` keeps only that ICB's residents.
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
    segments = ibis.memtable(age_segments(ranges))
    spread = areas.join(segments, areas.age_band == segments._b_band)
    return spread.select(
        "year",
        "sub_icb_code",
        "icb_code",
        "region_code",
        "imd_decile",
        "gender_code",
        "ethnic_group",
        imd_quintile=((spread.imd_decile + 1) // 2).cast("int64"),
        age=spread._b_age.cast("int64"),
        count=spread["count"] * spread._b_share.cast("float64"),
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
