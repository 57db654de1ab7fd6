"""Benchmark :mod:`nearhome.stats` at the sizes analysts run it on.

* Directly standardised rates with 95% and 99.8% Dobson limits for 100,000 groups
  (19 ESP 2013 age bands each), against PHStatsMethods' ``ph_dsr`` on the same frame.
* Making Data Count XmR charts for 10,000 series of 60 months, against a straightforward
  per-series pandas loop written below (PHStatsMethods has no SPC).

Both comparisons also check that the answers agree. Synthetic data only, from a seeded
generator. Run with ``.venv/bin/python benchmarks/stats.py`` (``--help`` for sizes).
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable, Iterable
from typing import TypeVar

import numpy as np
import pandas as pd
import PHStatsMethods as PHS
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from nearhome import stats

T = TypeVar("T")
RULES = ["rule_outside_limits", "rule_trend", "rule_two_sigma", "rule_run"]


def dsr_input(groups: int, rng: np.random.Generator) -> pd.DataFrame:
    """One row per group and ESP 2013 band: populations and Poisson event counts."""
    esp = stats.esp2013()
    bands = len(esp)
    population = rng.integers(200, 20_000, size=(groups, bands))
    band_rate = np.linspace(0.0005, 0.004, bands)
    area_rate = rng.gamma(4.0, 0.25, size=(groups, 1))
    count = rng.poisson(population * band_rate * area_rate)
    return pd.DataFrame(
        {
            "group": np.repeat(np.arange(groups), bands),
            "age_band": np.tile(esp["age_band"].to_numpy(), groups),
            "count": count.ravel(),
            "population": population.ravel(),
            "esp": np.tile(esp["population"].to_numpy(), groups),
        }
    )


def spc_input(series: int, months: int, rng: np.random.Generator) -> pd.DataFrame:
    """Monthly values per series; a third of the series shift level half way through."""
    level = rng.uniform(20, 200, size=(series, 1))
    noise = rng.normal(0, 0.1, size=(series, months)) * level
    shift = np.where(np.arange(months) >= months // 2, 0.3, 0.0) * level
    shifted = rng.random((series, 1)) < 1 / 3
    values = np.round(level + noise + shift * shifted, 1)
    dates = pd.date_range("2020-04-01", periods=months, freq="MS")
    return pd.DataFrame(
        {
            "series": np.repeat(np.arange(series), months),
            "date": np.tile(dates.to_numpy(), series),
            "value": values.ravel(),
        }
    )


def timed(call: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def phstats_dsr(frame: pd.DataFrame) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # third-party pandas usage, not ours
        result: pd.DataFrame = PHS.ph_dsr(
            frame,
            "count",
            "population",
            "esp",
            group_cols="group",
            euro_standard_pops=False,
            confidence=[0.95, 0.998],
        )
    return result


def dsr_agreement(ours: pd.DataFrame, theirs: pd.DataFrame) -> float:
    """Largest relative difference between the two packages' values and limits."""
    mine = ours.pivot(
        index="group", columns="confidence", values=["value", "lower", "upper"]
    )
    pairs = [
        (mine["value"][0.95], theirs["Value"]),
        (mine["lower"][0.95], theirs["lower_95_ci"]),
        (mine["upper"][0.95], theirs["upper_95_ci"]),
        (mine["lower"][0.998], theirs["lower_99_8_ci"]),
        (mine["upper"][0.998], theirs["upper_99_8_ci"]),
    ]
    worst = 0.0
    for a, b in pairs:
        x, y = a.to_numpy(), b.to_numpy()
        both = ~np.isnan(x) & ~np.isnan(y)
        if (np.isnan(x) != np.isnan(y)).any():
            return float("inf")
        worst = max(worst, float(np.max(np.abs(x[both] / y[both] - 1), initial=0.0)))
    return worst


def _in_window(full: pd.Series, length: int) -> pd.Series:
    """Points covered by a full window of ``length`` ending at or after them."""
    ahead = full[::-1].astype(float).rolling(length, min_periods=1).max()[::-1]
    return ahead.fillna(0).astype(bool)


def pandas_xmr_one(part: pd.DataFrame) -> pd.DataFrame:
    """The Making Data Count rules for one series, the plain pandas way."""
    y = part["value"]
    mean = y.mean()
    amr = y.diff().abs().mean()
    upl, lpl = mean + 2.66 * amr, mean - 2.66 * amr
    hi2, lo2 = mean + 2 * 2.66 / 3 * amr, mean - 2 * 2.66 / 3 * amr
    side = np.sign(y - mean)
    out = part.assign(mean=mean, lower_process_limit=lpl, upper_process_limit=upl)
    out["rule_outside_limits"] = (y > upl) | (y < lpl)
    run = pd.Series(False, index=y.index)
    trend = pd.Series(False, index=y.index)
    two = pd.Series(False, index=y.index)
    step = np.sign(y.diff())
    for sign, beyond in ((1, y > hi2), (-1, y < lo2)):
        run |= _in_window((side == sign).astype(int).rolling(7).sum() == 7, 7)
        steps_full = (step == sign).astype(int).rolling(6).sum() == 6
        trend |= _in_window(steps_full, 7)  # six like steps join seven points
        same = (side == sign).astype(int).rolling(3).sum() == 3
        window = same & (beyond.astype(int).rolling(3).sum() >= 2)
        two |= _in_window(window, 3) & beyond
    out["rule_trend"] = trend
    out["rule_two_sigma"] = two
    out["rule_run"] = run
    return out


def pandas_xmr(frame: pd.DataFrame, progress: Callable[[], None]) -> pd.DataFrame:
    parts = []
    for _, part in frame.groupby("series", sort=True):
        parts.append(pandas_xmr_one(part.sort_values("date")))
        progress()
    return pd.concat(parts, ignore_index=True)


def spc_agreement(ours: pd.DataFrame, theirs: pd.DataFrame) -> tuple[float, int]:
    """Largest difference in limits, and the number of points whose flags differ."""
    limit = float(
        np.max(
            np.abs(
                ours["upper_process_limit"].to_numpy() - theirs["upper_process_limit"]
            )
        )
    )
    differ = int((ours[RULES].to_numpy() != theirs[RULES].to_numpy()).any(axis=1).sum())
    return limit, differ


def track(
    progress: Progress, label: str, total: int | None = None
) -> Callable[[], None]:
    task = progress.add_task(label, total=total)
    return lambda: progress.advance(task)


def run_step(progress: Progress, label: str, call: Callable[[], T]) -> tuple[float, T]:
    task = progress.add_task(label, total=1)
    seconds, result = timed(call)
    progress.update(task, completed=1)
    return seconds, result


Row = tuple[str, str, float, str, float, str]


def bench_dsr(progress: Progress, groups: int, rng: np.random.Generator) -> Row:
    """DSRs for ``groups`` groups, ours against PHStatsMethods on the same frame."""
    frame = dsr_input(groups, rng)
    ours_s, ours = run_step(
        progress,
        f"nearhome dsr: {groups:,} groups",
        lambda: stats.dsr(
            frame, count="count", population="population", age_band="age_band",
            by="group", confidence=(0.95, 0.998),
        ),
    )  # fmt: skip
    theirs_s, theirs = run_step(
        progress,
        f"PHStatsMethods ph_dsr: {groups:,} groups",
        lambda: phstats_dsr(frame),
    )
    agree = f"max rel. diff {dsr_agreement(ours, theirs):.1e}"
    return ("DSR + 95%/99.8% Dobson limits", f"{groups:,} groups", ours_s,
            "PHStatsMethods ph_dsr", theirs_s, agree)  # fmt: skip


def bench_spc(
    progress: Progress, args: argparse.Namespace, rng: np.random.Generator
) -> Row:
    """XmR charts for every series, ours against the per-series pandas loop."""
    spc = spc_input(args.series, args.months, rng)
    ours_s, chart = run_step(
        progress,
        f"nearhome xmr: {args.series:,} series x {args.months}",
        lambda: stats.xmr(spc["value"], spc["date"], series=spc["series"]),
    )
    looped = min(args.loop_series or args.series, args.series)
    subset = spc[spc["series"] < looped]
    tick = track(progress, f"per-series pandas loop: {looped:,} series", total=looped)
    theirs_s, loop = timed(lambda: pandas_xmr(subset, tick))
    limit, differ = spc_agreement(chart.points.iloc[: len(loop)], loop)
    scaled = "" if looped == args.series else f", timed on {looped:,} series and scaled"
    return ("XmR limits, rules, icons", f"{args.series:,} x {args.months} months", ours_s,
            f"per-series pandas loop (no SPC in PHStatsMethods{scaled})",
            theirs_s * args.series / looped,
            f"limits within {limit:.1e}; {differ} points differ")  # fmt: skip


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=100_000, help="DSR groups")
    parser.add_argument("--series", type=int, default=10_000, help="SPC series")
    parser.add_argument("--months", type=int, default=60, help="points per series")
    parser.add_argument("--seed", type=int, default=2013)
    parser.add_argument(
        "--loop-series",
        type=int,
        default=None,
        help="time the pandas loop on the first N series only and scale it up linearly",
    )
    args = parser.parse_args(None if argv is None else list(argv))
    rng = np.random.default_rng(args.seed)
    console = Console(width=150)
    columns = [TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=console) as progress:
        rows = [bench_dsr(progress, args.groups, rng), bench_spc(progress, args, rng)]
    table = Table(title=f"nearhome.stats benchmark (seed {args.seed})")
    for name in ("task", "size", "nearhome s", "baseline", "baseline s", "speed-up",
                 "agreement"):  # fmt: skip
        table.add_column(name)
    for task, size, ours_s, base, base_s, agree in rows:
        table.add_row(task, size, f"{ours_s:.2f}", base, f"{base_s:.2f}",
                      f"{base_s / ours_s:.0f}x", agree)  # fmt: skip
    console.print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
