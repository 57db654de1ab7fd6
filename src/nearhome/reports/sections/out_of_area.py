"""Out-of-area placements: the trend, where people are placed, how far, why, what it costs,
and who could come back (in aggregate).

An inappropriate placement is one made because no local bed was available (reason 10);
the others (safeguarding, offending restrictions, staff, patient choice) may be right for
the person. The "repatriation list" here is the aggregate one a commissioning meeting can
see: placements active at the end of the period by where they are and how far away; the
named list lives on the daily board, under direct-care access only.
"""

from __future__ import annotations

import pandas as pd

from nearhome.reports import charts
from nearhome.reports.calendar import month_label, period_words
from nearhome.reports.model import Block, Figure, Paragraph, Section, Table
from nearhome.reports.plan import Plan
from nearhome.reports.results import Needs, Results, month_dates
from nearhome.reports.sections.context import Context
from nearhome.reports.sections.display import by_level, missing, text_value
from nearhome.reports.suppression import SUPPRESSED, controlled_count

BED_DAYS = "out_of_area.inappropriate_bed_days"
ALL_BED_DAYS = "out_of_area.all_bed_days"
ACTIVE = "out_of_area.inappropriate_active"
ALL_ACTIVE = "out_of_area.all_active"
STARTED = "out_of_area.inappropriate_started"
ALL_STARTED = "out_of_area.all_started"
SHARE = "out_of_area.inappropriate_bed_days_pct"
ALL_RESIDENTS = "bed_days.occupied"
MEASURES = (
    BED_DAYS,
    ALL_BED_DAYS,
    ACTIVE,
    ALL_ACTIVE,
    STARTED,
    ALL_STARTED,
    SHARE,
    ALL_RESIDENTS,
)


def needs(plan: Plan | None) -> Needs:
    """Monthly trend; the year by receiving provider, distance and provider type."""
    del plan
    places = (
        "receiving_provider",
        "distance_band",
        "provider_type",
        "receiving_provider*distance_band",
    )
    return Needs(
        monthly=(BED_DAYS, ALL_BED_DAYS, ACTIVE),
        year={
            BED_DAYS: places,
            ALL_BED_DAYS: places,
            ACTIVE: places,
            ALL_ACTIVE: places,
            STARTED: (),
            ALL_STARTED: (),
            SHARE: (),
            ALL_RESIDENTS: ("distance_band",),
        },
    )


def _trend(results: Results) -> Figure | None:
    rows = []
    for measure, name in ((BED_DAYS, "Inappropriate"), (ALL_BED_DAYS, "All reasons")):
        series = results.series(measure)
        rows += [
            {"date": d, "series": name, "value": v}
            for d, v in zip(month_dates(series), series["value"], strict=True)
        ]
    if not rows:
        return None
    title = "Out-of-area bed days by month"
    svg = charts.line_chart(pd.DataFrame(rows), title=title, y_label="bed days")
    return Figure(
        "oap-trend",
        title,
        svg,
        caption="Bed days of out-of-area placements each month; "
        "months shown as * are suppressed.",
        kind="count",
    )


def _reasons(results: Results) -> Table | None:
    """Placements started and bed days: no bed available (10) against every other reason."""
    rows = []
    for label, inappropriate, everything in (
        ("Placements started", STARTED, ALL_STARTED),
        ("Bed days", BED_DAYS, ALL_BED_DAYS),
    ):
        bad, total = (
            results.total(inappropriate, shown=False),
            results.total(everything, shown=False),
        )
        if bad is None or total is None:
            continue
        n_bad, n_all = float(bad["numerator"]), float(total["numerator"])
        policy = results.policy
        rows.append(
            {
                "Measure": label,
                "No bed available (reason 10, inappropriate)": controlled_count(
                    policy, n_bad
                ),
                "Other reasons (11 to 15)": controlled_count(policy, n_all - n_bad),
                "All out-of-area placements": controlled_count(policy, n_all),
            }
        )
    if not rows:
        return None
    counts = [
        "No bed available (reason 10, inappropriate)",
        "Other reasons (11 to 15)",
        "All out-of-area placements",
    ]
    return Table(
        key="oap_reasons",
        title="Why people were placed out of area",
        frame=pd.DataFrame(rows),
        kinds=dict.fromkeys(counts, "count"),
        note="Other reasons are safeguarding (11), offending restrictions (12), a member of "
        "staff (13), patient choice (14) and others (15): these may be appropriate.",
    )


def _cost(context: Context) -> list[Block]:
    cost = context.oap_cost_per_day
    total = context.results.total(BED_DAYS)
    if total is None:
        return []
    if cost is None:
        return [
            Paragraph(
                "Cost is not shown: set oap_cost_per_day in the plan file (or the "
                "scenario) to price inappropriate out-of-area bed days.",
                tone="note",
            )
        ]
    days = total["value"]
    spend: object = SUPPRESSED if isinstance(days, str) else float(days) * cost
    frame = pd.DataFrame(
        [
            {
                "Inappropriate bed days": days,
                "Cost per bed day (£)": cost,
                "Estimated cost (£)": spend,
            }
        ]
    )
    return [
        Table(
            key="oap_cost",
            title="Estimated cost of inappropriate out-of-area placements",
            frame=frame,
            kinds={
                "Inappropriate bed days": "count",
                "Cost per bed day (£)": "money",
                "Estimated cost (£)": "money",
            },
            note="Bed days after disclosure control times the cost per bed day; an estimate, not "
            "recorded spend.",
        )
    ]


def _repatriation(results: Results) -> Table | None:
    if not results.has(ALL_ACTIVE):
        return None
    rows = results.rows(ALL_ACTIVE, "receiving_provider*distance_band")
    if rows.empty:
        return None
    parts = rows["level_description"].str.split("; ", n=1, expand=True)
    frame = pd.DataFrame(
        {
            "Receiving provider": parts[0],
            "Distance from home": parts[1] if parts.shape[1] > 1 else "",
            "Placements active": rows["value"],
        }
    )
    frame = frame[
        frame["Placements active"].map(lambda v: isinstance(v, str) or float(v) > 0)
    ]
    frame = frame.sort_values(["Receiving provider", "Distance from home"]).reset_index(
        drop=True
    )
    return Table(
        key="oap_repatriation",
        title="Who could come back: placements active at the end of the period, "
        "by where they are and how far from home",
        frame=frame,
        kinds={"Placements active": "count"},
        note="All out-of-area reasons. Providers and distances with no active placement are left out; "
        "cells of 1 to 4 (and, where needed, one more cell) are shown as *.",
    )


def _summary(context: Context) -> Paragraph | None:
    results = context.results
    days, share, active = (
        results.total(BED_DAYS),
        results.total(SHARE),
        results.total(ACTIVE),
    )
    if days is None:
        return None
    parts = [
        f"In {period_words(context.period)} residents of {context.icb} spent "
        f"{text_value(days['value'], results.specs.get(BED_DAYS))} bed days in inappropriate "
        "out-of-area placements"
    ]
    if share is not None:
        parts.append(
            f" ({text_value(share['value'], results.specs.get(SHARE))} of all their bed days)"
        )
    if active is not None:
        parts.append(
            f"; {text_value(active['value'], results.specs.get(ACTIVE))} such placements were "
            f"active at the end of {month_label(context.period.last_day)}"
        )
    return Paragraph("".join(parts) + ".")


def build(context: Context) -> Section:
    """The out-of-area placements section."""
    results = context.results
    blocks: list[Block] = [*missing(results, MEASURES)]
    summary = _summary(context)
    blocks += [
        b for b in (summary, _trend(results), _reasons(results)) if b is not None
    ]
    where = by_level(
        results,
        [
            (BED_DAYS, "Inappropriate bed days"),
            (ALL_BED_DAYS, "All OAP bed days"),
            (ALL_ACTIVE, "Active at period end"),
        ],
        "receiving_provider",
        key="oap_receiving_provider",
        title="Where people are placed: receiving provider",
        label="Receiving provider",
    )
    distance = by_level(
        results,
        [
            (ALL_RESIDENTS, "All bed days"),
            (ALL_BED_DAYS, "All OAP bed days"),
            (BED_DAYS, "Inappropriate bed days"),
            (ALL_ACTIVE, "OAPs active at period end"),
        ],
        "distance_band",
        key="oap_distance",
        title="How far from home: distance band of the ward",
        label="Distance from home",
        order="level",
    )
    blocks += [t for t in (where, distance) if t is not None]
    if distance is not None:
        blocks.append(_distance_chart(distance))
    blocks += _cost(context)
    repatriation = _repatriation(results)
    if repatriation is not None:
        blocks.append(repatriation)
    return Section("out_of_area", "Out-of-area placements", tuple(blocks), MEASURES)


def _distance_chart(table: Table) -> Figure:
    frame = table.frame.rename(
        columns={"Distance from home": "label", "All bed days": "value"}
    )
    svg = charts.bar_chart(
        frame, title="Residents' bed days by distance from home", unit="days"
    )
    return Figure(
        "oap-distance",
        "Residents' bed days by distance from home",
        svg,
        caption="Every bed day of the ICB's residents, in or out of area, by the distance "
        "of the ward from home. Suppressed bars are shown as *.",
        kind="count",
    )
