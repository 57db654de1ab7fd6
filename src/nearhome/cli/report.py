"""``nearhome report build``: the board report as HTML, PDF and Excel."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(help="Board reports: HTML, PDF and Excel.", no_args_is_help=True)
console = Console()


def _generated_at(text: str | None) -> dt.datetime:
    """The time printed on the report: given, or now (the CLI is the clock's border)."""
    if text is None:
        return dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            "write it as YYYY-MM-DDTHH:MM", param_hint="--generated-at"
        ) from None


@app.command("build")
def build(  # noqa: PLR0917 (typer passes every option by keyword)
    warehouse: Annotated[
        str, typer.Option(help="Warehouse URL.")
    ] = "duckdb:///nearhome.duckdb",
    icb: Annotated[
        str, typer.Option(help="ICB code: the report covers its residents.")
    ] = "",
    period: Annotated[
        str | None,
        typer.Option(
            help="Months YYYY-MM..YYYY-MM (1, 3 or 12); default: latest 12 in the data."
        ),
    ] = None,
    plan: Annotated[Path | None, typer.Option(help="3-year plan TOML file.")] = None,
    scenario: Annotated[
        Path | None, typer.Option(help="Capacity scenario TOML file.")
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="Comma-separated: html,pdf,xlsx.")
    ] = "html,pdf,xlsx",
    out: Annotated[Path, typer.Option(help="Folder to write the report into.")] = Path(
        "report"
    ),
    suppress: Annotated[
        str, typer.Option(help="Disclosure policy: mhsds, hes or none.")
    ] = "mhsds",
    board: Annotated[
        str | None, typer.Option(help="Board database URL, for carer involvement.")
    ] = None,
    scorecard: Annotated[
        Path | None,
        typer.Option(help="Scorecard TOML (default: the built-in mapping)."),
    ] = None,
    reps: Annotated[int, typer.Option(help="Capacity simulation replications.")] = 200,
    generated_at: Annotated[
        str | None, typer.Option(help="Time printed on the report (default: now).")
    ] = None,
) -> None:
    """Build the board report for one ICB (HTML, PDF and an Excel workbook of every table)."""
    from nearhome.capacity.scenario import load_scenario
    from nearhome.periods import parse_span
    from nearhome.reports.build import build_report
    from nearhome.reports.plan import load_plan
    from nearhome.reports.scorecard import load_scorecard

    if not icb:
        raise typer.BadParameter(
            "give the ICB code, e.g. --icb QAA", param_hint="--icb"
        )
    formats = [f.strip() for f in fmt.split(",") if f.strip()]
    with console.status(
        "Building the report (metrics, statistics, capacity, rendering)"
    ):
        paths = build_report(
            warehouse,
            icb=icb,
            out_dir=out,
            formats=formats,
            generated_at=_generated_at(generated_at),
            period=parse_span(period) if period else None,
            plan=load_plan(plan) if plan else None,
            scenario=load_scenario(scenario) if scenario else None,
            policy=suppress,
            board_url=board,
            scorecard=load_scorecard(scorecard) if scorecard else None,
            capacity_reps=reps,
        )
    for kind, path in paths.items():
        console.print(f"Wrote {kind.upper():4} [bold]{path}[/bold]")
