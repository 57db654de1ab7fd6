"""``nearhome board …``: board data in and out of the warehouse."""

from __future__ import annotations

import typer

app = typer.Typer(help="The daily discharge board's data.", no_args_is_help=True)


@app.callback()
def board() -> None:
    """The daily discharge board's data (a group, so more commands can join ``export``)."""


@app.command("export")
def export(
    warehouse: str = typer.Option(
        ..., help="Warehouse URL to write the board tables into."
    ),
    db: str = typer.Option(
        "sqlite:///nearhome-board.sqlite",
        envvar="NEARHOME_BOARD_DB_URL",
        help="Board database URL.",
    ),
) -> None:
    """Write board CRFD periods and EDDs to the warehouse, replacing the last export."""
    from nearhome.appdb import open_database, upgrade_database
    from nearhome.board.codes import board_codes
    from nearhome.board.export import CRFD_TABLE, EDD_TABLE, export_board
    from nearhome.data.warehouse import connect

    # The warehouse first, so a wrong warehouse URL fails before a board database file is
    # created in the working folder.
    store = connect(warehouse)
    try:
        database = open_database(db)
        try:
            upgrade_database(database)
            summary = export_board(store, database, codes=board_codes())
        finally:
            database.dispose()
    finally:
        store.close()
    typer.echo(
        f"Exported {summary.crfd_periods} CRFD periods to {CRFD_TABLE} and "
        f"{summary.estimated_discharges} expected discharge dates to {EDD_TABLE}."
    )
