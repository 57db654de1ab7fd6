"""Occupied bed days (MHS24), bed days less leave (MHS25), and ward stays open at the end.

Facts: one row per ward stay per period it touches. A bed day is a midnight in
hospital: the ward stay's start day counts, its end day does not, an open stay runs to
the end of the period (MHS24 is ward-stay based). Home leave and leave of absence days
inside the stay and the period are subtracted for MHS25. Detained days intersect the
stay with merged Mental Health Act detention periods.
"""

from __future__ import annotations

import ibis
from ibis.expr.types import Table, Value

from nearhome.data import codes
from nearhome.metrics import dimensions
from nearhome.metrics.attributes import person_columns, person_first
from nearhome.metrics.calendar import days_between, open_at_end, touches
from nearhome.metrics.define import metric
from nearhome.metrics.intervals import OPEN_END, merged
from nearhome.metrics.measures import (
    Count,
    Distinct,
    FactMeasure,
    Facts,
    Tables,
    Total,
    Wanted,
    wants,
)

LEAVE_KINDS = ("home_leave", "leave_of_absence")
"""Leave subtracted for MHS25 (AWOL is not subtracted)."""


def _overlap(starts: list[Value], ends: list[Value]) -> Value:
    lower = ibis.greatest(*starts)
    upper = ibis.least(*[ibis.coalesce(e, OPEN_END) for e in ends])
    return ibis.greatest(days_between(upper, lower), 0)


def _leave_days(tables: Tables, stays: Table) -> Table:
    leave = tables["leave"]
    leave = leave.filter(leave.kind.isin(LEAVE_KINDS)).select(
        _l_stay="ward_stay_id", _l_start="start_date", _l_end="end_date"
    )
    joined = stays.join(leave, stays.ward_stay_id == leave._l_stay)
    days = _overlap(
        [joined._l_start, joined.start_date, joined.period_start],
        [joined._l_end, joined.end_date, joined.period_end],
    )
    return joined.group_by(
        _k_stay=joined.ward_stay_id, _k_period=joined.period_start
    ).aggregate(leave_days=days.sum())


def _detained_days(tables: Tables, stays: Table) -> Table:
    mha = tables["mha_period"]
    detentions = mha.filter(mha.legal_status_group == "detention")
    islands = merged(
        detentions, ["person_id"], "start_date", "end_date", "mha_id"
    ).select(_d_person="person_id", _d_start="start_date", _d_end="end_date")
    joined = stays.join(
        islands,
        (stays.person_id == islands._d_person)
        & (islands._d_start < ibis.coalesce(stays.end_date, OPEN_END))
        & (ibis.coalesce(islands._d_end, OPEN_END) > stays.start_date),
    )
    days = _overlap(
        [joined._d_start, joined.start_date, joined.period_start],
        [joined._d_end, joined.end_date, joined.period_end],
    )
    return joined.group_by(
        _k_stay=joined.ward_stay_id, _k_period=joined.period_start
    ).aggregate(detained_days=days.sum())


def ward_stay_rows(tables: Tables, periods: Table, wanted: Wanted = None) -> Table:
    """One row per ward stay per period it touches, with its bed days in the period.

    Leave and detained days are looked up only when read (they are most of the cost).
    """
    ws = person_first(tables["ward_stay"], tables, wanted)
    stays = ws.join(periods, touches(ws.start_date, ws.end_date, periods))
    stays = stays.mutate(
        bed_days=_overlap(
            [stays.start_date, stays.period_start], [stays.end_date, stays.period_end]
        ),
        is_open_at_end=open_at_end(stays.start_date, stays.end_date, stays),
    )
    extras = []
    if wants(wanted, "leave_days", "net_days"):
        extras.append(_leave_days(tables, stays))
    if wants(wanted, "detained_days"):
        extras.append(_detained_days(tables, stays))
    for extra in extras:
        stays = stays.left_join(
            extra,
            (stays.ward_stay_id == extra._k_stay)
            & (stays.period_start == extra._k_period),
        ).drop("_k_stay", "_k_period")
    leave = stays.leave_days if "leave_days" in stays.columns else ibis.literal(0)
    detained = (
        stays.detained_days if "detained_days" in stays.columns else ibis.literal(0)
    )
    return stays.select(
        "period_start",
        "period_end",
        "period_last",
        "ward_stay_id",
        "spell_id",
        "person_id",
        "provider_code",
        "ward_code",
        "site_code",
        "bed_type_code",
        "distance_home_km",
        "site_icb_code",
        "bed_days",
        "is_open_at_end",
        *person_columns(stays),
        leave_days=ibis.coalesce(leave, 0),
        net_days=ibis.greatest(stays.bed_days - ibis.coalesce(leave, 0), 0),
        detained_days=ibis.coalesce(detained, 0),
    )


WARD_STAYS = Facts(
    "ward_stays",
    ward_stay_rows,
    (
        "all",
        *dimensions.person(),
        *dimensions.provider(),
        *dimensions.place(),
        "area",
        "distance_band",
        "distance_50km",
    ),
    description="one row per ward stay per period it touches",
)


def _adult_acute() -> tuple[str, ...]:
    return tuple(
        str(c) for c in codes.bed_groupings("oap_adult_acute")["bed_type_code"]
    )


OCCUPIED = metric(
    "bed_days.occupied",
    title="Occupied bed days",
    unit="days",
    mhsds_id="MHS24",
    definition=(
        "Midnights spent on a ward during the period, summed over every ward stay of every "
        "age and bed type: from the later of the stay's start and the period's start, up to "
        "the earlier of the stay's end and the period's end. The admission day counts, the "
        "discharge day does not; a stay still open counts to the period's last day."
    ),
    numerator="bed days in the period",
    computation=FactMeasure(WARD_STAYS, Total("bed_days")),
)

metric(
    "bed_days.occupied_less_leave",
    title="Occupied bed days less home leave and leave of absence",
    unit="days",
    mhsds_id="MHS25",
    definition=(
        "MHS24 bed days minus the days of home leave and of leave of absence falling "
        "inside the stay and the period (counted by the same midnight rule). Absence "
        "without leave is not subtracted."
    ),
    numerator="bed days in the period less leave days",
    computation=FactMeasure(WARD_STAYS, Total("net_days")),
)

metric(
    "bed_days.occupied_adult_acute",
    title="Occupied bed days, adult acute beds",
    unit="days",
    mhsds_id="BEDDAYSa",
    definition=(
        "MHS24 bed days on ward stays whose bed type is adult acute, older adult acute or "
        "adult PICU (v6 200, 201, 202; the OAP publication's 'adult acute' grouping): the "
        "denominator of OAP09a."
    ),
    numerator="bed days on adult acute beds in the period",
    computation=FactMeasure(
        WARD_STAYS, Total("bed_days", lambda t: t.bed_type_code.isin(_adult_acute()))
    ),
)

metric(
    "bed_days.people_in_hospital_during",
    title="People in hospital during the period",
    unit="people",
    definition=(
        "Distinct people with a ward stay touching the period (including same-day stays): "
        "the denominator of the share of people subject to restrictive interventions (MHS97)."
    ),
    numerator="people with a ward stay in the period",
    computation=FactMeasure(WARD_STAYS, Distinct("person_id")),
    caveats=(
        "MHS97's published denominator also needs an open referral; referrals are not required here.",
    ),
)

metric(
    "bed_days.open_ward_stays",
    title="Ward stays open at the end of the period",
    unit="ward_stays",
    mhsds_id="MHS21",
    definition=(
        "Ward stays started by the period's last day and not ended by it (end date missing "
        "or after the last day)."
    ),
    numerator="ward stays open at the end of the period",
    computation=FactMeasure(WARD_STAYS, Count(lambda t: t.is_open_at_end)),
)
