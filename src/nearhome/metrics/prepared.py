"""Prepared monthly facts: every facts table built once per load, for every month loaded.

A monthly request builds its facts tables from the canonical tables: each stay, CRFD
period or intervention joined to its months and to its person. On England that is most
of a request's time, and it is the same work every time until the next load. ``nearhome
metrics prepare`` does it once: it builds each facts table of the catalogue, with every
attribute, for every month of the loaded extract, and stores it as ``prepared_<facts>``.
Monthly requests then aggregate the stored rows.

Facts rows are one counted thing per period: a month's rows do not depend on which
other months a request asks for, so a request for any months inside the prepared span
reads them filtered to its months. Other frequencies (a quarter is not the sum of its
months for "at the end of the period" or distinct counts) and months outside the span
build their facts as before.

Prepared rows stay valid until the warehouse or the definitions change. The manifest
(``prepared_facts``) records the load they were built from (the latest ``load_log``
entry) and a fingerprint of the metric definitions' source; rows from another load or
another version of the definitions are never read, and the request builds its facts as
if nothing were prepared. Preparing is one transaction: a failure leaves the warehouse
as it was.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import ibis
import pandas as pd
from ibis.expr.types import Table

from nearhome.data.coverage import data_coverage
from nearhome.data.load import latest_load
from nearhome.data.warehouse import Warehouse
from nearhome.errors import DataError, NotFound
from nearhome.metrics.attributes import with_attributes
from nearhome.metrics.calendar import periods_table
from nearhome.metrics.compute import Progress, WarehouseTables
from nearhome.metrics.measures import FactMeasure, Facts
from nearhome.metrics.registry import catalogue
from nearhome.periods import ReportingPeriod, split

PREFIX = "prepared_"
MANIFEST = "prepared_facts"
MANIFEST_SCHEMA = ibis.schema(
    {
        "facts": "string",
        "table_name": "string",
        "first_month": "date",
        "last_month": "date",
        "load_stamp": "string",
        "definitions": "string",
        "rows": "int64",
        "seconds": "float64",
        "prepared_at": "timestamp",
    }
)


@dataclass(frozen=True)
class PreparedTable:
    """One prepared facts table, as the manifest describes it."""

    facts: str
    table_name: str
    rows: int
    seconds: float


@dataclass(frozen=True)
class Preparation:
    """What ``prepare_facts`` stored: the span and one entry per facts table."""

    first_month: dt.date
    last_month: dt.date
    tables: tuple[PreparedTable, ...]

    @property
    def seconds(self) -> float:
        """Time spent building and storing every table."""
        return sum(t.seconds for t in self.tables)


def facts_tables() -> list[Facts]:
    """Every facts table the catalogue aggregates, once each, in catalogue order."""
    seen: dict[str, Facts] = {}
    for spec in catalogue(include_internal=True):
        if isinstance(spec.computation, FactMeasure):
            seen.setdefault(spec.computation.facts.name, spec.computation.facts)
    return list(seen.values())


DEFINITION_SOURCES = ("metrics", "data", "periods.py")
"""What facts rows are made by: the metric definitions, the data layer (canonical
tables, code lists and reference files) and the period rules."""
SOURCE_SUFFIXES = frozenset({".py", ".csv", ".json", ".toml"})


@functools.cache
def definitions_fingerprint() -> str:
    """A hash of the source and reference files that facts rows are made by.

    Prepared rows are the definitions' output: after an upgrade that changes any of
    them, rows prepared by the old code must not be read. Hashing the files (about
    1.5 MB) is cheap and errs on the safe side: a changed comment also asks for a new
    preparation.
    """
    package = Path(__file__).resolve().parents[1]
    files: list[Path] = []
    for name in DEFINITION_SOURCES:
        source = package / name
        found = [source] if source.is_file() else source.rglob("*")
        files += [f for f in found if f.suffix in SOURCE_SUFFIXES and f.is_file()]
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def prepare_facts(
    warehouse: Warehouse, *, progress: Progress | None = None
) -> Preparation:
    """Build and store every facts table for every loaded month, in one transaction.

    The months are those the loaded spells were submitted for
    (:func:`~nearhome.data.coverage.data_coverage`).

    Raises:
        DataError: the warehouse holds no loaded extract.
    """
    span = data_coverage(warehouse).span
    stamp = latest_load(warehouse)
    if stamp is None:
        raise DataError(
            "The warehouse holds spells but no load_log entry, so what they were "
            "loaded from is not known and prepared facts could not be kept current.",
            hint="Load the extract with: nearhome data load FOLDER --warehouse URL",
        )
    months = split(span, "month")
    periods = periods_table(months)
    tables = WarehouseTables(warehouse)
    kinds = facts_tables()
    done: list[PreparedTable] = []
    with warehouse.transaction():
        for index, facts in enumerate(kinds):
            if progress is not None:
                progress(f"Preparing {facts.name}", index / len(kinds))
            started = time.perf_counter()
            rows = with_attributes(facts.build(tables, periods, None), tables)
            name = PREFIX + facts.name
            warehouse.write_table(name, rows)
            count = int(
                warehouse.execute(warehouse.table(name).count()).to_numpy()[0, 0]
            )
            done.append(
                PreparedTable(facts.name, name, count, time.perf_counter() - started)
            )
        warehouse.write_table(MANIFEST, _manifest(done, months[0], months[-1], stamp))
    if progress is not None:
        progress("Prepared", 1.0)
    return Preparation(months[0].start, months[-1].start, tuple(done))


def _manifest(
    done: Sequence[PreparedTable],
    first: ReportingPeriod,
    last: ReportingPeriod,
    stamp: str,
) -> Table:
    now = pd.Timestamp(dt.datetime.now(dt.UTC)).tz_localize(None)
    frame = pd.DataFrame(
        {
            "facts": [t.facts for t in done],
            "table_name": [t.table_name for t in done],
            "first_month": [first.start] * len(done),
            "last_month": [last.start] * len(done),
            "load_stamp": [stamp] * len(done),
            "definitions": [definitions_fingerprint()] * len(done),
            "rows": [t.rows for t in done],
            "seconds": [round(t.seconds, 3) for t in done],
            "prepared_at": [now] * len(done),
        }
    )
    return ibis.memtable(frame, schema=MANIFEST_SCHEMA)


@dataclass(frozen=True)
class PreparedFacts:
    """The prepared tables a request may read instead of building its facts."""

    warehouse: Warehouse
    tables: Mapping[str, str]
    """Facts name -> stored table name."""
    first: dt.date
    last: dt.date
    """First and last month the request asks for (every one of them is prepared)."""

    def rows(self, facts: Facts) -> Table | None:
        """The request's months of a prepared facts table (None if not prepared)."""
        name = self.tables.get(facts.name)
        if name is None:
            return None
        stored = self.warehouse.table(name)
        return stored.filter(
            stored.period_start >= self.first, stored.period_start <= self.last
        )


def usable(
    warehouse: Warehouse,
    periods: Sequence[ReportingPeriod],
    frequency: str,
) -> PreparedFacts | None:
    """The prepared facts a request can read, or None when it must build its own.

    They serve monthly requests whose every month is prepared, from the latest load, by
    these definitions.
    """
    if frequency != "month" or not periods:
        return None
    try:
        manifest = warehouse.execute(warehouse.table(MANIFEST))
    except NotFound:
        return None
    if manifest.empty:
        return None
    current = (
        (manifest["load_stamp"] == latest_load(warehouse))
        & (manifest["definitions"] == definitions_fingerprint())
        & (pd.to_datetime(manifest["first_month"]).dt.date <= periods[0].start)
        & (pd.to_datetime(manifest["last_month"]).dt.date >= periods[-1].start)
    )
    valid = manifest[current]
    if valid.empty:
        return None
    return PreparedFacts(
        warehouse,
        dict(zip(valid["facts"], valid["table_name"], strict=True)),
        periods[0].start,
        periods[-1].start,
    )


__all__ = [
    "MANIFEST",
    "Preparation",
    "PreparedFacts",
    "facts_tables",
    "prepare_facts",
    "usable",
]
