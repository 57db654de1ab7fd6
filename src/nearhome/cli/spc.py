"""``nearhome spc``: a Making Data Count XmR chart of one metric for one area."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

console = Console()
IMPROVEMENTS = ("increase", "decrease", "neither")
SHOWN = (
    "date",
    "value",
    "mean",
    "lower_process_limit",
    "upper_process_limit",
    "special_cause_rule",
    "variation",
)


def spc(
    measure: Annotated[
        str, typer.Option(help="Metric id, e.g. detentions.detentions_per_100k.")
    ],
    area: Annotated[str, typer.Option(help="ICB code: its residents.")],
    warehouse: Annotated[
        str, typer.Option(help="Warehouse URL.")
    ] = "duckdb:///nearhome.duckdb",
    improvement: Annotated[
        str,
        typer.Option(help="Which direction is better: decrease, increase, neither."),
    ] = "decrease",
    target: Annotated[
        float | None, typer.Option(help="Target value, for the assurance icon.")
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(help="Months YYYY-MM..YYYY-MM; default: every month in the data."),
    ] = None,
    suppress: Annotated[
        str,
        typer.Option(
            help="Disclosure policy for the values charted: mhsds, hes or none "
            "(direct care only)."
        ),
    ] = "mhsds",
    out: Annotated[
        Path | None, typer.Option(help="Folder for spc.csv and spc.svg.")
    ] = None,
) -> None:
    """Run the metric monthly for the area, then an XmR chart with rules and icons."""
    from nearhome.metrics import get, run_metric
    from nearhome.reports.spc_chart import render_spc_chart
    from nearhome.stats import xmr

    if improvement not in IMPROVEMENTS:
        raise typer.BadParameter(
            f"use one of {', '.join(IMPROVEMENTS)}", param_hint="--improvement"
        )
    spec = get(measure)
    span = period or _default_period(warehouse)
    frame = run_metric(
        warehouse,
        spec.id,
        period=span,
        frequency="month",
        by="all",
        icb=area,
        suppress=None if suppress == "none" else suppress,
    )
    values = frame["value"].map(_number)
    kept = frame[values.notna()]
    if kept.empty:
        console.print(f"No values of {spec.id} for {area} in {span}.")
        raise typer.Exit(1)
    result = xmr(
        values[values.notna()].to_numpy(),
        dates=kept["period_start"].to_numpy(),
        improvement=improvement,  # type: ignore[arg-type]
        target=target,
    )
    _print(result.points, result.summary, f"{spec.title}, {area}, {span}")
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        result.points.assign(measure_id=spec.id, area=area).to_csv(
            out / "spc.csv", index=False
        )
        svg = render_spc_chart(result, title=f"{spec.title}: {area}", y_label=spec.unit)
        (out / "spc.svg").write_text(svg, encoding="utf-8")
        console.print(
            f"Wrote [bold]{out / 'spc.csv'}[/bold] and [bold]{out / 'spc.svg'}[/bold]"
        )


def _number(value: object) -> float | None:
    """A value as a float; ``*`` (suppressed) and blanks are left out of the chart."""
    if isinstance(value, int | float) and value == value:  # noqa: PLR0124 (NaN check)
        return float(value)
    return None


def _default_period(warehouse: str) -> str:
    from nearhome.data.coverage import data_coverage
    from nearhome.data.warehouse import connect

    return data_coverage(connect(warehouse)).span.label()


def _print(points: object, summary: object, title: str) -> None:
    import pandas as pd

    if not isinstance(points, pd.DataFrame) or not isinstance(summary, pd.DataFrame):
        return
    table = Table(title=title)
    for column in SHOWN:
        table.add_column(
            column,
            justify="left"
            if column in ("date", "variation", "special_cause_rule")
            else "right",
        )
    for _, row in points.iterrows():
        table.add_row(
            *(str(row[c])[:7] if c == "date" else _text(row[c]) for c in SHOWN)
        )
    console.print(table)
    first = summary.iloc[0]
    console.print(
        f"Variation: [bold]{first['variation_icon']}[/bold]; assurance: "
        f"[bold]{first['assurance_icon']}[/bold]"
        + (f"; warning: {first['warning']}" if first["warning"] else ""),
        highlight=False,
    )


def _text(value: object) -> str:
    if isinstance(value, float):
        return "" if value != value else f"{value:,.2f}"  # noqa: PLR0124 (NaN check)
    return "" if value is None else str(value)
