"""Scale benchmark: the full metric catalogue at 1x, 4x and 16x a base size, DuckDB and Spark.

For each size a synthetic extract is written as Parquet and loaded (set-up: the load is
timed and shown, but it is not the subject), then the whole catalogue (every metric x
every single breakdown x ``--months`` months) runs on DuckDB and on Spark ``local[2]``,
each in a process of its own. Printed per size and engine: seconds, rows out and the peak
memory of the whole process tree (Python, the JVM and Spark's Python workers), sampled
from ``/proc`` because the JVM is a grandchild that ``getrusage`` would not see. Then, per
engine, how time grows with size: the slope of log(time) on log(size) between the
smallest and largest size that ran (1 = linear; the goal is <= 1).

**What 1x is.** 1x is ``--icbs`` ICBs x ``--years`` years at ``--base-scale`` of a
real-sized ICB's population (default 42 x 5 x 0.02: every ICB and month of England with a
fiftieth of the people); kx multiplies the people, so 16x at the default is 0.32 of
England. The synthetic generator caps the people per ICB at twice real size, so
``--base-scale`` must be at most 0.125 for 16x; 1x England (``--base-scale 1``) only
allows 1x and 2x. The default finishes in about 20 minutes on a 2-core machine; real
England sizes are for bigger machines (``benchmarks/metrics.py`` times 1x England on
DuckDB alone).

If the catalogue fails on an engine, the failure (the step the run had reached and the
error) is printed in the table and the benchmark goes on.

Run with ``.venv/bin/python benchmarks/scale.py`` (``--help`` for options; Java 17 and
``SPARK_LOCAL_IP=127.0.0.1`` for Spark on a laptop).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

ENGINES = ("duckdb", "spark")
PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")


# --- peak memory of a process tree ----------------------------------------------------


def _children() -> dict[int, list[int]]:
    """Every live process's children, from ``/proc/*/stat`` (parent id is field 4)."""
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def _cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far (0 once it has gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def _rss(pid: int) -> int:
    """Resident bytes of one process (0 once it has gone)."""
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * PAGE
    except OSError:
        return 0


@dataclass
class TreeMemory:
    """Samples the summed resident memory and CPU time of a process and its descendants.

    Spark's driver JVM is started by PySpark as a child of the Python worker, and its
    Python workers are children of the JVM; only the whole tree's memory is the cost of
    running on Spark. CPU seconds are shown beside wall time because on a shared machine
    the wall clock also counts time spent waiting for a core.
    """

    pid: int
    interval: float = 0.2
    peak: int = 0
    cpu: dict[int, float] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _sample(self) -> None:
        while not self._stop.is_set():
            tree = _children()
            pending, total = [self.pid], 0
            while pending:
                pid = pending.pop()
                total += _rss(pid)
                self.cpu[pid] = max(self.cpu.get(pid, 0.0), _cpu(pid))
                pending += tree.get(pid, [])
            self.peak = max(self.peak, total)
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeMemory:
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


# --- worker steps (each in a process of its own) -----------------------------------------


def span(months: int) -> str:
    """The last ``months`` months of the synthetic extract (it always ends in one month)."""
    from nearhome.data.synthetic.extract import DEFAULT_END_MONTH
    from nearhome.periods import add_months

    first = add_months(DEFAULT_END_MONTH, -(months - 1))
    return f"{first:%Y-%m}..{DEFAULT_END_MONTH:%Y-%m}"


def _url(engine: str, target: Path, spark_memory: str) -> str:
    if engine == "duckdb":
        return f"duckdb:///{target}"
    return f"spark://local[2]?path={target}&spark.driver.memory={spark_memory}"


def step_load(url: str, extract: Path) -> dict[str, Any]:
    """Load the extract into the warehouse (set-up; timed for information)."""
    from nearhome.data.load import load_extract
    from nearhome.data.warehouse import connect

    started = time.perf_counter()
    result = load_extract(connect(url), extract)
    return {
        "seconds": time.perf_counter() - started,
        "rows": sum(result.rows.values()),
    }


def step_run(url: str, months: int) -> dict[str, Any]:
    """Run the whole catalogue; on failure report the step it had reached and why."""
    from nearhome.data.warehouse import connect
    from nearhome.metrics import dimensions, run_metrics
    from nearhome.peak_memory import peak_resident_mb

    reached = ["connecting"]

    def progress(message: str, _fraction: float) -> None:
        reached.append(message)

    started = time.perf_counter()
    try:
        store = connect(url)
        reached.append("connected")
        frame = run_metrics(
            store,
            "all",
            period=span(months),
            frequency="month",
            by=list(dimensions.dimensions()),
            progress=progress,
        )
    except Exception as error:
        return {
            "seconds": time.perf_counter() - started,
            "error": f"{type(error).__name__}: {str(error).splitlines()[0][:300]}",
            "after": reached[-1],
            "trace": traceback.format_exc()[-2000:],
        }
    return {
        "seconds": time.perf_counter() - started,
        "rows": len(frame),
        "metrics": int(frame["measure_id"].nunique()),
        "self_peak_mb": peak_resident_mb(),
    }


def step_families(url: str, months: int) -> dict[str, Any]:
    """Run each metric family alone, to name the ones that fail on an engine."""
    from nearhome.data.warehouse import connect
    from nearhome.metrics import catalogue, dimensions, run_metrics

    store = connect(url)
    families = sorted({spec.family for spec in catalogue()})
    outcome: dict[str, str] = {}
    for family in families:
        try:
            run_metrics(
                store,
                family,
                period=span(months),
                by=list(dimensions.dimensions()),
            )
            outcome[family] = "ok"
        except Exception as error:
            outcome[family] = (
                f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"
            )
    return {"families": outcome}


def _worker(args: argparse.Namespace) -> None:
    if args.step == "load":
        figures = step_load(args.url, Path(args.extract))
    elif args.step == "run":
        figures = step_run(args.url, args.months)
    else:
        figures = step_families(args.url, args.months)
    print(json.dumps(figures, default=str))


def _spawn(step: str, *options: str, timeout: float) -> dict[str, Any]:
    """Run one step in a child process; add its wall time and tree peak memory."""
    command = [sys.executable, __file__, "--step", step, *options]
    env = os.environ | {"SPARK_LOCAL_IP": os.environ.get("SPARK_LOCAL_IP", "127.0.0.1")}
    started = time.perf_counter()
    with (
        subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            start_new_session=True,  # a group of its own, so a timeout ends the JVM too
        ) as child,
        TreeMemory(child.pid) as memory,
    ):
        try:
            out, err = child.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            out, err = child.communicate()
            return {
                "error": f"timed out after {timeout:.0f} s",
                "after": "?",
                "wall": time.perf_counter() - started,
                "tree_peak_mb": memory.peak / 2**20,
            }
    lines = out.strip().splitlines()
    if child.returncode != 0 or not lines:
        tail = err.strip().splitlines()[-1:] or ["no output"]
        return {
            "error": f"exit {child.returncode}: {tail[0][:300]}",
            "after": "?",
            "wall": time.perf_counter() - started,
            "tree_peak_mb": memory.peak / 2**20,
        }
    figures: dict[str, Any] = json.loads(lines[-1])
    figures["wall"] = time.perf_counter() - started
    figures["tree_peak_mb"] = memory.peak / 2**20
    figures["cpu_seconds"] = sum(memory.cpu.values())
    return figures


# --- set-up, runs and report ---------------------------------------------------------------


def synthesise(args: argparse.Namespace, multiplier: int, console: Console) -> Path:
    """Write the extract of one size as Parquet, once (reused by later runs)."""
    from nearhome.data.synthetic import write_synthetic_extract

    out: Path = args.out / f"x{multiplier}"
    extract = out / "extract"
    done = out / "extract.json"
    if done.exists():
        return extract
    started = time.perf_counter()
    summary = write_synthetic_extract(
        extract,
        icbs=args.icbs,
        years=args.years,
        seed=args.seed,
        scale=args.base_scale * multiplier,
        fmt="parquet",
    )
    rows = dict(summary.rows)
    done.write_text(json.dumps(rows))
    console.print(
        f"{multiplier}x: synthesised {rows['MHS501HospProvSpell']:,} spells, "
        f"{rows['MHS502WardStay']:,} ward stays in {time.perf_counter() - started:.0f} s"
    )
    return extract


def measure(
    args: argparse.Namespace, multiplier: int, engine: str, console: Console
) -> dict[str, Any]:
    """Load one size into one engine (once), then time the catalogue on it."""
    folder = args.out / f"x{multiplier}"
    if args.report_only:
        saved = folder / f"{engine}.run.json"
        if saved.exists():
            return json.loads(saved.read_text())  # type: ignore[no-any-return]
        return {"error": "not run", "after": "-"}
    extract = synthesise(args, multiplier, console)
    target = folder / ("bench.duckdb" if engine == "duckdb" else "spark")
    url = _url(engine, target, args.spark_memory)
    loaded = folder / f"{engine}.loaded.json"
    if not loaded.exists():
        if target.is_dir():
            shutil.rmtree(target)
        target.unlink(missing_ok=True)
        load = _spawn(
            "load", "--url", url, "--extract", str(extract), timeout=args.timeout
        )
        if "error" in load:
            console.print(f"{multiplier}x {engine}: load failed: {load['error']}")
            return {"error": f"load: {load['error']}", "after": "load", "load": load}
        loaded.write_text(json.dumps(load))
    load = json.loads(loaded.read_text())
    if args.prepare_only:
        console.print(f"{multiplier}x {engine}: loaded in {load['seconds']:.0f} s")
        return {"error": "not run (--prepare-only)", "after": "load", "load": load}
    saved = folder / f"{engine}.run.json"
    if args.reuse and saved.exists():
        run: dict[str, Any] = json.loads(saved.read_text())
        console.print(f"{multiplier}x {engine}: reusing the run saved in {saved}")
        return run
    run = _spawn(
        "run", "--url", url, "--months", str(args.months), timeout=args.timeout
    )
    run["load"] = load
    status = run.get("error", f"{run.get('seconds', 0):.1f} s")
    console.print(f"{multiplier}x {engine}: {status}")
    if "error" in run and args.diagnose:
        run["families"] = _spawn(
            "families", "--url", url, "--months", str(args.months), timeout=args.timeout
        ).get("families")
    saved.write_text(json.dumps(run, default=str))
    return run


def slope(points: list[tuple[int, float]]) -> float | None:
    """Least-squares slope of log(seconds) on log(size): the growth exponent."""
    if len(points) < 2:
        return None
    xs = [math.log(size) for size, _ in points]
    ys = [math.log(seconds) for _, seconds in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den


def _outcome(run: dict[str, Any]) -> str:
    if "error" not in run:
        return "ok"
    if str(run["error"]) == "not run":
        return "not run"
    if str(run["error"]).startswith("not run"):
        return "loaded, not run"
    if str(run["error"]).startswith("timed out"):
        return str(run["error"])
    return f"FAILED after '{run['after']}'"


def report(
    args: argparse.Namespace,
    results: dict[tuple[int, str], dict[str, Any]],
    console: Console,
) -> None:
    """Print the size x engine table, the growth exponents and any failures."""
    base = (
        f"{args.icbs} ICBs x {args.years} years x {args.base_scale:g} of real ICB size"
    )
    table = Table(
        title=f"Full catalogue by size and engine (1x = {base}; {args.months} months)"
    )
    for column in (
        "size",
        "spells",
        "engine",
        "load (s)",
        "catalogue (s)",
        "CPU (s)",
        "rows out",
        "peak memory, process tree (MB)",
        "outcome",
    ):
        table.add_column(column, justify="right")
    for (multiplier, engine), run in results.items():
        written = args.out / f"x{multiplier}" / "extract.json"
        rows = json.loads(written.read_text()) if written.exists() else {}
        load = run.get("load") or {}
        table.add_row(
            f"{multiplier}x",
            f"{rows.get('MHS501HospProvSpell', 0):,}",
            engine,
            f"{load['seconds']:.1f}" if "seconds" in load else "-",
            f"{run['seconds']:.1f}" if "seconds" in run else "-",
            f"{run['cpu_seconds']:.0f}" if "cpu_seconds" in run else "-",
            f"{run['rows']:,}" if "rows" in run else "-",
            f"{run.get('tree_peak_mb', 0):,.0f}",
            _outcome(run),
        )
    console.print(table)
    for engine in args.engines:
        points = [
            (m, r["seconds"])
            for (m, e), r in results.items()
            if e == engine and "error" not in r
        ]
        exponent = slope(points)
        if exponent is None:
            console.print(f"{engine}: fewer than two sizes ran; no growth exponent")
        else:
            verdict = "met" if exponent <= 1 else "missed"
            console.print(
                f"{engine}: time grows as size^{exponent:.2f} over "
                f"{', '.join(f'{m}x' for m, _ in points)} (goal <= 1, linear: {verdict})"
            )
    for (multiplier, engine), run in results.items():
        if _outcome(run).startswith("FAILED"):
            console.print(
                f"[bold]{multiplier}x {engine} failed[/bold] after step "
                f"'{run['after']}': {run['error']}"
            )
            for family, outcome in (run.get("families") or {}).items():
                console.print(f"    {family}: {outcome}")


def main() -> None:
    """Synthesise each size, run every engine on it and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--icbs", type=int, default=42)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument(
        "--base-scale",
        type=float,
        default=0.02,
        help="people per ICB at 1x, as a share of a real ICB (16x needs <= 0.125)",
    )
    parser.add_argument("--sizes", default="1,4,16", help="multipliers of the base")
    parser.add_argument("--engines", default="duckdb,spark")
    parser.add_argument("--months", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--spark-memory", default="4g", help="Spark driver memory")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per step")
    parser.add_argument(
        "--diagnose", action="store_true", help="on failure, run each family alone"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="print runs saved by an earlier invocation instead of repeating them",
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="print the runs saved by earlier invocations; run nothing",
    )
    parser.add_argument(
        "--prepare-only",
        action="store_true",
        help="synthesise and load every size and engine, then stop (loads are reused)",
    )
    parser.add_argument("--out", type=Path, default=Path("/tmp/nearhome-bench-scale"))
    parser.add_argument(
        "--step", choices=("load", "run", "families"), help=argparse.SUPPRESS
    )
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--extract", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        _worker(args)
        return
    args.engines = [e for e in args.engines.split(",") if e]
    sizes = sorted(int(s) for s in args.sizes.split(","))
    if args.base_scale * max(sizes) > 2:
        parser.error("--base-scale x the largest size must be at most 2")
    console = Console(width=130)  # log files keep full-width tables
    results: dict[tuple[int, str], dict[str, Any]] = {}
    for multiplier in sizes:
        for engine in args.engines:
            results[(multiplier, engine)] = measure(args, multiplier, engine, console)
    report(args, results, console)


if __name__ == "__main__":
    main()
