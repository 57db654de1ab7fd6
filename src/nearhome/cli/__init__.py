"""The ``nearhome`` command: ``nearhome <noun> <verb>``, thin over the library.

This is one of the two borders (the web app is the other): a :class:`NearhomeError` becomes
its message and hint on stderr with exit code 1; usage errors exit 2.
"""

from __future__ import annotations

import sys

import typer

from nearhome.cli import (
    board,
    capacity,
    data,
    demo,
    equity,
    evaluate,
    metrics,
    report,
    serve,
    spc,
    users,
)
from nearhome.errors import NearhomeError

app = typer.Typer(
    name="nearhome",
    help="Keep mental health inpatient care close to home.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(data.app, name="data")
app.add_typer(metrics.app, name="metrics")
app.add_typer(capacity.app, name="capacity")
app.add_typer(users.app, name="users")
app.add_typer(board.app, name="board")
app.add_typer(report.app, name="report")
app.add_typer(equity.app, name="equity")
app.command("evaluate")(evaluate.evaluate)
app.command("serve")(serve.serve)
app.command("demo")(demo.demo)
app.command("spc")(spc.spc)


def main() -> None:
    """Entry point: run the app, turning user-facing errors into clean messages."""
    try:
        app(standalone_mode=False)
    except NearhomeError as exc:
        typer.echo(f"Error: {exc.message}", err=True)
        if exc.hint:
            typer.echo(f"Hint: {exc.hint}", err=True)
        sys.exit(1)
    except SystemExit:
        raise
    except typer.Abort:
        sys.exit(1)
    except typer.TyperException as exc:
        # Usage errors (a bad option value): typer's own click exceptions all derive from
        # TyperException; show them as click would, without a traceback.
        show = getattr(exc, "show", None)
        if show is None:
            raise
        show()
        sys.exit(int(getattr(exc, "exit_code", 2)))
