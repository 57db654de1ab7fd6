"""`nearhome users ...` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="Users commands.", no_args_is_help=True)
