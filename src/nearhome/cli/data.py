"""``nearhome data synth | validate | load``."""

from __future__ import annotations

import typer

app = typer.Typer(help="Synthesise, validate and load MHSDS extracts.", no_args_is_help=True)
