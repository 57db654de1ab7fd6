"""Demand and capacity: beds needed by pool, with uncertainty, and what each lever changes.

Two views of "how many beds" sit side by side, because they disagree and planners should
see why. The *85% view* sizes every pool so that it runs at 85% occupancy on average. The
*risk view* sizes each pool so that no more than the target share of admissions (5% by
default) finds every bed full and is sent out of area, from Erlang's loss formula: small
pools need proportionally more spare beds than large ones. The first table uses the
reporting year's bed days of the ICB's residents; with a scenario, the simulation adds
the plan's bed changes, the spread of beds needed across replications, and a waterfall
of the levers.
"""

from __future__ import annotations

import math

import pandas as pd

from nearhome.capacity.erlang import beds_for, erlang_b
from nearhome.capacity.goalseek import beds_at_occupancy
from nearhome.reports import charts
from nearhome.reports.capacity_runs import CapacityRuns
from nearhome.reports.model import Block, Figure, Paragraph, Section, Table
from nearhome.reports.plan import Plan
from nearhome.reports.results import Needs
from nearhome.reports.sections.context import Context
from nearhome.reports.sections.display import words
from nearhome.reports.suppression import is_suppressed

BED_DAYS = "bed_days.occupied"
POOLS = "bed_capacity_pool"
OCCUPANCY = 0.85
TARGET = 0.05
LEVER_WORDS = {
    "baseline": "Demand and beds today (every lever off)",
    "demographic_growth": "Population growth",
    "incidence_change": "Change in incidence",
    "acuity_change": "Change in acuity",
    "admission_avoidance": "Admissions avoided (community alternatives)",
    "los_reduction": "Shorter clinical stays",
    "crfd_removal": "Fewer days clinically ready for discharge",
    "long_stay_reduction": "Fewer very long stays",
    "expatriation": "Other ICBs' residents returned home",
    "bed_changes": "Beds opened or closed",
    "repatriation": "Bringing people back when a bed frees",
    "midlands": "Midlands model factors",
}


def needs(plan: Plan | None) -> Needs:
    """The year's bed days by capacity pool."""
    del plan
    return Needs(year={BED_DAYS: (POOLS,)})


def _pool_row(label: object, load: float) -> dict[str, object]:
    """One pool's two answers: beds at 85% occupancy, and beds for the risk target."""
    fixed = beds_at_occupancy(load, OCCUPANCY, rounding="ceil")
    risk = beds_for(load, TARGET)
    occupancy = load * (1 - erlang_b(load, risk)) / risk * 100 if risk else math.nan
    return {
        "Pool": words(label),
        "Beds in use on average": load,
        "Beds at 85% occupancy": fixed,
        "% sent away with those beds": erlang_b(load, fixed) * 100,
        "Beds for at most 5% sent away": risk,
        "Occupancy with those beds (%)": occupancy,
    }


def _data_view(context: Context) -> list[Block]:
    rows = context.results.rows(BED_DAYS, POOLS)
    out = [
        _pool_row(row["level_description"], float(row["value"]) / context.period.days)
        for _, row in rows.iterrows()
        if not is_suppressed(row["value"]) and float(row["value"]) > 0
    ]
    if not out:
        note = "No bed days by capacity pool for this ICB's residents."
        return [Paragraph(note, tone="note")]
    frame = pd.DataFrame(out).sort_values("Beds in use on average", ascending=False)
    frame = frame.reset_index(drop=True)
    return [_views_figure(frame), _views_table(frame)]


def _views_table(frame: pd.DataFrame) -> Table:
    kinds = dict.fromkeys(frame.columns[1:], "estimate")
    return Table(
        key="capacity_views",
        title="Beds needed: the 85% occupancy view beside the risk view",
        frame=frame,
        kinds=kinds,  # type: ignore[arg-type]
        decimals={
            "Beds in use on average": 1,
            "Beds at 85% occupancy": 0,
            "% sent away with those beds": 1,
            "Beds for at most 5% sent away": 0,
            "Occupancy with those beds (%)": 1,
        },
        note="Beds in use on average: the residents' bed days in the year (after disclosure control) "
        "divided by its days, wherever they were treated, so demand that went out of area "
        "counts. Sent away: Erlang B, the share of admissions finding every bed full.",
    )


def _views_figure(frame: pd.DataFrame) -> Figure:
    chart = charts.interval_chart(
        frame.assign(
            low=frame["Beds in use on average"],
            high=frame["Beds for at most 5% sent away"],
        ),
        label="Pool",
        value="Beds for at most 5% sent away",
        lower="low",
        upper="high",
        marker="Beds at 85% occupancy",
        marker_label="85% occupancy view",
        value_label="risk view (line from average use)",
        title="Beds: average use to the risk view, with the 85% view",
        decimals=0,
    )
    return Figure(
        "capacity-views",
        "Beds: average use to the risk view, with the 85% view",
        chart,
        caption="The line runs from the beds in use on average to the beds that keep "
        "out-of-area placements to 5% (dot); the diamond is the 85% occupancy answer.",
        kind="estimate",
    )


def _simulation(runs: CapacityRuns) -> list[Block]:
    beds = runs.beds_needed
    words = (
        f"Simulated with scenario '{runs.scenario.name}' ({runs.metadata['replications']} replications, "
        f"seed {runs.scenario.seed})"
    )
    if runs.plan_bed_changes:
        words += f", including the plan's {runs.plan_bed_changes} bed change(s)"
    blocks: list[Block] = [Paragraph(words + ".")]
    frame = pd.DataFrame(
        {
            "Pool": beds["label"],
            "Beds now": beds["beds_start"],
            "Beds at plan end": beds["beds_end"],
            "Beds needed (p10)": beds["beds_needed_p10"],
            "Beds needed (median)": beds["beds_needed_p50"],
            "Beds needed (p90)": beds["beds_needed_p90"],
            "Beds at 85%": beds["beds_85"],
            "% sent away": beds["p_out_of_area"] * 100,
            "Lower 95%": beds["p_out_of_area_lower"] * 100,
            "Upper 95%": beds["p_out_of_area_upper"] * 100,
        }
    )
    blocks.append(
        Table(
            key="capacity_beds_needed",
            title="Beds needed by pool, with uncertainty",
            frame=frame,
            kinds=dict.fromkeys(frame.columns[1:], "estimate"),  # type: ignore[arg-type]
            decimals={
                c: (1 if c.startswith(("%", "Lower", "Upper")) else 0)
                for c in frame.columns
            },
            note=f"Beds needed for at most {runs.scenario.target_out_of_area:.0%} sent away, from each "
            "replication's demand (p10 to p90: how much a plan period can differ by chance). % sent "
            "away: simulated with the beds at the plan's end, with its 95% interval.",
        )
    )
    chart_frame = frame.rename(columns={"Pool": "label"})
    svg = charts.interval_chart(
        chart_frame,
        value="Beds needed (median)",
        lower="Beds needed (p10)",
        upper="Beds needed (p90)",
        marker="Beds at plan end",
        marker_label="beds at the plan's end",
        title="Beds needed by pool",
        value_label="median beds needed (p10 to p90)",
        decimals=0,
    )
    blocks.insert(
        1,
        Figure(
            "capacity-beds-needed",
            "Beds needed by pool",
            svg,
            caption="Median beds needed with the p10 to p90 range; diamonds: beds at the plan's end.",
            kind="estimate",
        ),
    )
    blocks += _waterfall(runs)
    return blocks


def _waterfall(runs: CapacityRuns) -> list[Block]:
    frame = runs.waterfall[
        runs.waterfall["measure"] == "oap_bed_days_per_year"
    ].sort_values("step")
    if frame.empty:
        return []
    rows = [
        {
            "label": LEVER_WORDS.get(str(r["lever"]), str(r["lever"])),
            "value": float(r["value"]) if r["step"] == 0 else float(r["change"]),
            "kind": "total" if r["step"] == 0 else "step",
        }
        for _, r in frame.iterrows()
    ]
    rows.append(
        {
            "label": "With every lever",
            "value": float(frame["value"].iloc[-1]),
            "kind": "total",
        }
    )
    data = pd.DataFrame(rows)
    svg = charts.waterfall_chart(
        data, title="Out-of-area bed days a year: what each lever changes", unit="days"
    )
    table = Table(
        key="capacity_waterfall",
        title="Levers' waterfall: out-of-area bed days a year",
        frame=data.rename(
            columns={"label": "Step", "value": "Bed days a year", "kind": "Kind"}
        ),
        kinds={"Bed days a year": "estimate"},
        decimals={"Bed days a year": 0},
        note=f"Each lever switched on in turn with the same random numbers "
        f"({runs.metadata['waterfall_replications']} replications a step); simulated, not recorded.",
    )
    return [
        Figure(
            "capacity-waterfall",
            "Levers' waterfall",
            svg,
            caption="Green steps reduce out-of-area "
            "bed days, orange steps add to them.",
            kind="estimate",
        ),
        table,
    ]


def build(context: Context) -> Section:
    """The demand and capacity section."""
    blocks: list[Block] = _data_view(context)
    if context.capacity is None:
        blocks.append(
            Paragraph(
                "No capacity scenario was given, so beds needed are shown from the year's data only. "
                "Give one with --scenario to simulate the plan's levers and bed changes.",
                tone="note",
            )
        )
    else:
        blocks += _simulation(context.capacity)
    return Section("capacity", "Demand and capacity", tuple(blocks), (BED_DAYS,))
