"""Public entry points: build a synthetic extract in memory or write it to a folder.

``synthetic_tables`` returns every MHSDS table (keyed by its ``TableSpec`` name) and
every reference file (keyed ``geography``, ``population``, ``providers``, ``sites``,
``wards``) as pandas frames with Arrow-backed columns: strings for codes and ids,
``date32`` dates, nullable integers. ``write_synthetic_extract`` writes the same frames
as one file per table, with the reference files in ``reference/``. Tables with no rows
in the chosen months are left out (a v6-only extract has no MHS504, a v5-only one no
MHS518 or MHS903). The same arguments always give byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from nearhome.data.schema import REFERENCE_FILES, TABLE_BY_NAME, TABLES
from nearhome.data.synthetic.calibration import DEFAULT_CALIBRATION, Calibration
from nearhome.data.synthetic.geography import MAX_ICBS
from nearhome.data.synthetic.person_tables import person_records
from nearhome.data.synthetic.reference import reference_tables
from nearhome.data.synthetic.simulation import Progress, World, simulate
from nearhome.data.synthetic.snapshot import (
    Identity,
    expand,
    person_months,
    record_numbers,
    to_table,
)
from nearhome.data.synthetic.tables import event_records
from nearhome.errors import InvalidConfig

Format = Literal["csv", "parquet"]
REFERENCE_FOLDER = "reference"
MAX_YEARS = 10
DEFAULT_END_MONTH = dt.date(2026, 9, 1)


@dataclass(frozen=True)
class SyntheticSummary:
    """What a synthetic extract contains."""

    people: int
    spells: int
    ward_stays: int
    oap_referrals: int
    """Referrals with any out-of-area reason (10-15)."""
    inappropriate_oap_referrals: int
    """Referrals with ``ReasonOAT`` 10 (no bed available locally)."""
    crfd_periods: int
    rows: Mapping[str, int]
    """Rows per file: table names, and ``reference/<name>`` for reference files."""
    first_month_id: int
    last_month_id: int
    icb_codes: tuple[str, ...]
    provider_codes: tuple[str, ...]


def synthetic_tables(
    *,
    icbs: int = 1,
    years: int = 1,
    seed: int = 7,
    end_month: dt.date = DEFAULT_END_MONTH,
    scale: float = 1.0,
    progress: Progress | None = None,
    calibration: Calibration = DEFAULT_CALIBRATION,
) -> dict[str, pd.DataFrame]:
    """Build a synthetic extract in memory: MHSDS tables and reference files by name."""
    tables = synthetic_arrow_tables(
        icbs=icbs, years=years, seed=seed, end_month=end_month, scale=scale,
        progress=progress, calibration=calibration,
    )  # fmt: skip
    return {
        name: table.to_pandas(types_mapper=pd.ArrowDtype)
        for name, table in tables.items()
    }


def synthetic_arrow_tables(
    *,
    icbs: int = 1,
    years: int = 1,
    seed: int = 7,
    end_month: dt.date = DEFAULT_END_MONTH,
    scale: float = 1.0,
    progress: Progress | None = None,
    calibration: Calibration = DEFAULT_CALIBRATION,
) -> dict[str, pa.Table]:
    """As :func:`synthetic_tables`, as Arrow tables (no pandas conversion)."""
    return dict(
        iter_synthetic_tables(
            icbs=icbs, years=years, seed=seed, end_month=end_month, scale=scale,
            progress=progress, calibration=calibration,
        )
    )  # fmt: skip


def iter_synthetic_tables(
    *,
    icbs: int = 1,
    years: int = 1,
    seed: int = 7,
    end_month: dt.date = DEFAULT_END_MONTH,
    scale: float = 1.0,
    progress: Progress | None = None,
    calibration: Calibration = DEFAULT_CALIBRATION,
) -> Iterator[tuple[str, pa.Table]]:
    """Build the extract and yield its tables one at a time (MHSDS, then reference).

    Only one finished table is held at a time, so a writer can stream an England-sized
    extract to disk without holding every table in memory.
    """
    _check(icbs=icbs, years=years, scale=scale)
    report = progress or (lambda _stage, _fraction: None)
    world = simulate(
        icbs=icbs, years=years, seed=seed, end_month=end_month, scale=scale,
        calibration=calibration, progress=report,
    )  # fmt: skip
    report("tables", 0.5)
    yield from _mhsds_tables(world, lambda f: report("tables", 0.5 + 0.4 * f))
    report("reference", 0.9)
    yield from reference_tables(world).items()
    report("done", 1.0)


def _check(*, icbs: int, years: int, scale: float) -> None:
    if not 1 <= icbs <= MAX_ICBS:
        raise InvalidConfig(
            f"icbs={icbs} is out of range; the synthetic England has 1 to {MAX_ICBS} ICBs."
        )
    if not 1 <= years <= MAX_YEARS:
        raise InvalidConfig(f"years={years} is out of range; choose 1 to {MAX_YEARS}.")
    if not 0 < scale <= 2:
        raise InvalidConfig(
            f"scale={scale} is out of range; it must be above 0 and at most 2.",
            hint="Use a small scale such as 0.05 for fast tests; 1.0 is a real-sized ICB.",
        )


def _mhsds_tables(
    world: World, progress: Callable[[float], None]
) -> Iterator[tuple[str, pa.Table]]:
    snapshots = [expand(records, world.timeline) for records in event_records(world)]
    providers, people = len(world.estate.provider_codes), len(world.people)
    keys = person_months(snapshots, providers, people)
    snapshots += [
        expand(records, world.timeline) for records in person_records(world, keys)
    ]
    identity = Identity(
        timeline=world.timeline,
        provider_codes=pa.array(world.estate.provider_codes),
        person_codes=person_codes(people),
        keys=keys,
        numbers=record_numbers(keys, world.timeline, providers, people),
    )
    built = {s.records.table: s for s in snapshots if len(s)}
    del snapshots
    for done, spec in enumerate(TABLES):
        if spec.name in built:
            progress(done / len(TABLES))
            yield spec.name, to_table(built.pop(spec.name), spec, identity)


def person_codes(people: int) -> pa.Array:
    """Pseudonymised ``Person_ID`` of each person: ``NH`` and nine scrambled digits."""
    scrambled = (
        np.arange(people, dtype=np.int64) * 387_420_489 + 104_729
    ) % 999_999_937
    digits = pc.utf8_lpad(pc.cast(pa.array(scrambled), pa.string()), 9, "0")
    return pc.binary_join_element_wise(pa.scalar("NH"), digits, "")


def write_synthetic_extract(
    out: Path,
    *,
    icbs: int = 1,
    years: int = 1,
    seed: int = 7,
    end_month: dt.date = DEFAULT_END_MONTH,
    fmt: Format = "csv",
    scale: float = 1.0,
    progress: Callable[[str, float], None] | None = None,
    calibration: Calibration = DEFAULT_CALIBRATION,
) -> SyntheticSummary:
    """Write an extract folder (one file per table) and its ``reference/`` folder."""
    if fmt not in ("csv", "parquet"):
        raise InvalidConfig(f"Unknown format '{fmt}'; use csv or parquet.")
    out = Path(out)
    (out / REFERENCE_FOLDER).mkdir(parents=True, exist_ok=True)
    _remove_stale(out)
    counts = _Counts()
    tables = iter_synthetic_tables(
        icbs=icbs, years=years, seed=seed, end_month=end_month, scale=scale,
        progress=progress, calibration=calibration,
    )  # fmt: skip
    for name, table in tables:
        folder = out / REFERENCE_FOLDER if name in REFERENCE_FILES else out
        write_table(table, folder / f"{name}.{fmt}", fmt)
        counts.add(name, table)
    return counts.summary()


def _remove_stale(out: Path) -> None:
    """Remove files a previous build may have left (only names this generator writes)."""
    for fmt in ("csv", "parquet"):
        for name in TABLE_BY_NAME:
            (out / f"{name}.{fmt}").unlink(missing_ok=True)
        for name in REFERENCE_FILES:
            (out / REFERENCE_FOLDER / f"{name}.{fmt}").unlink(missing_ok=True)


def write_table(table: pa.Table | pd.DataFrame, path: Path, fmt: Format) -> None:
    """Write one table as UTF-8 CSV with a header, or as Parquet (same columns)."""
    if isinstance(table, pd.DataFrame):
        table = pa.Table.from_pandas(table, preserve_index=False)
    table = table.replace_schema_metadata(None)
    if fmt == "parquet":
        pq.write_table(table, path, compression="zstd")
        return
    buffer = io.BytesIO()
    buffer.write((",".join(table.column_names) + "\n").encode("utf-8"))
    pa_csv.write_csv(
        table, buffer, pa_csv.WriteOptions(include_header=False, quoting_style="none")
    )
    path.write_bytes(buffer.getvalue())


def summarise(tables: Mapping[str, pa.Table | pd.DataFrame]) -> SyntheticSummary:
    """Counts of the things in an extract (distinct ids, rows per file)."""
    counts = _Counts()
    for name, table in tables.items():
        counts.add(
            name,
            table
            if isinstance(table, pa.Table)
            else pa.Table.from_pandas(table, preserve_index=False),
        )
    return counts.summary()


_DISTINCT = {
    "MHS001MPI": "Person_ID",
    "MHS501HospProvSpell": "UniqHospProvSpellID",
    "MHS502WardStay": "UniqWardStayID",
}
_DELAYS = {
    "MHS504DelayedDischarge": "MHS504UniqID",
    "MHS518ClinReadyforDischarge": "MHS518UniqID",
}


class _Counts:
    """Summary counts gathered table by table (so a streamed extract can be counted)."""

    def __init__(self) -> None:
        self.rows: dict[str, int] = {}
        self.distinct: dict[str, int] = {}
        self.delay_ids: list[pa.Array] = []
        self.months: list[int] = []
        self.oap = self.inappropriate = 0
        self.icbs: tuple[str, ...] = ()
        self.providers: tuple[str, ...] = ()

    def add(self, name: str, table: pa.Table) -> None:
        """Count one table."""
        self.rows[f"{REFERENCE_FOLDER}/{name}" if name in REFERENCE_FILES else name] = (
            table.num_rows
        )
        if name in _DISTINCT:
            self.distinct[name] = pc.count_distinct(table[_DISTINCT[name]]).as_py()
        if name in _DELAYS:
            self.delay_ids.append(pc.unique(table[_DELAYS[name]].combine_chunks()))
        if name == "MHS001MPI":
            self.months = [
                pc.min(table["UniqMonthID"]).as_py(),
                pc.max(table["UniqMonthID"]).as_py(),
            ]
        if name == "MHS101Referral":
            reason = table["ReasonOAT"]
            ids = table["UniqServReqID"]
            self.oap = pc.count_distinct(ids.filter(pc.is_valid(reason))).as_py()
            self.inappropriate = pc.count_distinct(
                ids.filter(pc.fill_null(pc.equal(reason, "10"), False))
            ).as_py()
        if name == "geography":
            self.icbs = tuple(pc.unique(table["icb_code"]).to_pylist())
        if name == "providers":
            self.providers = tuple(table["provider_code"].to_pylist())

    def summary(self) -> SyntheticSummary:
        """The summary of everything counted so far."""
        delays = (
            pa.chunked_array(self.delay_ids, pa.string())
            if self.delay_ids
            else pa.chunked_array([], pa.string())
        )
        return SyntheticSummary(
            people=self.distinct.get("MHS001MPI", 0),
            spells=self.distinct.get("MHS501HospProvSpell", 0),
            ward_stays=self.distinct.get("MHS502WardStay", 0),
            oap_referrals=self.oap, inappropriate_oap_referrals=self.inappropriate,
            crfd_periods=pc.count_distinct(delays).as_py(), rows=dict(self.rows),
            first_month_id=self.months[0] if self.months else 0,
            last_month_id=self.months[1] if self.months else 0,
            icb_codes=self.icbs, provider_codes=self.providers,
        )  # fmt: skip
