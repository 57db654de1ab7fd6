"""``nearhome demo``: the main job end to end on synthetic data.

Synthetic extract → DuckDB warehouse → metric catalogue → demand and capacity scenario →
board with demo users → report. Each step is a call into the library; this module only
sequences them and says what it did.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from nearhome.cli.progress import progress_bar
from nearhome.data.warehouse import Warehouse

console = Console()


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
) -> None:
    """Run the main job on synthetic data and print where every output is."""
    from nearhome.data.load import load_extract
    from nearhome.data.summary import loaded_summary
    from nearhome.data.synthetic import write_synthetic_extract
    from nearhome.data.warehouse import connect

    extract = out / "extract"
    database = out / "nearhome.duckdb"
    if extract.exists():
        shutil.rmtree(extract)
    database.unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    with progress_bar("1/2 Synthesising an MHSDS extract") as update:
        write_synthetic_extract(
            extract, icbs=icbs, years=years, seed=seed, scale=scale, progress=update
        )
    url = f"duckdb:///{database.resolve()}"
    warehouse = connect(url)
    with progress_bar("2/2 Loading it into the warehouse") as update:
        result = load_extract(warehouse, extract, progress=update)
    table = Table(title=f"Loaded into {database} in {result.seconds:.1f} s")
    table.add_column("what")
    table.add_column("count", justify="right")
    for label, count in loaded_summary(warehouse).items():
        table.add_row(label, f"{count:,}")
    console.print(table)
    _seed_board(out, url, warehouse)
    warehouse.close()


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
