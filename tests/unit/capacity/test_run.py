"""run_scenario and what it returns: frames, files, batches, sweep, goal seek, waterfall."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from nearhome import capacity
from nearhome.capacity import charts
from nearhome.capacity.run import bed_sweep, lever_waterfall, run_scenario, seek_beds
from nearhome.errors import InvalidScenario

from .conftest import small_scenario


@pytest.fixture(scope="module")
def result() -> capacity.ScenarioResult:
    return run_scenario(small_scenario(), reps=24, batch_size=10)


def test_pool_summary(result: capacity.ScenarioResult) -> None:
    summary = result.pool_summary().set_index("pool")
    acute = summary.loc["acute"]
    assert acute["beds_start"] == 10
    assert (
        0
        <= acute["p_out_of_area_lower"]
        <= acute["p_out_of_area"]
        <= acute["p_out_of_area_upper"]
    )
    assert (
        acute["p_out_of_area_p10"]
        <= acute["p_out_of_area_p50"]
        <= acute["p_out_of_area_p90"]
    )
    assert acute["oap_cost_per_year"] == pytest.approx(
        acute["oap_bed_days_per_year"] * 600.0
    )
    assert 0 < acute["occupancy_mean"] <= 1.0
    assert acute["offered_load"] == pytest.approx(0.3 * 30 + 0.6 * 0.05 * 30, rel=0.35)


def test_monthly_and_replications(result: capacity.ScenarioResult) -> None:
    monthly = result.monthly()
    assert set(monthly["pool"]) == {"acute", "picu"} and len(monthly) == 2 * 12
    assert (monthly["occupancy_p10"] <= monthly["occupancy_p90"]).all()
    reps = result.replications()
    assert set(reps.columns) >= {"scenario_hash", "replication", "pool", "oap_bed_days"}
    assert (
        reps["replication"].nunique() == 24
        and (reps["scenario_hash"] == result.scenario_hash).all()
    )
    c = result.conservation()
    assert (c["at_start"] + c["admitted"] == c["discharged"] + c["at_end"]).all()


def test_batches_and_processes_do_not_change_numbers(
    result: capacity.ScenarioResult,
) -> None:
    other = run_scenario(small_scenario(), reps=24, batch_size=24)
    assert np.array_equal(result.measures.sent_away, other.measures.sent_away)
    assert np.array_equal(result.measures.oap_bed_days, other.measures.oap_bed_days)
    parallel = run_scenario(small_scenario(), reps=24, batch_size=12, workers=2)
    assert np.array_equal(result.measures.census, parallel.measures.census)


def test_write_files(result: capacity.ScenarioResult, tmp_path: Path) -> None:
    written = result.write(tmp_path)
    names = {p.name for p in written}
    assert {
        "pools.csv",
        "monthly.csv",
        "replications.csv",
        "metadata.json",
        "out_of_area.svg",
        "occupancy_acute.svg",
    } <= names
    meta = json.loads((tmp_path / "metadata.json").read_text())
    assert (
        meta["seed"] == 11
        and meta["replications"] == 24
        and "numpy" in meta["versions"]
    )
    for svg in tmp_path.glob("*.svg"):
        ET.fromstring(svg.read_text())


def test_sweep_goal_seek_and_waterfall() -> None:
    s = small_scenario(repatriation={"rule": "none"})
    sweep = bed_sweep(s, "acute", [6, 14], reps=12)
    assert sweep["p_out_of_area"].iloc[0] > sweep["p_out_of_area"].iloc[1]
    ET.fromstring(charts.sweep_chart(sweep, 0.05))
    found = seek_beds(s, "acute", 0.2, reps=12)
    assert found["p_out_of_area"] <= 0.2 and found["beds"] - 1 in found["tried"]
    lev = small_scenario(
        levers={"los_reduction_pct": 20.0}, repatriation={"rule": "none"}
    )
    frame = lever_waterfall(lev, reps=8)
    assert frame["lever"].unique().tolist() == ["baseline", "los_reduction"]
    total = frame[
        (frame["pool"] == "all") & (frame["measure"] == "oap_bed_days_per_year")
    ]
    assert total["change"].iloc[1] == pytest.approx(
        total["value"].iloc[1] - total["value"].iloc[0]
    )
    ET.fromstring(charts.waterfall_chart(frame))


def test_errors() -> None:
    with pytest.raises(InvalidScenario, match="no pool"):
        bed_sweep(small_scenario(), "nope", [3], reps=2)
    with pytest.raises(InvalidScenario, match="at least 1"):
        run_scenario(small_scenario(), reps=0)


def test_public_api_names() -> None:
    assert capacity.erlang_b(10, 10) == pytest.approx(0.214582, abs=1e-6)
    assert capacity.beds_for(17.5, max_out_of_area=0.05) == 23
    assert callable(capacity.simulate_ward) and callable(capacity.run_scenario)


def test_sweep_takes_erlang_at_the_beds_residents_have() -> None:
    # 2 of the acute pool's beds are taken by other ICBs' residents, so a sweep point of
    # 8 beds gives this ICB's residents 6: Erlang B must be read at 6, not 8.
    base = small_scenario(repatriation={"rule": "none"})
    pools = [
        p.model_copy(update={"non_resident_census": 2.0}) if p.id == "acute" else p
        for p in base.pools
    ]
    s = base.model_copy(update={"pools": pools})
    row = bed_sweep(s, "acute", [8], reps=6).iloc[0]
    assert row["beds"] == 8 and row["beds_for_residents"] == 6
    assert row["erlang_b"] == pytest.approx(
        capacity.erlang_b(row["offered_load"], 6), abs=1e-12
    )
    assert row["erlang_b"] > capacity.erlang_b(row["offered_load"], 8)
    assert row["p_out_of_area_repatriating"] >= row["erlang_b"]
