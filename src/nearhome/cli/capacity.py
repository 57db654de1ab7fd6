"""`nearhome capacity ...` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="Capacity commands.", no_args_is_help=True)
