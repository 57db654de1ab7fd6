"""The capacity step of the demo: baseline from the warehouse, a 3-year run, files written.

``nearhome demo`` (and ``make demo``) call :func:`run_demo_scenario`; the same thing from a
shell is ``nearhome capacity baseline`` followed by ``nearhome capacity run``.
"""

from __future__ import annotations

from pathlib import Path

from nearhome.capacity.baseline import baseline_scenario
from nearhome.capacity.results import ScenarioResult
from nearhome.capacity.run import run_scenario
from nearhome.capacity.toml_writer import dumps
from nearhome.data.warehouse import Warehouse

__all__ = ["run_demo_scenario"]


def run_demo_scenario(
    warehouse: Warehouse,
    icb_code: str,
    out_dir: str | Path,
    reps: int = 200,
    *,
    workers: int = 1,
) -> ScenarioResult:
    """Build the ICB's baseline scenario, write it as TOML, run it for 3 years, write results.

    Writes ``baseline.toml`` and the results (``pools.csv``, ``monthly.csv``,
    ``replications.csv``, ``metadata.json`` and SVG charts) into ``out_dir``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    built = baseline_scenario(warehouse, icb_code, years=3)
    (out / "baseline.toml").write_text(
        dumps(built.scenario.model_dump(exclude_none=True)), encoding="utf-8"
    )
    built.summary().to_csv(
        out / "baseline_summary.csv", index=False, float_format="%.6g"
    )
    result = run_scenario(built.scenario, reps=reps, workers=workers)
    result.write(out)
    return result
