"""`nearhome capacity ...`: beds, out-of-area placements and what each lever changes.

Thin over :mod:`nearhome.capacity`: every command parses its options, calls the library
and prints or writes the tidy result. Library errors (an invalid scenario, a missing
pool) reach the user as their message and hint through the CLI border.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from nearhome.errors import InvalidScenario

app = typer.Typer(
    help="Demand and capacity: beds, out-of-area placements and levers.",
    no_args_is_help=True,
)
console = Console()

ScenarioArg = Annotated[Path, typer.Argument(help="Scenario TOML file.")]
RepsOpt = Annotated[
    int | None, typer.Option(help="Replications (default: the scenario's).")
]
WorkersOpt = Annotated[int, typer.Option(help="Processes to run batches in.")]
NumbaOpt = Annotated[
    bool,
    typer.Option("--numba/--no-numba", help="Use the compiled engine (needs numba)."),
]


def _fmt(value: object) -> str:
    if isinstance(value, float):
        if math.isinf(value):
            return "∞"
        if math.isnan(value):
            return ""
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    return str(value)


HEADERS = {
    "beds_end": "beds",
    "p_out_of_area": "sent away",
    "one_in_n": "1 in n",
    "occupancy_mean": "occupancy",
    "oap_bed_days_per_year": "OAP bed days/yr",
    "beds_for_target_erlang": "beds for target (Erlang B)",
    "beds_for_target_repatriating": "beds for target (all brought home)",
    "admissions_per_year": "admissions/yr",
}


def _print(frame: pd.DataFrame, title: str, columns: list[str] | None = None) -> None:
    table = Table(title=title)
    cols = columns or list(frame.columns)
    for col in cols:
        text = frame[col].dtype == object
        table.add_column(
            HEADERS.get(col, col), justify="left" if text else "right", overflow="fold"
        )
    for row in frame[cols].itertuples(index=False):
        table.add_row(*(_fmt(v) for v in row))
    console.print(table)


def parse_beds(text: str) -> list[int]:
    """``"10..40"``, ``"10..40..2"`` or ``"10,12,15"`` as a list of bed numbers."""
    try:
        if ".." in text:
            parts = [int(p) for p in text.split("..")]
            lo, hi, step = [*parts, 1][:3] if len(parts) in (2, 3) else (0, -1, 1)
            if len(parts) not in (2, 3) or step < 1 or hi < lo:
                raise ValueError
            return list(range(lo, hi + 1, step))
        values = [int(p) for p in text.split(",") if p.strip()]
    except ValueError:
        raise typer.BadParameter(
            f"'{text}' is not a bed range: use 10..40, 10..40..2 or 10,12,15"
        ) from None
    if not values or min(values) < 0:
        raise typer.BadParameter("bed numbers must be whole numbers >= 0")
    return values


@app.command()
def schema(
    out: Annotated[
        Path | None, typer.Option(help="Write to this file instead of printing.")
    ] = None,
) -> None:
    """Print (or write) the JSON Schema of a scenario file."""
    from nearhome.capacity.scenario import scenario_json_schema

    text = json.dumps(scenario_json_schema(), indent=2, sort_keys=True) + "\n"
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"Wrote {out}")


@app.command()
def check(scenario: ScenarioArg) -> None:
    """Validate a scenario file and say what it holds (every problem is listed)."""
    from nearhome.capacity.levers import active_levers
    from nearhome.capacity.scenario import load_scenario, scenario_hash

    s = load_scenario(scenario)
    typer.echo(
        f"{scenario}: valid. {s.name} ({s.icb_code}), {s.years} years from {s.start_date}, hash {scenario_hash(s)}"
    )
    typer.echo(f"Pools: {', '.join(f'{p.id} ({p.beds} beds)' for p in s.pools)}")
    typer.echo(f"Levers on: {', '.join(active_levers(s)) or 'none'}")


@app.command()
def sample(
    out: Annotated[
        Path, typer.Option(help="Where to write the sample scenario.")
    ] = Path("scenario.toml"),
) -> None:
    """Write the packaged synthetic sample scenario, to edit or run."""
    from importlib import resources

    text = (
        resources.files("nearhome.capacity")
        .joinpath("sample_scenario.toml")
        .read_text("utf-8")
    )
    out.write_text(text, encoding="utf-8")
    typer.echo(f"Wrote {out}")


@app.command()
def baseline(
    warehouse: Annotated[str, typer.Option(help="Warehouse URL.")],
    icb: Annotated[str, typer.Option(help="ICB code of the residents to plan for.")],
    out: Annotated[Path, typer.Option(help="Scenario TOML to write.")] = Path(
        "baseline.toml"
    ),
    census_date: Annotated[
        str | None, typer.Option(help="Census date YYYY-MM-DD (default: latest data).")
    ] = None,
    years: Annotated[int, typer.Option(help="Years the plan runs.")] = 3,
    seed: Annotated[int, typer.Option(help="Seed of the scenario.")] = 20250401,
    pools: Annotated[
        str, typer.Option(help="capacity_pool groups, comma-separated.")
    ] = "adult_acute,picu,older_adult,rehabilitation",
    oap_cost_per_day: Annotated[
        float, typer.Option(help="Cost of one OAP bed day, £.")
    ] = 0.0,
) -> None:
    """Build a scenario from the warehouse: current beds, census, fitted demand, stays."""
    import datetime as dt

    from nearhome.capacity.baseline import baseline_scenario
    from nearhome.capacity.toml_writer import dumps
    from nearhome.data.warehouse import connect

    day = dt.date.fromisoformat(census_date) if census_date else None
    wh = connect(warehouse)
    try:
        result = baseline_scenario(
            wh,
            icb,
            census_date=day,
            pools=tuple(p.strip() for p in pools.split(",") if p.strip()),
            years=years,
            seed=seed,
            oap_cost_per_day=oap_cost_per_day,
        )
    finally:
        wh.close()
    header = f"# Baseline scenario for {icb} built by `nearhome capacity baseline` from {warehouse}.\n\n"
    out.write_text(
        header + dumps(result.scenario.model_dump(exclude_none=True)), encoding="utf-8"
    )
    _print(
        result.summary(), f"Baseline for {icb} on {result.frames.census_date.date()}"
    )
    typer.echo(
        f"Open inappropriate out-of-area placements now: {result.frames.inappropriate_oaps_open}"
    )
    typer.echo(f"Wrote {out}")


@app.command()
def run(
    scenario: ScenarioArg,
    reps: RepsOpt = None,
    out: Annotated[
        Path | None, typer.Option(help="Folder for CSV, SVG and metadata.")
    ] = None,
    workers: WorkersOpt = 1,
    numba: NumbaOpt = False,
    waterfall: Annotated[
        bool, typer.Option(help="Also add levers one at a time (one run per lever).")
    ] = False,
    batch_size: Annotated[int, typer.Option(help="Replications per batch.")] = 250,
) -> None:
    """Simulate the scenario and report, per pool, the share of admissions sent out of area."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from nearhome.capacity import charts
    from nearhome.capacity.run import lever_waterfall, run_scenario
    from nearhome.capacity.scenario import load_scenario

    s = load_scenario(scenario)
    total = s.replications if reps is None else reps
    bar = Progress(
        TextColumn("[bold]replications"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    )
    with bar:
        task = bar.add_task("run", total=total)
        result = run_scenario(
            s,
            reps=total,
            workers=workers,
            use_numba=numba,
            batch_size=batch_size,
            progress=lambda done, _all: bar.update(task, completed=done),
        )
    summary = result.pool_summary()
    _print(
        summary,
        f"{s.name}: {total} replications in {result.metadata['elapsed_seconds']} s",
        [
            "pool",
            "beds_end",
            "p_out_of_area",
            "one_in_n",
            "occupancy_mean",
            "oap_bed_days_per_year",
            "beds_for_target_erlang",
            "beds_for_target_repatriating",
        ],
    )
    if out is not None:
        written = result.write(out)
        if waterfall:
            frame = lever_waterfall(
                s, reps=total, workers=workers, use_numba=numba, batch_size=batch_size
            )
            frame.to_csv(out / "waterfall.csv", index=False, float_format="%.6g")
            (out / "waterfall.svg").write_text(
                charts.waterfall_chart(frame), encoding="utf-8"
            )
            written += [out / "waterfall.csv", out / "waterfall.svg"]
        typer.echo(f"Wrote {len(written)} files to {out}")


@app.command()
def sweep(
    scenario: ScenarioArg,
    pool: Annotated[str, typer.Option(help="Pool whose beds vary.")],
    beds: Annotated[
        str, typer.Option(help="Bed numbers: 10..40, 10..40..2 or 10,12,15.")
    ],
    reps: RepsOpt = 200,
    workers: WorkersOpt = 1,
    numba: NumbaOpt = False,
    out: Annotated[
        Path | None,
        typer.Option(help="CSV to write (an SVG chart is written beside it)."),
    ] = None,
) -> None:
    """Share sent out of area for each number of beds in one pool (others unchanged)."""
    from nearhome.capacity import charts
    from nearhome.capacity.run import bed_sweep
    from nearhome.capacity.scenario import load_scenario

    s = load_scenario(scenario)
    frame = bed_sweep(
        s, pool, parse_beds(beds), reps=reps, workers=workers, use_numba=numba
    )
    _print(
        frame,
        f"Bed sweep: {pool}",
        [
            "beds",
            "p_out_of_area",
            "p_out_of_area_p10",
            "p_out_of_area_p90",
            "one_in_n",
            "erlang_b",
            "occupancy_mean",
            "oap_bed_days_per_year",
        ],
    )
    if out is not None:
        frame.to_csv(out, index=False, float_format="%.6g")
        out.with_suffix(".svg").write_text(
            charts.sweep_chart(frame, s.target_out_of_area), encoding="utf-8"
        )
        typer.echo(f"Wrote {out} and {out.with_suffix('.svg')}")


@app.command("goal-seek")
def goal_seek(
    scenario: ScenarioArg,
    pool: Annotated[str, typer.Option(help="Pool to size.")],
    target: Annotated[
        float | None,
        typer.Option(help="Largest share sent out of area (default: the scenario's)."),
    ] = None,
    reps: RepsOpt = 200,
    workers: WorkersOpt = 1,
    numba: NumbaOpt = False,
) -> None:
    """Fewest beds for the target; the stay cut and the demand the current beds could take."""
    from nearhome.capacity.goalseek import los_reduction_needed, max_demand
    from nearhome.capacity.plan import los_distribution
    from nearhome.capacity.run import seek_beds
    from nearhome.capacity.scenario import load_scenario

    s = load_scenario(scenario)
    found = seek_beds(s, pool, target, reps=reps, workers=workers, use_numba=numba)
    spec = next(p for p in s.pools if p.id == pool)
    mean_los = los_distribution(spec.los).mean
    arrivals = found["offered_load"] / mean_los
    goal = found["target"]
    typer.echo(
        f"Pool {pool}: offered load {found['offered_load']:.1f} beds, target {goal:.1%} sent out of area."
    )
    typer.echo(f"  Erlang B (one pool, steady state): {found['beds_erlang']} beds.")
    typer.echo(
        f"  Simulation (transfers, census, seasonality): {found['beds']} beds "
        f"(share {found['p_out_of_area']:.1%} ± {1.96 * found['p_out_of_area_se']:.1%}); now {found['beds_now']}."
    )
    cut = los_reduction_needed(arrivals, mean_los, spec.beds, goal)
    typer.echo(
        f"  With today's {spec.beds} beds: mean stay must fall by {cut:.0%}, or admissions to at most "
        f"{max_demand(spec.beds, mean_los, goal) * 365.25:,.0f} a year (Erlang B)."
    )


@app.command("import-midlands")
def import_midlands(
    parameters: Annotated[
        Path,
        typer.Argument(help="The Midlands model's parameters CSV (Parameter,Value)."),
    ],
    baseline_csv: Annotated[
        Path, typer.Argument(metavar="BASELINE", help="Its aggregate baseline CSV.")
    ],
    demographic_growth: Annotated[
        float, typer.Option(help="That model's manual demographic growth override, %.")
    ] = 0.0,
    current_occupancy: Annotated[
        float, typer.Option(help="Current occupancy, %.")
    ] = 92.0,
    future_occupancy: Annotated[
        float, typer.Option(help="Future (desirable) occupancy, %.")
    ] = 85.0,
    icb: Annotated[
        str | None,
        typer.Option(help="ICB code (default: the residence ICB with most spells)."),
    ] = None,
    target: Annotated[
        float, typer.Option(help="Share sent out of area for the risk view.")
    ] = 0.05,
    out: Annotated[Path | None, typer.Option(help="Folder for the CSV tables.")] = None,
) -> None:
    """Reproduce the Midlands bed model's projection and beds, then add the risk view."""
    from nearhome.capacity import midlands

    inputs = midlands.read_midlands(
        parameters,
        baseline_csv,
        demographic_growth=demographic_growth,
        current_occupancy=current_occupancy,
        future_occupancy=future_occupancy,
        icb_code=icb,
    )
    if inputs.defaulted:
        typer.echo(
            f"Parameters not in the file kept the model's defaults: {', '.join(inputs.defaulted)}"
        )
    projection = midlands.midlands_projection(inputs)
    beds = midlands.annualised_beds(projection, inputs.spec)
    policy = midlands.bed_policy(inputs)
    risk = midlands.risk_view(beds, target)
    _print(
        projection, f"Midlands model projection for {inputs.icb_code} (3-year factors)"
    )
    _print(beds, "Occupancy rate adjusted beds (as the model rounds)")
    _print(policy, "Bed policy changes to projected activity")
    _print(
        risk,
        f"Risk view: Erlang B beside the fixed-occupancy beds (target {target:.0%})",
    )
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        for name, frame in (
            ("projection", projection),
            ("annualised_beds", beds),
            ("bed_policy", policy),
            ("risk_view", risk),
        ):
            frame.to_csv(out / f"{name}.csv", index=False)
        (out / "midlands.json").write_text(
            json.dumps(inputs.spec.model_dump(), indent=2) + "\n", encoding="utf-8"
        )
        typer.echo(f"Wrote 5 files to {out}")


@app.command()
def erlang(
    load: Annotated[
        float, typer.Option(help="Offered load: admissions a day × mean stay in days.")
    ],
    beds: Annotated[str, typer.Option(help="Bed numbers: 10..40 or 10,12,15.")],
) -> None:
    """Erlang B and C for a pool: share sent away, 1 in n, occupancy, OAP bed days a year."""
    from nearhome.capacity.goalseek import risk_table

    if not math.isfinite(load) or load < 0:
        raise InvalidScenario("--load must be a number >= 0.")
    _print(risk_table(load, parse_beds(beds)), f"Offered load {load:g} beds")


@app.command()
def backtest(
    warehouse: Annotated[str, typer.Option(help="Warehouse URL.")],
    icb: Annotated[str, typer.Option(help="ICB code.")],
    test_start: Annotated[
        str | None,
        typer.Option(
            help="First day of the test year (default: a year before the data ends)."
        ),
    ] = None,
    reps: Annotated[int, typer.Option(help="Replications.")] = 200,
    out: Annotated[Path | None, typer.Option(help="CSV to write.")] = None,
) -> None:
    """Fit on the years before, predict the test year, report error and 80% coverage."""
    from nearhome.capacity.backtest import backtest_warehouse
    from nearhome.data.warehouse import connect

    wh = connect(warehouse)
    try:
        frame = backtest_warehouse(wh, icb, test_start=test_start, reps=reps)
    finally:
        wh.close()
    _print(frame, f"Backtest for {icb}")
    if out is not None:
        frame.to_csv(out, index=False, float_format="%.6g")
        typer.echo(f"Wrote {out}")
