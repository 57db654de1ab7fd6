"""Load benchmark: England-scale synthetic extract into DuckDB, against DuckDB's raw scan.

Prints rows/second, peak memory of the load process, and the ratio of load time to the
floor: DuckDB's own ``read_csv`` of the same files into tables (no validation, no
derivation). Goal: load <= 3x the raw scan, peak memory <= 4 GB.

Usage: python benchmarks/load.py [--icbs 42] [--years 5] [--out /tmp/nearhome-bench]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

RAW_SCAN = """
import duckdb, json, resource, sys, time
from pathlib import Path
folder = Path(sys.argv[1])
con = duckdb.connect()
start = time.perf_counter()
rows = 0
for path in sorted(folder.glob("*.csv")):
    con.execute(f"CREATE TABLE \\"{path.stem}\\" AS SELECT * FROM read_csv('{path}', header=true, all_varchar=true)")
    rows += con.execute(f'SELECT count(*) FROM "{path.stem}"').fetchone()[0]
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "rows": rows, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

LOAD = """
import json, resource, sys, time
from pathlib import Path
from nearhome.data.load import load_extract
from nearhome.data.warehouse import connect
folder, target = Path(sys.argv[1]), sys.argv[2]
start = time.perf_counter()
result = load_extract(connect(f"duckdb:///{target}"), folder)
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "rows": sum(result.rows.values()), "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
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
    raw = _run(RAW_SCAN, str(extract))
    load = _run(LOAD, str(extract), str(target))
    size_mb = sum(p.stat().st_size for p in extract.glob("*.csv")) / 1e6
    table = Table(
        title=f"Load benchmark: {args.icbs} ICBs x {args.years} years, {size_mb:,.0f} MB of CSV"
    )
    for column in ("step", "seconds", "rows", "rows/second", "peak memory (MB)"):
        table.add_column(column, justify="right")
    for name, figures in (
        ("DuckDB raw read_csv (floor)", raw),
        ("nearhome load (validate + derive)", load),
    ):
        table.add_row(
            name,
            f"{figures['seconds']:.1f}",
            f"{figures['rows']:,.0f}",
            f"{figures['rows'] / figures['seconds']:,.0f}",
            f"{figures['peak_mb']:,.0f}",
        )
    console.print(table)
    ratio = load["seconds"] / raw["seconds"]
    console.print(
        f"load / raw scan = {ratio:.2f}x (goal <= 3x); peak load memory {load['peak_mb'] / 1024:.2f} GB (goal <= 4 GB)"
    )


if __name__ == "__main__":
    main()
