"""Discharge readiness: people clinically ready for discharge (CRFD), CRFD episodes and
CRFD days (MHS26) by reason, reason group and who the delay is attributable to.

Facts: one row per CRFD period per reporting period it touches (v5 delayed discharges
and v6 CRFD periods, already harmonised to v6 reason codes at load; periods starting
and ending on the same day are left out, as the publication does). Days follow the
MHS26 rule (:mod:`nearhome.metrics.crfd_days`). The ward and bed type are read on the
period's last day or the CRFD period's end, whichever is earlier.
"""

from __future__ import annotations

import ibis
from ibis.expr.types import Table

from nearhome.metrics import bed_days, dimensions
from nearhome.metrics.attributes import person_columns, person_first, ward_stay_at
from nearhome.metrics.calendar import in_period, open_at_end, touches
from nearhome.metrics.crfd_days import crfd_days, ranked_crfd
from nearhome.metrics.define import metric
from nearhome.metrics.measures import (
    Composite,
    Count,
    Distinct,
    FactMeasure,
    Facts,
    Tables,
    Total,
    Wanted,
)

PERIOD = ("period_start", "period_end", "period_last")
REASON_DIMENSIONS = ("crfd_reason", "crfd_reason_group", "crfd_attributable_to")


def crfd_rows(tables: Tables, periods: Table, wanted: Wanted = None) -> Table:
    """One row per CRFD period per reporting period it touches, with its MHS26 days."""
    ranked = ranked_crfd(tables)
    spell = tables["spell"].select(_s_id="spell_id", _s_discharge="discharge_date")
    ranked = ranked.left_join(spell, ranked.spell_id == spell._s_id)
    ranked = person_first(ranked, tables, wanted)
    rows = ranked.join(periods, touches(ranked.start_date, ranked.end_date, periods))
    spell_open = rows._s_discharge.isnull() | (rows._s_discharge > rows.period_last)
    rows = rows.select(
        *PERIOD,
        "crfd_id",
        "spell_id",
        "person_id",
        "provider_code",
        "reason_code",
        "reason_group",
        "attributable_to_code",
        *person_columns(rows),
        anchor_date=ibis.least(
            rows.period_last, ibis.coalesce(rows.end_date, rows.period_last)
        ),
        crfd_days=crfd_days(rows, rows.period_start, rows.period_end),
        is_started=in_period(rows.start_date, rows),
        is_ended=in_period(rows.end_date, rows),
        is_open_at_end=open_at_end(rows.start_date, rows.end_date, rows) & spell_open,
    )
    return ward_stay_at(rows, tables, ["crfd_id", "period_start"], wanted)


CRFD = Facts(
    "crfd_periods",
    crfd_rows,
    (
        "all",
        *dimensions.person(),
        *dimensions.provider(),
        *dimensions.place(),
        "area",
        "legal_status_group",
        *REASON_DIMENSIONS,
    ),
    description="one row per CRFD period per reporting period it touches",
)

metric(
    "delayed_discharge.people_at_end",
    title="People clinically ready for discharge at the end of the period",
    unit="people",
    definition=(
        "Distinct people in hospital at the end of the period (spell open) with a CRFD "
        "period open then: started by the last day and not ended by it."
    ),
    numerator="people in hospital and CRFD at the end of the period",
    computation=FactMeasure(CRFD, Distinct("person_id", lambda t: t.is_open_at_end)),
    caveats=(
        "No MHSDS publication measure; as NHS England's acute dashboard 'open and CRFD at period end'.",
    ),
)
metric(
    "delayed_discharge.episodes_started",
    title="CRFD episodes started",
    unit="episodes",
    definition="CRFD periods whose start date falls in the period.",
    numerator="CRFD periods started in the period",
    computation=FactMeasure(CRFD, Count(lambda t: t.is_started)),
    caveats=(
        "A delay resubmitted from v5 MHS504 to v6 MHS518 with the same start is one episode.",
    ),
)
metric(
    "delayed_discharge.episodes_ended",
    title="CRFD episodes ended",
    unit="episodes",
    definition="CRFD periods whose end date falls in the period.",
    numerator="CRFD periods ended in the period",
    computation=FactMeasure(CRFD, Count(lambda t: t.is_ended)),
)
CRFD_DAYS = metric(
    "delayed_discharge.crfd_days",
    title="Days clinically ready for discharge",
    unit="days",
    mhsds_id="MHS26",
    definition=(
        "Days of delayed discharge in the period, by the MHS26 rule: from the period's "
        "start if the CRFD period began earlier, else from the day after it began (from "
        "its start day when it continues the spell's previous CRFD period within a day), "
        "up to its end date or to the period's end if still open."
    ),
    numerator="CRFD days in the period",
    computation=FactMeasure(CRFD, Total("crfd_days")),
    caveats=(
        "The publication ranks CRFD periods within one month's submission; here within the spell's whole history.",
    ),
)
metric(
    "delayed_discharge.crfd_bed_days_pct",
    title="Share of occupied bed days that were CRFD",
    unit="pct",
    definition="CRFD days (MHS26) as a percentage of occupied bed days (MHS24).",
    numerator="CRFD days in the period",
    denominator="occupied bed days in the period (MHS24)",
    computation=Composite(
        CRFD_DAYS.id, bed_days.OCCUPIED.id, broadcast=REASON_DIMENSIONS
    ),
    scale=100,
    caveats=(
        "By reason, reason group or attributable-to, the denominator is all bed days of the other levels.",
    ),
)
