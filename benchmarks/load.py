"""Load benchmark: England-scale synthetic extract into DuckDB, against DuckDB's raw scan.

Prints rows/second, peak memory of the load process, and the ratio of load time to the
floor: DuckDB's own ``read_csv`` of the same files into tables (no validation, no
derivation). Goal: load <= 3x the raw scan, peak memory <= 4 GB.

The floor reads the extract's MHSDS files only (as it always has); the load also reads
the reference folder, whose population file is the largest single file. A second floor
that reads the reference files too is printed beside it, so both ratios can be judged.
CPU seconds (user + system, every thread) are shown beside wall time, with the load
average, because on a shared machine wall time depends on who else is running.

Usage: python benchmarks/load.py [--icbs 42] [--years 5] [--out /tmp/nearhome-bench]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

RAW_SCAN = """
import duckdb, json, resource, sys, time
from pathlib import Path
from nearhome.peak_memory import peak_resident_mb
folder = Path(sys.argv[1])
con = duckdb.connect()
before = resource.getrusage(resource.RUSAGE_SELF)
start = time.perf_counter()
rows = 0
for path in sorted(folder.glob("*.csv")):
    con.execute(f"CREATE TABLE \\"{path.stem}\\" AS SELECT * FROM read_csv('{path}', header=true, all_varchar=true)")
    rows += con.execute(f'SELECT count(*) FROM "{path.stem}"').fetchone()[0]
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_SELF)
reference = time.perf_counter()
for path in sorted((folder / "reference").glob("*.csv")):
    con.execute(f"CREATE TABLE \\"ref_{path.stem}\\" AS SELECT * FROM read_csv('{path}', header=true, all_varchar=true)")
with_reference = time.perf_counter() - reference + seconds
after = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": seconds, "rows": rows, "peak_mb": peak_resident_mb(), "cpu": usage.ru_utime + usage.ru_stime - before.ru_utime - before.ru_stime, "seconds_with_reference": with_reference, "cpu_with_reference": after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime}))
"""

LOAD = """
import json, resource, sys, time
from pathlib import Path
from nearhome.data.load import load_extract
from nearhome.data.warehouse import connect
from nearhome.peak_memory import peak_resident_mb
folder, target = Path(sys.argv[1]), sys.argv[2]
before = resource.getrusage(resource.RUSAGE_SELF)
start = time.perf_counter()
result = load_extract(connect(f"duckdb:///{target}"), folder)
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_SELF)
cpu = usage.ru_utime + usage.ru_stime - before.ru_utime - before.ru_stime
print(json.dumps({"seconds": seconds, "rows": sum(result.rows.values()), "peak_mb": peak_resident_mb(), "cpu": cpu}))
"""


def _run(script: str, *args: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    """Synthesise (not timed), then time the raw scan and the full load."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--icbs", type=int, default=42)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path("/tmp/nearhome-bench-load"))
    args = parser.parse_args()
    console = Console()
    from nearhome.cli.progress import progress_bar
    from nearhome.data.synthetic import write_synthetic_extract

    extract = args.out / "extract"
    if not (extract / "MHS501HospProvSpell.csv").exists():
        with progress_bar(
            f"Synthesising {args.icbs} ICBs x {args.years} years"
        ) as update:
            started = time.perf_counter()
            summary = write_synthetic_extract(
                extract,
                icbs=args.icbs,
                years=args.years,
                seed=args.seed,
                progress=update,
            )
            console.print(
                f"synthesised in {time.perf_counter() - started:.0f} s: {summary}"
            )
    target = args.out / "bench.duckdb"
    target.unlink(missing_ok=True)
    load_before = os.getloadavg()[0]
    raw = _run(RAW_SCAN, str(extract))
    load = _run(LOAD, str(extract), str(target))
    load_after = os.getloadavg()[0]
    size_mb = sum(p.stat().st_size for p in extract.glob("*.csv")) / 1e6
    console.print(
        _figures(
            raw,
            load,
            f"{args.icbs} ICBs x {args.years} years, {size_mb:,.0f} MB of CSV",
        )
    )
    ratio = load["seconds"] / raw["seconds"]
    console.print(
        f"load / raw scan = {ratio:.2f}x wall, {load['cpu'] / raw['cpu']:.2f}x CPU (goal <= 3x); "
        f"peak load memory {load['peak_mb'] / 1024:.2f} GB (goal <= 4 GB)"
    )
    console.print(
        f"against the scan of extract and reference files: "
        f"{load['seconds'] / raw['seconds_with_reference']:.2f}x wall, "
        f"{load['cpu'] / raw['cpu_with_reference']:.2f}x CPU; "
        f"load average {load_before:.1f} before, {load_after:.1f} after"
    )


def _figures(raw: dict[str, float], load: dict[str, float], title: str) -> Table:
    """The table of wall and CPU seconds, rows/second and peak memory per step."""
    table = Table(title=f"Load benchmark: {title}")
    for column in ("step", "seconds", "CPU s", "rows", "rows/second", "peak MB"):
        table.add_column(column, justify="right")
    steps = (
        ("DuckDB raw read_csv (floor)", raw["seconds"], raw["cpu"], raw),
        (
            "  + reference files",
            raw["seconds_with_reference"],
            raw["cpu_with_reference"],
            raw,
        ),
        ("nearhome load (validate + derive)", load["seconds"], load["cpu"], load),
    )
    for name, seconds, cpu, figures in steps:
        table.add_row(
            name,
            f"{seconds:.1f}",
            f"{cpu:.1f}",
            f"{figures['rows']:,.0f}",
            f"{figures['rows'] / seconds:,.0f}",
            f"{figures['peak_mb']:,.0f}",
        )
    return table


if __name__ == "__main__":
    main()
