"""Load benchmark: England-scale synthetic extract into DuckDB, against DuckDB's raw scan.

Prints rows/second, peak memory of the load process, and the ratio of load time to the
floor: DuckDB's own ``read_csv`` of the same files into tables (no validation, no
derivation). Goal: load <= 3x the raw scan, peak memory <= 4 GB.

The floor reads every file the load reads: the extract's MHSDS files and its reference
folder, whose population file (22 million rows at England scale) is the largest single
file of all. The scan of the MHSDS files alone is printed beside it, with the load's
ratio to that too, so a reader can judge both. CPU seconds (user + system, every
thread) are shown beside wall time, with the load average, because on a shared machine
wall time depends on who else is running. Rows are every row read: MHSDS and reference.

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
def scan(paths, prefix):
    rows = 0
    for path in paths:
        con.execute(f"CREATE TABLE \\"{prefix}{path.stem}\\" AS SELECT * FROM read_csv('{path}', header=true, all_varchar=true)")
        rows += con.execute(f'SELECT count(*) FROM "{prefix}{path.stem}"').fetchone()[0]
    return rows
before = resource.getrusage(resource.RUSAGE_SELF)
start = time.perf_counter()
mhsds_rows = scan(sorted(folder.glob("*.csv")), "")
mhsds_seconds = time.perf_counter() - start
middle = resource.getrusage(resource.RUSAGE_SELF)
reference_rows = scan(sorted((folder / "reference").glob("*.csv")), "ref_")
seconds = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_SELF)
def cpu(usage):
    return usage.ru_utime + usage.ru_stime - before.ru_utime - before.ru_stime
print(json.dumps({"seconds": seconds, "cpu": cpu(after), "rows": mhsds_rows + reference_rows, "mhsds_seconds": mhsds_seconds, "mhsds_cpu": cpu(middle), "mhsds_rows": mhsds_rows, "peak_mb": peak_resident_mb()}))
"""

LOAD = """
import json, resource, sys, time
from pathlib import Path
from nearhome.data.load import load_extract
from nearhome.data.schema import REFERENCE_FILES
from nearhome.data.warehouse import connect
from nearhome.peak_memory import peak_resident_mb
folder, target = Path(sys.argv[1]), sys.argv[2]
before = resource.getrusage(resource.RUSAGE_SELF)
start = time.perf_counter()
warehouse = connect(f"duckdb:///{target}")
result = load_extract(warehouse, folder)
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_SELF)
cpu = usage.ru_utime + usage.ru_stime - before.ru_utime - before.ru_stime
reference_rows = sum(int(warehouse.backend.execute(warehouse.table(f"ref_{name}").count())) for name in REFERENCE_FILES)
print(json.dumps({"seconds": seconds, "rows": sum(result.rows.values()) + reference_rows, "peak_mb": peak_resident_mb(), "cpu": cpu}))
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
    console = Console(width=120)  # log files keep full-width tables
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
    size_mb = sum(p.stat().st_size for p in extract.glob("**/*.csv")) / 1e6
    console.print(
        _figures(
            raw,
            load,
            f"{args.icbs} ICBs x {args.years} years, {size_mb:,.0f} MB of CSV",
        )
    )
    ratio = load["seconds"] / raw["seconds"]
    console.print(
        f"load / raw scan of the same files = {ratio:.2f}x wall, "
        f"{load['cpu'] / raw['cpu']:.2f}x CPU (goal <= 3x); "
        f"peak load memory {load['peak_mb'] / 1024:.2f} GB (goal <= 4 GB)"
    )
    console.print(
        f"against the scan of the MHSDS files alone: "
        f"{load['seconds'] / raw['mhsds_seconds']:.2f}x wall, "
        f"{load['cpu'] / raw['mhsds_cpu']:.2f}x CPU; "
        f"load average {load_before:.1f} before, {load_after:.1f} after"
    )


def _figures(raw: dict[str, float], load: dict[str, float], title: str) -> Table:
    """The table of wall and CPU seconds, rows/second and peak memory per step."""
    table = Table(title=f"Load benchmark: {title}")
    for column in ("step", "seconds", "CPU s", "rows", "rows/second", "peak MB"):
        table.add_column(column, justify="right")
    steps = (
        ("DuckDB raw read_csv, every file (floor)", raw, ""),
        ("  of which the MHSDS files", raw, "mhsds_"),
        ("nearhome load (validate + derive)", load, ""),
    )
    for name, figures, part in steps:
        seconds = figures[f"{part}seconds"]
        table.add_row(
            name,
            f"{seconds:.1f}",
            f"{figures[f'{part}cpu']:.1f}",
            f"{figures[f'{part}rows']:,.0f}",
            f"{figures[f'{part}rows'] / seconds:,.0f}",
            f"{figures['peak_mb']:,.0f}" if not part else "",
        )
    return table


if __name__ == "__main__":
    main()
