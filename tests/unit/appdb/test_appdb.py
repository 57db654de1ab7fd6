"""The board database: migrations, accounts, lockout, sessions and audit on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from psycopg.pq import TransactionStatus
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import DBAPIError

from nearhome.appdb import (
    Actor,
    BoardDatabase,
    downgrade_database,
    events_for,
    open_database,
    record_event,
)
from nearhome.appdb import database as database_module
from nearhome.appdb.accounts import (
    LockoutPolicy,
    NewUser,
    authenticate,
    create_user,
    get_user,
    list_users,
    set_password,
    set_wards,
    unlock_user,
)
from nearhome.appdb.migrate import alembic_config, upgrade_database
from nearhome.appdb.sessions import (
    end_session,
    end_user_sessions,
    find_session,
    start_session,
)
from nearhome.errors import Conflict, InvalidConfig, NotFound, PermissionDenied
from nearhome.web.harness import cheap_hasher

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
POLICY = LockoutPolicy(max_failures=3, lockout=timedelta(minutes=15))
PASSWORD = "a long enough password"


def test_migrations_match_models_and_round_trip(database: BoardDatabase):
    command.check(alembic_config(database))
    tables = set(inspect(database.engine).get_table_names())
    assert {
        "app_user",
        "board_entry",
        "audit_event",
        "crfd_record",
        "barrier",
    } <= tables
    downgrade_database(database)
    assert set(inspect(database.engine).get_table_names()) <= {"alembic_version"}
    upgrade_database(database)
    upgrade_database(database)


def test_urls_are_checked():
    with pytest.raises(InvalidConfig):
        open_database("mysql://x/y")
    with pytest.raises(InvalidConfig):
        open_database("not a url")
    assert open_database("postgres://u:p@h/db").url.startswith("postgresql+psycopg://")


def add(database: BoardDatabase, name: str = "ann", **scope) -> None:
    with database.transaction() as session:
        create_user(
            session,
            cheap_hasher(),
            NewUser(name, "ward_staff", **scope),
            password=PASSWORD,
            now=NOW,
        )


def test_accounts(database: BoardDatabase):
    add(database, wards=("W2", "W1", "W1"))
    with database.transaction() as session:
        user = get_user(session, "ann")
        assert user.ward_codes == ("W1", "W2") and user.password_hash.startswith(
            "$argon2"
        )
        with pytest.raises(Conflict):
            create_user(
                session,
                cheap_hasher(),
                NewUser("ann", "admin"),
                password=PASSWORD,
                now=NOW,
            )
        with pytest.raises(ValueError, match="at least"):
            create_user(
                session,
                cheap_hasher(),
                NewUser("bob", "admin"),
                password="short",
                now=NOW,
            )
        with pytest.raises(NotFound):
            get_user(session, "nobody")
        set_wards(session, user, ("W9",), now=NOW)
        assert [u.username for u in list_users(session)] == ["ann"]
    with database.sessions() as session:
        assert get_user(session, "ann").ward_codes == ("W9",)


def test_lockout_and_unlock(database: BoardDatabase):
    add(database)
    hasher = cheap_hasher()
    for _ in range(POLICY.max_failures):
        with (
            database.transaction() as session,
            pytest.raises(PermissionDenied, match="not correct"),
        ):
            authenticate(
                session,
                hasher,
                username="ann",
                password="wrong",
                policy=POLICY,
                now=NOW,
            )
            session.commit()
    with database.transaction() as session:
        with pytest.raises(PermissionDenied, match="locked"):
            authenticate(
                session,
                hasher,
                username="ann",
                password=PASSWORD,
                policy=POLICY,
                now=NOW,
            )
        user = authenticate(
            session,
            hasher,
            username="ann",
            password=PASSWORD,
            policy=POLICY,
            now=NOW + timedelta(minutes=16),
        )
        assert user.locked_until is None
        user.locked_until = NOW + timedelta(hours=1)
        unlock_user(session, user, now=NOW)
        set_password(session, hasher, user, "another long password", now=NOW)
        assert authenticate(
            session,
            hasher,
            username="ann",
            password="another long password",
            policy=POLICY,
            now=NOW,
        )


def test_sessions(database: BoardDatabase):
    add(database)
    with database.transaction() as session:
        user = get_user(session, "ann")
        new = start_session(session, user, now=NOW, max_age=timedelta(hours=1))
        assert new.token not in {new.csrf_token}
    with database.transaction() as session:
        found = find_session(session, new.token, now=NOW)
        assert (
            found is not None and found.user.username == "ann" and found.id != new.token
        )
        assert find_session(session, new.token, now=NOW + timedelta(hours=2)) is None
        assert find_session(session, "forged", now=NOW) is None
        end_session(session, new.token)
        assert find_session(session, new.token, now=NOW) is None
        other = start_session(
            session, get_user(session, "ann"), now=NOW, max_age=timedelta(hours=1)
        )
        end_user_sessions(session, get_user(session, "ann").id)
        assert find_session(session, other.token, now=NOW) is None


def test_audit_events_keep_before_and_after(database: BoardDatabase):
    with database.transaction() as session:
        record_event(
            session,
            Actor(1, "ann", "ward_staff", "req-1"),
            action="update_board_entry",
            object_type="spell",
            object_id="S1",
            at=NOW,
            detail={"before": {"a": None}, "after": {"a": 1}},
        )
        record_event(
            session,
            Actor(1, "ann", "ward_staff"),
            action="view_patient",
            object_type="spell",
            object_id="S1",
            at=NOW,
        )
    with database.sessions() as session:
        events = events_for(session, "spell", "S1")
        assert [e.action for e in events] == ["view_patient", "update_board_entry"]
        assert (
            events[1].detail == {"before": {"a": None}, "after": {"a": 1}}
            and events[1].at == NOW
        )
        assert [
            e.action
            for e in events_for(session, "spell", "S1", actions=("view_patient",))
        ] == ["view_patient"]


def test_naive_datetimes_are_refused(database: BoardDatabase):
    from sqlalchemy.exc import StatementError

    with pytest.raises(StatementError), database.transaction() as session:
        record_event(
            session,
            Actor(None, "x", "-"),
            action="a",
            object_type="b",
            object_id=None,
            at=datetime(2026, 1, 1),
        )
        session.flush()


POSTGRES_ONLY = pytest.mark.parametrize(
    "database_url",
    [pytest.param("postgres", marks=pytest.mark.postgres)],
    indirect=True,
)
"""Connections can only be lost on a server: these tests run on PostgreSQL alone."""


def _terminate_pooled_connections(database: BoardDatabase) -> None:
    """Kill the server side of every pooled connection, as a server restart would."""
    with database.reading() as session:
        pid = session.scalar(text("SELECT pg_backend_pid()"))
    killer = create_engine(database.url)
    try:
        with killer.begin() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        killer.dispose()


@POSTGRES_ONLY
def test_a_connection_lost_under_load_is_retried_once(database: BoardDatabase):
    _terminate_pooled_connections(database)

    def read() -> int | None:
        with database.reading() as session:
            return session.scalar(text("SELECT 1"))

    assert database.retrying(read) == 1
    _terminate_pooled_connections(database)
    with pytest.raises(DBAPIError):  # without the retry, the dead connection fails
        read()


@POSTGRES_ONLY
def test_a_connection_idle_in_the_pool_is_checked_before_use(
    database: BoardDatabase, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(database_module, "IDLE_PING_SECONDS", 0.0)
    _terminate_pooled_connections(database)
    with database.transaction() as session:  # no retry: the ping found it dead
        assert session.scalar(text("SELECT 1")) == 1
    with database.reading() as session:  # and the ping leaves no transaction open
        assert session.scalar(text("SELECT 2")) == 2


def test_single_reads_take_no_transaction(database: BoardDatabase):
    with database.reading() as session:
        raw = session.connection().connection.dbapi_connection
        assert session.scalar(text("SELECT 1")) == 1
        if database.dialect == "sqlite":
            assert raw.isolation_level is None  # type: ignore[union-attr]
        else:  # no BEGIN was sent: the server sees no transaction
            assert raw.info.transaction_status == TransactionStatus.IDLE  # type: ignore[union-attr]
