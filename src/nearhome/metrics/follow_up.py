"""72-hour follow-up after discharge (MHS78, MHS79, MHS80).

A reporting period's discharges for this measure are those from four days before its
start to four days before its end, so every one has had three full days to be followed
up. Eligible discharges: the person lives in England (or the local authority is not
known), did not die or was not stillborn (discharge method 4, 5), was not discharged
to a destination the measure excludes (prison, court, secure or other inpatient
settings, death: flagged in the ``discharge_destination`` code list), was on an acute
scope bed at discharge (the ``follow_up_72h`` bed grouping) and did not die within three
days. Followed up: an attended care contact (attendance 5 or 6) by the discharging
provider by a qualifying mechanism (face to face, telephone, talk type, video; the
telemedicine code 03 before October 2021; contacts with no mechanism count, as in the
publication), or a new admission at that provider, one to three days after discharge.

Simplification: the publication also credits the provider a patient was onward-referred
to during an acute spell; onward referrals are not loaded, so the discharging provider
is always the responsible one. Indirect activity is not loaded either.
"""

from __future__ import annotations

import datetime as dt

import ibis
from ibis.expr.types import Table

from nearhome.data import codes
from nearhome.metrics import dimensions
from nearhome.metrics.attributes import ward_stay_at
from nearhome.metrics.calendar import days_between, plus_days
from nearhome.metrics.define import metric
from nearhome.metrics.measures import Count, FactMeasure, Facts, Tables, Wanted

PERIOD = ("period_start", "period_end", "period_last")
WINDOW_DAYS = 3
LAG_DAYS = 4
V5_START = dt.date(2021, 10, 1)
"""First month of MHSDS v5: consultation mechanism 03 stops qualifying."""


def _flagged(name: str, column: str) -> list[str]:
    frame = codes.code_list(name)
    return [str(c) for c in frame.loc[frame[column], "code"]]


def _follow_ups(tables: Tables) -> Table:
    """Qualifying events: attended contacts and admissions, by person, provider, date."""
    contacts = tables["care_contact"]
    attended = _flagged("attend_status", "is_attended")
    mechanisms = codes.code_list("consultation_mechanism")
    excluded = [
        str(c) for c in mechanisms.loc[~mechanisms["is_qualifying_72h"], "code"]
    ]
    early = (contacts.consultation_mechanism_code == "03") & (
        contacts.contact_date < V5_START
    )
    qualifying = (
        contacts.consultation_mechanism_code.isnull()
        | ~contacts.consultation_mechanism_code.isin(excluded)
        | early
    )
    seen = contacts.filter(
        contacts.attend_status_code.isin(attended) & qualifying
    ).select(
        person_id="person_id", provider_code="provider_code", event_date="contact_date"
    )
    spell = tables["spell"]
    admitted = spell.select(
        person_id="person_id",
        provider_code="provider_code",
        event_date="admission_date",
    )
    return ibis.union(seen, admitted, distinct=False)


def follow_up_rows(tables: Tables, periods: Table, _wanted: Wanted = None) -> Table:
    """One row per discharge in a period's window, with eligibility and follow-up flags."""
    spell = tables["spell"]
    window_start = plus_days(periods.period_start, -LAG_DAYS)
    window_end = plus_days(periods.period_end, -LAG_DAYS)
    rows = spell.join(
        periods,
        (spell.discharge_date >= window_start) & (spell.discharge_date < window_end),
    )
    rows = rows.select(
        *PERIOD,
        "spell_id",
        "person_id",
        "provider_code",
        "discharge_date",
        "discharge_method_code",
        "discharge_destination_code",
        anchor_date=rows.discharge_date,
    )
    rows = ward_stay_at(rows, tables, ["spell_id", "period_start"]).view()
    events = _follow_ups(tables).view()
    matched = rows.join(
        events,
        (rows.person_id == events.person_id)
        & (rows.provider_code == events.provider_code)
        & (events.event_date > rows.discharge_date)
        & (events.event_date <= plus_days(rows.discharge_date, WINDOW_DAYS)),
    )
    followed = matched.select(
        _f_spell=matched.spell_id, _f_period=matched.period_start
    ).distinct()
    people = tables["person"].select(
        _p_id="person_id", _p_la="la_code", _p_death="death_date"
    )
    joined = rows.left_join(
        followed,
        (rows.spell_id == followed._f_spell)
        & (rows.period_start == followed._f_period),
    ).left_join(people, rows.person_id == people._p_id)
    methods = _flagged("discharge_method", "excluded_from_72h")
    destinations = _flagged("discharge_destination", "excluded_from_72h")
    beds = [str(c) for c in codes.bed_groupings("follow_up_72h")["bed_type_code"]]
    eligible = (
        (joined._p_la.isnull() | (joined._p_la == "") | joined._p_la.startswith("E"))
        & (
            joined.discharge_method_code.isnull()
            | ~joined.discharge_method_code.isin(methods)
        )
        & (
            joined.discharge_destination_code.isnull()
            | ~joined.discharge_destination_code.isin(destinations)
        )
        & joined.bed_type_code.isin(beds)
        & (
            joined._p_death.isnull()
            | (days_between(joined._p_death, joined.discharge_date) > WINDOW_DAYS)
        )
    )
    return joined.select(
        *rows.columns,
        is_eligible=ibis.coalesce(eligible, False),
        is_followed_up=joined._f_spell.notnull(),
    )


FOLLOW_UP = Facts(
    "follow_up",
    follow_up_rows,
    (
        "all",
        *dimensions.person(),
        *dimensions.provider(),
        *dimensions.place(),
        "area",
        "legal_status_group",
    ),
    description="one row per discharge in a period's follow-up window (4 days earlier)",
)

ELIGIBLE = "discharges eligible for 72-hour follow-up"
FOLLOWED = "eligible discharges followed up within 72 hours"


def _eligible(t: Table) -> object:
    return t.is_eligible


metric(
    "follow_up.eligible_discharges",
    title="Discharges eligible for 72-hour follow-up",
    unit="discharges",
    mhsds_id="MHS78",
    definition=(
        "Discharges from acute-scope beds from four days before the period's start to four "
        "days before its end, excluding deaths, people living outside England, discharges "
        "to prison, court, secure or other inpatient settings, and people who died within "
        "three days."
    ),
    numerator=ELIGIBLE,
    computation=FactMeasure(FOLLOW_UP, Count(lambda t: t.is_eligible)),
)
metric(
    "follow_up.followed_up",
    title="Discharges followed up within 72 hours",
    unit="discharges",
    mhsds_id="MHS79",
    definition=(
        "MHS78 discharges with an attended qualifying contact by the discharging provider, "
        "or a new admission there, one to three days after the discharge date."
    ),
    numerator=FOLLOWED,
    computation=FactMeasure(
        FOLLOW_UP, Count(lambda t: t.is_eligible & t.is_followed_up)
    ),
)
metric(
    "follow_up.followed_up_pct",
    title="Percentage of discharges followed up within 72 hours",
    unit="pct",
    mhsds_id="MHS80",
    definition="MHS79 as a percentage of MHS78 (national standard: 80%).",
    numerator=FOLLOWED,
    denominator=ELIGIBLE,
    computation=FactMeasure(
        FOLLOW_UP,
        Count(lambda t: t.is_eligible & t.is_followed_up),
        Count(lambda t: t.is_eligible),
    ),
    scale=100,
)
