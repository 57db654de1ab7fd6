"""``nearhome capacity ...``: every command, its output files and the errors users see."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from nearhome.capacity.toml_writer import dumps
from nearhome.cli import capacity as capacity_cli
from nearhome.cli.capacity import parse_beds
from nearhome.errors import InvalidScenario

from .conftest import small_scenario

runner = CliRunner()
HERE = Path(__file__).parent / "midlands"


def cli() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(capacity_cli.app, name="capacity")
    return app


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "small.toml"
    path.write_text(
        dumps(
            small_scenario(repatriation={"rule": "none"}).model_dump(exclude_none=True)
        ),
        encoding="utf-8",
    )
    return path


def test_schema_sample_check(tmp_path: Path) -> None:
    result = runner.invoke(cli(), ["capacity", "schema"])
    assert (
        result.exit_code == 0
        and json.loads(result.output)["title"] == "nearhome capacity scenario"
    )
    out = tmp_path / "schema.json"
    assert (
        runner.invoke(cli(), ["capacity", "schema", "--out", str(out)]).exit_code == 0
        and out.exists()
    )
    sample = tmp_path / "s.toml"
    assert (
        runner.invoke(cli(), ["capacity", "sample", "--out", str(sample)]).exit_code
        == 0
    )
    result = runner.invoke(cli(), ["capacity", "check", str(sample)])
    assert (
        result.exit_code == 0
        and "valid" in result.output
        and "repatriation" in result.output
    )


def test_run_writes_results(scenario_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        cli(),
        [
            "capacity",
            "run",
            str(scenario_file),
            "--reps",
            "6",
            "--out",
            str(out),
            "--waterfall",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Wrote 9 files" in result.output
    assert "acute" in (out / "pools.csv").read_text()
    for name in (
        "pools.csv",
        "monthly.csv",
        "metadata.json",
        "waterfall.csv",
        "waterfall.svg",
        "out_of_area.svg",
    ):
        assert (out / name).exists()


def test_sweep_goal_seek_erlang(scenario_file: Path, tmp_path: Path) -> None:
    csv = tmp_path / "sweep.csv"
    result = runner.invoke(
        cli(),
        [
            "capacity",
            "sweep",
            str(scenario_file),
            "--pool",
            "acute",
            "--beds",
            "8..12..4",
            "--reps",
            "4",
            "--out",
            str(csv),
        ],
    )
    assert result.exit_code == 0, result.output
    assert csv.exists() and csv.with_suffix(".svg").exists()
    result = runner.invoke(
        cli(),
        [
            "capacity",
            "goal-seek",
            str(scenario_file),
            "--pool",
            "acute",
            "--target",
            "0.3",
            "--reps",
            "4",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Erlang B" in result.output and "mean stay must fall" in result.output
    result = runner.invoke(
        cli(), ["capacity", "erlang", "--load", "17.5", "--beds", "20"]
    )
    assert result.exit_code == 0 and "0.097" in result.output


def test_import_midlands(tmp_path: Path) -> None:
    out = tmp_path / "m"
    result = runner.invoke(
        cli(),
        [
            "capacity",
            "import-midlands",
            str(HERE / "params.csv"),
            str(HERE / "baseline.csv"),
            "--demographic-growth",
            "2",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Projected - excl home leave" in result.output
    beds = (out / "annualised_beds.csv").read_text()
    assert "Projected,28541,85.0,92" in beds


def test_errors_reach_the_user(scenario_file: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        scenario_file.read_text().replace("years = 1", "years = 0"), encoding="utf-8"
    )
    result = runner.invoke(cli(), ["capacity", "check", str(bad)])
    assert (
        isinstance(result.exception, InvalidScenario)
        and "years" in result.exception.message
    )
    result = runner.invoke(
        cli(),
        ["capacity", "sweep", str(scenario_file), "--pool", "acute", "--beds", "12..8"],
    )
    assert result.exit_code == 2
    result = runner.invoke(cli(), ["capacity", "erlang", "--load", "-1", "--beds", "3"])
    assert isinstance(result.exception, InvalidScenario)


def test_parse_beds() -> None:
    assert parse_beds("10..14") == [10, 11, 12, 13, 14]
    assert parse_beds("10..20..5") == [10, 15, 20]
    assert parse_beds("3, 5") == [3, 5]
    for bad in ("a..b", "5..1", "1..2..0", "-1", ""):
        with pytest.raises(typer.BadParameter):
            parse_beds(bad)
