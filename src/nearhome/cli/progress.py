"""A rich progress bar driven by the ``(message, fraction)`` callbacks the library takes."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

Callback = Callable[[str, float], None]


@contextlib.contextmanager
def progress_bar(title: str, *, console: Console | None = None) -> Iterator[Callback]:
    """Yield a callback that moves one bar from 0 to 1 with a changing description."""
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=console or Console(stderr=True),
        transient=False,
    )
    with bar:
        task = bar.add_task(title, total=1.0)

        def update(message: str, fraction: float) -> None:
            bar.update(
                task,
                description=f"{title}: {message}",
                completed=min(max(fraction, 0.0), 1.0),
            )

        yield update
        bar.update(task, description=f"{title}: done", completed=1.0)
