"""Out-of-area placements (OAP01–OAP11 and their adult acute "a" variants), distance
from home (MHS22) and placements outside the person's own ICB (local).

A placement is a referral recorded by the *receiving* provider with an out-of-area
reason (``ReasonOAT`` 10–15); it is *inappropriate* when the reason is 10 (no bed
available at the referring organisation). As in the publication, overlapping OAP
referrals of the same person (and the same appropriateness) are merged into one
placement, which starts when the first is received and ends when the last closes.
Started, active at the period end and ended count placements; bed days are the days of
the placement's hospital spells inside the placement and the period. The "a" variants
keep placements on adult acute beds (v6 200, 201, 202) at the start, on the last day,
at the end, or on the day, respectively. Each placement's ward (and so bed type,
distance and site ICB) is read on the day that matters.
"""

from __future__ import annotations

from collections.abc import Callable

import ibis
from ibis.expr.types import BooleanValue, Table

from nearhome.metrics import bed_days, dimensions
from nearhome.metrics.activity import OPEN_SPELLS, adult_acute
from nearhome.metrics.attributes import person_columns, person_first, ward_stay_at
from nearhome.metrics.bed_days import WARD_STAYS
from nearhome.metrics.calendar import days_between, joined_on_day, open_at_end, touches
from nearhome.metrics.define import metric
from nearhome.metrics.intervals import OPEN_END, merged
from nearhome.metrics.measures import (
    Composite,
    Count,
    Distinct,
    FactMeasure,
    Facts,
    Population,
    Tables,
    Total,
    Wanted,
)

PERIOD = ("period_start", "period_end", "period_last")
PLACEMENT = (
    "placement_id",
    "person_id",
    "provider_code",
    "sending_provider_code",
    "is_inappropriate_oap",
)


def placements(tables: Tables) -> Table:
    """One row per placement (merged OAP referrals): who, where from, where to, when."""
    referral = tables["referral"]
    oap = referral.filter(referral.is_oap)
    islands = merged(
        oap,
        ["person_id", "is_inappropriate_oap"],
        "received_date",
        "closed_date",
        "referral_id",
    )
    first = referral.select(
        _f_id="referral_id", _f_provider="provider_code", _f_sender="referring_org_code"
    )
    joined = islands.join(first, islands.first_key == first._f_id)
    return joined.select(
        placement_id=joined.first_key,
        person_id=joined.person_id,
        provider_code=joined._f_provider,
        sending_provider_code=joined._f_sender,
        is_inappropriate_oap=joined.is_inappropriate_oap,
        start_date=joined.start_date,
        end_date=joined.end_date,
    ).view()


def placement_spells(tables: Tables) -> Table:
    """Placement → hospital spell links (spells on any referral merged into it)."""
    found = placements(tables)
    referral = tables["referral"].filter(tables["referral"].is_oap)
    members = found.join(
        referral,
        (found.person_id == referral.person_id)
        & (found.is_inappropriate_oap == referral.is_inappropriate_oap)
        & (referral.received_date >= found.start_date)
        & (referral.received_date <= ibis.coalesce(found.end_date, OPEN_END)),
    ).select(_m_placement="placement_id", _m_referral=referral.referral_id)
    spell = tables["spell"].select(_s_spell="spell_id", _s_referral="referral_id")
    links = members.join(spell, members._m_referral == spell._s_referral)
    return links.select(
        placement_id=links._m_placement, spell_id=links._s_spell
    ).distinct()


def _on_day(
    tables: Tables,
    periods: Table,
    joined: Callable[[Table, Table], Table],
    anchor: str,
) -> Table:
    rows = joined(placements(tables), periods)
    rows = rows.select(*PERIOD, *PLACEMENT, anchor_date=rows[anchor])
    links = placement_spells(tables)
    with_spells = rows.left_join(links, rows.placement_id == links.placement_id).select(
        *rows.columns, spell_id=links.spell_id
    )
    return ward_stay_at(with_spells, tables, ["placement_id", "period_start"]).drop(
        "spell_id"
    )


def started_rows(tables: Tables, periods: Table, _wanted: Wanted = None) -> Table:
    """Placements starting in a period (ward read on the start day)."""
    return _on_day(
        tables, periods, lambda p, t: joined_on_day(p, "start_date", t), "start_date"
    )


def active_rows(tables: Tables, periods: Table, _wanted: Wanted = None) -> Table:
    """Placements active at a period's end (ward read on its last day)."""
    return _on_day(
        tables,
        periods,
        lambda p, t: p.join(t, open_at_end(p.start_date, p.end_date, t)),
        "period_last",
    )


def ended_rows(tables: Tables, periods: Table, _wanted: Wanted = None) -> Table:
    """Placements ending in a period (ward read on the end day)."""
    return _on_day(
        tables, periods, lambda p, t: joined_on_day(p, "end_date", t), "end_date"
    )


def bed_day_rows(tables: Tables, periods: Table, wanted: Wanted = None) -> Table:
    """One row per placement, ward stay and period with the placement's bed days in it."""
    found = placements(tables)
    links = placement_spells(tables)
    ws = tables["ward_stay"]
    stays = found.join(links, found.placement_id == links.placement_id).join(
        ws, links.spell_id == ws.spell_id
    )
    stays = stays.select(
        *PLACEMENT,
        "ward_stay_id",
        "ward_code",
        "site_code",
        "bed_type_code",
        "distance_home_km",
        "site_icb_code",
        start=ibis.greatest(found.start_date, ws.start_date),
        end=ibis.least(
            ibis.coalesce(found.end_date, OPEN_END),
            ibis.coalesce(ws.end_date, OPEN_END),
        ),
    )
    stays = person_first(stays.view(), tables, wanted)
    rows = stays.join(periods, touches(stays.start, stays.end, periods))
    lower = ibis.greatest(rows.start, rows.period_start)
    upper = ibis.least(rows.end, rows.period_end)
    return rows.select(
        *PERIOD,
        *PLACEMENT,
        "ward_stay_id",
        "ward_code",
        "site_code",
        "bed_type_code",
        "distance_home_km",
        "site_icb_code",
        *person_columns(rows),
        bed_days=ibis.greatest(days_between(upper, lower), 0),
    )


def _dims(with_legal: bool) -> tuple[str, ...]:
    return (
        "all",
        *dimensions.person(),
        *dimensions.provider(),
        "receiving_provider",
        "sending_provider",
        *dimensions.place(),
        "area",
        "distance_band",
        "distance_50km",
        *(("legal_status_group",) if with_legal else ()),
    )


STARTED = Facts(
    "placements_started",
    started_rows,
    _dims(True),
    description="one row per placement starting in a period",
)
ACTIVE = Facts(
    "placements_active",
    active_rows,
    _dims(True),
    description="one row per placement active at a period's end",
)
ENDED = Facts(
    "placements_ended",
    ended_rows,
    _dims(True),
    description="one row per placement ending in a period",
)
BED_DAYS = Facts(
    "placement_bed_days",
    bed_day_rows,
    _dims(False),
    description="one row per placement ward stay per period",
)


def _inappropriate(t: Table) -> BooleanValue:
    return t.is_inappropriate_oap  # type: ignore[no-any-return]


def _inappropriate_acute(t: Table) -> BooleanValue:
    return t.is_inappropriate_oap & t.bed_type_code.isin(adult_acute())  # type: ignore[no-any-return]


FLOWS = (
    (
        "started",
        STARTED,
        "placements started in the period",
        "started (first referral received) in the period",
        "01",
        "activity.admissions",
        "activity.admissions_adult_acute",
        "08",
        "05",
    ),
    (
        "bed_days",
        BED_DAYS,
        "bed days of placements in the period",
        "bed days in the period (days of the placement's spells inside the placement)",
        "02",
        "bed_days.occupied",
        "bed_days.occupied_adult_acute",
        "09",
        None,
    ),
    (
        "active",
        ACTIVE,
        "placements active at the end of the period",
        "active at the end of the period",
        "03",
        "activity.open_spells",
        "activity.open_spells_adult_acute",
        "10",
        "06",
    ),
    (
        "ended",
        ENDED,
        "placements ended in the period",
        "ended (last referral closed) in the period",
        "04",
        "activity.discharges",
        "activity.discharges_adult_acute",
        "11",
        "07",
    ),
)
WORDS = {
    "": (
        "Inappropriate out-of-area placements",
        "inappropriate out-of-area placements (OAP reason 10: no bed available at the referring organisation)",
    ),
    "_adult_acute": (
        "Inappropriate out-of-area placements, adult acute beds",
        "inappropriate out-of-area placements on adult acute beds (v6 200, 201, 202)",
    ),
}


def _aggregate(
    flow: str, where: Callable[[Table], BooleanValue] | None
) -> Total | Count:
    return Total("bed_days", where) if flow == "bed_days" else Count(where)


def _register_flows() -> None:
    for flow, facts, counted, words, number, denom, denom_a, share, rate in FLOWS:
        unit = "days" if flow == "bed_days" else "placements"
        for suffix, where in (
            ("", _inappropriate),
            ("_adult_acute", _inappropriate_acute),
        ):
            title, what = WORDS[suffix]
            letter = "a" if suffix else ""
            base = f"out_of_area.inappropriate_{flow}{suffix}"
            metric(
                base,
                title=f"{title}: {flow.replace('_', ' ')}",
                unit=unit,
                mhsds_id=f"OAP{number}{letter}",
                definition=f"Number of {what} {words}."
                if flow != "bed_days"
                else f"Bed days of {what}: {words}.",
                numerator=counted,
                computation=FactMeasure(facts, _aggregate(flow, where)),
            )
            metric(
                f"{base}_pct",
                title=f"{title}: {flow.replace('_', ' ')} as a percentage of all",
                unit="pct",
                mhsds_id=f"OAP{share}{letter}",
                definition=f"OAP{number}{letter} as a percentage of {denom_a if suffix else denom}.",
                numerator=counted,
                denominator=f"{denom_a if suffix else denom} in the period",
                computation=Composite(base, denom_a if suffix else denom),
                scale=100,
            )
            if rate is not None:
                metric(
                    f"{base}_per_1m",
                    title=f"{title}: {flow.replace('_', ' ')} per 1,000,000 population",
                    unit="per_1m",
                    mhsds_id=f"OAP{rate}{letter}",
                    definition=f"OAP{number}{letter} per 1,000,000 residents (all ages) of the breakdown level.",
                    numerator=counted,
                    denominator="resident population, all ages",
                    computation=Composite(base, Population()),
                    scale=1_000_000,
                )
        metric(
            f"out_of_area.all_{flow}",
            title=f"All out-of-area placements: {flow.replace('_', ' ')}",
            unit=unit,
            definition=f"As OAP{number} but for every out-of-area reason (ReasonOAT 10-15), appropriate or not.",
            numerator=counted,
            computation=FactMeasure(facts, _aggregate(flow, None)),
            is_local=True,
        )


_register_flows()


def _outside(t: Table) -> BooleanValue:
    return ~t.is_in_area  # type: ignore[no-any-return]


metric(
    "out_of_area.open_ward_stays_50km_plus",
    title="Ward stays open at the end of the period, 50 km or more from home",
    unit="ward_stays",
    mhsds_id="MHS22",
    definition="MHS21 ward stays open at the end of the period whose ward is 50 km or more from the person's home.",
    numerator="open ward stays 50 km or more from home",
    computation=FactMeasure(
        WARD_STAYS, Count(lambda t: t.is_open_at_end & (t.distance_home_km >= 50))
    ),
    caveats=(
        "Where WardLocDistanceHome was not submitted the distance is the great-circle distance from the home LSOA centroid.",
    ),
)
metric(
    "out_of_area.outside_own_icb_people",
    title="People in hospital outside their own ICB at the end of the period",
    unit="people",
    definition=(
        "Distinct people with a spell open at the end of the period whose ward, on the "
        "last day, is on a site in another ICB than the person's (GP practice, else "
        "residence)."
    ),
    numerator="people in hospital outside their own ICB",
    computation=FactMeasure(OPEN_SPELLS, Distinct("person_id", _outside)),
    is_local=True,
    caveats=(
        "Not an official measure: the site's ICB is that of its nearest LSOA centroid.",
    ),
    exclude=("area",),
)
metric(
    "out_of_area.outside_own_icb_bed_days",
    title="Bed days outside the person's own ICB",
    unit="days",
    definition="MHS24 bed days on wards whose site is in another ICB than the person's.",
    numerator="bed days outside the person's own ICB",
    computation=FactMeasure(WARD_STAYS, Total("bed_days", _outside)),
    is_local=True,
    caveats=(
        "Not an official measure: the site's ICB is that of its nearest LSOA centroid.",
    ),
    exclude=("area",),
)
metric(
    "out_of_area.outside_own_icb_bed_days_pct",
    title="Share of bed days outside the person's own ICB",
    unit="pct",
    definition="Bed days outside the person's own ICB as a percentage of all MHS24 bed days.",
    numerator="bed days outside the person's own ICB",
    denominator="bed days in the period (MHS24)",
    computation=Composite("out_of_area.outside_own_icb_bed_days", bed_days.OCCUPIED.id),
    scale=100,
    is_local=True,
)
