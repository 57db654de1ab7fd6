"""Headline measures: the latest month of each, with Making Data Count icons and SPC charts.

The measures are the ones a programme board watches every month for the localisation
plan: out-of-area placements, bed use, flow, restrictive practice, detentions and
follow-up. Each has a direction of improvement (or none, for activity that is neither
good nor bad), which colours its special-cause points. Where the plan sets a target for a
measure, the target for the latest quarter (a third of it for counts, per month) gives
the assurance icon.
"""

from __future__ import annotations

import math
from typing import Final

import pandas as pd

from nearhome.reports.model import Block, Card, Section, Table
from nearhome.reports.plan import Plan
from nearhome.reports.results import Needs
from nearhome.reports.sections.context import Context
from nearhome.reports.sections.display import missing
from nearhome.reports.sections.plan_targets import monthly_target
from nearhome.reports.sections.spc import Improvement, SpcView, spc_view

HEADLINES: Final[tuple[tuple[str, Improvement], ...]] = (
    ("out_of_area.inappropriate_bed_days", "decrease"),
    ("out_of_area.inappropriate_active", "decrease"),
    ("bed_days.occupied", "neither"),
    ("activity.admissions", "neither"),
    ("length_of_stay.mean", "decrease"),
    ("delayed_discharge.crfd_bed_days_pct", "decrease"),
    ("restrictive.per_1000_bed_days", "decrease"),
    ("detentions.detentions", "neither"),
    ("follow_up.followed_up_pct", "increase"),
    ("readmissions.within_30_days", "decrease"),
)
"""(metric id, direction of improvement) in the order the board reads them."""


def needs(plan: Plan | None) -> Needs:
    """Monthly series of every headline measure."""
    del plan  # the plan's measures are asked for by the plan section
    return Needs(monthly=tuple(m for m, _ in HEADLINES))


def views(context: Context) -> list[SpcView]:
    """One SPC view per headline measure in the catalogue."""
    out = []
    for i, (measure, improvement) in enumerate(HEADLINES):
        if not context.results.has(measure):
            continue
        target = monthly_target(context, measure)
        out.append(
            spc_view(
                context.results,
                measure,
                improvement=improvement,
                key=f"headline-{i + 1}",
                target=target,
            )
        )
    return out


def _summary_table(found: list[SpcView]) -> Table:
    rows = []
    for view in found:
        summary = view.summary
        rows.append(
            {
                "Measure": view.title,
                "Month": view.card.period,
                "Latest": view.latest if view.latest is not None else math.nan,
                "Mean": float(summary["mean"]) if summary is not None else math.nan,
                "Lower limit": float(summary["lower_process_limit"])
                if summary is not None
                else math.nan,
                "Upper limit": float(summary["upper_process_limit"])
                if summary is not None
                else math.nan,
                "Variation": view.card.variation or "",
                "Assurance": view.card.assurance or "",
            }
        )
    frame = pd.DataFrame(rows)
    cell_kinds = {(i, "Latest"): v.card.kind for i, v in enumerate(found)}
    return Table(
        key="headline_measures",
        title="Headline measures: latest month and SPC summary",
        frame=frame,
        kinds={
            "Latest": "number",
            "Mean": "number",
            "Lower limit": "number",
            "Upper limit": "number",
            "Variation": "icon",
            "Assurance": "icon",
        },
        decimals={"Latest": 1, "Mean": 1, "Lower limit": 1, "Upper limit": 1},
        cell_kinds=cell_kinds,
        note=(
            "Latest: the last month, after disclosure control. Mean and limits: the XmR "
            "centre line and process limits over the months shown. Assurance appears where "
            "the plan sets a target for the measure."
        ),
    )


def build(context: Context) -> Section:
    """The headline section."""
    found = views(context)
    blocks: list[Block] = [*missing(context.results, [m for m, _ in HEADLINES])]
    cards: list[Card] = [v.card for v in found]
    if cards:
        blocks.append(tuple(cards))
        blocks.append(_summary_table(found))
    blocks += [v.block for v in found]
    return Section(
        key="headlines",
        title="Headline measures",
        blocks=tuple(blocks),
        measures=tuple(v.measure for v in found),
    )
