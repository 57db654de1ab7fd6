"""The scenario schema: clear errors listing every problem, TOML round trip, schema, hash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nearhome.capacity.scenario import (
    load_scenario,
    parse_scenario,
    sample_scenario,
    scenario_hash,
    scenario_json_schema,
)
from nearhome.capacity.toml_writer import dumps
from nearhome.errors import InvalidScenario

from .conftest import small_scenario


def test_sample_scenario_loads_and_overrides() -> None:
    s = sample_scenario()
    assert len(s.pools) == 6
    assert (
        sample_scenario(
            years=2, levers={"los_reduction_pct": 0.0}
        ).levers.los_reduction_pct
        == 0.0
    )
    assert s.end_date.year == s.start_date.year + 3


def test_every_problem_is_listed() -> None:
    data = small_scenario().model_dump(mode="json")
    data["years"] = 0
    data["pools"][0]["beds"] = -1
    data["pools"][1]["los"] = {"kind": "lognormal", "mean_days": 10.0}
    data["unknown_field"] = 1
    with pytest.raises(InvalidScenario) as caught:
        parse_scenario(data, source="bad.toml")
    text = str(caught.value)
    assert "bad.toml has 4 problem(s)" in text
    for where in ("years", "pools.0.beds", "pools.1.los", "unknown_field"):
        assert where in text
    assert caught.value.hint and "schema" in caught.value.hint


def test_cross_checks_list_every_problem() -> None:
    data = small_scenario().model_dump(mode="json")
    data["pools"][1]["id"] = "acute"
    data["transfers"][0]["to_pool"] = "nowhere"
    data["pools"][0]["bed_changes"] = [
        {"date": "2020-01-01", "change": 2},
        {"date": "2025-06-01", "change": -20},
    ]
    data["levers"] = {
        "demographic_growth": True,
        "admission_avoidance": [{"name": "x", "pct_of_admissions": 5, "pools": ["zz"]}],
    }
    with pytest.raises(InvalidScenario) as caught:
        parse_scenario(data)
    text = str(caught.value)
    for bit in (
        "appears more than once",
        "no pool 'nowhere'",
        "outside the plan",
        "below zero",
        "no pool 'zz'",
        "needs [[population]]",
        "age_sex_mix",
    ):
        assert bit in text


def test_field_level_checks() -> None:
    data = small_scenario().model_dump(mode="json")
    data["pools"][0]["admissions"]["annual_sin"] = []
    data["pools"][0]["los"]["crfd_share"] = {"moon": 0.1}
    data["levers"] = {
        "crfd_removal_pct": {"moon": 5.0},
        "start": "2025-06-01",
        "full_effect": "2025-05-01",
    }
    data["pools"][0]["bed_changes"] = [{"date": "2025-06-01", "change": 0}]
    data["transfers"].append(
        {"from_pool": "acute", "to_pool": "acute", "probability": 0.95}
    )
    with pytest.raises(InvalidScenario) as caught:
        parse_scenario(data)
    text = str(caught.value)
    for bit in (
        "same length",
        "unknown CRFD reason groups",
        "full_effect",
        "must not be 0",
    ):
        assert bit in text


def test_toml_round_trip(tmp_path: Path) -> None:
    s = sample_scenario()
    path = tmp_path / "s.toml"
    path.write_text(dumps(s.model_dump(exclude_none=True)), encoding="utf-8")
    assert load_scenario(path) == s
    assert load_scenario(path.read_text(encoding="utf-8")) == s


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(InvalidScenario, match="does not exist"):
        load_scenario(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("name = \n", encoding="utf-8")
    with pytest.raises(InvalidScenario, match="not valid TOML"):
        load_scenario(bad)


def test_schema_and_hash() -> None:
    schema = scenario_json_schema()
    assert schema["title"] == "nearhome capacity scenario"
    assert "pools" in schema["properties"]
    json.dumps(schema)
    s = sample_scenario()
    assert scenario_hash(s) == scenario_hash(sample_scenario(replications=7))
    assert scenario_hash(s) != scenario_hash(sample_scenario(seed=1))
    assert len(scenario_hash(s)) == 12


def test_toml_writer_refuses_what_toml_cannot_hold() -> None:
    with pytest.raises(ValueError, match="TOML cannot hold"):
        dumps({"x": float("inf")})
    with pytest.raises(TypeError, match="cannot write"):
        dumps({"x": object()})
    assert (
        dumps({"a b": "c", "t": {"x": [1, 2]}, "e": {}})
        == '"a b" = "c"\n\n[t]\nx = [1, 2]\n'
    )
