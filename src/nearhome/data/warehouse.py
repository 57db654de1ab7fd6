"""The warehouse: one Ibis connection plus the few operations nearhome needs of it.

Everything above this module speaks Ibis expressions; ``Warehouse.execute`` is the point
where an expression becomes a small pandas frame. The backend is chosen by URL:

* ``duckdb:///path/nearhome.duckdb`` (``duckdb://`` alone is in memory) — the default;
* ``spark://local[2]?path=DIR`` — Spark local mode, tables kept as Parquet under ``DIR``;
* ``postgres://user:pass@host:port/db`` — PostgreSQL through Ibis.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import ibis
import ibis.common.exceptions as ibis_exc
import pandas as pd
from ibis import BaseBackend
from ibis.expr.types import Table

from nearhome.errors import BackendUnsupported, InvalidConfig, NotFound

BACKENDS = ("duckdb", "pyspark", "postgres")


@dataclass
class Warehouse:
    """An analytics store reached through Ibis."""

    url: str
    backend: BaseBackend
    name: str
    parquet_root: Path | None = None
    _views: dict[str, Table] = field(default_factory=dict, repr=False)

    def table(self, name: str) -> Table:
        """The named canonical or raw table as an unexecuted Ibis expression."""
        if name in self._views:
            return self._views[name]
        if not self.has_table(name):
            raise NotFound(
                f"The warehouse has no table '{name}'.",
                hint="Load an extract first: nearhome data load DIR --warehouse URL",
            )
        return self.backend.table(name)

    def has_table(self, name: str) -> bool:
        """Whether the table exists."""
        return name in self._views or name in self.list_tables()

    def list_tables(self) -> list[str]:
        """Names of every table in the warehouse."""
        stored = {
            name for name in self.backend.list_tables() if not name.startswith("ibis_")
        }
        return sorted(stored | set(self._views))

    def execute(self, expr: Any) -> pd.DataFrame:
        """Run an expression and return a pandas frame (the one execution point).

        Backend gaps surface as :class:`BackendUnsupported` naming the backend.
        """
        try:
            result = self.backend.execute(expr)
        except (
            ibis_exc.OperationNotDefinedError,
            ibis_exc.UnsupportedOperationError,
        ) as exc:
            raise BackendUnsupported(
                f"The {self.name} backend cannot run this expression: {exc}"
            ) from exc
        if isinstance(result, pd.Series):
            return result.to_frame()
        if not isinstance(result, pd.DataFrame):
            return pd.DataFrame({"value": [result]})
        return result

    def write_table(self, name: str, obj: Table | pd.DataFrame) -> None:
        """Create or replace a table from an expression or a frame."""
        table = ibis.memtable(obj) if isinstance(obj, pd.DataFrame) else obj
        self.backend.create_table(name, table, overwrite=True)

    def replace_rows(self, name: str, rows: Table, on: Sequence[str]) -> int:
        """Delete the rows of ``name`` whose ``on`` values occur in ``rows``, then insert ``rows``.

        This is how a resubmitted provider-month replaces the old one instead of adding to
        it. ``rows`` must be an expression on this warehouse's backend.
        """
        keys = ", ".join(f'"{k}"' for k in on)
        source = self.backend.compile(rows)
        self.backend.raw_sql(
            f'DELETE FROM "{name}" WHERE ({keys}) IN (SELECT DISTINCT {keys} FROM ({source}) AS incoming)'
        )
        columns = ", ".join(f'"{c}"' for c in rows.columns)
        self.backend.raw_sql(f'INSERT INTO "{name}" ({columns}) SELECT {columns} FROM ({source}) AS incoming')
        return int(self.execute(rows.count()).iloc[0, 0])

    def create_empty(self, name: str, schema: ibis.Schema) -> None:
        """Create a table with no rows unless it already exists."""
        if name not in self.list_tables():
            self.backend.create_table(name, schema=schema)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside commit together or not at all.

        DuckDB and PostgreSQL use a real transaction, so a process killed part-way leaves
        the warehouse exactly as it was.
        """
        if self.name == "duckdb":
            self.backend.raw_sql("BEGIN TRANSACTION")
            try:
                yield
            except BaseException:
                self.backend.raw_sql("ROLLBACK")
                raise
            self.backend.raw_sql("COMMIT")
        else:
            yield

    def register(self, name: str, expr: Table) -> None:
        """Make an expression available under a table name for this session only."""
        self._views[name] = expr

    def close(self) -> None:
        """Release the connection."""
        self.backend.disconnect()


def connect(url: str, *, spark_session: Any = None) -> Warehouse:
    """Open the warehouse named by ``url``.

    Examples:
        >>> wh = connect("duckdb://")
        >>> wh.name
        'duckdb'
    """
    parsed = urlparse(url)
    scheme = parsed.scheme.lower()
    if scheme == "duckdb":
        return _connect_duckdb(url, parsed.netloc + parsed.path)
    if scheme == "spark":
        return _connect_spark(url, parsed.netloc, parse_qs(parsed.query), spark_session)
    if scheme in {"postgres", "postgresql"}:
        return _connect_postgres(url)
    raise InvalidConfig(
        f"Warehouse URL '{url}' has an unknown scheme '{scheme}'.",
        hint="Use duckdb:///PATH, spark://local[2]?path=DIR or postgres://USER@HOST/DB.",
    )


def _connect_duckdb(url: str, location: str) -> Warehouse:
    path = location[1:] if location.startswith("/") else location
    target = path or ":memory:"
    if target != ":memory:":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    backend = ibis.duckdb.connect(target)
    return Warehouse(url=url, backend=backend, name="duckdb")


def _connect_spark(
    url: str, master: str, query: Mapping[str, list[str]], session: Any
) -> Warehouse:
    from nearhome.data.spark import connect_spark

    return connect_spark(url, master=master, query=query, session=session)


def _connect_postgres(url: str) -> Warehouse:
    backend = ibis.connect(url.replace("postgresql+psycopg://", "postgres://"))
    return Warehouse(url=url, backend=backend, name="postgres")


def from_frames(frames: Mapping[str, pd.DataFrame]) -> Warehouse:
    """An in-memory DuckDB warehouse holding the given tables (for tests and notebooks)."""
    warehouse = connect("duckdb://")
    for name, frame in frames.items():
        warehouse.write_table(name, frame)
    return warehouse
