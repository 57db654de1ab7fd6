"""``nearhome evaluate``: did a community pilot change a measure? (ITS and SPC rebase)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from nearhome.metrics.disclosure import DisclosurePolicy
    from nearhome.reports.evaluate import Evaluation

console = Console()


def evaluate(
    measure: Annotated[
        str, typer.Option(help="Metric id, e.g. out_of_area.inappropriate_bed_days.")
    ],
    intervention_date: Annotated[
        str,
        typer.Option(
            help="The pilot's start, YYYY-MM-DD (e.g. a crisis house opening)."
        ),
    ],
    area: Annotated[str, typer.Option(help="ICB or sub-ICB code of the residents.")],
    warehouse: Annotated[
        str, typer.Option(help="Warehouse URL.")
    ] = "duckdb:///nearhome.duckdb",
    period: Annotated[
        str | None,
        typer.Option(help="Months YYYY-MM..YYYY-MM (default: all the data)."),
    ] = None,
    improvement: Annotated[
        str, typer.Option(help="Which direction is better: decrease or increase.")
    ] = "decrease",
    svg: Annotated[
        Path | None, typer.Option(help="Also write the rebased SPC chart as SVG here.")
    ] = None,
    suppress: Annotated[
        str, typer.Option(help="Disclosure policy for the chart: mhsds, hes or none.")
    ] = "mhsds",
) -> None:
    """Compare a measure before and after a pilot: interrupted time series and SPC rebase."""
    from nearhome.data.coverage import data_coverage
    from nearhome.data.warehouse import connect
    from nearhome.periods import parse_span
    from nearhome.reports.evaluate import evaluate_pilot
    from nearhome.reports.suppression import resolve_policy

    if improvement not in ("decrease", "increase"):
        raise typer.BadParameter("use decrease or increase", param_hint="--improvement")
    try:
        start = dt.date.fromisoformat(intervention_date)
    except ValueError:
        raise typer.BadParameter(
            "write it as YYYY-MM-DD", param_hint="--intervention-date"
        ) from None
    policy = resolve_policy(suppress)
    store = connect(warehouse)
    span = parse_span(period) if period else data_coverage(store).span
    with console.status("Fitting the interrupted time series"):
        result, title = evaluate_pilot(
            store,
            measure,
            area=area,
            intervention=start,
            span=span,
            improvement=improvement,
        )
    console.print(
        f"[bold]{title}[/bold], {area}: pilot from {result.intervention:%b %Y}, "
        f"{len(result.monthly)} months ({span.label()})"
    )
    _print(result)
    if svg is not None:
        _write_chart(
            result, svg, f"{title}, {area}: before and after the pilot", policy
        )


def _print(result: Evaluation) -> None:
    """The effects table, the SPC rebase in a sentence, and any caveats."""
    table = Table(title="Interrupted time series (segmented quasi-Poisson regression)")
    for column in ("effect", "estimate", "95% interval", "p", "meaning"):
        table.add_column(column)
    for row in result.effects.itertuples(index=False):
        table.add_row(
            str(row.effect),
            f"{row.estimate:.3f}",
            f"{row.lower:.3f} to {row.upper:.3f}",
            f"{row.p_value:.3f}",
            str(row.words),
        )
    console.print(table)
    points = result.spc.points
    before = points[points["segment"] == 0]["mean"].iloc[0]
    after = points[points["segment"] == points["segment"].max()]["mean"].iloc[0]
    variation = str(result.spc.summary.iloc[0]["variation_icon"]).replace("_", " ")
    console.print(
        f"SPC rebase: mean {before:,.2f} before, {after:,.2f} since the pilot; "
        f"latest month {variation}."
    )
    for note in result.notes:
        console.print(f"Note: {note}")


def _write_chart(
    result: Evaluation, path: Path, title: str, policy: DisclosurePolicy
) -> None:
    """Write the rebased chart unless the policy hides a month's count."""
    from nearhome.reports.spc_chart import render_spc_chart
    from nearhome.reports.suppression import hides

    if any(hides(policy, float(c)) for c in result.monthly["count"]):
        console.print(
            f"No chart written: some months have counts the '{policy.name}' policy hides."
        )
        return
    path.write_text(render_spc_chart(result.spc, title=title), encoding="utf-8")
    console.print(f"Wrote {path}")
