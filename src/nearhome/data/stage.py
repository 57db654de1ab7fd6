"""Staging: every file of an extract read once into a temporary table of typed values.

Staging always happens in DuckDB (the warehouse's own connection when the warehouse is
DuckDB, so loading never copies data between engines; an in-memory one otherwise).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis
from ibis.expr.types import Table

from nearhome.data.parse import typed
from nearhome.data.read import (
    Extract,
    SourceFile,
    find_extract,
    fingerprint,
    map_columns,
    number_rows,
    read_header,
    stage_file,
)
from nearhome.data.schema import REFERENCE_FILES, TABLE_BY_NAME, Kind
from nearhome.data.warehouse import Warehouse, connect

Progress = Callable[[str, float], None]
MEMORY_LIMIT = "3GB"


@dataclass
class StagedExtract:
    """Typed staging tables (with the submitted text beside each field) and their files."""

    extract: Extract
    staging: Warehouse
    typed: dict[str, Table] = field(default_factory=dict)
    files: dict[str, SourceFile] = field(default_factory=dict)
    kept: set[str] = field(default_factory=set)
    """Tables whose typed rows are stored in an ordinary table, not a temporary one (see
    ``stage_extract``'s ``keep``)."""

    def source(self, name: str) -> SourceFile:
        """The file behind a staged table."""
        return self.files[name]


def stage_extract(
    folder: Path,
    reference: Path | None = None,
    *,
    staging: Warehouse | None = None,
    progress: Progress | None = None,
    keep: Collection[str] = (),
    before_keep: Callable[[], None] | None = None,
    after_each: Callable[[StagedExtract, str], None] | None = None,
) -> StagedExtract:
    """Find, fingerprint and stage every readable file of an extract folder.

    The typed rows of the tables named in ``keep`` are stored in an ordinary table of the
    staging warehouse instead of a temporary one, so that a load can make that table the
    loaded one (see :func:`rows_table`) instead of copying its rows. They are staged
    last, after one call of ``before_keep``: a load opens its transaction there, so the
    table is written with the load or not at all. The other tables are staged before it
    opens, because DuckDB reads a table created in an open transaction more slowly.
    ``after_each`` is called with each file's staged name once it is staged.
    """
    extract = find_extract(folder, reference)
    area = (
        staging
        if staging is not None and staging.name == "duckdb"
        else connect("duckdb://")
    )
    staged = StagedExtract(extract=extract, staging=area)
    con = _duckdb(area)
    # Stay inside a laptop's memory at England scale: DuckDB spills to disk past this.
    con.execute(f"SET memory_limit='{MEMORY_LIMIT}'")
    # One spill folder per process: two loads at once must not delete each other's files.
    spill = Path(tempfile.gettempdir()) / f"nearhome-duckdb-spill-{os.getpid()}"
    con.execute(f"SET temp_directory='{spill}'")
    # Row numbers are read from the order rows are stored in (see ``number_rows``).
    con.execute("SET preserve_insertion_order=true")
    sources: list[tuple[str, SourceFile, tuple[tuple[str, Kind], ...], str]] = []
    for name, source in extract.tables.items():
        spec = TABLE_BY_NAME[name]
        fields = tuple((f.name, f.kind) for f in spec.fields)
        sources.append((name, source, fields, f"stage_{name}"))
    for name, source in extract.reference.items():
        sources.append(
            (f"ref_{name}", source, REFERENCE_FILES[name], f"stage_ref_{name}")
        )
    sources.sort(key=lambda item: item[0] in keep)
    began = False
    for index, (name, source, fields, stage_name) in enumerate(sources):
        if progress is not None:
            progress(f"Reading {source.path.name}", index / max(len(sources), 1))
        kept = name in keep
        if kept and not began and before_keep is not None:
            before_keep()
            began = True
        _stage_one(staged, con, name, source, fields, stage_name, kept)
        if after_each is not None:
            after_each(staged, name)
    if progress is not None:
        progress("Read every file", 1.0)
    return staged


def _stage_one(
    staged: StagedExtract,
    con: Any,
    name: str,
    source: SourceFile,
    fields: tuple[tuple[str, Kind], ...],
    stage_name: str,
    keep: bool,
) -> None:
    staged.files[name] = source
    fingerprint(source)
    if source.size == 0:
        return
    read_header(source)
    if source.header_error is not None or not source.header:
        return
    spec = TABLE_BY_NAME.get(name)
    renames = spec.renames() if spec is not None else {}
    names = tuple(f for f, _ in fields)
    map_columns(source, names, renames)
    stage_file(con, source, stage_name, names)
    text = staged.staging.backend.table(stage_name)
    stored = rows_table(name)
    # One statement reads the file and stores the typed rows: the text view is never
    # materialised (Ibis's create_table would also copy a temporary table a second time).
    parse = staged.staging.backend.compile(typed(text, fields))
    kind = "TABLE" if keep else "TEMP TABLE"
    con.execute(f'CREATE OR REPLACE {kind} "{stored}" AS {parse}')
    if keep:
        staged.kept.add(name)
    con.execute(f'DROP VIEW "{stage_name}"')
    number_rows(con, source, stage_name, stored, f"typed_{name}")
    staged.typed[name] = staged.staging.backend.table(f"typed_{name}")


def rows_table(name: str) -> str:
    """The table that stores the typed rows of staged table ``name`` (``_row`` aside)."""
    return f"typed_{name}_rows"


def _duckdb(area: Warehouse) -> Any:
    """The raw DuckDB connection behind a DuckDB warehouse (staging reads files with it)."""
    return area.backend.con


def drop_staging(staged: StagedExtract) -> None:
    """Drop the temporary staging tables."""
    con = _duckdb(staged.staging)
    for name in list(staged.typed):
        con.execute(f'DROP VIEW IF EXISTS "typed_{name}"')
        con.execute(f'DROP TABLE IF EXISTS "{rows_table(name)}"')


def typed_schema(fields: tuple[tuple[str, Kind], ...]) -> ibis.Schema:
    """The Ibis schema of a typed table (used to create empty raw tables)."""
    from nearhome.data.parse import IBIS_TYPES

    return ibis.schema({name: IBIS_TYPES[kind] for name, kind in fields})
