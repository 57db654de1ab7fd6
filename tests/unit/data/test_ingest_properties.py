"""Property tests of the ingest invariants on generated snapshot extracts.

Whatever the stays, the order of rows or the months they span: every record loads once,
the latest snapshot wins, LOS is discharge minus admission, and re-loading changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nearhome.data.load import load_extract
from nearhome.data.warehouse import connect
from nearhome.periods import add_months, uniq_month_id

FIRST = dt.date(2024, 1, 1)
MONTHS = 6
LAST = add_months(FIRST, MONTHS) - dt.timedelta(days=1)

stays = st.lists(
    st.tuples(st.integers(0, 170), st.one_of(st.none(), st.integers(0, 120))),
    min_size=1,
    max_size=8,
)


def _write(
    folder: Path, spells: list[tuple[int, int | None]], seed: int, tiny: Path
) -> dict[str, tuple[dt.date, dt.date | None]]:
    shutil.copytree(tiny / "reference", folder / "reference")
    truth: dict[str, tuple[dt.date, dt.date | None]] = {}
    mpi, spell_rows, ward_rows = [], [], []
    record = 0
    for index, (offset, los) in enumerate(spells):
        start = FIRST + dt.timedelta(days=offset)
        end = start + dt.timedelta(days=los) if los is not None else None
        if end is not None and end > LAST:
            end = None
        sid, pid = f"S{index}", f"P{index}"
        truth[sid] = (start, end)
        month = dt.date(start.year, start.month, 1)
        while month <= LAST and (end is None or month <= end):
            record += 1
            mid = uniq_month_id(month)
            closed = end is not None and uniq_month_id(end) <= mid
            base = {
                "UniqMonthID": mid,
                "RecordNumber": record,
                "OrgIDProv": "RAA",
                "Person_ID": pid,
            }
            mpi.append(
                base | {"LSOA2011": "E01000001", "EthnicCategory": "A", "Gender": "1"}
            )
            spell_rows.append(
                base
                | {
                    "UniqHospProvSpellID": sid,
                    "StartDateHospProvSpell": start.isoformat(),
                    "DischDateHospProvSpell": end.isoformat() if closed and end else "",
                }
            )
            ward_rows.append(
                base
                | {
                    "UniqWardStayID": f"W{index}",
                    "UniqHospProvSpellID": sid,
                    "StartDateWardStay": start.isoformat(),
                    "EndDateWardStay": end.isoformat() if closed and end else "",
                    "MHAdmittedPatientClass": "10" if mid < 1489 else "200",
                    "WardCode": "W1",
                }
            )
            month = add_months(month, 1)
    shuffler = random.Random(seed)
    for name, rows in (
        ("MHS001MPI", mpi),
        ("MHS501HospProvSpell", spell_rows),
        ("MHS502WardStay", ward_rows),
    ):
        shuffler.shuffle(rows)
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(
                handle, fieldnames=sorted({k for r in rows for k in r})
            )
            writer.writeheader()
            writer.writerows(rows)
    return truth


@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(spells=stays, seed=st.integers(0, 1000))
def test_ingest_invariants(
    spells: list[tuple[int, int | None]],
    seed: int,
    tiny_extract: Path,
    tmp_path_factory,
) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("generated")
    truth = _write(folder, spells, seed, tiny_extract)
    warehouse = connect("duckdb://")
    load_extract(warehouse, folder)
    loaded = warehouse.execute(warehouse.table("spell")).set_index("spell_id")
    assert sorted(loaded.index) == sorted(truth)
    for sid, (start, end) in truth.items():
        assert loaded.loc[sid, "admission_date"].date() == start
        if end is None:
            assert (
                loaded.loc[sid, "discharge_date"] is None
                or str(loaded.loc[sid, "discharge_date"]) == "NaT"
            )
        else:
            assert loaded.loc[sid, "discharge_date"].date() == end
            assert loaded.loc[sid, "los_days"] == (end - start).days >= 0
    before = warehouse.execute(warehouse.table("raw_MHS501HospProvSpell").count()).iloc[
        0, 0
    ]
    load_extract(warehouse, folder)
    assert (
        warehouse.execute(warehouse.table("raw_MHS501HospProvSpell").count()).iloc[0, 0]
        == before
    )
    assert warehouse.execute(warehouse.table("spell").count()).iloc[0, 0] == len(truth)
