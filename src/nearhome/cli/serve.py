"""``nearhome serve``: the daily discharge board web app."""

from __future__ import annotations

import typer


def serve(
    warehouse: str = typer.Option("duckdb:///nearhome.duckdb", help="Warehouse URL."),
    db: str = typer.Option("sqlite:///nearhome-board.sqlite", help="Board database URL."),
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
) -> None:
    """Start the board web app (sign-in page at /login)."""
    raise typer.Exit(code=0)
