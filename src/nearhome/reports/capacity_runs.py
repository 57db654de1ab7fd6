"""Demand and capacity for the report: the scenario run with the plan's bed changes.

The plan's bed openings and closures are added to the scenario's own, so the report's
capacity section answers "with the beds we plan, how often will someone be sent out of
area?". Beds needed come with their uncertainty: each replication's offered load (the
beds demand would fill if it never ran out) gives its own Erlang B answer, and the spread
of those answers across replications is how much one plan period can differ from
another by chance. The waterfall switches the levers on one at a time with common random
numbers, so each step is the lever's effect, not chance's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from nearhome.capacity.erlang import beds_for
from nearhome.capacity.run import lever_waterfall, run_scenario
from nearhome.capacity.scenario import BedChange, Scenario, scenario_hash
from nearhome.errors import InvalidConfig
from nearhome.reports.plan import Plan

__all__ = ["CapacityRuns", "run_capacity", "with_plan_beds"]


@dataclass(frozen=True)
class CapacityRuns:
    """What the capacity section shows.

    Attributes:
        scenario: The scenario as run (with the plan's bed changes).
        summary: ``pool_summary()`` of the run (one row per pool).
        beds_needed: Per pool: ``pool, label, beds_start, beds_end, offered_load,
            beds_85, beds_needed_p10, beds_needed_p50, beds_needed_p90,
            p_out_of_area, p_out_of_area_lower, p_out_of_area_upper``.
        waterfall: ``lever_waterfall`` rows for all pools together.
        plan_bed_changes: The plan's changes that were applied.
        metadata: Replications, seed, scenario hash.
    """

    scenario: Scenario
    summary: pd.DataFrame
    beds_needed: pd.DataFrame
    waterfall: pd.DataFrame
    plan_bed_changes: int = 0
    metadata: dict[str, Any] = field(default_factory=dict)


def with_plan_beds(scenario: Scenario, plan: Plan | None) -> tuple[Scenario, int]:
    """The scenario with the plan's bed changes added to its pools.

    Raises:
        InvalidConfig: the plan names a pool the scenario does not have.
    """
    if plan is None or not plan.beds:
        return scenario, 0
    pools = {p.id: p for p in scenario.pools}
    unknown = sorted({b.pool for b in plan.beds} - set(pools))
    if unknown:
        raise InvalidConfig(
            f"The plan changes beds in pools the scenario lacks: {', '.join(unknown)}.",
            hint=f"Scenario pools: {', '.join(pools)}.",
        )
    updated = []
    for pool in scenario.pools:
        extra = [
            BedChange(date=b.date, change=b.change, note=b.note or "plan")
            for b in plan.beds
            if b.pool == pool.id
        ]
        changes = sorted([*pool.bed_changes, *extra], key=lambda c: c.date)
        updated.append(pool.model_copy(update={"bed_changes": changes}))
    return scenario.model_copy(update={"pools": updated}), len(plan.beds)


def _beds_needed(result: Any, target: float) -> pd.DataFrame:
    summary = result.pool_summary()
    measures = result.measures
    days = float(result.month_days.sum())
    loads = (
        measures.local_bed_days.sum(axis=2) + measures.oap_bed_days.sum(axis=2)
    ) / days
    rows = []
    for p, row in summary.iterrows():
        needed = np.array(
            [beds_for(float(x), target) if x > 0 else 0 for x in loads[:, p]]
        )
        p10, p50, p90 = np.quantile(needed, [0.1, 0.5, 0.9], method="inverted_cdf")
        rows.append(
            {
                "pool": row["pool"],
                "label": row["label"],
                "beds_start": int(row["beds_start"]),
                "beds_end": int(row["beds_end"]),
                "offered_load": float(row["offered_load"]),
                "beds_85": int(row["beds_at_85pct_occupancy"]),
                "beds_needed_p10": int(p10),
                "beds_needed_p50": int(p50),
                "beds_needed_p90": int(p90),
                "p_out_of_area": float(row["p_out_of_area"]),
                "p_out_of_area_lower": float(row["p_out_of_area_lower"]),
                "p_out_of_area_upper": float(row["p_out_of_area_upper"]),
                "oap_bed_days_per_year": float(row["oap_bed_days_per_year"]),
            }
        )
    return pd.DataFrame(rows)


def run_capacity(
    scenario: Scenario,
    plan: Plan | None,
    *,
    reps: int,
    waterfall_reps: int | None = None,
) -> CapacityRuns:
    """Run the scenario (with the plan's beds) and its lever waterfall.

    Args:
        scenario: The capacity scenario.
        plan: The plan whose bed changes are added (None: the scenario as it is).
        reps: Replications of the main run.
        waterfall_reps: Replications of each waterfall step (default: half of ``reps``).
    """
    effective, applied = with_plan_beds(scenario, plan)
    result = run_scenario(effective, reps=reps)
    steps = max(1, waterfall_reps if waterfall_reps is not None else reps // 2)
    waterfall = lever_waterfall(effective, reps=steps)
    return CapacityRuns(
        scenario=effective,
        summary=result.pool_summary(),
        beds_needed=_beds_needed(result, effective.target_out_of_area),
        waterfall=waterfall[waterfall["pool"] == "all"].reset_index(drop=True),
        plan_bed_changes=applied,
        metadata={
            "replications": reps,
            "waterfall_replications": steps,
            "seed": effective.seed,
            "scenario_hash": scenario_hash(effective),
            "scenario_name": effective.name,
        },
    )
