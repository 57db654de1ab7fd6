"""``nearhome serve``: the daily discharge board web app."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from fastapi import FastAPI


def serve(
    warehouse: str | None = typer.Option(
        None,
        help="Warehouse URL (default: NEARHOME_WAREHOUSE_URL or duckdb:///nearhome.duckdb).",
    ),
    db: str | None = typer.Option(
        None,
        help="Board database URL (default: NEARHOME_BOARD_DB_URL or sqlite:///nearhome-board.sqlite).",
    ),
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
) -> None:
    """Start the board web app (sign-in page at /login)."""
    from nearhome.settings import Settings
    from nearhome.web.app import create_app

    overrides = {"warehouse_url": warehouse, "board_db_url": db}
    settings = Settings().model_copy(
        update={k: v for k, v in overrides.items() if v is not None}
    )
    app = create_app(settings)
    typer.echo(f"Discharge board: open http://{host}:{port}/login (Ctrl+C to stop)")
    run_app(app, host=host, port=port)


def run_app(app: FastAPI, *, host: str, port: int) -> None:
    """Serve ``app`` with uvicorn as ``nearhome serve`` does (the benchmark calls this too).

    One process; uvicorn picks uvloop and httptools when installed. Warnings only, and no
    per-request access log: the audit trail already records who saw what.

    Everything loaded so far (Ibis, pandas, SQLAlchemy, the app: about 240,000 objects) is
    moved out of the garbage collector's sight first. Those objects live as long as the
    process, yet every full collection walked them all, stopping every request for a
    quarter of a second on the shared 2-core machine, several times a minute under load.
    """
    import gc

    import uvicorn

    gc.collect()
    gc.freeze()

    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        proxy_headers=False,
    )
