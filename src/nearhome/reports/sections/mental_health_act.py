"""The Mental Health Act and restrictive practice: detentions by kind, and restrictive
interventions by type, with prone restraint highlighted.

Restrictive interventions per 1,000 occupied bed days (MHS96) is the Culture of Care
programme's measure of how restrictive care is; prone restraint is highlighted because
national guidance asks that it be ended except in the rarest circumstances.
"""

from __future__ import annotations

from nearhome.reports import charts
from nearhome.reports.model import Block, Figure, Section, Table
from nearhome.reports.plan import Plan
from nearhome.reports.results import Needs, Results
from nearhome.reports.sections.context import Context
from nearhome.reports.sections.display import by_level, missing, totals

DETENTIONS = "detentions.detentions"
SECTION_2 = "detentions.section_2"
SECTION_3 = "detentions.section_3"
SECTION_136 = "detentions.section_136"
SHORT_TERM = "detentions.short_term_orders"
DETAINED_AT_END = "detentions.people_detained_at_end"
RI = "restrictive.interventions"
RI_PEOPLE = "restrictive.people"
RI_RATE = "restrictive.per_1000_bed_days"
RI_PCT = "restrictive.people_pct"
MEASURES = (
    DETENTIONS,
    SECTION_2,
    SECTION_3,
    SECTION_136,
    SHORT_TERM,
    DETAINED_AT_END,
    RI,
    RI_PEOPLE,
    RI_RATE,
    RI_PCT,
)
PRONE = "prone"


def needs(plan: Plan | None) -> Needs:
    """Detentions by category; interventions by type group and injury."""
    del plan
    return Needs(
        monthly=(DETENTIONS, RI_RATE),
        year={
            DETENTIONS: ("mha_category",),
            SECTION_2: (),
            SECTION_3: (),
            SECTION_136: (),
            SHORT_TERM: (),
            DETAINED_AT_END: (),
            RI: ("ri_type_group", "ri_injury"),
            RI_PEOPLE: ("ri_type_group",),
            RI_RATE: ("ri_type_group",),
            RI_PCT: (),
        },
    )


def _detention_summary(results: Results) -> Table | None:
    return totals(
        results,
        (DETENTIONS, SECTION_2, SECTION_3, SECTION_136, SHORT_TERM, DETAINED_AT_END),
        key="mha_summary",
        title="Mental Health Act use over the year",
    )


def _restrictive(results: Results) -> list[Block]:
    table = by_level(
        results,
        [(RI, "Interventions"), (RI_PEOPLE, "People"), (RI_RATE, "Per 1,000 bed days")],
        "ri_type_group",
        key="ri_type_group",
        title="Restrictive interventions by type",
        label="Type",
        highlight=(PRONE,),
        note="Prone restraint is highlighted.",
    )
    if table is None:
        return []
    frame = table.frame.rename(columns={"Type": "label", "Per 1,000 bed days": "value"})
    labels = [str(v) for v in frame["label"]]
    svg = charts.bar_chart(
        frame,
        title="Restrictive interventions per 1,000 bed days by type",
        decimals=1,
        highlight=[labels[i] for i in table.highlight],
    )
    figure = Figure(
        "ri-types",
        "Restrictive interventions per 1,000 bed days by type",
        svg,
        caption="Prone restraint in orange. Rates are suppressed when their count is.",
    )
    blocks: list[Block] = [figure, table]
    rates = totals(
        results,
        (RI, RI_PEOPLE, RI_RATE, RI_PCT),
        key="ri_summary",
        title="Restrictive practice over the year",
    )
    injury = by_level(
        results,
        [(RI, "Interventions")],
        "ri_injury",
        key="ri_injury",
        title="Restrictive interventions by injury to the patient",
        label="Injury",
    )
    blocks += [t for t in (rates, injury) if t is not None]
    return blocks


def build(context: Context) -> Section:
    """The Mental Health Act and restrictive practice section."""
    results = context.results
    blocks: list[Block] = [*missing(results, MEASURES)]
    summary = _detention_summary(results)
    categories = by_level(
        results,
        [(DETENTIONS, "Detentions")],
        "mha_category",
        key="mha_category",
        title="Detentions by how they began",
        label="Category",
    )
    blocks += [t for t in (summary, categories) if t is not None]
    blocks += _restrictive(results)
    return Section(
        "mental_health_act",
        "Mental Health Act and restrictive practice",
        tuple(blocks),
        MEASURES,
    )
