"""A load killed part-way (SIGKILL, mid-transaction) leaves the warehouse exactly as before."""

from __future__ import annotations

import csv
import signal
import subprocess
import sys
from pathlib import Path

from nearhome.data.load import load_extract
from nearhome.data.warehouse import connect
from nearhome.testing.snapshot import fingerprint

KILLER = """
import os, signal, sys
from pathlib import Path
from nearhome.data.load import load_extract
from nearhome.data.warehouse import connect

def progress(message, fraction):
    if message.startswith("Deriving spell"):
        os.kill(os.getpid(), signal.SIGKILL)

load_extract(connect(sys.argv[1]), Path(sys.argv[2]), progress=progress)
"""


def test_kill_during_load_changes_nothing(tiny_copy: Path, tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    warehouse = connect(url)
    load_extract(warehouse, tiny_copy)
    before = fingerprint(warehouse)
    warehouse.close()
    # A changed resubmission: S05 discharged a day earlier (with its ward stay and CRFD).
    for name, field, value in (
        ("MHS501HospProvSpell.csv", "DischDateHospProvSpell", "2024-05-30"),
        ("MHS502WardStay.csv", "EndDateWardStay", "2024-05-30"),
    ):
        path = tiny_copy / name
        rows = list(csv.DictReader(path.open(encoding="utf-8")))
        for row in rows:
            if row.get(field) == "2024-05-31":
                row[field] = value
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    (tiny_copy / "MHS518ClinReadyforDischarge.csv").unlink()
    done = subprocess.run(
        [sys.executable, "-c", KILLER, url, str(tiny_copy)],
        check=False,
        capture_output=True,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()
    after = connect(url)
    assert fingerprint(after) == before
    # And the same change loads cleanly once nobody kills it.
    load_extract(after, tiny_copy)
    spells = after.execute(after.table("spell"))
    assert spells.set_index("spell_id").loc["S05", "los_days"] == 59
