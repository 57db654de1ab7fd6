"""Capacity: available beds, available and unoccupied bed days, and occupancy by ward.

Facts: one row per ward per period. Available bed days are the provider's MHS903
``AvailBedDays`` for the ward-months it submitted them (v6, from April 2024), and for
other months the beds in the ward register (``wards.csv``, ``valid_from`` inclusive,
``valid_to`` exclusive) times the days they were valid. Occupied bed days are the
MHS24 bed days of ward stays on the ward. Occupancy is occupied ÷ available bed days.
Capacity belongs to places, so these measures break down by ward, site, provider, bed
type and the site's ICB, and an ICB scope selects the wards on its sites.
"""

from __future__ import annotations

import ibis
from ibis.expr.types import Table, Value

from nearhome.metrics import dimensions
from nearhome.metrics.calendar import days_between, joined_on_day, touches
from nearhome.metrics.define import metric
from nearhome.metrics.intervals import OPEN_END
from nearhome.metrics.measures import FactMeasure, Facts, Tables, Total, Wanted

PERIOD = ("period_start", "period_end", "period_last")
PARTS = (
    "register_days",
    "beds_at_end",
    "submitted_days",
    "register_days_submitted",
    "closed_bed_days",
    "occupied_bed_days",
)
CAPACITY_CAVEAT = "Capacity figures describe wards, not people, and are not suppressed by disclosure control."


def _overlap(start: Value, end: Value, lower: Value, upper: Value) -> Value:
    low = ibis.greatest(start, lower)
    high = ibis.least(ibis.coalesce(end, OPEN_END), upper)
    return ibis.greatest(days_between(high, low), 0)


def _part(rows: Table, **values: Value) -> Table:
    columns = {name: ibis.literal(0).cast("int64") for name in PARTS}
    columns |= {name: value.cast("int64") for name, value in values.items()}
    return rows.select(*PERIOD, "provider_code", "ward_code", **columns)


def _register(tables: Tables, periods: Table) -> Table:
    ward = tables["ward"]
    rows = ward.join(periods, touches(ward.valid_from, ward.valid_to, periods))
    valid_at_end = (rows.valid_from <= rows.period_last) & (
        rows.valid_to.isnull() | (rows.valid_to > rows.period_last)
    )
    return _part(
        rows,
        register_days=rows.beds
        * _overlap(rows.valid_from, rows.valid_to, rows.period_start, rows.period_end),
        beds_at_end=ibis.ifelse(valid_at_end, rows.beds, 0),
    )


def _submitted(tables: Tables, periods: Table) -> Table:
    months = tables["ward_month"]
    months = months.filter(months.available_bed_days.notnull())
    rows = joined_on_day(months, "month_start", periods)
    ward = tables["ward"].select(
        _w_provider="provider_code",
        _w_ward="ward_code",
        _w_from="valid_from",
        _w_to="valid_to",
        _w_beds="beds",
    )
    joined = rows.left_join(
        ward,
        (rows.provider_code == ward._w_provider) & (rows.ward_code == ward._w_ward),
    )
    month_end = joined.month_start + ibis.interval(months=1)
    days = joined._w_beds * _overlap(
        joined._w_from, joined._w_to, joined.month_start, month_end
    )
    register = joined.group_by(
        *PERIOD,
        "provider_code",
        "ward_code",
        "month_start",
        "available_bed_days",
        "closed_bed_days",
    ).aggregate(_reg=days.sum())
    return _part(
        register,
        submitted_days=register.available_bed_days,
        register_days_submitted=ibis.coalesce(register._reg, 0),
        closed_bed_days=ibis.coalesce(register.closed_bed_days, 0),
    )


def _occupied(tables: Tables, periods: Table) -> Table:
    ws = tables["ward_stay"]
    rows = ws.join(periods, touches(ws.start_date, ws.end_date, periods))
    days = _overlap(rows.start_date, rows.end_date, rows.period_start, rows.period_end)
    return _part(rows, occupied_bed_days=days)


def _ward_attributes(tables: Tables) -> Table:
    ward = tables["ward"]
    window = ibis.window(
        group_by=[ward.provider_code, ward.ward_code],
        order_by=ibis.desc(ward.valid_from),
    )
    latest = ward.mutate(_rank=ibis.row_number().over(window))
    latest = latest.filter(latest._rank == 0).select(
        _a_provider="provider_code",
        _a_ward="ward_code",
        _a_site="site_code",
        _a_bed="bed_type_code",
    )
    months = tables["ward_month"]
    sites = months.group_by(
        _m_provider=months.provider_code, _m_ward=months.ward_code
    ).aggregate(_m_site=months.site_code.max())
    return latest.outer_join(
        sites,
        (latest._a_provider == sites._m_provider) & (latest._a_ward == sites._m_ward),
    ).select(
        _k_provider=ibis.coalesce(latest._a_provider, sites._m_provider),
        _k_ward=ibis.coalesce(latest._a_ward, sites._m_ward),
        _k_site=ibis.coalesce(latest._a_site, sites._m_site),
        _k_bed=latest._a_bed,
    )


def ward_rows(tables: Tables, periods: Table, _wanted: Wanted = None) -> Table:
    """One row per ward per period with available, closed and occupied bed days."""
    parts = ibis.union(
        _register(tables, periods),
        _submitted(tables, periods),
        _occupied(tables, periods),
        distinct=False,
    )
    summed = parts.group_by(*PERIOD, "provider_code", "ward_code").aggregate(
        **{name: parts[name].sum() for name in PARTS}
    )
    available = (
        summed.register_days - summed.register_days_submitted + summed.submitted_days
    )
    wards = _ward_attributes(tables)
    joined = summed.left_join(
        wards,
        (summed.provider_code == wards._k_provider)
        & (summed.ward_code == wards._k_ward),
    )
    stays = tables["ward_stay"]
    stays_site = stays.group_by(
        _s_provider="provider_code", _s_ward="ward_code"
    ).aggregate(_s_site=stays.site_code.max(), _s_bed=stays.bed_type_code.max())
    joined = joined.left_join(
        stays_site,
        (joined.provider_code == stays_site._s_provider)
        & (joined.ward_code == stays_site._s_ward),
    )
    return joined.select(
        *PERIOD,
        "provider_code",
        "ward_code",
        "beds_at_end",
        "closed_bed_days",
        "occupied_bed_days",
        site_code=ibis.coalesce(joined._k_site, joined._s_site),
        bed_type_code=ibis.coalesce(joined._k_bed, joined._s_bed),
        available_bed_days=available,
        unoccupied_bed_days=available - joined.occupied_bed_days,
    )


WARDS = Facts(
    "wards",
    ward_rows,
    ("all", *dimensions.provider(), *dimensions.place()),
    scope="site_icb_code",
    description="one row per ward per period",
)

metric(
    "occupancy.available_beds",
    title="Available beds at the end of the period",
    unit="beds",
    definition="Beds in the ward register valid on the period's last day.",
    numerator="beds available on the last day",
    computation=FactMeasure(WARDS, Total("beds_at_end")),
    disclosive=False,
    caveats=(CAPACITY_CAVEAT,),
)
metric(
    "occupancy.available_bed_days",
    title="Available bed days",
    unit="days",
    definition=(
        "MHS903 available bed days for the ward-months submitted; for other months, the "
        "register's beds times the days they were valid in the period."
    ),
    numerator="available bed days in the period",
    computation=FactMeasure(WARDS, Total("available_bed_days")),
    disclosive=False,
    caveats=(CAPACITY_CAVEAT,),
)
metric(
    "occupancy.closed_bed_days",
    title="Closed bed days",
    unit="days",
    definition="MHS903 closed bed days of the ward-months submitted in the period.",
    numerator="closed bed days in the period",
    computation=FactMeasure(WARDS, Total("closed_bed_days")),
    disclosive=False,
    caveats=(CAPACITY_CAVEAT, "Only submitted from MHSDS v6 (April 2024)."),
)
metric(
    "occupancy.occupied_bed_days",
    title="Occupied bed days by ward",
    unit="days",
    definition="MHS24 bed days of the ward stays on each ward in the period.",
    numerator="occupied bed days in the period",
    computation=FactMeasure(WARDS, Total("occupied_bed_days")),
    disclosive=False,
    caveats=(CAPACITY_CAVEAT,),
)
metric(
    "occupancy.unoccupied_bed_days",
    title="Unoccupied bed days",
    unit="days",
    definition="Available bed days minus occupied bed days (negative when a ward was over-occupied).",
    numerator="available less occupied bed days",
    computation=FactMeasure(WARDS, Total("unoccupied_bed_days")),
    disclosive=False,
    caveats=(CAPACITY_CAVEAT,),
)
metric(
    "occupancy.occupancy_pct",
    title="Bed occupancy",
    unit="pct",
    definition="Occupied bed days as a percentage of available bed days.",
    numerator="occupied bed days in the period",
    denominator="available bed days in the period",
    computation=FactMeasure(
        WARDS, Total("occupied_bed_days"), Total("available_bed_days")
    ),
    scale=100,
    disclosive=False,
    caveats=(CAPACITY_CAVEAT,),
)
