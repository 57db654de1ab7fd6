"""The 3-year plan against the data: quarterly actuals beside the trajectory, with assurance.

The baseline of a measure is the mean of its (disclosure-controlled) quarterly values
over the plan's baseline months; the trajectory runs from it through the plan's
milestones (:func:`nearhome.reports.plan.trajectory`). Two questions are answered per
target:

* *Are we on the trajectory?* The latest quarter's actual against its target.
* *Will we meet the target?* The Making Data Count assurance icon of the monthly XmR
  chart against the current quarter's target, per month: a process whose limits lie on
  the good side of the target will consistently meet it; limits straddling it mean it
  will be hit and miss; limits on the wrong side mean it will fail unless the process
  changes.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd

from nearhome.periods import ReportingPeriod, add_months
from nearhome.reports import charts
from nearhome.reports.calendar import quarter_label, quarter_of
from nearhome.reports.model import Block, Figure, Paragraph, Section, Table
from nearhome.reports.plan import Plan, Target, trajectory
from nearhome.reports.results import Needs, month_dates
from nearhome.reports.sections.context import Context
from nearhome.reports.sections.display import decimals_for, kind_for, missing
from nearhome.reports.sections.spc import spc_view


def needs(plan: Plan | None) -> Needs:
    """Quarterly and monthly series of every measure with a target."""
    if plan is None:
        return Needs()
    measures = tuple(t.measure for t in plan.targets)
    return Needs(monthly=measures, quarterly=measures)


def quarterly_span(
    plan: Plan | None, period: ReportingPeriod
) -> ReportingPeriod | None:
    """From the baseline's first quarter to the end of the reporting period."""
    if plan is None:
        return None
    start = quarter_of(plan.baseline_period.start).start
    return ReportingPeriod(start, max(period.end, add_months(start, 3)))


@dataclass(frozen=True)
class TargetView:
    """One target's numbers.

    Attributes:
        target: The plan's target.
        title: Words for it.
        baseline: Mean of the baseline quarters (NaN when a quarter is suppressed).
        frame: One row per plan quarter: ``quarter, date, target, actual``.
    """

    target: Target
    title: str
    baseline: float
    frame: pd.DataFrame


def target_view(context: Context, target: Target) -> TargetView | None:
    """Baseline, trajectory and actuals of one target (None without a plan)."""
    plan = context.plan
    if plan is None:
        return None
    title = target.label or context.results.title(target.measure)
    quarters = context.results.quarters(target.measure)
    dates = month_dates(quarters) if not quarters.empty else []
    actual = dict(zip(dates, quarters["value"], strict=True)) if dates else {}
    base = plan.baseline_period
    in_base = [v for d, v in actual.items() if base.start <= d < base.end]
    suppressed = any(isinstance(v, str) for v in in_base) or not in_base
    baseline = math.nan if suppressed else sum(float(v) for v in in_base) / len(in_base)
    plan_quarters = plan.quarters()
    targets = trajectory(target, baseline, plan_quarters)
    frame = pd.DataFrame(
        {
            "quarter": [quarter_label(q) for q in plan_quarters],
            "date": plan_quarters,
            "target": targets,
            "actual": [actual.get(q, math.nan) for q in plan_quarters],
        }
    )
    return TargetView(target, title, baseline, frame)


def current_target(context: Context, view: TargetView) -> float | None:
    """The target of the quarter holding the report's last month (None if outside the plan)."""
    quarter = quarter_of(context.period.last_day).start
    rows = view.frame[view.frame["date"] == quarter]
    if rows.empty:
        return None
    value = float(rows["target"].iloc[0])
    return None if math.isnan(value) else value


def monthly_target(context: Context, measure: str) -> float | None:
    """The current quarter's target per month (a third of it for counts), or None."""
    if context.plan is None:
        return None
    target = next((t for t in context.plan.targets if t.measure == measure), None)
    view = target_view(context, target) if target is not None else None
    value = current_target(context, view) if view is not None else None
    if value is None:
        return None
    spec = context.results.specs.get(measure)
    return value / 3 if spec is not None and spec.kind == "count" else value


def _summary_row(context: Context, view: TargetView) -> dict[str, object]:
    known = view.frame[
        view.frame["actual"].map(
            lambda v: isinstance(v, str) or not math.isnan(float(v))
        )
    ]
    latest = known.iloc[-1] if not known.empty else None
    monthly = monthly_target(context, view.target.measure)
    spc = spc_view(
        context.results,
        view.target.measure,
        improvement=view.target.improvement,
        key=f"plan-{view.target.measure}",
        target=monthly,
    )
    assurance = spc.card.assurance
    last = view.target.milestones[-1]
    return {
        "Measure": view.title,
        "Baseline": view.baseline,
        "Latest quarter": latest["quarter"] if latest is not None else "",
        "Actual": latest["actual"] if latest is not None else math.nan,
        "Target then": float(latest["target"]) if latest is not None else math.nan,
        "On trajectory": _on_track(view.target, latest),
        "Final target": f"{last.target(view.baseline):,.1f} by {last.quarter}"
        if not math.isnan(last.target(view.baseline))
        else f"by {last.quarter}",
        "Will we meet it?": assurance or "not assessed (no SPC chart)",
    }


def _on_track(target: Target, latest: pd.Series | None) -> str:
    if latest is None:
        return "no data yet"
    actual, goal = latest["actual"], float(latest["target"])
    if isinstance(actual, str) or math.isnan(goal):
        return "cannot tell"
    better = actual <= goal if target.improvement == "decrease" else actual >= goal
    return "yes" if better else "no"


def _target_table(context: Context, view: TargetView, index: int) -> Table:
    kind = kind_for(context.results.specs.get(view.target.measure))
    frame = view.frame.rename(
        columns={"quarter": "Quarter", "target": "Target", "actual": "Actual"}
    )
    return Table(
        key=f"plan_target_{index}",
        title=f"{view.title}: quarterly target and actual",
        frame=frame[["Quarter", "Target", "Actual"]],
        kinds={"Target": "number", "Actual": kind},
        decimals={"Target": 1, "Actual": decimals_for(kind)},
        note="Targets run in straight lines from the baseline through the plan's milestones.",
    )


def _chart(view: TargetView, index: int) -> Figure:
    rows = [
        {"date": d, "series": "Actual", "value": a}
        for d, a in zip(view.frame["date"], view.frame["actual"], strict=True)
    ] + [
        {"date": d, "series": "Trajectory", "value": t}
        for d, t in zip(view.frame["date"], view.frame["target"], strict=True)
    ]
    svg = charts.line_chart(
        pd.DataFrame(rows),
        title=f"{view.title}: plan against actual",
        dashed=("Trajectory",),
        decimals=1,
        quarterly=True,
    )
    return Figure(
        f"plan-chart-{index}",
        f"{view.title}: plan against actual",
        svg,
        caption="Quarterly actual (solid) against the plan's trajectory (dashed).",
    )


def build(context: Context) -> Section:
    """The plan section (a short note when no plan was given)."""
    plan = context.plan
    if plan is None:
        note = Paragraph(
            "No plan file was given, so there are no targets to report against. Give one "
            "with --plan (see examples/plan.toml).",
            tone="note",
        )
        return Section("plan", "The 3-year plan", (note,))
    blocks: list[Block] = [
        Paragraph(plan.title),
        *([Paragraph(plan.narrative)] if plan.narrative else []),
    ]
    blocks += [
        Paragraph(
            f"Baseline: {plan.baseline}; the plan runs {plan.years} years from "
            f"{quarter_label(plan.period.start)}."
        )
    ]
    blocks += missing(context.results, [t.measure for t in plan.targets])
    views = [
        v
        for t in plan.targets
        if context.results.has(t.measure) and (v := target_view(context, t))
    ]
    if views:
        rows = [_summary_row(context, v) for v in views]
        cell_kinds = {
            (i, "Actual"): kind_for(context.results.specs.get(v.target.measure))
            for i, v in enumerate(views)
        }
        blocks.append(
            Table(
                key="plan_summary",
                title="Plan targets: where we are and whether we will meet them",
                frame=pd.DataFrame(rows),
                kinds={
                    "Baseline": "number",
                    "Actual": "number",
                    "Target then": "number",
                    "Will we meet it?": "icon",
                },
                decimals={"Baseline": 1, "Actual": 1, "Target then": 1},
                cell_kinds=cell_kinds,
                note="Will we meet it: Making Data Count assurance, the monthly XmR process "
                "limits against the current quarter's target "
                "(for counts, a third of the quarterly target per month).",
            )
        )
    for i, view in enumerate(views, start=1):
        blocks += [_chart(view, i), _target_table(context, view, i)]
    if plan.beds:
        blocks.append(_beds_table(plan))
    return Section(
        "plan", "The 3-year plan", tuple(blocks), tuple(t.measure for t in plan.targets)
    )


def _beds_table(plan: Plan) -> Table:
    frame = pd.DataFrame(
        [
            {"Pool": b.pool, "Date": b.date, "Beds": b.change, "Note": b.note}
            for b in plan.beds
        ]
    )
    return Table(
        key="plan_beds",
        title="Beds the plan opens (+) or closes (−)",
        frame=frame,
        kinds={"Beds": "number", "Date": "date"},
        decimals={"Beds": 0},
        note="These changes are applied to the capacity scenario in the demand and capacity section.",
    )


def first_quarter_from(day: dt.date) -> dt.date:
    """First day of the first whole financial-year quarter starting on or after ``day``."""
    start = quarter_of(day).start
    return start if start >= day else add_months(start, 3)
