"""Load an extract into the warehouse: validate, then write everything or nothing.

A load replaces each provider-month it contains (a resubmission replaces, never adds), keeps
every submitted row in ``raw_*`` tables, rebuilds the canonical tables from all raw rows,
and records the batch in ``load_log``. All writes happen in one transaction, so an error or
a killed process leaves the warehouse exactly as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import ibis
import pandas as pd

from nearhome.data.derive import DERIVED
from nearhome.data.parse import IBIS_TYPES
from nearhome.data.report import ValidationReport
from nearhome.data.schema import REFERENCE_FILES, TABLES
from nearhome.data.stage import Progress, StagedExtract, drop_staging, rows_table
from nearhome.data.validate import validate_extract
from nearhome.data.warehouse import Warehouse
from nearhome.errors import NotFound, ValidationFailed

PROVIDER_MONTH = ("OrgIDProv", "UniqMonthID")
LOAD_LOG = "load_log"
KEPT = frozenset({"ref_population"})
"""Reference files staged straight into an ordinary table on DuckDB, which then becomes the
loaded table: the population file is the largest of a load, and copying its staged rows
into ``ref_population`` cost more than reading it."""


@dataclass
class LoadResult:
    """What one load wrote."""

    load_id: str
    report: ValidationReport
    rows: dict[str, int] = field(default_factory=dict)
    provider_months: int = 0
    seconds: float = 0.0


def raw_schema(name: str) -> ibis.Schema:
    """Schema of a ``raw_*`` table: the typed MHSDS fields plus the load id."""
    spec = next(t for t in TABLES if t.name == name)
    columns = {f.name: IBIS_TYPES[f.kind] for f in spec.fields}
    columns["_load_id"] = "string"
    return ibis.schema(columns)


def load_extract(
    warehouse: Warehouse,
    folder: Path,
    reference: Path | None = None,
    *,
    progress: Progress | None = None,
) -> LoadResult:
    """Validate and load an extract folder; raises ``ValidationFailed`` and writes nothing on error."""
    started = time.perf_counter()
    staged: StagedExtract | None = None
    try:
        with contextlib.ExitStack() as stack:
            opened: list[bool] = []

            def begin() -> None:
                # The load's transaction opens before a reference file is staged into an
                # ordinary table (``KEPT``), so that table becomes the loaded one or
                # vanishes with the transaction; the rest is staged before it opens.
                stack.enter_context(warehouse.transaction())
                opened.append(True)

            report, staged = validate_extract(
                folder,
                reference,
                staging=warehouse,
                progress=progress,
                keep=KEPT if warehouse.name == "duckdb" else (),
                before_keep=begin,
            )
            if not opened:
                begin()
            _forgive_known_reference(report, warehouse)
            if not report.ok:
                raise ValidationFailed(
                    f"{folder}: the extract was not loaded: {report.summary()}.",
                    report=report,
                    hint=f"Run `nearhome data validate {folder}` to see every problem.",
                )
            load_id = _load_id(staged)
            result = LoadResult(load_id=load_id, report=report)
            with _unordered_writes(warehouse):
                _write_raw(warehouse, staged, result, progress)
                _write_reference(warehouse, staged)
                rebuild_canonical(warehouse, progress)
                result.seconds = time.perf_counter() - started
                _log(warehouse, staged, result)
    finally:
        if staged is not None:
            drop_staging(staged)
    return result


@contextlib.contextmanager
def _unordered_writes(warehouse: Warehouse) -> Iterator[None]:
    """Let DuckDB write rows in any order while the load writes its tables.

    Staging keeps insertion order (row numbers are read from it); the raw and canonical
    tables have no meaningful order, and inserting without keeping it lets every thread
    write its own rows instead of merging them back into scan order.
    """
    if warehouse.name != "duckdb":
        yield
        return
    con = warehouse.backend.con
    before = con.execute(
        "SELECT current_setting('preserve_insertion_order')"
    ).fetchone()
    con.execute("SET preserve_insertion_order=false")
    try:
        yield
    finally:
        kept = "true" if before is None or before[0] else "false"
        con.execute(f"SET preserve_insertion_order={kept}")


def _forgive_known_reference(report: ValidationReport, warehouse: Warehouse) -> None:
    """A later load may omit reference files the warehouse already holds."""
    report.issues = [
        i
        for i in report.issues
        if not (i.rule_id == "reference.missing_file" and warehouse.has_table(i.table))
    ]


def _load_id(staged: StagedExtract) -> str:
    digest = hashlib.sha256()
    for name in sorted(staged.files):
        digest.update(f"{name}:{staged.files[name].sha256}".encode())
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    return f"{stamp}-{digest.hexdigest()[:12]}"


def _write_raw(
    warehouse: Warehouse,
    staged: StagedExtract,
    result: LoadResult,
    progress: Progress | None,
) -> None:
    stored = set(warehouse.list_tables())
    for spec in TABLES:
        if f"raw_{spec.name}" not in stored:
            warehouse.create_empty(f"raw_{spec.name}", raw_schema(spec.name))
    written: list[ibis.Table] = []
    for index, spec in enumerate(TABLES):
        if spec.name not in staged.typed:
            continue
        if progress is not None:
            progress(f"Writing {spec.name}", index / len(TABLES))
        typed = staged.typed[spec.name]
        rows = typed.select(*spec.field_names, _load_id=ibis.literal(result.load_id))
        result.rows[spec.name] = warehouse.replace_rows(
            f"raw_{spec.name}", rows, PROVIDER_MONTH
        )
        written.append(typed.select(*PROVIDER_MONTH).distinct())
    if written:
        # The provider-months of every table in one query, not one query per table.
        months = staged.staging.execute(ibis.union(*written, distinct=True))
        result.provider_months = len(months)


def _write_reference(warehouse: Warehouse, staged: StagedExtract) -> None:
    for name, columns in REFERENCE_FILES.items():
        key = f"ref_{name}"
        if key in staged.kept:
            warehouse.adopt_table(key, rows_table(key), [c for c, _ in columns])
        elif key in staged.typed:
            warehouse.write_table(
                key, staged.typed[key].select(*[c for c, _ in columns])
            )


def canonical_inputs(warehouse: Warehouse) -> dict[str, ibis.Table]:
    """The raw, reference and board tables the canonical definitions read."""
    names = [f"raw_{t.name}" for t in TABLES] + [f"ref_{n}" for n in REFERENCE_FILES]
    tables = {n: warehouse.table(n) for n in names}
    if warehouse.has_table("board_crfd_period"):
        tables["board_crfd_period"] = warehouse.table("board_crfd_period")
    return tables


def rebuild_canonical(warehouse: Warehouse, progress: Progress | None = None) -> None:
    """Materialise every canonical table from the raw tables, in dependency order."""
    tables = canonical_inputs(warehouse)
    for index, (name, definition) in enumerate(DERIVED.items()):
        if progress is not None:
            progress(f"Deriving {name}", index / len(DERIVED))
        expr = definition(tables)
        # A canonical table that is a loaded reference file as it is (population,
        # provider, geography) is shown, not copied.
        source = next((n for n, t in tables.items() if t is expr), None)
        if source is not None:
            warehouse.write_view(name, source)
        else:
            warehouse.write_table(name, expr)
        tables[name] = warehouse.table(name)


def latest_load(warehouse: Warehouse) -> str | None:
    """The latest load as ``<load id>@<loaded at>`` (None before the first load).

    What derived tables were made from: the time is part of it, because loading A,
    then B, then A again gives A's id twice with different canonical tables (B's
    provider-months are still there).
    """
    try:
        log = warehouse.table(LOAD_LOG)
    except NotFound:
        return None
    latest = warehouse.execute(
        log.order_by(ibis.desc("loaded_at"), ibis.desc("load_id"))
        .limit(1)
        .select("load_id", "loaded_at")
    )
    if latest.empty:
        return None
    row = latest.iloc[0]
    return f"{row['load_id']}@{pd.Timestamp(row['loaded_at']).isoformat()}"


def _log(warehouse: Warehouse, staged: StagedExtract, result: LoadResult) -> None:
    files = [
        {"name": s.path.name, "sha256": s.sha256, "rows": s.rows}
        for s in staged.files.values()
    ]
    entry = pd.DataFrame(
        {
            "load_id": [result.load_id],
            "loaded_at": [pd.Timestamp(dt.datetime.now(dt.UTC)).tz_localize(None)],
            "folder": [str(staged.extract.folder)],
            "files": [json.dumps(files)],
            "provider_months": [result.provider_months],
            "rows": [sum(result.rows.values())],
            "seconds": [round(result.seconds, 3)],
        }
    )
    warehouse.append_rows(LOAD_LOG, entry)
