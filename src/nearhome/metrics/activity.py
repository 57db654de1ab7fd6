"""Admissions, discharges and people in hospital (MHS27, MHS28, MHS07, MHS106, ADDSTART...).

Three facts tables, one per event, so each row's ward, bed type and legal status are
read on the right day: admissions on the admission date (the first ward stay, as MHS27a
does), discharges on the discharge date (the last ward stay) and spells open at the
period end on its last day.
"""

from __future__ import annotations

from ibis.expr.types import Table

from nearhome.data import codes
from nearhome.metrics import dimensions
from nearhome.metrics.attributes import person_columns, person_first, ward_stay_at
from nearhome.metrics.calendar import days_between, joined_on_day, open_at_end
from nearhome.metrics.define import metric
from nearhome.metrics.measures import (
    Composite,
    Count,
    Distinct,
    FactMeasure,
    Facts,
    Population,
    Tables,
    Wanted,
    wants,
)
from nearhome.metrics.spells import spell_outcomes

PERIOD = ("period_start", "period_end", "period_last")
SPELL_KEYS = ("spell_id", "person_id", "provider_code")


def adult_acute() -> tuple[str, ...]:
    """Bed types of the OAP publication's 'adult acute' (200, 201, 202)."""
    return tuple(
        str(c) for c in codes.bed_groupings("oap_adult_acute")["bed_type_code"]
    )


def spell_dimensions() -> tuple[str, ...]:
    """Breakdowns of spell-based facts (the person, provider, ward on the day, legal status)."""
    return (
        "all",
        *dimensions.person(),
        *dimensions.provider(),
        *dimensions.place(),
        "area",
        "legal_status_group",
        "distance_band",
        "distance_50km",
    )


def admission_rows(tables: Tables, periods: Table, wanted: Wanted = None) -> Table:
    """One row per admission in a period, with the ward stay it started on."""
    spell = tables["spell"]
    rows = joined_on_day(spell, "admission_date", periods)
    rows = rows.select(
        *PERIOD,
        *SPELL_KEYS,
        "is_transfer_in",
        "is_oap",
        "is_inappropriate_oap",
        anchor_date=rows.admission_date,
    )
    return ward_stay_at(rows, tables, ["spell_id", "period_start"], wanted)


def discharge_rows(tables: Tables, periods: Table, wanted: Wanted = None) -> Table:
    """One row per discharge in a period, with LOS, readmission and CRFD columns."""
    spell = spell_outcomes(
        tables,
        readmissions=wants(wanted, "is_readmission_index", "days_to_readmission"),
        crfd=wants(wanted, "los_less_crfd_days"),
    )
    rows = joined_on_day(spell, "discharge_date", periods)
    los = rows.los_days.cast("int64")
    rows = rows.select(
        *PERIOD,
        *SPELL_KEYS,
        "is_readmission_index",
        "days_to_readmission",
        anchor_date=rows.discharge_date,
        los_days=los,
        los_less_crfd_days=(los - rows.crfd_days).clip(lower=0),
    )
    return ward_stay_at(rows, tables, ["spell_id", "period_start"], wanted)


def open_spell_rows(tables: Tables, periods: Table, wanted: Wanted = None) -> Table:
    """One row per spell open at a period's end, with its length of stay so far."""
    spell = person_first(tables["spell"], tables, wanted)
    rows = spell.join(
        periods, open_at_end(spell.admission_date, spell.discharge_date, periods)
    )
    rows = rows.select(
        *PERIOD,
        *SPELL_KEYS,
        *person_columns(rows),
        anchor_date=rows.period_last,
        los_so_far_days=days_between(rows.period_end, rows.admission_date),
    )
    return ward_stay_at(rows, tables, ["spell_id", "period_start"], wanted)


ADMISSIONS = Facts(
    "admissions",
    admission_rows,
    spell_dimensions(),
    description="one row per admission in a period",
)
DISCHARGES = Facts(
    "discharges",
    discharge_rows,
    spell_dimensions(),
    description="one row per discharge in a period",
)
OPEN_SPELLS = Facts(
    "open_spells",
    open_spell_rows,
    spell_dimensions(),
    description="one row per spell open at a period's end",
)


def _acute(t: Table) -> object:
    return t.bed_type_code.isin(adult_acute())


metric(
    "activity.admissions",
    title="Admissions",
    unit="spells",
    mhsds_id="MHS27",
    definition="Hospital spells whose admission date falls in the period (not de-duplicated to people).",
    numerator="spells admitted in the period",
    computation=FactMeasure(ADMISSIONS, Count()),
)
metric(
    "activity.new_admissions",
    title="New admissions (excluding transfers from another inpatient setting)",
    unit="spells",
    definition=(
        "Admissions in the period except those whose source is another mental health or "
        "learning disability inpatient setting (admission source 49, 53 or 87), the "
        "exclusion MHS106 applies, here for every bed type."
    ),
    numerator="spells admitted in the period that are not transfers in",
    computation=FactMeasure(ADMISSIONS, Count(lambda t: ~t.is_transfer_in)),
    is_local=True,
)
metric(
    "activity.acute_new_admissions",
    title="Acute admissions (excluding transfers)",
    unit="spells",
    mhsds_id="MHS106",
    definition=(
        "Admissions in the period whose first ward stay is adult acute, older adult acute "
        "or adult PICU (v6 200, 201, 202), excluding transfers from another mental health "
        "inpatient setting (admission source 49, 53, 87)."
    ),
    numerator="acute spells admitted in the period that are not transfers in",
    computation=FactMeasure(ADMISSIONS, Count(lambda t: ~t.is_transfer_in & _acute(t))),
    caveats=("MHS106 is published quarterly; it is computed here for any frequency.",),
)
metric(
    "activity.admissions_adult_acute",
    title="Admissions to adult acute beds",
    unit="spells",
    mhsds_id="ADDSTARTa",
    definition=(
        "Admissions in the period whose first ward stay is on an adult acute bed "
        "(v6 200, 201, 202): the denominator of OAP08a."
    ),
    numerator="spells admitted to adult acute beds in the period",
    computation=FactMeasure(ADMISSIONS, Count(_acute)),
)
metric(
    "activity.discharges",
    title="Discharges",
    unit="spells",
    mhsds_id="MHS28",
    definition="Hospital spells whose discharge date falls in the period.",
    numerator="spells discharged in the period",
    computation=FactMeasure(DISCHARGES, Count()),
)
metric(
    "activity.discharges_adult_acute",
    title="Discharges from adult acute beds",
    unit="spells",
    mhsds_id="DISCHa",
    definition=(
        "Discharges in the period whose last ward stay is on an adult acute bed "
        "(v6 200, 201, 202): the denominator of OAP11a."
    ),
    numerator="spells discharged from adult acute beds in the period",
    computation=FactMeasure(DISCHARGES, Count(_acute)),
)
metric(
    "activity.open_spells",
    title="Spells open at the end of the period",
    unit="spells",
    mhsds_id="ADDACTIVE",
    definition=(
        "Hospital spells admitted by the period's last day and not discharged by it "
        "(discharge date missing or after the last day)."
    ),
    numerator="spells open at the end of the period",
    computation=FactMeasure(OPEN_SPELLS, Count()),
)
metric(
    "activity.open_spells_adult_acute",
    title="Spells open at the end of the period, adult acute beds",
    unit="spells",
    mhsds_id="ADDACTIVEa",
    definition=(
        "Spells open at the end of the period whose ward stay on the last day is on an "
        "adult acute bed (v6 200, 201, 202): the denominator of OAP10a."
    ),
    numerator="adult acute spells open at the end of the period",
    computation=FactMeasure(OPEN_SPELLS, Count(_acute)),
)
metric(
    "activity.people_in_hospital",
    title="People in hospital at the end of the period",
    unit="people",
    mhsds_id="MHS07",
    definition="Distinct people with a hospital spell open at the end of the period.",
    numerator="people with a spell open at the end of the period",
    computation=FactMeasure(OPEN_SPELLS, Distinct("person_id")),
    caveats=(
        "MHS07 also requires an open referral in the month's submission; only the open spell is required here.",
    ),
)
metric(
    "activity.admissions_per_100k",
    title="Admissions per 100,000 population",
    unit="per_100k",
    definition=(
        "Admissions (MHS27) per 100,000 residents of the breakdown level (all ages), using "
        "the population of the calendar year in which the period ends."
    ),
    numerator="spells admitted in the period",
    denominator="resident population, all ages",
    computation=Composite("activity.admissions", Population()),
    scale=100_000,
    is_local=True,
    caveats=(
        "Population breakdowns only: region, ICB, sub-ICB, age, gender, ethnic group and IMD.",
    ),
)
