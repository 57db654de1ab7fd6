"""Read an extract folder for staging: source rows as text, nothing cleaned.

Reading is deliberately dumb: every field arrives as text beside its data-row number, so
that validation can say exactly which row and field broke which rule, and structural
faults (a non-UTF-8 byte, a truncated last line, a stray quote) are recorded by line
instead of stopping the read. Field names are renamed from their v5 spellings to v6 here,
because that is a property of the file, not of the data.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from nearhome.data.schema import REFERENCE_FILES, TABLE_BY_NAME
from nearhome.errors import SchemaMismatch

Format = Literal["csv", "parquet"]
ROW = "_row"
"""Name of the data-row number column (1 = the first row after the header)."""


@dataclass(frozen=True)
class RejectedLine:
    """A line the CSV reader could not split into the header's columns."""

    line: int
    column: str | None
    error_type: str


@dataclass
class SourceFile:
    """One file of an extract or reference folder, as found on disk."""

    name: str
    path: Path
    fmt: Format
    sha256: str = ""
    size: int = 0
    header: tuple[str, ...] = ()
    columns: dict[str, str] = field(default_factory=dict)
    """Canonical name -> name in the file."""
    unknown_columns: tuple[str, ...] = ()
    rejected: list[RejectedLine] = field(default_factory=list)
    rows: int = 0
    ends_with_newline: bool = True
    header_error: str | None = None


@dataclass
class Extract:
    """The files of an extract folder and its reference folder."""

    folder: Path
    reference_folder: Path
    tables: dict[str, SourceFile]
    reference: dict[str, SourceFile]
    unknown_files: tuple[str, ...] = ()


def find_extract(folder: Path, reference: Path | None = None) -> Extract:
    """List the MHSDS and reference files in ``folder`` (no reading yet)."""
    if not folder.is_dir():
        raise SchemaMismatch(
            f"Extract folder {folder} does not exist or is not a folder."
        )
    reference_folder = reference if reference is not None else folder / "reference"
    tables: dict[str, SourceFile] = {}
    unknown: list[str] = []
    for path in sorted(folder.iterdir()):
        if path.is_dir():
            continue
        stem, fmt = _split_name(path)
        if fmt is None:
            continue
        if stem in TABLE_BY_NAME:
            if stem in tables:
                raise SchemaMismatch(
                    f"Extract folder {folder} holds {stem} twice ({tables[stem].path.name} and {path.name}).",
                    hint="Keep one file per table.",
                )
            tables[stem] = SourceFile(stem, path, fmt)
        else:
            unknown.append(path.name)
    refs: dict[str, SourceFile] = {}
    if reference_folder.is_dir():
        for name in REFERENCE_FILES:
            for fmt_name in ("csv", "parquet"):
                path = reference_folder / f"{name}.{fmt_name}"
                if path.exists():
                    refs[name] = SourceFile(name, path, fmt_name)  # type: ignore[arg-type]
                    break
    return Extract(folder, reference_folder, tables, refs, tuple(unknown))


def _split_name(path: Path) -> tuple[str, Format | None]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return path.stem, "csv"
    if suffix == ".parquet":
        return path.stem, "parquet"
    return path.stem, None


def fingerprint(source: SourceFile) -> None:
    """Fill in the file's size, SHA-256 and whether it ends with a newline."""
    digest = hashlib.sha256()
    with source.path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            last = block
    source.sha256 = digest.hexdigest()
    source.size = source.path.stat().st_size
    source.ends_with_newline = source.size == 0 or last.endswith(b"\n")


def read_header(source: SourceFile) -> None:
    """Read the column names of a CSV file (the first line) or a Parquet file."""
    if source.fmt == "parquet":
        import pyarrow.parquet as pq

        source.header = tuple(pq.read_schema(source.path).names)
        return
    with source.path.open("rb") as handle:
        first = handle.readline()
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        source.header_error = "header is not UTF-8"
        return
    source.header = tuple(next(csv.reader([text.rstrip("\r\n")]), []))


def map_columns(
    source: SourceFile, spec_fields: tuple[str, ...], renames: dict[str, str]
) -> None:
    """Match file columns to canonical names, accepting old spellings."""
    canonical = set(spec_fields)
    columns: dict[str, str] = {}
    unknown: list[str] = []
    for name in source.header:
        target = name if name in canonical else renames.get(name)
        if target is None or target in columns:
            unknown.append(name)
        else:
            columns[target] = name
    source.columns = columns
    source.unknown_columns = tuple(unknown)


def stage_file(
    con: Any, source: SourceFile, stage_name: str, fields: tuple[str, ...]
) -> None:
    """Create a temporary view of the file: every field as text, in file order.

    A view, not a table: the file is read once, by the statement that stores the typed
    rows (see :mod:`nearhome.data.stage`), instead of once into text and again to type it.
    Fields absent from the file become NULL columns, so later steps can rely on the full
    shape. Call :func:`number_rows` after that statement has run.
    """
    select = ", ".join(
        f'CAST({_column(source, f)} AS VARCHAR) AS "{f}"'
        if f in source.columns
        else f'CAST(NULL AS VARCHAR) AS "{f}"'
        for f in fields
    )
    if source.fmt == "parquet":
        scan = f"read_parquet('{_sql_path(source.path)}')"
    else:
        # Columns are named by position, so a header with blanks or repeats still reads.
        column_types = ", ".join(
            f"'c{i}': 'VARCHAR'" for i in range(len(source.header))
        )
        rejects = f"{stage_name}_rejects"
        scan = (
            f"read_csv('{_sql_path(source.path)}', header=true, auto_detect=false, "
            f"columns={{{column_types}}}, delim=',', quote='\"', escape='\"', "
            f"store_rejects=true, rejects_table='{rejects}', rejects_scan='{stage_name}_scan', "
            "rejects_limit=0, null_padding=false, strict_mode=true)"
        )
    con.execute(
        f'CREATE OR REPLACE TEMP VIEW "{stage_name}" AS SELECT {select} FROM {scan}'
    )


def number_rows(
    con: Any, source: SourceFile, stage_name: str, stored: str, numbered: str
) -> None:
    """After view ``stage_name`` was read into table ``stored``: view ``numbered`` with ``_row``.

    ``stored`` keeps the file's order (DuckDB preserves insertion order), so a row's
    ``rowid`` is its place among the rows read: ``_row`` costs nothing to add, where a
    ``row_number()`` window over the scan would hold every row in one thread. Lines the
    reader rejected go to ``source.rejected``, and the rows after them are shifted so
    ``_row`` still matches the file's data rows. ``source.rows`` is the rows stored.

    A table created inside a transaction that has not committed yet numbers its rows from
    a large offset instead of 0 (DuckDB's transaction-local row ids), so the first row id
    is subtracted rather than assumed to be 0.
    """
    first = con.execute(f'SELECT min(rowid) FROM "{stored}"').fetchone()
    offset = int(first[0]) - 1 if first is not None and first[0] is not None else -1
    row = f"CAST(rowid - {offset} AS BIGINT) AS {ROW}"
    if source.fmt == "csv":
        rows = con.execute(
            f"SELECT DISTINCT line, column_name, error_type FROM {stage_name}_rejects ORDER BY line"
        ).fetchall()
        source.rejected = [
            RejectedLine(int(line) - 1, col, str(kind)) for line, col, kind in rows
        ]
        con.execute(f"DROP TABLE IF EXISTS {stage_name}_rejects")
        con.execute(f"DROP TABLE IF EXISTS {stage_name}_scan")
        if source.rejected:
            con.execute(f'ALTER TABLE "{stored}" ADD COLUMN {ROW} BIGINT')
            con.execute(f'UPDATE "{stored}" SET {ROW} = rowid - {offset}')
            _renumber_rows(con, stored, [r.line for r in source.rejected])
            row = ROW
    rest = f"* EXCLUDE ({ROW})" if row == ROW else "*"
    con.execute(
        f'CREATE OR REPLACE TEMP VIEW "{numbered}" AS SELECT {row}, {rest} FROM "{stored}"'
    )
    source.rows = int(con.execute(f'SELECT count(*) FROM "{stored}"').fetchone()[0])


def _renumber_rows(con: Any, stored: str, rejected_rows: list[int]) -> None:
    """Shift row numbers past rejected rows so ``_row`` matches the file's data rows."""
    shifts = sorted(set(rejected_rows))
    for rejected in shifts:
        con.execute(
            f'UPDATE "{stored}" SET {ROW} = {ROW} + 1 WHERE {ROW} >= {rejected}'
        )


def _sql_path(path: Path) -> str:
    return _sql_text(str(path.resolve()))


def _column(source: SourceFile, name: str) -> str:
    """SQL reference to a field's column: by name in Parquet, by position in CSV."""
    original = source.columns[name]
    if source.fmt == "parquet":
        return '"' + original.replace('"', '""') + '"'
    return f'"c{source.header.index(original)}"'


def _sql_text(text: str) -> str:
    return text.replace("'", "''")
