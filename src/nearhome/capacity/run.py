"""Run a scenario: replications in batches (optionally in parallel processes), then results.

Replication ``r`` always draws from the same seed children whatever the batch or process it
runs in, so ``workers`` and ``batch_size`` change the speed, never the numbers.
"""

from __future__ import annotations

import math
import platform
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nearhome.capacity.batch import empty_records
from nearhome.capacity.draws import build_batch
from nearhome.capacity.engine import run_batch
from nearhome.capacity.engine_loop import HAVE_NUMBA, run_batch_loop
from nearhome.capacity.erlang import erlang_b, out_of_area_repatriating
from nearhome.capacity.levers import active_levers, neutralise
from nearhome.capacity.measures import (
    RepMeasures,
    concat_measures,
    measure_batch,
    ratio_estimate,
)
from nearhome.capacity.plan import PlanModel, plan_model
from nearhome.capacity.results import ScenarioResult
from nearhome.capacity.scenario import Scenario, load_scenario, scenario_hash
from nearhome.errors import InvalidScenario

__all__ = ["bed_sweep", "lever_waterfall", "run_scenario", "seek_beds"]

Progress = Callable[[int, int], None]


def _chunk(scenario: Scenario, first: int, last: int, use_numba: bool) -> RepMeasures:
    """Run replications ``first..last-1`` (a top-level function so processes can run it)."""
    model = plan_model(scenario)
    batch = build_batch(model, range(first, last))
    records = empty_records(batch.reps, batch.pools, batch.capacities())
    (run_batch_loop if use_numba else run_batch)(batch, records)
    return measure_batch(batch, records, model.month_edges, int(model.horizon))


def _slots_at(model: PlanModel, day: float) -> np.ndarray:  # type: ignore[type-arg]
    return np.array(
        [int(((p.open_from <= day) & (p.close_at > day)).sum()) for p in model.pools]
    )


def _available_bed_days(model: PlanModel) -> np.ndarray:  # type: ignore[type-arg]
    edges = model.month_edges
    out = np.zeros((len(model.pools), edges.size - 1))
    for p, pool in enumerate(model.pools):
        lo = np.maximum(pool.open_from[:, None], edges[None, :-1])
        hi = np.minimum(pool.close_at[:, None], edges[None, 1:])
        out[p] = np.clip(hi - lo, 0.0, None).sum(axis=0)
    return out


def _versions(use_numba: bool) -> dict[str, str]:
    names = ["nearhome", "numpy", "scipy", "pandas", "pydantic"] + (
        ["numba"] if use_numba else []
    )
    found = {"python": platform.python_version()}
    for name in names:
        try:
            found[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            found[name] = "unknown"
    return found


def _coerce(scenario: Scenario | str | Path) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


def run_scenario(
    scenario: Scenario | str | Path,
    *,
    reps: int | None = None,
    workers: int = 1,
    use_numba: bool = False,
    batch_size: int = 250,
    progress: Progress | None = None,
) -> ScenarioResult:
    """Simulate a scenario's bed pools over the plan and summarise the results.

    Args:
        scenario: a :class:`Scenario`, or the path of a scenario TOML file.
        reps: replications (default: the scenario's ``replications``).
        workers: processes to spread batches over (1 runs in this process).
        use_numba: use the compiled loop core (needs numba; same numbers, faster).
        batch_size: replications simulated together in one batch.
        progress: called with (replications done, replications in all) after each batch.
    """
    scenario = _coerce(scenario)
    if use_numba and not HAVE_NUMBA:
        raise InvalidScenario(
            "The numba engine was asked for but numba is not installed.",
            hint="pip install numba, or drop --numba.",
        )
    total = scenario.replications if reps is None else reps
    if total < 1:
        raise InvalidScenario("reps must be at least 1.")
    bounds = [(a, min(a + batch_size, total)) for a in range(0, total, batch_size)]
    began = time.perf_counter()
    parts: list[RepMeasures] = []
    done = 0
    if workers > 1 and len(bounds) > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [
                pool.submit(_chunk, scenario, a, b, use_numba) for a, b in bounds
            ]
            for (a, b), future in zip(bounds, futures, strict=True):
                parts.append(future.result())
                done += b - a
                if progress:
                    progress(done, total)
    else:
        for a, b in bounds:
            parts.append(_chunk(scenario, a, b, use_numba))
            done += b - a
            if progress:
                progress(done, total)
    elapsed = time.perf_counter() - began
    model = plan_model(scenario)
    meta: dict[str, Any] = {
        "scenario_name": scenario.name,
        "scenario_hash": scenario_hash(scenario),
        "seed": scenario.seed,
        "replications": total,
        "first_replication": 0,
        "engine": "numba" if use_numba else "numpy",
        "workers": workers,
        "batch_size": batch_size,
        "elapsed_seconds": round(elapsed, 3),
        "replications_per_second": round(total / elapsed, 1) if elapsed > 0 else None,
        "versions": _versions(use_numba),
        "seeding": "numpy.random.SeedSequence(seed, spawn_key=(replication, crc32(pool id), stream))",
    }
    return ScenarioResult(
        scenario=scenario,
        scenario_hash=meta["scenario_hash"],
        measures=concat_measures(parts),
        month_labels=model.month_labels,
        month_days=np.diff(model.month_edges),
        available_bed_days=_available_bed_days(model),
        beds_start=_slots_at(model, 0.0),
        beds_end=_slots_at(model, model.horizon - 1e-9),
        metadata=meta,
    )


def _with_beds(scenario: Scenario, pool_id: str, beds: int) -> Scenario:
    if pool_id not in scenario.pool_ids():
        raise InvalidScenario(
            f"The scenario has no pool '{pool_id}'.",
            hint=f"Pools: {', '.join(scenario.pool_ids())}",
        )
    pools = [
        p.model_copy(update={"beds": beds}) if p.id == pool_id else p
        for p in scenario.pools
    ]
    return scenario.model_copy(update={"pools": pools})


def bed_sweep(
    scenario: Scenario | str | Path, pool_id: str, beds: Sequence[int], **run: Any
) -> pd.DataFrame:
    """Share sent out of area (and more) for each number of beds in one pool, others fixed.

    ``beds`` counts the pool's beds as the scenario does, including those other ICBs'
    residents occupy (``non_resident_census``); the simulation gives this ICB's residents
    what is left at the plan's end (``beds_for_residents``), so the analytic columns are
    taken at that number. Erlang B is the answer if placements run their course,
    ``p_out_of_area_repatriating`` if everyone away is brought back when a bed frees.
    """
    scenario = _coerce(scenario)
    rows = []
    for n in beds:
        result = run_scenario(_with_beds(scenario, pool_id, int(n)), **run)
        summary = result.pool_summary().set_index("pool")
        index = result.pool_ids.index(pool_id)
        row = {str(k): v for k, v in summary.loc[pool_id].items()}
        residents = int(result.beds_end[index])
        load = float(result.offered_load()[index])
        keep = (
            "p_out_of_area",
            "p_out_of_area_se",
            "p_out_of_area_p10",
            "p_out_of_area_p90",
            "one_in_n",
            "occupancy_mean",
            "oap_bed_days_per_year",
            "oap_cost_per_year",
            "offered_load",
        )
        rows.append(
            {
                "pool": pool_id,
                "beds": int(n),
                "beds_for_residents": residents,
                **{k: row[k] for k in keep},
                "erlang_b": erlang_b(load, residents),
                "p_out_of_area_repatriating": out_of_area_repatriating(load, residents),
            }
        )
    return pd.DataFrame(rows)


def seek_beds(
    scenario: Scenario | str | Path,
    pool_id: str,
    target: float | None = None,
    **run: Any,
) -> dict[str, Any]:
    """Fewest beds in one pool that keep the simulated share sent away at or below the target.

    Starts from the Erlang B answer for the pool's offered load and steps one bed at a time;
    common random numbers make neighbouring bed numbers directly comparable.
    """
    scenario = _coerce(scenario)
    goal = scenario.target_out_of_area if target is None else target
    current = (
        next(p.beds for p in scenario.pools if p.id == pool_id)
        if pool_id in scenario.pool_ids()
        else None
    )
    if current is None:
        raise InvalidScenario(f"The scenario has no pool '{pool_id}'.")
    cache: dict[int, pd.Series] = {}

    def share(n: int) -> float:
        if n not in cache:
            cache[n] = bed_sweep(scenario, pool_id, [n], **run).iloc[0]
        return float(cache[n]["p_out_of_area"])

    first = bed_sweep(scenario, pool_id, [current], **run).iloc[0]
    load = float(first["offered_load"])
    from nearhome.capacity.erlang import beds_for

    # Erlang B counts residents' beds; the pool also holds other ICBs' residents.
    others = current - int(first["beds_for_residents"])
    erlang = (beds_for(load, goal) if load > 0 else 0) + max(others, 0)
    n = max(erlang, 0)
    if share(n) <= goal:
        while n > 0 and share(n - 1) <= goal:
            n -= 1
    else:
        while share(n) > goal:
            n += 1
    row = cache[n]
    return {
        "pool": pool_id,
        "target": goal,
        "beds": n,
        "beds_now": current,
        "p_out_of_area": float(row["p_out_of_area"]),
        "p_out_of_area_se": float(row["p_out_of_area_se"]),
        "offered_load": load,
        "beds_erlang": erlang,
        "tried": sorted(cache),
    }


def _step_rows(step: int, lever: str, result: ScenarioResult) -> list[dict[str, Any]]:
    summary = result.pool_summary()
    m = result.measures
    rows = []
    for measure in (
        "oap_bed_days_per_year",
        "p_out_of_area",
        "admissions_per_year",
        "occupancy_mean",
        "oap_cost_per_year",
    ):
        for pool, value in zip(summary["pool"], summary[measure], strict=True):
            rows.append(
                {
                    "step": step,
                    "lever": lever,
                    "pool": pool,
                    "measure": measure,
                    "value": float(value),
                }
            )
    share, _ = ratio_estimate(
        m.sent_away.sum(axis=1).astype(float), m.arrivals.sum(axis=1).astype(float)
    )
    totals = {
        "oap_bed_days_per_year": float(summary["oap_bed_days_per_year"].sum()),
        "p_out_of_area": share,
        "admissions_per_year": float(summary["admissions_per_year"].sum()),
        "occupancy_mean": math.nan,
        "oap_cost_per_year": float(summary["oap_cost_per_year"].sum()),
    }
    rows += [
        {"step": step, "lever": lever, "pool": "all", "measure": k, "value": v}
        for k, v in totals.items()
    ]
    return rows


def lever_waterfall(scenario: Scenario | str | Path, **run: Any) -> pd.DataFrame:
    """Change in OAP bed days, share sent away and more as each active lever is added in turn.

    Step 0 is the scenario with every lever neutral; each later step switches one more lever
    on (in :data:`~nearhome.capacity.levers.LEVER_NAMES` order) until the full scenario. All
    steps use the same random numbers, so each change is the lever's, not chance's.
    """
    scenario = _coerce(scenario)
    names = active_levers(scenario)
    rows = _step_rows(
        0, "baseline", run_scenario(neutralise(scenario, set(names)), **run)
    )
    for k, name in enumerate(names, start=1):
        still_off = set(names[k:])
        rows += _step_rows(
            k, name, run_scenario(neutralise(scenario, still_off), **run)
        )
    frame = pd.DataFrame(rows)
    frame["change"] = frame.groupby(["pool", "measure"])["value"].diff().fillna(0.0)
    return frame


def default_out_dir(scenario_path: str | Path) -> Path:
    """``results/<scenario file stem>`` next to the working directory."""
    return Path("results") / Path(scenario_path).stem
