"""A warehouse on Apache Spark: Parquet tables under one folder, swapped in atomically.

``spark://local[2]?path=DIR`` (or ``spark://HOST:7077?path=DIR``, ``spark://yarn?...``, or
``spark://?path=DIR`` with a session the caller supplies, as on Databricks) keeps every
table as Parquet under ``DIR`` and reads it through Ibis's PySpark backend:

``DIR/_catalog.json``
    the catalogue: each table's current version, Spark schema and partition columns.
    It is replaced in one ``os.replace``, so readers see the old tables or the new ones,
    never a mixture; a second process opening the same ``DIR`` finds every table here.
``DIR/tables/<table>/<version>/``
    one immutable directory per written version; raw tables are partitioned by month
    (``UniqMonthID=…``), so Spark reads only the months a query needs.
``DIR/incoming/``
    rows handed over from the DuckDB staging area as Parquet, deleted after the load.

Every write goes to a new version directory; a transaction commits by replacing the
catalogue and then deleting the versions it superseded. A failed or killed load leaves
the catalogue, and so the previous tables, untouched; its orphaned directories are
swept by the next writer. One writer at a time holds ``DIR/.lock``.

Each warehouse uses its own ``SparkSession.newSession()`` (its own temporary views and
SQL settings on the shared SparkContext), so a caller's session is never reconfigured.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import uuid4

import ibis
from ibis import BaseBackend
from ibis.backends.pyspark.datatypes import PySparkSchema
from ibis.expr.types import Table
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StructType

from nearhome.data.warehouse import SparkCompiler, Warehouse, bound_backend

CATALOG = "_catalog.json"
PARTITION_COLUMN = "UniqMonthID"
"""Raw MHSDS tables are partitioned by submission month."""
EPOCH = (1970, 1, 1)

SESSION_CONF = {
    # MHSDS ``Person_ID`` and canonical ``person_id`` sit side by side in one relation.
    "spark.sql.caseSensitive": "true",
    "spark.sql.session.timeZone": "UTC",
    # Small frames (code lists, load log) go to Spark through Arrow, not Python workers.
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}
"""SQL settings of every warehouse's own session (they do not touch the caller's)."""


def builder_conf(master: str, query: Mapping[str, list[str]]) -> dict[str, str]:
    """Settings for a session nearhome starts: sensible local defaults, then ``spark.*`` from the URL."""
    conf = {
        "spark.app.name": "nearhome",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.session.timeZone": "UTC",
        "spark.pyspark.python": sys.executable,
        "spark.pyspark.driver.python": sys.executable,
    }
    if master.startswith("local"):
        cores = _local_cores(master)
        conf |= {
            "spark.ui.enabled": "false",
            "spark.driver.memory": "2g",
            "spark.sql.shuffle.partitions": str(max(4, 2 * cores)),
        }
    conf |= {
        key: values[-1] for key, values in query.items() if key.startswith("spark.")
    }
    return conf


def _local_cores(master: str) -> int:
    inside = master.removeprefix("local").strip("[]").split(",")[0]
    if inside in {"", "*"}:
        return os.cpu_count() or 1
    return int(inside) if inside.isdigit() else 1


def spark_master(netloc: str) -> str:
    """The Spark master for the part of the URL after ``spark://``."""
    if not netloc or netloc.startswith(("local", "yarn")) or "://" in netloc:
        return netloc
    return f"spark://{netloc}"


def spark_session(master: str, conf: Mapping[str, str]) -> SparkSession:
    """The process's Spark session: the active one if any, else a new one on ``master``."""
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    builder = SparkSession.builder.master(master or "local[*]")
    for key, value in conf.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def connect_spark(
    url: str,
    *,
    master: str,
    query: Mapping[str, list[str]],
    session: SparkSession | None = None,
) -> SparkWarehouse:
    """Open a Spark warehouse; tables live under ``?path=DIR`` (a temporary folder if none)."""
    if session is None:
        resolved = spark_master(master)
        session = spark_session(resolved, builder_conf(resolved, query))
    paths = query.get("path", [])
    ephemeral = not paths or not paths[-1]
    root = (
        Path(tempfile.mkdtemp(prefix="nearhome-spark-"))
        if ephemeral
        else Path(paths[-1])
    )
    own = _own_session(session)
    backend = ibis.pyspark.connect(own)
    backend.compiler = SparkCompiler()
    warehouse = SparkWarehouse(
        url=url,
        backend=backend,
        name="pyspark",
        parquet_root=root,
        session=own,
        ephemeral=ephemeral,
    )
    warehouse.open()
    return warehouse


def _own_session(session: SparkSession) -> SparkSession:
    """A session of its own (views, SQL settings) on the caller's SparkContext."""
    try:
        own = session.newSession()
    except Exception:
        own = session
    for key, value in SESSION_CONF.items():
        own.conf.set(key, value)
    return own


@dataclass
class TableVersion:
    """One immutable, written version of a table."""

    version: str
    schema: dict[str, Any]
    partition_by: list[str]

    def struct(self) -> StructType:
        """The Spark schema the version was written with."""
        return StructType.fromJson(self.schema)


@dataclass
class SparkWarehouse(Warehouse):
    """Parquet tables under ``parquet_root``, registered as views of a private session."""

    session: Any = None
    ephemeral: bool = False
    catalog: dict[str, TableVersion] = field(default_factory=dict, repr=False)
    _before: dict[str, TableVersion] | None = field(default=None, repr=False)
    _created: list[tuple[str, str]] = field(default_factory=list, repr=False)
    _scratch: list[Path] = field(default_factory=list, repr=False)

    @property
    def root(self) -> Path:
        """The folder holding the catalogue and every table."""
        assert self.parquet_root is not None
        return self.parquet_root

    def open(self) -> None:
        """Create the folder if new and register every catalogued table."""
        self.root.mkdir(parents=True, exist_ok=True)
        self._refresh()

    # --- reading --------------------------------------------------------------------

    def list_tables(self) -> list[str]:
        """Names of every table in the warehouse (as written, case kept)."""
        return sorted(set(self.catalog) | set(self._views))

    def table(self, name: str) -> Table:
        """The named table (a view over its current Parquet version)."""
        if name in self._views:
            return self._views[name]
        if name not in self.catalog:
            return super().table(name)  # raises NotFound with the usual hint
        return self.backend.table(name)

    def cache(self, expr: Table) -> Table:
        """Materialise for this session, registering in-memory tables first.

        Ibis's PySpark ``cache`` compiles the query without registering the
        expression's in-memory tables (the reporting periods), so Spark would not find
        them; ``execute`` does register them, and so does this.
        """
        self.backend._register_in_memory_tables(expr)
        return super().cache(expr)

    # --- writing --------------------------------------------------------------------

    def write_table(self, name: str, obj: Table | Any) -> None:
        """Write a new version of ``name`` from an expression (of any engine) or a frame."""
        with self.transaction():
            expr = self._local(obj)
            self._write_version(name, expr)

    def replace_rows(self, name: str, rows: Table, on: Any) -> int:
        """Rewrite ``name`` without the ``on`` keys present in ``rows``, plus ``rows``."""
        keys = list(on)
        with self.transaction():
            incoming = self._local(rows)
            old = self.table(name)
            incoming = incoming.select(*old.columns).cast(old.schema())
            kept = old.anti_join(incoming.select(*keys).distinct(), keys)
            self._write_version(name, ibis.union(kept, incoming))
            source = bound_backend(rows) or self.backend
            counted = source.execute(rows.count())
            return int(counted)

    def append_rows(self, name: str, frame: Any) -> None:
        """Add a few rows (the load log) by writing a new version with them appended."""
        new = ibis.memtable(frame)
        if name not in self.catalog:
            self.write_table(name, new)
            return
        with self.transaction():
            old = self.table(name)
            self._write_version(name, ibis.union(old, new.cast(old.schema())))

    def create_empty(self, name: str, schema: ibis.Schema) -> None:
        """Create a table with no rows unless it already exists (time of day → timestamp).

        An empty table is catalogued by its schema alone, with no files to write or list.
        """
        if name in self.catalog:
            return
        stored = ibis.schema(
            {c: ("timestamp" if t.is_time() else t) for c, t in schema.items()}
        )
        struct = PySparkSchema.from_ibis(stored)
        with self.transaction():
            entry = TableVersion("", json.loads(struct.json()), [])
            self.catalog[name] = entry
            self._register(name, entry)

    def _write_version(self, name: str, expr: Table) -> None:
        version = f"v{time.time_ns()}-{uuid4().hex[:8]}"
        partition_by = [PARTITION_COLUMN] if PARTITION_COLUMN in expr.columns else []
        target = self._version_dir(name, version)
        self._created.append((name, version))
        options = {"partitionBy": partition_by} if partition_by else {}
        self.backend.to_parquet(expr, target, **options)
        struct = self.session.sql(self.backend.compile(expr)).schema
        entry = TableVersion(version, json.loads(struct.json()), partition_by)
        self.catalog[name] = entry
        self._register(name, entry)

    # --- transactions ---------------------------------------------------------------

    @contextlib.contextmanager
    def _engine_transaction(self) -> Iterator[None]:
        with self._writer_lock():
            self._refresh()
            self._sweep()
            self._before = dict(self.catalog)
            try:
                yield
            except BaseException:
                self._rollback()
                raise
            else:
                self._commit()
            finally:
                self._before = None
                self._created = []
                self._drop_scratch()

    def _commit(self) -> None:
        assert self._before is not None
        document = {
            "format": 1,
            "tables": {n: v.__dict__ for n, v in sorted(self.catalog.items())},
        }
        staging = self.root / f".{CATALOG}.{uuid4().hex}"
        staging.write_text(json.dumps(document, indent=1), encoding="utf-8")
        os.replace(staging, self.root / CATALOG)
        live = {(n, v.version) for n, v in self.catalog.items()}
        written = {(n, v.version) for n, v in self._before.items()} | set(self._created)
        for name, version in written - live:
            if version:
                shutil.rmtree(self._version_dir(name, version), ignore_errors=True)

    def _rollback(self) -> None:
        assert self._before is not None
        for name, version in self._created:
            if version:
                shutil.rmtree(self._version_dir(name, version), ignore_errors=True)
        added = set(self.catalog) - set(self._before)
        self.catalog = dict(self._before)
        for name in added:
            self.session.catalog.dropTempView(name)
        for name, entry in self.catalog.items():
            self._register(name, entry)

    @contextlib.contextmanager
    def _writer_lock(self) -> Iterator[None]:
        with (self.root / ".lock").open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _refresh(self) -> None:
        """Re-read the catalogue (another process may have loaded since) and register it."""
        path = self.root / CATALOG
        if not path.exists():
            return
        document = json.loads(path.read_text(encoding="utf-8"))
        fresh = {n: TableVersion(**v) for n, v in document["tables"].items()}
        for name in set(self.catalog) - set(fresh):
            self.session.catalog.dropTempView(name)
        for name, entry in fresh.items():
            if self.catalog.get(name) != entry:
                self._register(name, entry)
        self.catalog = fresh

    def _sweep(self) -> None:
        """Delete versions and hand-over files a killed load left behind (writer lock held)."""
        live = {(n, v.version) for n, v in self.catalog.items()}
        tables = self.root / "tables"
        for table_dir in tables.iterdir() if tables.exists() else []:
            for version_dir in table_dir.iterdir():
                if (table_dir.name, version_dir.name) not in live:
                    shutil.rmtree(version_dir, ignore_errors=True)
        shutil.rmtree(self.root / "incoming", ignore_errors=True)

    # --- moving rows in -------------------------------------------------------------

    def _import_rows(self, expr: Table, source: BaseBackend) -> Table:
        """Hand rows over as Parquet (DuckDB writes it; Spark reads it lazily)."""
        name = f"nearhome_incoming_{uuid4().hex[:12]}"
        path = self.root / "incoming" / f"{name}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        self._scratch.append(path)
        source.to_parquet(_times_as_timestamps(expr), path)
        self.session.read.parquet(str(path)).createOrReplaceTempView(name)
        return self.backend.table(name)

    def _drop_scratch(self) -> None:
        for path in self._scratch:
            self.session.catalog.dropTempView(path.stem)
            path.unlink(missing_ok=True)
        self._scratch = []

    # --- plumbing -------------------------------------------------------------------

    def _version_dir(self, name: str, version: str) -> Path:
        return self.root / "tables" / name / version

    def _register(self, name: str, entry: TableVersion) -> None:
        struct = entry.struct()
        if entry.version:
            path = str(self._version_dir(name, entry.version))
            frame = self.session.read.schema(struct).parquet(path)
        else:  # catalogued empty: typed NULLs of no rows, no files
            frame = self.session.range(0)
        frame.select(
            *[
                F.col(f.name)
                if entry.version
                else F.lit(None).cast(f.dataType).alias(f.name)
                for f in struct.fields
            ]
        ).createOrReplaceTempView(name)

    def close(self) -> None:
        """Drop this warehouse's views; the shared SparkContext keeps running for others."""
        for name in self.catalog:
            self.session.catalog.dropTempView(name)
        if self.ephemeral:
            shutil.rmtree(self.root, ignore_errors=True)


def _times_as_timestamps(expr: Table) -> Table:
    """Spark has no time-of-day type: store ``HH:MM:SS`` as that time on 1 January 1970."""
    times = [c for c, t in expr.schema().items() if t.is_time()]
    if not times:
        return expr
    return expr.mutate(
        **{
            c: ibis.timestamp(
                *EPOCH, expr[c].hour(), expr[c].minute(), expr[c].second()
            )
            + expr[c].microsecond().as_interval("us")
            for c in times
        }
    )
