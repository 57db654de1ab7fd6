"""``nearhome demo``: the main job end to end on synthetic data.

Synthetic extract → DuckDB warehouse → prepared monthly facts → board with demo users →
metric catalogue for the demo ICB → 3-year demand and capacity scenario → board report.
Each step is a call into the library; this module only sequences them and says what it
did, so the demo cannot drift from what the separate commands do.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from nearhome.cli.progress import progress_bar
from nearhome.data.warehouse import Warehouse
from nearhome.periods import ReportingPeriod

console = Console()
STEPS = 6


def demo(
    out: Annotated[
        Path, typer.Option(help="Folder for everything the demo writes.")
    ] = Path("demo"),
    icbs: Annotated[int, typer.Option(help="ICBs in the synthetic extract.")] = 3,
    years: Annotated[int, typer.Option(help="Years of monthly submissions.")] = 3,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
    scale: Annotated[
        float, typer.Option(help="Population scale (1 = realistic ICBs).")
    ] = 1.0,
    plan: Annotated[
        Path | None,
        typer.Option(help="3-year plan TOML for the report (e.g. examples/plan.toml)."),
    ] = None,
    reps: Annotated[int, typer.Option(help="Capacity simulation replications.")] = 200,
) -> None:
    """Run the main job on synthetic data and print where every output is."""
    from nearhome.data.load import load_extract
    from nearhome.data.synthetic import write_synthetic_extract
    from nearhome.data.warehouse import connect

    extract = out / "extract"
    database = out / "nearhome.duckdb"
    if extract.exists():
        shutil.rmtree(extract)
    database.unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    with progress_bar(f"1/{STEPS} Synthesising an MHSDS extract") as update:
        write_synthetic_extract(
            extract, icbs=icbs, years=years, seed=seed, scale=scale, progress=update
        )
    url = f"duckdb:///{database.resolve()}"
    warehouse = connect(url)
    with progress_bar(f"2/{STEPS} Loading it into the warehouse") as update:
        result = load_extract(warehouse, extract, progress=update)
    _print_loaded(warehouse, database, result.seconds)
    _prepare_facts(warehouse)
    _seed_board(out, url, warehouse)
    icb, period = _demo_scope(warehouse)
    console.print(f"Demo ICB {icb}, reporting period {period.label()}")
    outputs = {"warehouse": database}
    outputs |= _write_metrics(warehouse, out / "metrics", icb, period)
    outputs |= _run_capacity(warehouse, out / "capacity", icb, reps)
    outputs |= _write_report(
        warehouse, out / "report", icb, period, plan, out / "capacity", reps
    )
    warehouse.close()
    _print_outputs(outputs)


def _print_loaded(warehouse: Warehouse, database: Path, seconds: float) -> None:
    from nearhome.data.summary import loaded_summary

    table = Table(title=f"Loaded into {database} in {seconds:.1f} s")
    table.add_column("what")
    table.add_column("count", justify="right")
    for label, count in loaded_summary(warehouse).items():
        table.add_row(label, f"{count:,}")
    console.print(table)


def _prepare_facts(warehouse: Warehouse) -> None:
    """Every facts table for every loaded month, as ``nearhome metrics prepare`` does
    after a load: the monthly catalogue and report below read them."""
    from nearhome.metrics.prepared import prepare_facts

    with progress_bar(f"3/{STEPS} Preparing the monthly facts") as update:
        done = prepare_facts(warehouse, progress=update)
    console.print(
        f"Prepared {len(done.tables)} facts tables for "
        f"{done.first_month:%Y-%m}..{done.last_month:%Y-%m} in {done.seconds:.1f} s"
    )


def _demo_scope(warehouse: Warehouse) -> tuple[str, ReportingPeriod]:
    """The first ICB in the geography and the latest 12 complete months in the data."""
    from nearhome.data.coverage import data_coverage
    from nearhome.reports.calendar import latest_year

    first = warehouse.execute(
        warehouse.table("geography").icb_code.min().name("icb").as_table()
    )
    return str(first["icb"].iloc[0]), latest_year(data_coverage(warehouse).last_month)


def _write_metrics(
    warehouse: Warehouse, folder: Path, icb: str, period: ReportingPeriod
) -> dict[str, Path]:
    """The whole catalogue for the ICB's residents, monthly, with the MHSDS disclosure policy."""
    from nearhome.metrics.export import write_catalogue

    with progress_bar(f"4/{STEPS} Computing the metric catalogue") as update:
        written = write_catalogue(
            warehouse,
            folder,
            period=period,
            icb=icb,
            generated_at=_now(),
            progress=update,
        )
    return {f"metrics ({kind})": path for kind, path in written.items()}


def _run_capacity(
    warehouse: Warehouse, folder: Path, icb: str, reps: int
) -> dict[str, Path]:
    """Baseline from the warehouse, then a 3-year simulation of every bed pool."""
    from nearhome.capacity.demo import run_demo_scenario

    with console.status(
        f"5/{STEPS} Demand and capacity: a 3-year scenario, {reps} replications"
    ):
        result = run_demo_scenario(warehouse, icb, folder, reps=reps)
    summary = result.pool_summary()
    table = Table(
        title=f"{icb}: beds and out-of-area risk by pool over 3 years ({reps} replications)"
    )
    for heading in (
        "pool",
        "beds",
        "sent out of area",
        "1 in n",
        "occupancy",
        "beds for target (Erlang B)",
    ):
        table.add_column(
            heading,
            justify="left" if heading == "pool" else "right",
            no_wrap=heading == "pool",
        )
    for row in summary.itertuples(index=False):
        table.add_row(
            str(row.pool),
            str(row.beds_end),
            f"{row.p_out_of_area:.1%}",
            f"{row.one_in_n:,.0f}" if row.one_in_n != float("inf") else "none",
            f"{row.occupancy_mean:.0%}",
            str(row.beds_for_target_erlang),
        )
    console.print(table)
    return {
        "capacity scenario": folder / "baseline.toml",
        "capacity results": folder / "pools.csv",
    }


def _write_report(
    warehouse: Warehouse,
    folder: Path,
    icb: str,
    period: ReportingPeriod,
    plan_path: Path | None,
    capacity: Path,
    reps: int,
) -> dict[str, Path]:
    """The board report (HTML, PDF, Excel) with the plan when given and the demo scenario."""
    from nearhome.capacity.scenario import load_scenario
    from nearhome.reports.build import build_report
    from nearhome.reports.plan import load_plan

    with console.status(f"6/{STEPS} Building the board report (HTML, PDF, Excel)"):
        written = build_report(
            warehouse,
            icb=icb,
            out_dir=folder,
            generated_at=_now(),
            period=period,
            plan=load_plan(plan_path) if plan_path else None,
            scenario=load_scenario(capacity / "baseline.toml"),
            board_url=f"sqlite:///{(folder.parent / 'board.sqlite').resolve()}",
            capacity_reps=reps,
        )
    return {f"report ({kind})": path for kind, path in written.items()}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)


def _print_outputs(outputs: dict[str, Path]) -> None:
    """One line per output, never cut: paths are for copying into the next command."""
    console.print("[bold]What the demo wrote[/bold]")
    width = max(len(label) for label in outputs)
    for label, path in outputs.items():
        console.print(f"  {label:<{width}}  {path}", soft_wrap=True, markup=False)


DEMO_PASSWORD = "demo-only-password"  # noqa: S105 - synthetic demo accounts, never production


def _seed_board(out: Path, url: str, warehouse: Warehouse) -> None:
    """Create the board database with one demo account per role, and say how to open it."""
    import datetime as dt

    from nearhome.appdb import open_database, upgrade_database
    from nearhome.board.demo import seed_demo_users

    board_url = f"sqlite:///{(out / 'board.sqlite').resolve()}"
    database = open_database(board_url)
    upgrade_database(database)
    accounts = seed_demo_users(
        database,
        warehouse,
        password=DEMO_PASSWORD,
        today=dt.datetime.now(dt.UTC).date(),
    )
    console.print(
        "Daily discharge board demo accounts (password: " + DEMO_PASSWORD + "):"
    )
    for account in accounts:
        console.print(
            f"  {account.username:<12} {account.role:<17} {account.scope}", markup=False
        )
    console.print(
        f"Open the board: make serve  (or nearhome serve --warehouse {url} --db {board_url}), then http://127.0.0.1:8000/login",
        markup=False,
    )
