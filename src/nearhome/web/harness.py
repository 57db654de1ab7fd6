"""A board app on synthetic data, ready to drive: for tests, the benchmark and demos.

``build_harness`` makes a migrated board database, an in-memory warehouse of synthetic
inpatients (``board.demo``), a fixed clock and cheap Argon2 parameters, and returns the app
with helpers to add users and sign in through the real login form. Shipped in the package
(like ``polars.testing``) so every test folder and ``benchmarks/`` use the same set-up.
"""

from __future__ import annotations

import contextlib
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol

from argon2 import PasswordHasher
from fastapi import FastAPI
from sqlalchemy import create_engine, text

from nearhome.appdb import BoardDatabase, open_database
from nearhome.appdb.accounts import NewUser, create_user
from nearhome.appdb.database import normalise_url
from nearhome.board.census import CensusCache
from nearhome.board.demo import demo_frames
from nearhome.data.warehouse import Warehouse, from_frames
from nearhome.settings import Settings
from nearhome.web.app import create_app

PASSWORD = "correct horse battery staple"  # noqa: S105 - synthetic test accounts only
TEST_SECRET = "test-secret-key-for-synthetic-data-only-0123456789"  # noqa: S105
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
CSRF_HEADER = re.compile(r'"X-CSRF-Token": "([^"]+)"')
FIXED_NOW = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)


class FormClient(Protocol):
    """The part of an HTTP client (TestClient, httpx) the helpers use."""

    def get(self, url: str, **kwargs: Any) -> Any:
        """GET."""
        ...

    def post(self, url: str, **kwargs: Any) -> Any:
        """POST."""
        ...


def cheap_hasher() -> PasswordHasher:
    """Argon2 with tiny costs: fast tests, same code path."""
    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@dataclass
class Clock:
    """A clock that tests can move."""

    now: datetime = FIXED_NOW

    def __call__(self) -> datetime:
        """The current (fixed) time."""
        return self.now


@dataclass
class BoardHarness:
    """An app and everything behind it."""

    app: FastAPI
    database: BoardDatabase
    warehouse: Warehouse
    clock: Clock
    settings: Settings
    users: dict[str, str] = field(default_factory=dict)

    @property
    def today(self) -> date:
        """The app's today."""
        return self.clock.now.date()

    def add_user(self, username: str, role: str, **scope: Any) -> str:
        """Create an account with the shared test password; returns the username."""
        wards = tuple(scope.pop("wards", ()))
        with self.database.transaction() as session:
            create_user(
                session,
                cheap_hasher(),
                NewUser(username, role, wards=wards, **scope),
                password=PASSWORD,
                now=self.clock(),
            )
        self.users[username] = role
        return username

    def add_standard_users(self) -> None:
        """One user per role over the demo data, plus a ward user on another ward."""
        self.add_user("ward", "ward_staff", wards=("W01",))
        self.add_user("ward2", "ward_staff", wards=("W02",))
        self.add_user("flow", "flow_manager", provider_code="RNH")
        self.add_user("case", "icb_case_manager", icb_code="QNH")
        self.add_user("analyst", "analyst", icb_code="QNH")
        self.add_user("admin", "admin")


def build_harness(
    board_db_url: str,
    *,
    n_inpatients: int = 120,
    frames: dict[str, Any] | None = None,
    clock: Clock | None = None,
    census_ttl_seconds: float = 60.0,
    settings_overrides: dict[str, Any] | None = None,
    census: CensusCache | None = None,
) -> BoardHarness:
    """A migrated app over synthetic data.

    ``frames`` replaces the demo tables; ``census`` shares one warehouse and its cached
    census between apps (it must hold data for the same clock).
    """
    clock = clock or Clock()
    settings = Settings(
        environment="test",
        board_db_url=board_db_url,
        warehouse_url="duckdb://",
        secret_key=TEST_SECRET,
        **(settings_overrides or {}),
    )
    warehouse = from_frames(
        frames
        if frames is not None
        else demo_frames(n_inpatients, today=clock.now.date())
    )
    database = open_database(board_db_url)
    app = create_app(
        settings,
        warehouse=warehouse,
        database=database,
        clock=clock,
        password_hasher=cheap_hasher(),
        census_ttl_seconds=census_ttl_seconds,
        census=census,
    )
    return BoardHarness(
        app=app, database=database, warehouse=warehouse, clock=clock, settings=settings
    )


def sign_in(client: FormClient, username: str, password: str = PASSWORD) -> str:
    """Sign in through the real form; returns the session's CSRF token.

    Raises:
        AssertionError: the sign-in did not succeed.
    """
    page = client.get("/login")
    token = login_token(page.text)
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    if response.status_code != 303:
        msg = f"sign-in as {username} failed with {response.status_code}"
        raise AssertionError(msg)
    home = client.get(response.headers["location"])
    return session_token(home.text)


def login_token(html: str) -> str:
    """The CSRF token in a page's form."""
    found = CSRF_INPUT.search(html)
    if not found:
        msg = "no CSRF token in the page"
        raise AssertionError(msg)
    return found.group(1)


def session_token(html: str) -> str:
    """The session's CSRF token from a signed-in page."""
    found = CSRF_HEADER.search(html) or CSRF_INPUT.search(html)
    if not found:
        msg = "no session CSRF token in the page"
        raise AssertionError(msg)
    return found.group(1)


PG_ENV = "NEARHOME_TEST_PG"


@contextlib.contextmanager
def scratch_postgres(base_url: str) -> Iterator[str]:
    """A private, empty schema in a PostgreSQL database, dropped afterwards.

    Tests of several developers may share one server and database; a schema per test keeps
    them apart without needing the right to create databases.
    """
    schema = f"board_test_{secrets.token_hex(6)}"
    engine = create_engine(normalise_url(base_url))
    try:
        with engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        separator = "&" if "?" in base_url else "?"
        yield f"{normalise_url(base_url)}{separator}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()
