"""Opening the board database: one engine and one session factory per app.

SQLite (the default) is tuned for a small web app with a few writers: write-ahead logging so
readers never wait for a writer, a busy timeout instead of "database is locked" errors, and
foreign keys switched on. PostgreSQL needs nothing special.

SQLite lets one writer in at a time, and a writer that finds the database locked sleeps in
growing steps (1, 2, 5, 10 ... 100 ms) before trying again. Every board view writes an audit
event, so under a burst most transactions found the lock taken and slept far longer than the
write itself lasts. Transactions of one process therefore queue for SQLite's write lock on an
ordinary lock instead (handed over the moment it is free); the busy timeout still covers
other processes.

That lock must not be held while SQLite copies its write-ahead log back into the database
file (a checkpoint: megabytes written and synced), which SQLite otherwise does inside the
commit that fills the log. So the app's connections do not checkpoint on commit; after every
``SQLITE_CHECKPOINT_EVERY`` transactions, the request that finished the last one runs a
passive checkpoint once it has let go of the lock, and nobody waits for it.

On PostgreSQL every statement is a round trip to a server process that, on a busy machine,
waits to be scheduled. So pooled connections are not pinged on every checkout (a round trip
per request): only one that sat idle for ``IDLE_PING_SECONDS`` is checked first, and work
that finds its connection dead (the server restarted under load) runs once more through
:meth:`BoardDatabase.retrying` on a fresh one. Single reads use :meth:`BoardDatabase.reading`
(autocommit: no BEGIN and ROLLBACK around one statement).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from nearhome.errors import InvalidConfig

SQLITE_BUSY_TIMEOUT_MS = 10_000
SQLITE_CHECKPOINT_EVERY = 200
"""Transactions between checkpoints (a board view writes about four pages of log; SQLite's
own default is a checkpoint per 1,000 pages)."""
IDLE_PING_SECONDS = 10.0
"""A pooled PostgreSQL connection idle this long is pinged before use (see the docstring)."""

T = TypeVar("T")


class _SqliteTurns:
    """One process's SQLite transactions, one at a time, with checkpoints outside the turn."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._turn = threading.Lock()
        self._checkpointing = threading.Lock()
        self._since_checkpoint = 0

    @contextlib.contextmanager
    def turn(self) -> Iterator[None]:
        """Hold the write turn for one transaction, then checkpoint if one is due."""
        with self._turn:
            yield
            self._since_checkpoint += 1
            due = self._since_checkpoint >= SQLITE_CHECKPOINT_EVERY
            if due:
                self._since_checkpoint = 0
        if due and self._checkpointing.acquire(blocking=False):
            try:
                with self._engine.connect() as connection:
                    connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
            finally:
                self._checkpointing.release()


@dataclass(frozen=True)
class BoardDatabase:
    """The board database: its engine and a factory for sessions."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]
    _turns: _SqliteTurns | None = field(default=None, repr=False)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits together at the end, or rolls back on error.

        On SQLite, transactions of this process take turns (see the module docstring).
        """
        with (
            self._turns.turn() if self._turns else contextlib.nullcontext(),
            self.sessions.begin() as session,
        ):
            yield session

    @contextlib.contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads only, in autocommit mode: each statement sees committed data.

        For a request's single read (its session check, one patient's board state) this saves
        the BEGIN and ROLLBACK round trips of a transaction. Nothing written here is kept in a
        transaction, so use :meth:`transaction` for anything that writes.
        """
        with (
            self.engine.connect().execution_options(
                isolation_level="AUTOCOMMIT"
            ) as connection,
            Session(bind=connection) as session,
        ):
            yield session

    def retrying(self, work: Callable[[], T]) -> T:
        """Run ``work`` (which opens its own session), once more if the connection was dead.

        A connection found dead (the server restarted since it was last used) makes
        SQLAlchemy discard every pooled connection opened before; the second try gets a new
        one. Only a lost connection is retried, never another error. ``work`` must be safe to
        repeat: reads, or a transaction that rolled back because the connection was lost.
        """
        try:
            return work()
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
        return work()

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` and use the psycopg 3 driver for both."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def open_database(url: str) -> BoardDatabase:
    """Connect to the board database named by a SQLAlchemy URL.

    Raises:
        InvalidConfig: the URL is not one nearhome can use.
    """
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise InvalidConfig(
            f"Board database URL '{url}' is not a valid database URL.",
            hint="Use sqlite:///PATH or postgresql+psycopg://USER:PASS@HOST/DB.",
        ) from exc
    backend = parsed.get_backend_name()
    if backend not in {"sqlite", "postgresql"}:
        raise InvalidConfig(
            f"Board database URL '{url}' uses '{backend}'; only SQLite and PostgreSQL work.",
            hint="Use sqlite:///PATH or postgresql+psycopg://USER:PASS@HOST/DB.",
        )
    engine = _engine(url, backend)
    factory = sessionmaker(engine, expire_on_commit=False)
    return BoardDatabase(
        url=url,
        engine=engine,
        sessions=factory,
        _turns=_SqliteTurns(engine) if backend == "sqlite" else None,
    )


def _engine(url: str, backend: str) -> Engine:
    if backend == "postgresql":
        pg = create_engine(url, pool_size=10, max_overflow=20)
        event.listen(pg, "checkin", _note_checkin)
        event.listen(pg, "checkout", _ping_if_idle)
        return pg
    engine = create_engine(
        url,
        connect_args={
            "check_same_thread": False,
            "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000,
        },
        pool_size=10,
        max_overflow=20,
    )
    event.listen(engine, "connect", _tune_sqlite)
    return engine


def _note_checkin(_dbapi_connection: Any, record: Any) -> None:
    if record is not None:
        record.info["checked_in_at"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Check a connection that sat idle in the pool (the pessimistic check, only then).

    Raising ``DisconnectionError`` makes the pool discard it and check out another.
    """
    since = record.info.pop("checked_in_at", None)
    if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
        return
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
        dbapi_connection.rollback()  # the ping must not leave a transaction open
    except Exception as exc:
        raise DisconnectionError("pooled connection was dead") from exc


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA wal_autocheckpoint=0")  # see the module docstring
    finally:
        cursor.close()
