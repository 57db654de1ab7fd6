"""Restrictive interventions: people (MHS76), interventions (MHS77), incidents (MHS136),
interventions per 1,000 occupied bed days (MHS96) and the share of people in hospital
subject to one (MHS97); by type and type group, duration band and injury.

Facts: one row per intervention type within an incident per period it touches (started
by the period's last day and ended on or after its first day, or still going), as the
publication counts interventions "with start or end in the period or still open". An
intervention is an (incident, type) pair. The ward is read on the day it started.
"""

from __future__ import annotations

from typing import Final

import ibis
from ibis.expr.types import StringValue, Table

from nearhome.metrics import bed_days, dimensions
from nearhome.metrics.attributes import ward_stay_at
from nearhome.metrics.calendar import joined_on_interval
from nearhome.metrics.define import metric
from nearhome.metrics.measures import (
    Composite,
    Distinct,
    FactMeasure,
    Facts,
    Tables,
    Wanted,
)

PERIOD = ("period_start", "period_end", "period_last")
RI_DIMENSIONS = ("ri_type", "ri_type_group", "ri_duration_band", "ri_injury")
DAY: Final = 24 * 60
DURATION_BANDS: Final = {
    "seclusion": (
        (DAY, "0-24 Hours"),
        (3 * DAY, "24-72 Hours"),
        (7 * DAY, "72 Hours-7 Days"),
        (14 * DAY, "1-2 Weeks"),
        (28 * DAY, "2-4 Weeks"),
        (91 * DAY, "1-3 Months"),
        (None, "3 Months+"),
    ),
    "segregation": (
        (30 * DAY, "0-1 Months"),
        (91 * DAY, "1-3 Months"),
        (182 * DAY, "3-6 Months"),
        (365 * DAY, "6-12 Months"),
        (None, "12 Months+"),
    ),
    "other": (
        (10, "0-10 Minutes"),
        (30, "11-30 Minutes"),
        (60, "31-60 Minutes"),
        (None, "60+ Minutes"),
    ),
}
"""The publication's duration bands; each band includes its upper limit (minutes)."""


def duration_band(t: Table) -> StringValue:
    """The duration band of each intervention (``Ongoing`` while it has no end)."""
    minutes = t.duration_minutes
    branches = [(minutes.isnull(), ibis.literal("Ongoing"))]
    for group, bands in DURATION_BANDS.items():
        in_group = (
            t.type_group == group
            if group != "other"
            else ~t.type_group.isin(["seclusion", "segregation"])
        )
        for upper, label in bands:
            condition = in_group if upper is None else in_group & (minutes <= upper)
            branches.append((condition, ibis.literal(label)))
    return ibis.cases(*branches, else_=ibis.literal(dimensions.UNKNOWN))  # type: ignore[no-any-return]


def intervention_rows(tables: Tables, periods: Table, wanted: Wanted = None) -> Table:
    """One row per intervention per period it touches."""
    ri = tables["restrictive_intervention"]
    ended = ri.end_at.cast("date")
    rows = joined_on_interval(ri, "start_date", ended, periods)
    rows = rows.select(
        *PERIOD,
        "ri_id",
        "incident_id",
        "spell_id",
        "person_id",
        "provider_code",
        "type_code",
        "type_group",
        "has_injury",
        "intervention_records",
        intervention_key=rows.incident_id.concat(":", rows.type_code),
        duration_band=duration_band(rows),
        anchor_date=rows.start_date,
    )
    return ward_stay_at(rows, tables, ["ri_id", "period_start"], wanted)


INTERVENTIONS = Facts(
    "restrictive_interventions",
    intervention_rows,
    (
        "all",
        *dimensions.person(),
        *dimensions.provider(),
        *dimensions.place(),
        "area",
        "legal_status_group",
        *RI_DIMENSIONS,
    ),
    description="one row per intervention (incident and type) per period it touches",
)

PEOPLE = metric(
    "restrictive.people",
    title="People subject to restrictive interventions",
    unit="people",
    mhsds_id="MHS76",
    definition="Distinct people subject to a restrictive intervention during the period.",
    numerator="people with a restrictive intervention in the period",
    computation=FactMeasure(INTERVENTIONS, Distinct("person_id")),
)
COUNT = metric(
    "restrictive.interventions",
    title="Restrictive interventions",
    unit="interventions",
    mhsds_id="MHS77",
    definition="Restrictive interventions during the period: distinct pairs of incident and intervention type.",
    numerator="interventions in the period",
    computation=FactMeasure(
        INTERVENTIONS,
        Distinct("intervention_key", single=lambda t: t.intervention_records == 1),
    ),
)
metric(
    "restrictive.incidents",
    title="Restrictive intervention incidents",
    unit="incidents",
    mhsds_id="MHS136",
    definition="Distinct restrictive intervention incidents during the period (an incident may use several types).",
    numerator="incidents in the period",
    computation=FactMeasure(INTERVENTIONS, Distinct("incident_id")),
)
metric(
    "restrictive.per_1000_bed_days",
    title="Restrictive interventions per 1,000 occupied bed days",
    unit="per_1000_bed_days",
    mhsds_id="MHS96",
    definition="MHS77 restrictive interventions per 1,000 occupied bed days (MHS24) of the same breakdown level.",
    numerator="interventions in the period",
    denominator="occupied bed days in the period (MHS24)",
    computation=Composite(COUNT.id, bed_days.OCCUPIED.id, broadcast=RI_DIMENSIONS),
    scale=1000,
    caveats=(
        "The publication's denominator is hospital-spell bed days; ward-stay bed days are the same total when ward stays cover the spell.",
        "By intervention type, band or injury the denominator is all bed days of the other levels.",
    ),
)
metric(
    "restrictive.people_pct",
    title="Share of people in hospital subject to restrictive interventions",
    unit="pct",
    mhsds_id="MHS97",
    definition="MHS76 people as a percentage of the people in hospital at any time during the period.",
    numerator="people with a restrictive intervention in the period",
    denominator="people with a ward stay in the period",
    computation=Composite(
        PEOPLE.id, "bed_days.people_in_hospital_during", broadcast=RI_DIMENSIONS
    ),
    scale=100,
)
