"""``nearhome data synth | validate | load``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console
from rich.table import Table

from nearhome.cli.progress import progress_bar

app = typer.Typer(
    help="Synthesise, validate and load MHSDS extracts.", no_args_is_help=True
)
console = Console()


@app.command("synth")
def synth(
    out: Annotated[
        Path, typer.Option(help="Folder to write the extract (and reference/) into.")
    ],
    icbs: Annotated[int, typer.Option(help="Number of ICBs.")] = 1,
    years: Annotated[int, typer.Option(help="Years of monthly submissions.")] = 1,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same files).")] = 7,
    end_month: Annotated[str, typer.Option(help="Last month, YYYY-MM.")] = "2026-09",
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "csv",
    scale: Annotated[
        float, typer.Option(help="Population scale (1 = realistic).")
    ] = 1.0,
) -> None:
    """Write a synthetic MHSDS-shaped extract and its reference folder."""
    from nearhome.data.synthetic import write_synthetic_extract
    from nearhome.periods import parse_month

    if fmt not in ("csv", "parquet"):
        raise typer.BadParameter("use csv or parquet", param_hint="--format")
    chosen: Literal["csv", "parquet"] = "csv" if fmt == "csv" else "parquet"
    with progress_bar("Synthesising") as update:
        summary = write_synthetic_extract(
            out,
            icbs=icbs,
            years=years,
            seed=seed,
            end_month=parse_month(end_month),
            fmt=chosen,
            scale=scale,
            progress=update,
        )
    console.print(f"Wrote synthetic extract to [bold]{out}[/bold]: {summary}")


@app.command("validate")
def validate(
    folder: Annotated[Path, typer.Argument(help="Extract folder.")],
    reference: Annotated[
        Path | None, typer.Option(help="Reference folder (default FOLDER/reference).")
    ] = None,
    report_csv: Annotated[
        Path | None,
        typer.Option("--report", help="Also write every issue to this CSV."),
    ] = None,
) -> None:
    """Print every problem found in an extract (exit code 1 when any is an error)."""
    from nearhome.data.stage import drop_staging
    from nearhome.data.validate import validate_extract

    with progress_bar("Validating") as update:
        report, staged = validate_extract(folder, reference, progress=update)
    drop_staging(staged)
    for line in report.lines():
        console.print(line, markup=False, highlight=False)
    if report_csv is not None:
        report.to_frame().to_csv(report_csv, index=False)
    console.print(f"{folder}: {report.summary()}")
    if not report.ok:
        raise typer.Exit(code=1)


@app.command("load")
def load(
    folder: Annotated[Path, typer.Argument(help="Extract folder.")],
    warehouse: Annotated[
        str, typer.Option(help="Warehouse URL.")
    ] = "duckdb:///nearhome.duckdb",
    reference: Annotated[
        Path | None, typer.Option(help="Reference folder (default FOLDER/reference).")
    ] = None,
) -> None:
    """Validate and load an extract; nothing is written if any error is found."""
    from nearhome.data.load import load_extract
    from nearhome.data.summary import loaded_summary
    from nearhome.data.warehouse import connect
    from nearhome.errors import ValidationFailed

    store = connect(warehouse)
    try:
        with progress_bar("Loading") as update:
            result = load_extract(store, folder, reference, progress=update)
    except ValidationFailed as failure:
        for line in failure.report.lines():
            console.print(line, markup=False, highlight=False)
        raise
    for line in result.report.lines():
        console.print(line, markup=False, highlight=False)
    summary = loaded_summary(store)
    table = Table(title=f"Loaded {folder} into {warehouse} ({result.seconds:.1f} s)")
    table.add_column("what")
    table.add_column("count", justify="right")
    for label, count in summary.items():
        table.add_row(label, f"{count:,}")
    console.print(table)
    console.print(
        "Next: nearhome metrics prepare --warehouse "
        f"{warehouse} (monthly metric runs read the facts it prepares).",
        markup=False,
        highlight=False,
        soft_wrap=True,  # a command to copy, not broken across lines
    )
    store.close()
