"""Demand and capacity: how many beds of each type end inappropriate out-of-area placements.

The public API (re-exports only; see each module for the detail)::

    from nearhome import capacity

    capacity.erlang_b(17.5, 20)                 # share sent out of area, one pool
    capacity.beds_for(17.5, max_out_of_area=0.05)
    capacity.simulate_ward(arrivals_per_day=0.5, mean_los=35, beds=20)
    result = capacity.run_scenario(capacity.sample_scenario(), reps=200)
    result.pool_summary()

Reading a baseline from the warehouse lives in :mod:`nearhome.capacity.baseline`, the
Midlands bed model import in :mod:`nearhome.capacity.midlands` and the backtest in
:mod:`nearhome.capacity.backtest`.
"""

from nearhome.capacity.erlang import (
    beds_for,
    beds_for_wait,
    erlang_b,
    erlang_c,
    offered_load,
)
from nearhome.capacity.goalseek import (
    beds_at_occupancy,
    los_reduction_needed,
    max_demand,
    max_load,
    occupancy_view,
    risk_table,
)
from nearhome.capacity.queueing import daily_mean_occupancy, sinusoidal_mean_occupancy
from nearhome.capacity.results import ScenarioResult
from nearhome.capacity.run import bed_sweep, lever_waterfall, run_scenario, seek_beds
from nearhome.capacity.scenario import (
    Scenario,
    load_scenario,
    sample_scenario,
    scenario_hash,
    scenario_json_schema,
)
from nearhome.capacity.ward import WardResult, simulate_ward

__all__ = [
    "Scenario",
    "ScenarioResult",
    "WardResult",
    "bed_sweep",
    "beds_at_occupancy",
    "beds_for",
    "beds_for_wait",
    "daily_mean_occupancy",
    "erlang_b",
    "erlang_c",
    "lever_waterfall",
    "load_scenario",
    "los_reduction_needed",
    "max_demand",
    "max_load",
    "occupancy_view",
    "offered_load",
    "risk_table",
    "run_scenario",
    "sample_scenario",
    "scenario_hash",
    "scenario_json_schema",
    "seek_beds",
    "simulate_ward",
    "sinusoidal_mean_occupancy",
]
