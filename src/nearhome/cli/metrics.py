"""``nearhome metrics list | show | run | prepare | sql``: the catalogue from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from nearhome.cli.progress import progress_bar

app = typer.Typer(
    help="List, explain and run the metric catalogue.", no_args_is_help=True
)
console = Console()
FREQUENCIES = ("month", "quarter", "fy", "rolling12")
MetricArg = Annotated[str, typer.Argument(help="Metric id, e.g. bed_days.occupied.")]
PeriodOpt = Annotated[str, typer.Option(help="Span of months, e.g. 2025-04..2026-03.")]
FrequencyOpt = Annotated[str, typer.Option(help="month, quarter, fy or rolling12.")]
IcbOpt = Annotated[
    str | None,
    typer.Option(help="Only this ICB's residents (and sites, for capacity)."),
]


def _check_frequency(frequency: str) -> None:
    if frequency not in FREQUENCIES:
        raise typer.BadParameter(
            f"use one of {', '.join(FREQUENCIES)}", param_hint="--frequency"
        )


@app.command("list")
def list_metrics(
    family: Annotated[
        str | None, typer.Option(help="Only this family (e.g. out_of_area).")
    ] = None,
) -> None:
    """Table of metric ids, titles, units and the national measure each mirrors."""
    from nearhome.metrics import catalogue

    table = Table(title="nearhome metric catalogue")
    for column in ("id", "title", "unit", "MHSDS id", "local"):
        table.add_column(column)
    shown = 0
    for spec in catalogue():
        if family is not None and spec.family != family:
            continue
        table.add_row(
            spec.id,
            spec.title,
            spec.unit,
            spec.mhsds_id or "",
            "yes" if spec.is_local else "",
        )
        shown += 1
    console.print(table)
    console.print(f"{shown} metrics")


@app.command("show")
def show(metric_id: MetricArg) -> None:
    """The full definition of one metric."""
    from nearhome.metrics import get

    spec = get(metric_id)
    console.print(f"[bold]{spec.id}[/bold]: {spec.title}", highlight=False)
    rows = [
        ("National measure", spec.mhsds_id or "none (see caveats)"),
        ("Local definition", "yes" if spec.is_local else "no"),
        ("Unit", spec.unit),
        ("Definition", spec.definition),
        ("Numerator", spec.numerator),
        ("Denominator", spec.denominator or "none"),
        ("Breakdowns", ", ".join(spec.breakdowns) + " (any two may be crossed with *)"),
    ]
    rows += [("Caveat", caveat) for caveat in spec.caveats]
    for label, text in rows:
        console.print(f"[bold]{label}:[/bold] {text}", highlight=False, markup=True)


@app.command("run")
def run(
    warehouse: Annotated[
        str, typer.Option(help="Warehouse URL.")
    ] = "duckdb:///nearhome.duckdb",
    measures: Annotated[
        str, typer.Option(help="Metric ids or families, comma-separated, or all.")
    ] = "all",
    period: PeriodOpt = ...,  # type: ignore[assignment]
    frequency: FrequencyOpt = "month",
    by: Annotated[
        str,
        typer.Option(
            help="Breakdowns, comma-separated; cross two with *, e.g. icb,icb*ethnic_group."
        ),
    ] = "all",
    suppress: Annotated[
        str,
        typer.Option(help="Disclosure policy: mhsds, hes or none (direct care only)."),
    ] = "mhsds",
    icb: IcbOpt = None,
    out: Annotated[
        Path | None, typer.Option(help="Write to FILE (.csv, .parquet or .xlsx).")
    ] = None,
) -> None:
    """Compute metrics for every period of a span and write or print them."""
    from nearhome.metrics import run_metrics, write_results

    _check_frequency(frequency)
    with progress_bar("Computing metrics") as update:
        frame = run_metrics(
            warehouse,
            measures,
            period=period,
            frequency=frequency,  # type: ignore[arg-type]
            by=by,
            suppress=suppress,
            icb=icb,
            progress=update,
        )
    if out is not None:
        written = write_results(frame, out, suppress=suppress)
        console.print(
            f"Wrote {len(frame):,} rows to [bold]{written}[/bold] (disclosure policy: {suppress})"
        )
        return
    table = Table(title=f"{len(frame):,} rows (disclosure policy: {suppress})")
    for column in (
        "measure_id",
        "period_end",
        "breakdown",
        "level",
        "numerator",
        "denominator",
        "value",
    ):
        table.add_column(column)
    for row in frame.head(200).itertuples(index=False):
        table.add_row(
            *(
                str(getattr(row, c))
                for c in (
                    "measure_id",
                    "period_end",
                    "breakdown",
                    "level",
                    "numerator",
                    "denominator",
                    "value",
                )
            )
        )
    console.print(table)
    if len(frame) > 200:
        console.print("(first 200 rows; use --out to write them all)")


@app.command("prepare")
def prepare(
    warehouse: Annotated[
        str, typer.Option(help="Warehouse URL.")
    ] = "duckdb:///nearhome.duckdb",
) -> None:
    """Build every facts table once for every loaded month, so monthly runs read them.

    Run it after each load: prepared facts serve monthly requests inside the loaded
    months until the next load, which makes them stale (they are then ignored).
    """
    from nearhome.data.warehouse import connect
    from nearhome.metrics.prepared import prepare_facts

    store = connect(warehouse)
    with progress_bar("Preparing facts") as update:
        done = prepare_facts(store, progress=update)
    table = Table(
        title=f"Prepared facts, {done.first_month:%Y-%m}..{done.last_month:%Y-%m}"
    )
    table.add_column("facts")
    table.add_column("rows", justify="right")
    table.add_column("seconds", justify="right")
    for entry in done.tables:
        table.add_row(entry.facts, f"{entry.rows:,}", f"{entry.seconds:.1f}")
    console.print(table)
    console.print(
        f"{len(done.tables)} facts tables in {done.seconds:.1f} s; monthly runs inside "
        "these months now read them."
    )


SQL_DIALECTS = ("mssql", "spark", "postgres", "duckdb")


@app.command("sql")
def sql(
    metric_id: MetricArg,
    dialect: Annotated[
        str, typer.Option(help="mssql (SQL Server), spark, postgres or duckdb.")
    ] = "mssql",
    period: PeriodOpt = ...,  # type: ignore[assignment]
    frequency: FrequencyOpt = "month",
    by: Annotated[
        str, typer.Option(help="One breakdown; cross two with *, e.g. icb*gender.")
    ] = "all",
    icb: IcbOpt = None,
) -> None:
    """Print one metric's SQL, to run nearhome's exact definition in your warehouse.

    The query reads the canonical tables (listed in its first line) and returns one row
    per period and breakdown level with numerator, denominator and value.
    """
    from nearhome.errors import UnsupportedBreakdown
    from nearhome.metrics import dimensions, get
    from nearhome.metrics.query import metric_query
    from nearhome.periods import parse_span, split

    if dialect not in SQL_DIALECTS:
        raise typer.BadParameter(
            f"use one of {', '.join(SQL_DIALECTS)}", param_hint="--dialect"
        )
    _check_frequency(frequency)
    spec = get(metric_id)
    breakdown = dimensions.parse(by)
    if not all(name in spec.breakdowns for name in breakdown):
        raise UnsupportedBreakdown(
            f"{spec.id} has no breakdown '{by}'.",
            hint=f"Its breakdowns are: {', '.join(spec.breakdowns)}.",
        )
    periods = split(parse_span(period), frequency)  # type: ignore[arg-type]
    typer.echo(metric_query(spec, periods, breakdown, icb).sql(dialect), nl=False)
