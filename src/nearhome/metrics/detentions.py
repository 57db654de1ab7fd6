"""Mental Health Act: detentions (MHS81 and its class counts), people detained at the
period end (MHS09), detained and informal admissions, and detained bed days.

Each legal status period is linked to the person's hospital spell at the same provider
that overlaps it (the earliest such spell) and to the person's previous legal status
period in that spell, and is classified as the publication does (``MHA_Logic_Cat_full``):
A detention on admission, B subsequent to admission, C following a place of safety
order, E place of safety order, F other short-term order, G renewal, H transfer on
section, J 5(2) after 5(4), K 37 after 35, L 3 after 2, M guardianship, P criminal
justice admission, N inconsistent. MHS81 counts A, B, C, D and P starting in the period.

Simplifications (the canonical data allows no more): start and end *times* are not
held, so same-day order is decided by dates alone (as the publication does when times
are missing); community treatment orders are not loaded, so class D (after CTO
revocation) never occurs and CTO conditions are treated as absent.
"""

from __future__ import annotations

import ibis
from ibis.expr.types import BooleanValue, StringValue, Table

from nearhome.metrics import dimensions
from nearhome.metrics.activity import ADMISSIONS, OPEN_SPELLS
from nearhome.metrics.attributes import ward_stay_at
from nearhome.metrics.bed_days import WARD_STAYS
from nearhome.metrics.calendar import joined_on_day, plus_days
from nearhome.metrics.define import metric
from nearhome.metrics.intervals import OPEN_END
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
DETENTION_CLASSES = ("A", "B", "C", "D", "P")
PART_3 = (
    "07",
    "08",
    "09",
    "10",
    "12",
    "13",
    "14",
    "15",
    "16",
    "17",
    "18",
    "31",
    "32",
    "34",
)
TRANSFER_METHODS = ("81", "2B", "11", "12", "13")
TRANSFER_DESTINATIONS = ("49", "51", "50", "52", "53", "87")
RENEWABLE = ("03", "07", "08", "09", "10", "12", "15", "16", "17", "18")
SHORT_TERM = ("04", "05", "06")
PLACE_OF_SAFETY = ("19", "20")
ELECTIVE = ("11", "12", "13")
CLASS_CAVEAT = (
    "Classified from legal status, spell and previous section only: no times, and no CTO "
    "data (class D cannot occur)."
)


def linked_periods(tables: Tables) -> Table:
    """Legal status periods with their linked spell and previous period in that spell."""
    mha = tables["mha_period"]
    spell = tables["spell"]
    person_window = ibis.window(
        group_by=spell.person_id, order_by=[spell.admission_date, spell.spell_id]
    )
    spells = spell.mutate(
        previous_destination=spell.discharge_destination_code.lag().over(person_window)
    ).select(
        _s_id="spell_id",
        _s_person="person_id",
        _s_provider="provider_code",
        _s_admission="admission_date",
        _s_discharge="discharge_date",
        _s_method="admission_method_code",
        _s_previous="previous_destination",
    )
    # Comparisons only (no OR) so the engine can hash-join on person and provider: an
    # outer join whose condition holds an OR falls back to a nested loop.
    joined = mha.left_join(
        spells,
        [
            mha.person_id == spells._s_person,
            mha.provider_code == spells._s_provider,
            spells._s_admission <= ibis.coalesce(mha.end_date, OPEN_END),
            spells._s_admission <= ibis.coalesce(mha.expiry_date, OPEN_END),
            ibis.coalesce(spells._s_discharge, OPEN_END) >= mha.start_date,
        ],
    )
    first = ibis.window(
        group_by=joined.mha_id, order_by=[joined._s_admission, joined._s_id]
    )
    linked = joined.mutate(_rank=ibis.row_number().over(first))
    linked = linked.filter(linked._rank == 0).drop("_rank")
    previous = ibis.window(
        group_by=[linked.person_id, linked._s_id],
        order_by=[linked.start_date, linked.mha_id],
    )
    return linked.mutate(
        previous_code=linked.legal_status_code.lag().over(previous),
        previous_start=linked.start_date.lag().over(previous),
        previous_end=linked.end_date.lag().over(previous),
    )


def _after(day: StringValue, other: StringValue, days: int) -> BooleanValue:
    return day == plus_days(other, days)  # type: ignore[no-any-return]


def classification(t: Table) -> StringValue:
    """The publication's class (A–P, N) of each linked legal status period."""
    code, start, end = t.legal_status_code, t.start_date, t.end_date
    admission, method = t._s_admission, t._s_method
    prev, prev_start, prev_end = t.previous_code, t.previous_start, t.previous_end
    sections = code.isin(["02", "03"])
    no_prev = prev.isnull()
    class_a = (
        sections
        & (start == admission)
        & (no_prev | (prev == "01") | (admission.delta(prev_end, unit="day") > 1))
    ) | (
        (code == "02")
        & (admission >= plus_days(start, -5))
        & (admission <= start)
        & (method == "2A")
    )
    class_b = (
        sections
        & ((start == admission) | (start > admission))
        & (
            (no_prev | (prev_end < start))
            | (
                prev.isin(SHORT_TERM)
                & ((prev_end == start) | _after(prev_end, start, -1))
            )
        )
    )
    class_c = (
        sections
        & ((start == prev_end) | _after(start, prev_end, 1) | (start == prev_start))
        & prev.isin(PLACE_OF_SAFETY)
        & ((admission == start) | (admission >= prev_start) | (start == prev_end))
    )
    class_e = code.isin(PLACE_OF_SAFETY) & (
        prev_start.isnull() | (prev == "01") | (prev_end < start)
    )
    class_f = (
        (code.isin(SHORT_TERM) & (start == admission))
        | (code.isin(["05", "06"]) & (start >= admission))
    ) & (
        (no_prev | (prev_end <= start))
        | (prev == "01")
        | (prev.isin(["02", "03"]) & (prev_end == start))
    )
    class_g = (
        code.isin(RENEWABLE)
        & (start > admission)
        & (code == prev)
        & (
            ((start >= prev_end) & (start <= plus_days(prev_end, 1)))
            | prev_end.isnull()
        )
    )
    class_h = (
        code.isin(("02", "03", *PART_3))
        & (admission > start)
        & (method.isin(TRANSFER_METHODS) | t._s_previous.isin(TRANSFER_DESTINATIONS))
    )
    follows = prev_end.isnull() | (prev_end == start) | _after(start, prev_end, 1)
    class_j = (
        (code == "05")
        & (start >= admission)
        & (prev == "06")
        & (
            (start >= prev_start)
            & (prev_end.isnull() | (prev_end <= end) | end.isnull())
        )
    )
    class_k = (code == "10") & (start >= admission) & (prev == "07") & follows
    class_l = (code == "03") & (start >= admission) & (prev == "02") & follows
    class_p = (
        code.isin(PART_3)
        & (start <= admission)
        & (end.isnull() | (end >= admission))
        & method.isin(ELECTIVE)
        & (
            no_prev
            | (
                prev.isin(["01", "02", "03", "04", "05", "06"])
                & (prev_end.isnull() | (prev_end <= start))
            )
        )
    )
    return ibis.cases(  # type: ignore[no-any-return]
        (code == "01", ibis.null("string")),
        (class_a, "A"),
        (class_b, "B"),
        (class_c, "C"),
        (class_e, "E"),
        (class_f, "F"),
        (class_g, "G"),
        (class_h, "H"),
        (class_j, "J"),
        (class_k, "K"),
        (class_l, "L"),
        (code.isin(["35", "36"]), "M"),
        (class_p, "P"),
        else_=ibis.literal("N"),
    )


def detention_rows(tables: Tables, periods: Table, _wanted: Wanted = None) -> Table:
    """One row per legal status period starting in a period, with its class."""
    linked = linked_periods(tables)
    linked = linked.mutate(mha_class=classification(linked)).view()
    rows = joined_on_day(linked, "start_date", periods)
    rows = rows.select(
        *PERIOD,
        "mha_id",
        "person_id",
        "provider_code",
        "legal_status_code",
        "mha_class",
        spell_id=rows._s_id,
        anchor_date=rows.start_date,
    )
    return ward_stay_at(rows, tables, ["mha_id", "period_start"]).drop("spell_id")


DETENTIONS = Facts(
    "mha_periods_started",
    detention_rows,
    (
        "all",
        *dimensions.person(),
        *dimensions.provider(),
        *dimensions.place(),
        "area",
        "mha_category",
    ),
    description="one row per legal status period starting in a period",
)


def _classes(*classes: str, codes: tuple[str, ...] = ()) -> object:
    def where(t: Table) -> BooleanValue:
        condition = t.mha_class.isin(list(classes))
        return condition & t.legal_status_code.isin(list(codes)) if codes else condition  # type: ignore[no-any-return]

    return where


MHS81 = metric(
    "detentions.detentions",
    title="Detentions under the Mental Health Act",
    unit="detentions",
    mhsds_id="MHS81",
    definition=(
        "Legal status periods starting in the period classed as a detention on admission "
        "(A), subsequent to admission (B), following a place of safety order (C), following "
        "CTO revocation (D) or a criminal justice admission (P)."
    ),
    numerator="detentions starting in the period",
    computation=FactMeasure(DETENTIONS, Count(_classes(*DETENTION_CLASSES))),  # type: ignore[arg-type]
    caveats=(CLASS_CAVEAT,),
)
metric(
    "detentions.detentions_per_100k",
    title="Detentions per 100,000 population",
    unit="per_100k",
    mhsds_id="MHS81a",
    definition="MHS81 detentions per 100,000 residents (all ages) of the breakdown level.",
    numerator="detentions starting in the period",
    denominator="resident population, all ages",
    computation=Composite(MHS81.id, Population()),
    scale=100_000,
    caveats=(CLASS_CAVEAT,),
)
for _id, _mhsds, _title, _classes_of, _codes in (
    (
        "short_term_orders",
        "MHS82",
        "Short-term orders (place of safety and other holding orders)",
        ("E", "F"),
        (),
    ),
    ("section_136", "MHS83", "Uses of section 136", ("E",), ("20",)),
    ("section_135", "MHS149", "Uses of section 135", ("E",), ("19",)),
    ("section_2", "MHS143", "Uses of section 2", ("A", "B", "C", "L"), ("02",)),
    ("section_3", "MHS144", "Uses of section 3", ("A", "B", "C", "L"), ("03",)),
    ("part_3", "MHS145", "Uses of Part 3 of the Act (criminal justice)", ("P",), ()),
):
    metric(
        f"detentions.{_id}",
        title=_title,
        unit="detentions",
        mhsds_id=_mhsds,
        definition=(
            f"Legal status periods starting in the period of class {', '.join(_classes_of)}"
            + (f" with legal status {', '.join(_codes)}." if _codes else ".")
        ),
        numerator="legal status periods starting in the period",
        computation=FactMeasure(
            DETENTIONS, Count(_classes(*_classes_of, codes=_codes))
        ),  # type: ignore[arg-type]
        caveats=(CLASS_CAVEAT,),
    )


def _detained(t: Table) -> BooleanValue:
    return t.legal_status_group == "detention"  # type: ignore[no-any-return]


metric(
    "detentions.people_detained_at_end",
    title="People detained in hospital at the end of the period",
    unit="people",
    mhsds_id="MHS09",
    definition=(
        "Distinct people with a spell open at the end of the period and a hospital "
        "detention (legal status group 'detention') in force on its last day."
    ),
    numerator="people detained at the end of the period",
    computation=FactMeasure(OPEN_SPELLS, Distinct("person_id", _detained)),
    caveats=(
        "CTO, CTO recall and conditional discharge are not loaded, so MHS09's exclusion of them is not applied.",
    ),
    exclude=("legal_status_group",),
)
metric(
    "detentions.admissions_detained",
    title="Admissions of people detained on the day",
    unit="spells",
    definition="Admissions in the period of people under a hospital detention on the admission date.",
    numerator="admissions with a detention in force on the admission date",
    computation=FactMeasure(ADMISSIONS, Count(_detained)),
    is_local=True,
    exclude=("legal_status_group",),
)
metric(
    "detentions.admissions_informal",
    title="Informal admissions",
    unit="spells",
    definition="Admissions in the period of people with no Mental Health Act status in force on the admission date, or informal status.",
    numerator="admissions without a Mental Health Act order on the admission date",
    computation=FactMeasure(
        ADMISSIONS, Count(lambda t: t.legal_status_group == "informal")
    ),
    is_local=True,
    exclude=("legal_status_group",),
)
metric(
    "detentions.detained_bed_days",
    title="Bed days detained",
    unit="days",
    definition=(
        "MHS24 bed days falling inside a hospital detention (overlapping detentions of a "
        "person merged first, so no day counts twice)."
    ),
    numerator="bed days under detention in the period",
    computation=FactMeasure(WARD_STAYS, Total("detained_days")),
    caveats=("As NHS England's dashboard 'MHA bed days'; not a publication measure.",),
)
