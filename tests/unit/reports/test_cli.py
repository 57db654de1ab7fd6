"""``nearhome report build`` and ``nearhome evaluate``: options and the errors users see first."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from nearhome.cli import evaluate as evaluate_cli
from nearhome.cli import report as report_cli
from nearhome.errors import InvalidConfig

runner = CliRunner()


def cli() -> typer.Typer:
    """The report and evaluate commands mounted as ``nearhome`` mounts them."""
    app = typer.Typer()
    app.add_typer(report_cli.app, name="report")
    app.command("evaluate")(evaluate_cli.evaluate)
    return app


def test_build_needs_an_icb() -> None:
    result = runner.invoke(cli(), ["report", "build", "--warehouse", "duckdb://"])
    assert result.exit_code == 2
    assert "--icb" in result.output


def test_build_refuses_unknown_formats(tmp_path: Path) -> None:
    result = runner.invoke(
        cli(),
        [
            "report",
            "build",
            "--icb",
            "QAA",
            "--format",
            "html,docx",
            "--out",
            str(tmp_path),
        ],
    )
    assert isinstance(result.exception, InvalidConfig)
    assert "docx" in result.exception.message


def test_build_checks_the_plan_before_any_work(tmp_path: Path) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text('title = "P"\nbaseline = "2024-13"\n', encoding="utf-8")
    result = runner.invoke(
        cli(), ["report", "build", "--icb", "QAA", "--plan", str(plan)]
    )
    assert isinstance(result.exception, InvalidConfig)
    assert "baseline" in result.exception.message


def test_generated_at_must_be_a_time() -> None:
    result = runner.invoke(
        cli(), ["report", "build", "--icb", "QAA", "--generated-at", "yesterday"]
    )
    assert result.exit_code == 2


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--intervention-date", "2025-13-01"], "YYYY-MM-DD"),
        (
            ["--intervention-date", "2025-04-01", "--improvement", "sideways"],
            "decrease or increase",
        ),
    ],
)
def test_evaluate_option_errors(args: list[str], words: str) -> None:
    result = runner.invoke(
        cli(), ["evaluate", "--measure", "m", "--area", "QAA", *args]
    )
    assert result.exit_code == 2
    assert words in result.output


def test_help_lists_the_options() -> None:
    result = runner.invoke(cli(), ["report", "build", "--help"])
    for option in (
        "--warehouse",
        "--icb",
        "--period",
        "--plan",
        "--scenario",
        "--format",
        "--out",
        "--suppress",
        "--board",
    ):
        assert option in result.output
