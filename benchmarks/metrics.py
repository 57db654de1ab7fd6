"""Metric catalogue benchmark: every metric x every single breakdown x 60 months, on DuckDB.

1. **Full catalogue**: ``run_metrics(warehouse, "all", period=<60 months>, frequency="month",
   by=<every single breakdown>)`` on an England-scale synthetic extract (42 ICBs, 5 years)
   loaded into DuckDB, building every facts table from the canonical tables. Prints the
   time, the rows produced and the peak memory of the process that ran it. Goals: under
   60 s on 2 cores, peak memory <= 4 GB.
2. **Preparing the facts**: ``nearhome metrics prepare`` (``prepare_facts``) stores every
   facts table for every loaded month once per load; its time and peak memory are
   printed, then the full catalogue again, reading them.
3. **Sample of five against pandas**: admissions, occupied bed days, inappropriate
   out-of-area bed days, CRFD days and restrictive interventions per 1,000 bed days, by
   month for England and by ICB of residence. nearhome runs them through ``run_metrics``,
   once building its facts and once reading the prepared ones; a naive pandas
   implementation (below, written from the published definitions: a loop over months,
   interval overlaps clipped month by month) computes the same figures from the same
   warehouse's tables. Prints the times, their ratios (goal >= 10x) and whether every
   figure agrees, both ways.

The synthetic extract and its load are set-up, not timed (``benchmarks/load.py`` times the
load). Each timed step runs in its own process so that its peak memory
(the kernel's ``VmHWM``, see ``nearhome.peak_memory``) is its own. The pandas side is timed from frames already in
memory, so the ratio flatters pandas: reading the tables out of the warehouse is left out.

Run with ``.venv/bin/python benchmarks/metrics.py`` (``--help`` for sizes; ``--icbs 2
--scale 0.1`` finishes in about a minute).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

SAMPLE = (
    "activity.admissions",
    "bed_days.occupied",
    "out_of_area.inappropriate_bed_days",
    "delayed_discharge.crfd_days",
    "restrictive.per_1000_bed_days",
)
SAMPLE_BY = ("all", "icb")
UNKNOWN = "UNKNOWN"
FAR = np.datetime64("9999-12-31", "D")
ONE_DAY = np.timedelta64(1, "D")


# --- the span -----------------------------------------------------------------------


def span(months: int) -> str:
    """The last ``months`` months of the synthetic extract, as ``YYYY-MM..YYYY-MM``.

    The synthetic extract always ends in the same month, so the span is fixed by its
    length alone and the benchmark needs no query to find it.
    """
    from nearhome.data.synthetic.extract import DEFAULT_END_MONTH
    from nearhome.periods import add_months

    first = add_months(DEFAULT_END_MONTH, -(months - 1))
    return f"{first:%Y-%m}..{DEFAULT_END_MONTH:%Y-%m}"


def month_starts(months: int) -> list[dt.date]:
    """First days of the span's months, in order."""
    from nearhome.data.synthetic.extract import DEFAULT_END_MONTH
    from nearhome.periods import add_months

    return [add_months(DEFAULT_END_MONTH, -k) for k in range(months - 1, -1, -1)]


# --- the naive pandas reference -------------------------------------------------------


def _days(series: pd.Series) -> np.ndarray:  # type: ignore[type-arg]
    """Dates as day numbers; a missing end date becomes the far future (still open)."""
    values = pd.to_datetime(series).to_numpy().astype("datetime64[D]")
    return np.where(np.isnat(values), FAR, values)


def _icb(frame: pd.DataFrame, person: pd.DataFrame) -> pd.Series:
    """Each row's ICB of residence (the person's), ``UNKNOWN`` when not known."""
    lookup = person.set_index("person_id")["icb_code"]
    return frame["person_id"].map(lookup).fillna(UNKNOWN).astype(str)


def _overlap(
    start: np.ndarray,  # type: ignore[type-arg]
    end: np.ndarray,  # type: ignore[type-arg]
    lo: np.datetime64,
    hi: np.datetime64,
) -> np.ndarray:  # type: ignore[type-arg]
    """Midnights of each ``[start, end)`` inside ``[lo, hi)``."""
    first = np.maximum(start.astype("datetime64[D]"), lo)
    last = np.minimum(end.astype("datetime64[D]"), hi)
    nights: np.ndarray = np.maximum((last - first).astype("int64"), 0)  # type: ignore[type-arg]
    return nights


def _placement_stays(data: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Ward stays cut to the inappropriate out-of-area placement they belong to.

    A placement is a person's overlapping inappropriate OAP referrals merged into one
    (received date to the latest closed date, open if any is open); its stays are the
    ward stays of the spells admitted on those referrals.
    """
    ref = data["referral"]
    ref = ref[ref["is_oap"].fillna(False) & ref["is_inappropriate_oap"].fillna(False)]
    ref = ref.assign(
        start=_days(ref["received_date"]), end=_days(ref["closed_date"])
    ).sort_values(["person_id", "start", "referral_id"])
    placement: list[int] = []
    ends: list[np.datetime64] = []
    current, reach, previous = -1, FAR, None
    for person, start, end in zip(
        ref["person_id"].tolist(),
        ref["start"].to_numpy(dtype="datetime64[D]"),
        ref["end"].to_numpy(dtype="datetime64[D]"),
        strict=True,
    ):
        if person == previous and start <= reach:
            reach = max(reach, end)
        else:
            current += 1
            reach = end
        placement.append(current)
        previous = person
        ends.append(reach)
    ref = ref.assign(placement=placement, reach=np.array(ends, dtype="datetime64[D]"))
    bounds = ref.groupby("placement").agg(
        p_start=("start", "min"), p_end=("reach", "max")
    )
    ref = ref[["referral_id", "placement"]].join(bounds, on="placement")
    spells = data["spell"][["spell_id", "referral_id"]].merge(ref, on="referral_id")
    stays = data["ward_stay"].merge(
        spells[["spell_id", "p_start", "p_end"]], on="spell_id"
    )
    p_start = stays["p_start"].to_numpy(dtype="datetime64[D]")
    p_end = stays["p_end"].to_numpy(dtype="datetime64[D]")
    return stays.assign(
        start=np.maximum(_days(stays["start_date"]), p_start),
        end=np.minimum(_days(stays["end_date"]), p_end),
    )


def _crfd_rows(data: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """CRFD periods with the first day each counts from when it starts inside a period.

    MHS26: a period counts from the day after it began, unless it continues the spell's
    previous period (began within a day of that one's end, or that one is still open).
    Periods that end on the day they begin are not counted.
    """
    crfd = data["crfd_period"]
    crfd = crfd.assign(start=_days(crfd["start_date"]), end=_days(crfd["end_date"]))
    crfd = crfd[crfd["end"] != crfd["start"]].sort_values(
        ["spell_id", "start", "crfd_id"]
    )
    previous_end = crfd.groupby("spell_id")["end"].shift(1)
    first_in_spell = previous_end.isna().to_numpy()
    previous = previous_end.to_numpy(dtype="datetime64[D]", na_value=FAR)
    continues = ~first_in_spell & (crfd["start"].to_numpy() <= previous + ONE_DAY)
    return crfd.assign(offset=np.where(continues, 0, 1))


def pandas_sample(data: dict[str, pd.DataFrame], months: int) -> pd.DataFrame:
    """The five sample metrics by month, for England and by ICB, in plain pandas.

    Returns ``measure_id, period_start, breakdown, level, numerator, denominator,
    value`` (the same columns as nearhome's tidy output, for comparison).
    """
    person = data["person"]
    spell = data["spell"].assign(icb=lambda f: _icb(f, person))
    admitted = _days(spell["admission_date"])
    stays = data["ward_stay"].assign(icb=lambda f: _icb(f, person))
    stay_start, stay_end = _days(stays["start_date"]), _days(stays["end_date"])
    oap = _placement_stays(data)
    oap = oap.assign(icb=_icb(oap, person))
    crfd = _crfd_rows(data)
    crfd = crfd.assign(icb=_icb(crfd, person))
    ri = data["restrictive_intervention"]
    ri = ri.assign(
        icb=_icb(ri, person),
        start=_days(ri["start_date"]),
        end=_days(pd.to_datetime(ri["end_at"]).dt.floor("D")),
    )
    rows: list[dict[str, Any]] = []
    for first in month_starts(months):
        lo = np.datetime64(first, "D")
        hi = np.datetime64(
            (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1), "D"
        )
        per: dict[str, pd.Series] = {}
        per["activity.admissions"] = (
            spell[(admitted >= lo) & (admitted < hi)].groupby("icb").size()
        )
        nights = pd.Series(_overlap(stay_start, stay_end, lo, hi), index=stays.index)
        per["bed_days.occupied"] = nights.groupby(stays["icb"]).sum()
        oap_nights = pd.Series(
            _overlap(oap["start"].to_numpy(), oap["end"].to_numpy(), lo, hi),
            index=oap.index,
        )
        per["out_of_area.inappropriate_bed_days"] = oap_nights.groupby(oap["icb"]).sum()
        c_start = crfd["start"].to_numpy(dtype="datetime64[D]")
        c_end = crfd["end"].to_numpy(dtype="datetime64[D]")
        live = (c_start < hi) & (c_end >= lo)
        c_first = np.where(
            c_start < lo, lo, c_start + crfd["offset"].to_numpy() * ONE_DAY
        )
        c_days = np.maximum((np.minimum(c_end, hi) - c_first).astype("int64"), 0)
        per["delayed_discharge.crfd_days"] = (
            pd.Series(np.where(live, c_days, 0), index=crfd.index)
            .groupby(crfd["icb"])
            .sum()
        )
        active = ri[(ri["start"] < hi) & (ri["end"] >= lo)]
        interventions = active.drop_duplicates(["incident_id", "type_code"])
        per["restrictive.interventions"] = interventions.groupby("icb").size()
        rows += _month_rows(first, per)
    return pd.DataFrame(rows)


def _month_rows(first: dt.date, per: dict[str, pd.Series]) -> list[dict[str, Any]]:
    """One month's figures in long form: each count by ICB and in total, and the rate."""
    out: list[dict[str, Any]] = []
    for breakdown in SAMPLE_BY:
        totals = {
            key: (
                pd.Series({"ALL": float(series.sum())})
                if breakdown == "all"
                else series.astype(float)
            )
            for key, series in per.items()
        }
        for key in SAMPLE[:4]:
            out += [
                {
                    "measure_id": key,
                    "period_start": first,
                    "breakdown": breakdown,
                    "level": str(level),
                    "numerator": value,
                    "denominator": np.nan,
                    "value": value,
                }
                for level, value in totals[key].items()
            ]
        numerator = totals["restrictive.interventions"]
        denominator = totals["bed_days.occupied"].reindex(
            numerator.index.union(totals["bed_days.occupied"].index)
        )
        numerator = numerator.reindex(denominator.index).fillna(0.0)
        for level in denominator.index:
            num, den = float(numerator[level]), float(denominator[level])
            out.append(
                {
                    "measure_id": SAMPLE[4],
                    "period_start": first,
                    "breakdown": breakdown,
                    "level": str(level),
                    "numerator": num,
                    "denominator": den,
                    "value": num / den * 1000 if den else np.nan,
                }
            )
    return out


def agreement(nearhome: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
    """Per metric: figures compared, how many agree (counts exact, rates to 1e-9).

    A level or month present on one side only counts as a disagreement unless its value
    is zero or missing on the side that has it (nearhome leaves out empty cells).
    """
    keys = ["measure_id", "breakdown", "level", "period_start"]
    ours = nearhome[[*keys, "value"]].copy()
    ours["period_start"] = pd.to_datetime(ours["period_start"]).dt.date
    ref = reference[[*keys, "value"]]
    both = ours.merge(ref, on=keys, how="outer", suffixes=("_nearhome", "_pandas"))
    a = both["value_nearhome"].fillna(0.0).to_numpy(dtype=float)
    b = both["value_pandas"].fillna(0.0).to_numpy(dtype=float)
    same = np.isclose(a, b, rtol=1e-9, atol=1e-9)
    both["agrees"] = same
    return (
        both.groupby("measure_id")
        .agg(figures=("agrees", "size"), agree=("agrees", "sum"))
        .reindex(list(SAMPLE))
        .reset_index()
    )


# --- steps, each in its own process -----------------------------------------------------


def _peak_mb() -> float:
    from nearhome.peak_memory import peak_resident_mb

    return peak_resident_mb()


def step_catalogue(warehouse: str, months: int, prepared: bool) -> dict[str, Any]:
    """Time the whole catalogue by every single breakdown (the headline figure)."""
    from nearhome.data.warehouse import connect
    from nearhome.metrics import dimensions, run_metrics

    store = connect(warehouse)
    by = list(dimensions.dimensions())
    started, cpu = time.perf_counter(), time.process_time()
    frame = run_metrics(
        store, "all", period=span(months), frequency="month", by=by, prepared=prepared
    )
    seconds = time.perf_counter() - started
    assert frame.attrs["nearhome"]["prepared_facts"] is prepared
    return {
        "seconds": seconds,
        "cpu_seconds": time.process_time() - cpu,
        "rows": len(frame),
        "metrics": int(frame["measure_id"].nunique()),
        "breakdowns": len(by),
        "peak_mb": _peak_mb(),
    }


def step_prepare(warehouse: str) -> dict[str, Any]:
    """Time preparing every facts table for every loaded month (once per load)."""
    from nearhome.data.warehouse import connect
    from nearhome.metrics.prepared import prepare_facts

    store = connect(warehouse)
    started, cpu = time.perf_counter(), time.process_time()
    done = prepare_facts(store)
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
        "tables": len(done.tables),
        "rows": sum(t.rows for t in done.tables),
        "peak_mb": _peak_mb(),
    }


def step_sample(warehouse: str, months: int, repeat: int) -> dict[str, Any]:
    """Time nearhome (building its facts, then reading the prepared ones) and pandas
    on the sample of five, and compare their figures."""
    from nearhome.data.warehouse import connect
    from nearhome.metrics import run_metrics

    store = connect(warehouse)
    started = time.perf_counter()
    tables = ("person", "spell", "ward_stay", "referral", "crfd_period")
    data = {name: store.execute(store.table(name)) for name in tables}
    data["restrictive_intervention"] = store.execute(
        store.table("restrictive_intervention")
    )
    read_seconds = time.perf_counter() - started

    def sample(prepared: bool) -> pd.DataFrame:
        frame = run_metrics(
            store,
            list(SAMPLE),
            period=span(months),
            by=list(SAMPLE_BY),
            prepared=prepared,
        )
        assert frame.attrs["nearhome"]["prepared_facts"] is prepared
        return frame

    sample(False)  # warm-up
    sample(True)
    built, prepared, theirs = [], [], []
    for _ in range(repeat):
        started = time.perf_counter()
        from_built = sample(False)
        built.append(time.perf_counter() - started)
        started = time.perf_counter()
        from_prepared = sample(True)
        prepared.append(time.perf_counter() - started)
        started = time.perf_counter()
        reference = pandas_sample(data, months)
        theirs.append(time.perf_counter() - started)
    return {
        "built_seconds": min(built),
        "prepared_seconds": min(prepared),
        "pandas_seconds": min(theirs),
        "pandas_read_seconds": read_seconds,
        "rows": len(from_prepared),
        "agreement": agreement(from_built, reference).to_dict(orient="records"),
        "agreement_prepared": agreement(from_prepared, reference).to_dict(
            orient="records"
        ),
        "peak_mb": _peak_mb(),
    }


STEPS = ("catalogue", "prepare", "catalogue-prepared", "sample")


def _worker(args: argparse.Namespace) -> None:
    """Run one step in this process and print its figures as one JSON line."""
    if args.step == "catalogue":
        figures = step_catalogue(args.warehouse, args.months, prepared=False)
    elif args.step == "catalogue-prepared":
        figures = step_catalogue(args.warehouse, args.months, prepared=True)
    elif args.step == "prepare":
        figures = step_prepare(args.warehouse)
    else:
        figures = step_sample(args.warehouse, args.months, args.repeat)
    print(json.dumps(figures, default=str))


def _run(step: str, warehouse: str, months: int, repeat: int) -> dict[str, Any]:
    done = subprocess.run(
        [
            sys.executable,
            __file__,
            "--step",
            step,
            "--warehouse",
            warehouse,
            "--months",
            str(months),
            "--repeat",
            str(repeat),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


# --- set-up and report --------------------------------------------------------------------


def prepare(args: argparse.Namespace, console: Console) -> Path:
    """Synthesise and load once (not timed); later runs with the same --out reuse both."""
    from nearhome.cli.progress import progress_bar
    from nearhome.data.load import load_extract
    from nearhome.data.synthetic import write_synthetic_extract
    from nearhome.data.warehouse import connect

    out: Path = args.out
    extract = out / "extract"
    target = out / "bench.duckdb"
    if target.exists():
        return target
    size = f"{args.icbs} ICBs x {args.years} years x scale {args.scale:g}"
    with progress_bar(f"Synthesising {size}") as update:
        summary = write_synthetic_extract(
            extract,
            icbs=args.icbs,
            years=args.years,
            seed=args.seed,
            scale=args.scale,
            fmt="parquet",
            progress=update,
        )
    console.print(f"synthesised: {summary.rows['MHS501HospProvSpell']:,} spells")
    started = time.perf_counter()
    partial = out / "loading.duckdb"
    partial.unlink(missing_ok=True)
    with progress_bar("Loading into DuckDB") as update:
        load_extract(connect(f"duckdb:///{partial}"), extract, progress=update)
    partial.rename(target)
    console.print(f"loaded in {time.perf_counter() - started:.0f} s (not timed below)")
    return target


def report(
    args: argparse.Namespace, figures: dict[str, dict[str, Any]], console: Console
) -> None:
    """Print the two tables and the goals next to the figures."""
    catalogue, prepare = figures["catalogue"], figures["prepare"]
    read, sample = figures["catalogue-prepared"], figures["sample"]
    size = f"{args.icbs} ICBs x {args.years} years x scale {args.scale:g}, {args.months} months"
    table = Table(title=f"Metric catalogue on DuckDB: {size}")
    for column in ("step", "seconds", "CPU s", "rows out", "peak memory (MB)", "goal"):
        table.add_column(column, justify="right")
    whole = f"all {catalogue['metrics']} metrics x {catalogue['breakdowns']} breakdowns"
    table.add_row(
        f"{whole}, facts built",
        f"{catalogue['seconds']:.1f}",
        f"{catalogue['cpu_seconds']:.0f}",
        f"{catalogue['rows']:,}",
        f"{catalogue['peak_mb']:,.0f}",
        "< 60 s, <= 4,096 MB",
    )
    table.add_row(
        f"preparing the facts ({prepare['tables']} tables, once per load)",
        f"{prepare['seconds']:.1f}",
        f"{prepare['cpu_seconds']:.0f}",
        f"{prepare['rows']:,}",
        f"{prepare['peak_mb']:,.0f}",
        "",
    )
    table.add_row(
        f"{whole}, facts prepared",
        f"{read['seconds']:.1f}",
        f"{read['cpu_seconds']:.0f}",
        f"{read['rows']:,}",
        f"{read['peak_mb']:,.0f}",
        "< 60 s, <= 4,096 MB",
    )
    for label, key in (("built", "built_seconds"), ("prepared", "prepared_seconds")):
        table.add_row(
            f"sample of 5, nearhome, facts {label}",
            f"{sample[key]:.2f}",
            "",
            f"{sample['rows']:,}",
            f"{sample['peak_mb']:,.0f}",
            "",
        )
    table.add_row(
        "sample of 5, naive pandas",
        f"{sample['pandas_seconds']:.2f}",
        "",
        "",
        "(same process)",
        "",
    )
    table.add_row(
        "  (pandas: reading the 6 tables, not counted)",
        f"{sample['pandas_read_seconds']:.2f}",
        "",
        "",
        "",
        "",
    )
    console.print(table)
    check = Table(
        title="Sample of five: nearhome against pandas, by month (all and icb)"
    )
    for column in ("metric", "figures", "agree (built)", "agree (prepared)", "all"):
        check.add_column(column, justify="right")
    for built, prepared in zip(
        sample["agreement"], sample["agreement_prepared"], strict=True
    ):
        figures_, agree = int(built["figures"] or 0), int(built["agree"] or 0)
        agree_prepared = int(prepared["agree"] or 0)
        same = figures_ and agree == agree_prepared == figures_ == prepared["figures"]
        check.add_row(
            built["measure_id"],
            f"{figures_:,}",
            f"{agree:,}",
            f"{agree_prepared:,}",
            "yes" if same else "NO",
        )
    console.print(check)
    built_ratio = sample["pandas_seconds"] / sample["built_seconds"]
    ratio = sample["pandas_seconds"] / sample["prepared_seconds"]
    peak = max(catalogue["peak_mb"], read["peak_mb"], prepare["peak_mb"]) / 1024
    # Goals are judged on the path a warehouse is meant to be used by (its facts
    # prepared once after each load); the figures building the facts are beside them.
    console.print(
        f"full catalogue {read['seconds']:.1f} s reading prepared facts (goal < 60 s: "
        f"{'met' if read['seconds'] < 60 else 'missed'}), {catalogue['seconds']:.1f} s "
        f"building them, {prepare['seconds']:.1f} s to prepare them once per load; "
        f"pandas / nearhome on the sample = {ratio:.2f}x reading prepared facts (goal "
        f">= 10x: {'met' if ratio >= 10 else 'missed'}), {built_ratio:.2f}x building "
        f"them; peak memory {peak:.2f} GB, the largest of the steps (goal <= 4 GB: "
        f"{'met' if peak <= 4 else 'missed'})"
    )


def main() -> None:
    """Prepare the warehouse, run both steps in subprocesses and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--icbs", type=int, default=42)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument(
        "--scale", type=float, default=1.0, help="people per ICB (1.0 is real size)"
    )
    parser.add_argument("--months", type=int, default=60, help="months reported")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="runs of the sample")
    parser.add_argument("--out", type=Path, default=Path("/tmp/nearhome-bench-metrics"))
    parser.add_argument("--step", choices=STEPS, help=argparse.SUPPRESS)
    parser.add_argument("--warehouse", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        _worker(args)
        return
    console = Console(width=130)  # log files keep full-width tables
    target = prepare(args, console)
    url = f"duckdb:///{target}"
    figures = {}
    for step in STEPS:
        figures[step] = _run(step, url, args.months, args.repeat)
        # kept beside the warehouse, so a long run's figures survive an interruption
        (target.parent / f"{step}.json").write_text(json.dumps(figures[step]))
    report(args, figures, console)


if __name__ == "__main__":
    main()
