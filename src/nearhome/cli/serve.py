"""``nearhome serve``: the daily discharge board web app."""

from __future__ import annotations

import typer


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
    import uvicorn

    from nearhome.settings import Settings
    from nearhome.web.app import create_app

    overrides = {"warehouse_url": warehouse, "board_db_url": db}
    settings = Settings().model_copy(
        update={k: v for k, v in overrides.items() if v is not None}
    )
    app = create_app(settings)
    typer.echo(f"Discharge board: open http://{host}:{port}/login (Ctrl+C to stop)")
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False)
