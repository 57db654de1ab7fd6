"""``nearhome equity run``: inequalities in inpatient use, as a tidy CSV and SVG charts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(
    help="Inequalities: rates, ratios, gradients and funnels by group.",
    no_args_is_help=True,
)
console = Console()
SUMMARY = ("count", "crude_rate", "dsr", "crude_ratio")


def _confidence(text: str) -> tuple[float, ...]:
    try:
        levels = tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise typer.BadParameter(
            "give levels such as 0.95 or 0.95,0.998", param_hint="--confidence"
        ) from None
    if not levels or not all(0 < level < 1 for level in levels):
        raise typer.BadParameter(
            "levels lie between 0 and 1, e.g. 0.95", param_hint="--confidence"
        )
    return levels


@app.command("run")
def run(
    warehouse: Annotated[
        str, typer.Option(help="Warehouse URL.")
    ] = "duckdb:///nearhome.duckdb",
    icb: Annotated[
        str | None, typer.Option(help="ICB code: analyse its residents.")
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(help="Months YYYY-MM..YYYY-MM; default: latest 12 in the data."),
    ] = None,
    measures: Annotated[
        str,
        typer.Option(
            help="Comma-separated: admissions, detentions, oap_started, "
            "restrictive_per_1000_bed_days, long_stays, crfd_days (or all)."
        ),
    ] = "all",
    by: Annotated[
        str,
        typer.Option(
            help="Comma-separated: ethnicity, ethnic_category, imd_quintile, "
            "imd_decile, age, sex, ld_autism."
        ),
    ] = "ethnicity,imd_quintile,age,sex,ld_autism",
    suppress: Annotated[
        str,
        typer.Option(help="Disclosure policy: mhsds, hes or none (direct care only)."),
    ] = "mhsds",
    confidence: Annotated[
        str, typer.Option(help="Confidence levels, e.g. 0.95 or 0.95,0.998.")
    ] = "0.95",
    out: Annotated[
        Path | None,
        typer.Option(help="Folder for equity.csv, equity.json and the SVG charts."),
    ] = None,
) -> None:
    """Counts, rates, DSRs, ratios to a reference group, SII/RII and funnels."""
    from nearhome.equity import run_equity
    from nearhome.equity.export import write_equity

    levels = _confidence(confidence)
    span = period or _default_period(warehouse)
    with console.status(f"Analysing inequalities, {span}"):
        result = run_equity(
            warehouse,
            measures=measures,
            by=by,
            period=span,
            icb=icb,
            suppress=suppress,
            confidence=levels,
        )
    _print_summary(result.table, levels[0], title=f"{icb or 'all areas'}, {span}")
    if out is not None:
        written = write_equity(result, out)
        console.print(
            f"Wrote {len(result.table):,} rows and {len(written) - 2} charts to "
            f"[bold]{out}[/bold] (disclosure policy: {suppress})"
        )


def _default_period(warehouse: str) -> str:
    """The latest 12 complete months in the data (fewer if the data is shorter)."""
    from nearhome.data.coverage import data_coverage
    from nearhome.data.warehouse import connect
    from nearhome.periods import ReportingPeriod
    from nearhome.reports.calendar import latest_year

    coverage = data_coverage(connect(warehouse))
    year = latest_year(coverage.last_month)
    span = ReportingPeriod(max(year.start, coverage.first_month), year.end)
    return span.label()


def _print_summary(table: object, level: float, *, title: str) -> None:
    """Per measure and group: count, crude rate, DSR and the crude ratio (with flag)."""
    import pandas as pd

    if not isinstance(table, pd.DataFrame) or table.empty:
        console.print("No results: the warehouse has no data for this request.")
        return
    from nearhome.equity.inputs import FUNNEL_UNITS

    rows = table[
        table["statistic"].isin(SUMMARY)
        & ~table["breakdown"].isin(FUNNEL_UNITS)
        & (table["confidence"].isna() | (table["confidence"].round(4) == level))
    ]
    wide = rows.pivot_table(
        index=["measure", "breakdown", "level_description"],
        columns="statistic",
        values="value",
        aggfunc="first",
        sort=False,
    )
    flags = rows[rows["statistic"] == "crude_ratio"].set_index(
        ["measure", "breakdown", "level_description"]
    )["significance"]
    out = Table(title=f"Inequalities: {title} ({level:.1%} limits in the CSV)")
    for column in ("measure", "grouping", "group", *SUMMARY, "vs reference"):
        out.add_column(column, justify="right" if column in SUMMARY else "left")
    for key, values in wide.iterrows():
        cells = [_cell(values.get(s)) for s in SUMMARY]
        flag = flags.get(key)
        names = [str(part) for part in key] if isinstance(key, tuple) else [str(key)]
        out.add_row(*names, *cells, "" if flag is None else str(flag))
    console.print(out)


def _cell(value: object) -> str:
    if isinstance(value, float):
        if value != value:  # noqa: PLR0124 (NaN check)
            return ""
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    return "" if value is None else str(value)
