"""The warehouse: one Ibis connection plus the few operations nearhome needs of it.

Everything above this module speaks Ibis expressions; ``Warehouse.execute`` is the point
where an expression becomes a small pandas frame. The backend is chosen by URL:

* ``duckdb:///path/nearhome.duckdb`` (``duckdb://`` alone is in memory) — the default;
* ``spark://local[2]?path=DIR`` — Spark (local mode, a cluster, or a session the caller
  supplies, e.g. on Databricks), tables kept as Parquet under ``DIR`` (see
  :mod:`nearhome.data.spark`);
* ``postgres://user:pass@host:port/db?schema=name`` — PostgreSQL through Ibis.

Staging always happens in DuckDB, so a load into Spark or PostgreSQL hands rows across
engines: :meth:`Warehouse.write_table` and :meth:`Warehouse.replace_rows` accept an
expression bound to another backend and copy its rows in (CSV into PostgreSQL's ``COPY``,
Parquet into Spark) before running the same in-engine statements as for DuckDB.
"""

from __future__ import annotations

import contextlib
import importlib
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, unquote, urlparse
from uuid import uuid4

import ibis
import ibis.common.exceptions as ibis_exc
import ibis.expr.operations as ops
import pandas as pd
import pyarrow as pa
import sqlglot.expressions as sge
from ibis import BaseBackend
from ibis.backends.sql.compilers.mssql import MSSQLCompiler
from ibis.backends.sql.compilers.postgres import (
    PostgresCompiler as IbisPostgresCompiler,
)
from ibis.backends.sql.compilers.pyspark import PySparkCompiler
from ibis.expr.types import Table

from nearhome.errors import BackendUnsupported, InvalidConfig, NotFound

BACKENDS = ("duckdb", "pyspark", "postgres")


class SparkCompiler(PySparkCompiler):  # type: ignore[misc]
    """Ibis's Spark SQL compiler plus the operations nearhome's definitions need.

    Kept here (not in :mod:`nearhome.data.spark`) so that ``nearhome metrics sql``
    prints exactly the SQL a Spark warehouse runs without importing PySpark.
    """

    def visit_TimestampFromYMDHMS(
        self,
        op: Any,  # noqa: ARG002 (ibis passes the operation to every visitor)
        *,
        year: Any,
        month: Any,
        day: Any,
        hours: Any,
        minutes: Any,
        seconds: Any,
    ) -> sge.Expression:
        """Wall-clock timestamp from parts (no time zone, as on DuckDB and PostgreSQL)."""
        made: sge.Expression = self.f.make_timestamp_ntz(
            year, month, day, hours, minutes, seconds
        )
        return made


class PostgresCompiler(IbisPostgresCompiler):  # type: ignore[misc]
    """Ibis's PostgreSQL compiler without the ``first``/``last`` aggregates.

    Ibis compiles "any value" and first/last to ``FIRST``/``LAST``, which stock
    PostgreSQL lacks (they come from an extension most trusts' servers do not have).
    The first non-null element of an ``ARRAY_AGG`` means the same, needs nothing
    installed, and keeps ``nearhome metrics sql --dialect postgres`` runnable anywhere.
    """

    # Without Arbitrary: ibis would install its ``first`` mapping over our visitor.
    SIMPLE_OPS: ClassVar[dict[type, str]] = {
        op: name
        for op, name in IbisPostgresCompiler.SIMPLE_OPS.items()
        if op is not ops.Arbitrary
    }

    def visit_Cast(self, op: Any, *, arg: Any, to: Any) -> sge.Expression:
        """Booleans to 64-bit integers through ``INTEGER`` (PostgreSQL has no direct cast)."""
        if op.arg.dtype.is_boolean() and to.is_integer():
            arg = sge.Cast(this=arg, to=sge.DataType.build("INT"))
        cast: sge.Expression = super().visit_Cast(op, arg=arg, to=to)
        return cast

    visit_TryCast = visit_Cast

    def _first_of(
        self, arg: Any, where: Any, order_by: Any, *, last: bool = False
    ) -> sge.Expression:
        present = arg.is_(sge.not_(sge.Null()))
        where = present if where is None else sge.and_(present, where)
        if last:
            order_by = [
                sge.Ordered(this=o.this, desc=not o.args.get("desc")) for o in order_by
            ]
        collected = self.agg.array_agg(arg, where=where, order_by=order_by or None)
        return sge.Bracket(
            this=sge.paren(collected), expressions=[sge.convert(1)], offset=1
        )

    def visit_Arbitrary(
        self,
        op: Any,  # noqa: ARG002 (ibis passes the operation to every visitor)
        *,
        arg: Any,
        where: Any,
    ) -> sge.Expression:
        """Any (here: the first collected) non-null value."""
        return self._first_of(arg, where, [])

    def visit_First(
        self,
        op: Any,  # noqa: ARG002
        *,
        arg: Any,
        where: Any,
        order_by: Any,
        include_null: bool,
    ) -> sge.Expression:
        """The first non-null value in ``order_by`` order."""
        if include_null:
            raise ibis_exc.UnsupportedOperationError(
                "first(include_null=True) is not supported on PostgreSQL"
            )
        return self._first_of(arg, where, order_by)

    def visit_Last(
        self,
        op: Any,  # noqa: ARG002
        *,
        arg: Any,
        where: Any,
        order_by: Any,
        include_null: bool,
    ) -> sge.Expression:
        """The last non-null value in ``order_by`` order."""
        if include_null:
            raise ibis_exc.UnsupportedOperationError(
                "last(include_null=True) is not supported on PostgreSQL"
            )
        return self._first_of(arg, where, order_by, last=True)


class SqlServerCompiler(MSSQLCompiler):  # type: ignore[misc]
    """Ibis's T-SQL compiler plus "any value of the group" (``MIN``) and arg-min by date.

    There is no SQL Server warehouse; this writes ``nearhome metrics sql --dialect
    mssql``. Where a definition keeps any one row of a group (a sub-ICB's ICB, which
    is the same on every row), ``MIN`` is such a value; SQL Server has no ``FIRST``.
    """

    UNSUPPORTED_OPS = tuple(
        op for op in MSSQLCompiler.UNSUPPORTED_OPS if op is not ops.ArgMin
    )

    def visit_First(
        self,
        op: Any,  # noqa: ARG002 (ibis passes the operation to every visitor)
        *,
        arg: Any,
        where: Any,
        order_by: Any,
        include_null: bool,
    ) -> sge.Expression:
        """Any non-null value when no order is asked for (ordered first is a gap)."""
        if order_by or include_null:
            raise ibis_exc.UnsupportedOperationError(
                "an ordered first value is not supported on SQL Server"
            )
        minimum: sge.Expression = self.agg.min(arg, where=where)
        return minimum

    def visit_Arbitrary(
        self,
        op: Any,  # noqa: ARG002
        *,
        arg: Any,
        where: Any,
    ) -> sge.Expression:
        """Any non-null value of the group."""
        minimum: sge.Expression = self.agg.min(arg, where=where)
        return minimum

    def visit_ArgMin(
        self, op: Any, *, arg: Any, key: Any, where: Any
    ) -> sge.Expression:
        """The value at the earliest date (the first interval of a merged island).

        T-SQL has no arg-min aggregate. For a date key, the minimum of the text
        ``YYYY-MM-DD`` followed by the value is the earliest row's, ties broken by
        the smaller value (arg-min may return any row of a tie on every engine).
        """
        if not op.key.dtype.is_date():
            raise ibis_exc.UnsupportedOperationError(
                "arg-min by a key other than a date is not supported on SQL Server"
            )
        text = sge.DataType.build("NVARCHAR(4000)", dialect="tsql")
        keyed = self.f.concat(
            sge.Cast(this=key, to=sge.DataType.build("CHAR(10)", dialect="tsql")),
            sge.Cast(this=arg, to=text),
        )
        earliest = self.agg.min(keyed, where=where)
        value = self.f.substring(earliest, 11, 4000)
        return sge.Cast(this=value, to=self.type_mapper.from_ibis(op.arg.dtype))


@dataclass
class Warehouse:
    """An analytics store reached through Ibis (DuckDB; the base of the other engines)."""

    url: str
    backend: BaseBackend
    name: str
    parquet_root: Path | None = None
    _views: dict[str, Table] = field(default_factory=dict, repr=False)
    _depth: int = field(default=0, repr=False)

    def table(self, name: str) -> Table:
        """The named canonical or raw table as an unexecuted Ibis expression."""
        if name in self._views:
            return self._views[name]
        missing = NotFound(
            f"The warehouse has no table '{name}'.",
            hint="Load an extract first: nearhome data load DIR --warehouse URL",
        )
        if self.name == "duckdb" and not name.startswith("ibis_"):
            # Ask for the table itself: listing every table first costs a catalogue
            # query per lookup, and a load looks up dozens.
            try:
                return self.backend.table(name)
            except ibis_exc.TableNotFound:
                raise missing from None
        if not self.has_table(name):
            raise missing
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

    @contextlib.contextmanager
    def _backend_gaps(self, doing: str) -> Iterator[None]:
        """Turn Ibis's "this backend cannot" errors into :class:`BackendUnsupported`
        naming the backend and what was being done."""
        try:
            yield
        except (
            ibis_exc.OperationNotDefinedError,
            ibis_exc.UnsupportedOperationError,
        ) as exc:
            raise BackendUnsupported(
                f"The {self.name} backend cannot {doing}: {exc}"
            ) from exc

    def execute(self, expr: Any) -> pd.DataFrame:
        """Run an expression and return a pandas frame (the one execution point).

        Backend gaps surface as :class:`BackendUnsupported` naming the backend.
        """
        with self._backend_gaps("run this expression"):
            result = self.backend.execute(expr)
        if isinstance(result, pd.Series):
            return result.to_frame()
        if not isinstance(result, pd.DataFrame):
            return pd.DataFrame({"value": [result]})
        return result

    def to_arrow(self, expr: Table) -> pa.Table:
        """Run a table expression and return Arrow (no Python object per cell).

        The metric runner reads its millions of result rows this way: turning each text
        cell into a Python string was most of its time and memory.
        Backend gaps surface as :class:`BackendUnsupported` naming the backend.
        """
        with self._backend_gaps("run this expression"):
            return self.backend.to_pyarrow(expr)

    @property
    def shares_subqueries(self) -> bool:
        """Whether a subquery one query reads twice is computed once: DuckDB and
        PostgreSQL materialise such a common table expression, Spark recomputes it."""
        return self.name in ("duckdb", "postgres")

    def cache(self, expr: Table) -> Table:
        """Materialise an expression for this session (release it with ``.release()``).

        Many aggregations then read the stored rows instead of recomputing the joins.
        Backend gaps surface as :class:`BackendUnsupported` naming the backend.
        """
        with self._backend_gaps("materialise this expression"):
            return expr.cache()

    def write_table(self, name: str, obj: Table | pd.DataFrame) -> None:
        """Create or replace a table from an expression (of any engine) or a frame."""
        with self.transaction():
            local = self._local(obj)
            if self.name == "duckdb" and isinstance(obj, Table):
                self._create_as(name, local)
            else:
                self.backend.create_table(name, local, overwrite=True)

    def _create_as(self, name: str, expr: Table) -> None:
        """Replace table ``name`` by the rows of ``expr``: two statements on DuckDB.

        Ibis's ``create_table`` creates a table under a scratch name, inserts, drops the
        old table and renames the new one, asking for the current catalog and schema on
        the way; a load writes dozens of tables. The table is declared from the
        expression's schema and filled by position, as Ibis does, so its column names
        and types are exactly the ones Ibis would give it.
        """
        self.backend._run_pre_execute_hooks(expr)  # registers in-memory tables
        query = self.backend.compile(expr)
        target = sge.Schema(
            this=sge.to_identifier(name, quoted=True),
            expressions=expr.schema().to_sqlglot_column_defs("duckdb"),
        )
        create = sge.Create(kind="TABLE", this=target, replace=True).sql("duckdb")
        columns = ", ".join('"' + c.replace('"', '""') + '"' for c in expr.columns)
        self._run_sql(create)
        self._run_sql(f'INSERT INTO "{name}" ({columns}) {query}')

    def adopt_table(self, name: str, stored: str, columns: Sequence[str]) -> None:
        """Make stored table ``stored`` (DuckDB) the table ``name``, keeping only ``columns``.

        A staged table already holds the rows a load writes; dropping its other columns
        and renaming it costs nothing next to copying its rows. ``columns`` must be its
        columns in their order, less the ones to drop.
        """
        with self.transaction():
            present = [
                str(row[0])
                for row in self.backend.raw_sql(
                    "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' "
                    f"AND table_name = '{stored}' ORDER BY column_index"
                ).fetchall()
            ]
            if [c for c in present if c in columns] != list(columns):
                raise ValueError(f"{stored} does not hold the columns of {name}.")
            self._run_sql(f'DROP TABLE IF EXISTS "{name}"')
            for column in present:
                if column not in columns:
                    self._run_sql(f'ALTER TABLE "{stored}" DROP COLUMN "{column}"')
            self._run_sql(f'ALTER TABLE "{stored}" RENAME TO "{name}"')

    def write_view(self, name: str, source: str) -> None:
        """Make ``name`` show the rows of stored table ``source`` (a canonical table that is a
        reference file as loaded, such as ``population``).

        On DuckDB this is a view: the rows are not written a second time (the population
        file is the largest single table of a load). Other engines get a copy.
        """
        if self.name != "duckdb":
            self.write_table(name, self.table(source))
            return
        with self.transaction():
            stored = self.backend.raw_sql(
                "SELECT count(*) FROM duckdb_tables() "
                f"WHERE schema_name = 'main' AND table_name = '{name}'"
            ).fetchone()
            if stored is not None and stored[0]:
                self._run_sql(f'DROP TABLE "{name}"')
            self._run_sql(
                f'CREATE OR REPLACE VIEW "{name}" AS SELECT * FROM "{source}"'
            )

    def replace_rows(self, name: str, rows: Table, on: Sequence[str]) -> int:
        """Delete the rows of ``name`` whose ``on`` values occur in ``rows``, then insert ``rows``.

        This is how a resubmitted provider-month replaces the old one instead of adding to
        it. ``rows`` may be bound to another engine (the DuckDB staging area): they are
        copied in first. Returns the number of rows inserted.
        """
        with self.transaction():
            incoming = self._local(rows)
            keys = ", ".join(f'"{k}"' for k in on)
            source = self.backend.compile(incoming)
            # A first load finds the table empty: nothing to delete, and the delete's
            # subquery would read every incoming row once more to find its keys.
            if self._has_rows(name):
                self._run_sql(
                    f'DELETE FROM "{name}" WHERE ({keys}) IN (SELECT DISTINCT {keys} FROM ({source}) AS incoming)'
                )
            columns = ", ".join(f'"{c}"' for c in incoming.columns)
            return self._insert(
                f'INSERT INTO "{name}" ({columns}) SELECT {columns} FROM ({source}) AS incoming'
            )

    def append_rows(self, name: str, frame: pd.DataFrame) -> None:
        """Add a few rows to a table, creating it from the frame if it does not exist."""
        if not self.has_table(name):
            self.write_table(name, frame)
            return
        with self.transaction():
            self.backend.insert(name, ibis.memtable(frame))

    def create_empty(self, name: str, schema: ibis.Schema) -> None:
        """Create a table with no rows unless it already exists."""
        if name not in self.list_tables():
            self.backend.create_table(name, schema=schema)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside commit together or not at all.

        DuckDB and PostgreSQL use a real transaction, so a process killed part-way leaves
        the warehouse exactly as it was. A transaction opened inside another one joins it.
        """
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._depth = 1
        try:
            with self._engine_transaction():
                yield
        finally:
            self._depth = 0

    @contextlib.contextmanager
    def _engine_transaction(self) -> Iterator[None]:
        if self.name != "duckdb":
            yield
            return
        self.backend.raw_sql("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.backend.raw_sql("ROLLBACK")
            raise
        self.backend.raw_sql("COMMIT")

    def register(self, name: str, expr: Table) -> None:
        """Make an expression available under a table name for this session only."""
        self._views[name] = expr

    def close(self) -> None:
        """Release the connection."""
        self.backend.disconnect()

    # --- moving rows between engines ---------------------------------------------------

    def _local(self, obj: Table | pd.DataFrame) -> Table:
        """``obj`` as an expression this backend can run, copying rows in if needed."""
        if isinstance(obj, pd.DataFrame):
            return ibis.memtable(obj)
        source = bound_backend(obj)
        if source is None or source is self.backend:
            return obj
        return self._import_rows(obj, source)

    def _import_rows(self, expr: Table, source: BaseBackend) -> Table:
        """Copy the rows of an expression on another engine into a temporary table (Arrow)."""
        name = f"nearhome_incoming_{uuid4().hex[:12]}"
        self.backend.create_table(name, source.to_pyarrow(expr), temp=True)
        return self.backend.table(name)

    def _run_sql(self, sql: str) -> None:
        self.backend.raw_sql(sql)

    def _has_rows(self, name: str) -> bool:
        """Whether stored table ``name`` holds at least one row."""
        found = self.backend.raw_sql(
            f'SELECT EXISTS (SELECT 1 FROM "{name}")'
        ).fetchone()
        return bool(found and found[0])

    def _insert(self, sql: str) -> int:
        """Run an ``INSERT`` and return the number of rows it inserted (DuckDB reports it)."""
        inserted = self.backend.raw_sql(sql).fetchone()
        return int(inserted[0]) if inserted is not None else 0


def bound_backend(expr: Table) -> BaseBackend | None:
    """The backend an expression's tables live in (``None`` for in-memory tables only)."""
    try:
        return expr.get_backend()  # type: ignore[no-any-return]
    except ibis_exc.IbisError:
        return None


@dataclass
class PostgresWarehouse(Warehouse):
    """PostgreSQL through Ibis; rows from DuckDB staging arrive by ``COPY ... FROM STDIN``."""

    @contextlib.contextmanager
    def _engine_transaction(self) -> Iterator[None]:
        # psycopg turns Ibis's own inner transactions into savepoints of this one.
        with self.backend.con.transaction():
            yield

    def _run_sql(self, sql: str) -> None:
        with self.backend.con.cursor() as cursor:
            cursor.execute(sql)

    def _has_rows(self, name: str) -> bool:
        with self.backend.con.cursor() as cursor:
            cursor.execute(f'SELECT EXISTS (SELECT 1 FROM "{name}")')
            found = cursor.fetchone()
        return bool(found and found[0])

    def _insert(self, sql: str) -> int:
        with self.backend.con.cursor() as cursor:
            cursor.execute(sql)
            return int(cursor.rowcount)

    def _import_rows(self, expr: Table, source: BaseBackend) -> Table:
        if source.name != "duckdb":
            return super()._import_rows(expr, source)
        name = f"nearhome_incoming_{uuid4().hex[:12]}"
        columns = expr.schema().to_sqlglot_column_defs("postgres")
        create = sge.Create(
            kind="TABLE",
            this=sge.Schema(
                this=sge.to_identifier(name, quoted=True), expressions=columns
            ),
            properties=sge.Properties(expressions=[sge.TemporaryProperty()]),
        ).sql("postgres")
        with tempfile.TemporaryDirectory(prefix="nearhome-copy-") as scratch:
            rows = Path(scratch) / "rows.csv"
            source.to_csv(expr, rows, header=False)
            with self.backend.con.cursor() as cursor:
                cursor.execute(create)
                with (
                    cursor.copy(f'COPY "{name}" FROM STDIN (FORMAT csv)') as copy,
                    rows.open("rb") as handle,
                ):
                    while chunk := handle.read(1 << 20):
                        copy.write(chunk)
        return self.backend.table(name)


def connect(url: str, *, spark_session: Any = None) -> Warehouse:
    """Open the warehouse named by ``url``.

    ``spark_session`` lets a caller that already has a Spark session (a Databricks
    notebook, a test fixture) use it for a ``spark://`` URL instead of starting one.

    Examples:
        >>> wh = connect("duckdb://")
        >>> wh.name
        'duckdb'
    """
    scheme, _, rest = url.partition("://")
    if scheme.lower() == "spark":
        # Parsed by hand: ``local[2]`` is not a host name urllib accepts.
        master, _, query = rest.partition("?")
        return _connect_spark(url, master, parse_qs(query), spark_session)
    parsed = urlparse(url)
    scheme = parsed.scheme.lower()
    if scheme == "duckdb":
        return _connect_duckdb(url, parsed.netloc + parsed.path)
    if scheme.split("+")[0] in {"postgres", "postgresql"}:
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
    # Imported by name at run time: the Spark module (and PySpark) load only when a
    # spark:// URL is opened, and the portable layers' import graph stays engine-free.
    spark = importlib.import_module("nearhome.data.spark")
    return spark.connect_spark(url, master=master, query=query, session=session)  # type: ignore[no-any-return]


def _connect_postgres(url: str) -> Warehouse:
    """Connect; ``?schema=NAME`` (or ``/db/NAME``) keeps nearhome's tables in their own schema."""
    parsed = urlparse(url)
    database, _, path_schema = parsed.path.lstrip("/").partition("/")
    schema = parse_qs(parsed.query).get("schema", [path_schema])[0] or None
    backend = ibis.postgres.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=unquote(parsed.username) if parsed.username else None,
        password=unquote(parsed.password) if parsed.password else None,
        database=database or None,
        schema=schema,
    )
    backend.compiler = PostgresCompiler()
    if schema is not None:
        with backend.con.cursor() as cursor:
            cursor.execute(
                sge.Create(
                    kind="SCHEMA",
                    this=sge.to_identifier(schema, quoted=True),
                    exists=True,
                ).sql("postgres")
            )
    return PostgresWarehouse(url=url, backend=backend, name="postgres")


DIALECTS: tuple[str, ...] = ("duckdb", "spark", "postgres", "mssql")
"""SQL dialects :func:`compile_sql` writes (``nearhome metrics sql --dialect``)."""


class _SparkOptions(ibis.config.Config):  # type: ignore[misc]
    """The one PySpark option the Spark compiler reads, for compiling without PySpark."""

    treat_nan_as_null: bool = False


def sql_compiler(dialect: str) -> Any:
    """The compiler a warehouse of this dialect uses (ours where we override Ibis's).

    Raises:
        InvalidConfig: an unknown dialect.
    """
    if dialect == "spark":
        if ibis.options.pyspark is None:  # registered when PySpark's backend loads
            ibis.options.pyspark = _SparkOptions()
        return SparkCompiler()
    if dialect == "postgres":
        return PostgresCompiler()
    if dialect == "mssql":
        return SqlServerCompiler()
    if dialect == "duckdb":
        return importlib.import_module("ibis.backends.sql.compilers.duckdb").compiler
    raise InvalidConfig(
        f"Unknown SQL dialect '{dialect}'.", hint=f"Use one of {', '.join(DIALECTS)}."
    )


def compile_sql(expr: Table, dialect: str) -> str:
    """The SQL text of an expression in a dialect, with no connection needed.

    The compilers are the ones the warehouses run, so the text is exactly what
    nearhome would execute there (SQL Server has no nearhome warehouse; its text is
    Ibis's T-SQL compiler's).

    Raises:
        BackendUnsupported: the dialect cannot express an operation of ``expr``.
    """
    compiler = sql_compiler(dialect)
    try:
        query = compiler.to_sqlglot(expr.unbind())
    except (
        ibis_exc.OperationNotDefinedError,
        ibis_exc.UnsupportedOperationError,
    ) as exc:
        raise BackendUnsupported(
            f"The {dialect} dialect cannot express this query: {exc}",
            hint="Use another dialect, or run it with nearhome metrics run.",
        ) from exc
    return str(query.sql(dialect=compiler.dialect, pretty=True))


def from_frames(frames: Mapping[str, pd.DataFrame]) -> Warehouse:
    """An in-memory DuckDB warehouse holding the given tables (for tests and notebooks)."""
    warehouse = connect("duckdb://")
    for name, frame in frames.items():
        warehouse.write_table(name, frame)
    return warehouse
