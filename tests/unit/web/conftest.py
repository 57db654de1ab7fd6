"""Board web tests run on SQLite and, when NEARHOME_TEST_PG is set, on PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from nearhome.board.census import CensusCache
from nearhome.board.demo import demo_frames
from nearhome.data.warehouse import from_frames
from nearhome.web.harness import (
    FIXED_NOW,
    PG_ENV,
    BoardHarness,
    build_harness,
    scratch_postgres,
    sign_in,
)


def pg_base_url() -> str:
    """The PostgreSQL URL from CI, or fail (in CI) / skip (locally) without it."""
    url = os.environ.get(PG_ENV)
    if url:
        return url
    if os.environ.get("CI") == "true":
        pytest.fail(
            f"{PG_ENV} is not set: CI must start PostgreSQL for the board tests"
        )
    pytest.skip(f"{PG_ENV} is not set")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def board_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty board database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'board.sqlite'}"
        return
    with scratch_postgres(pg_base_url()) as url:
        yield url


@pytest.fixture(scope="session")
def shared_census() -> CensusCache:
    """One read-only warehouse of 120 synthetic inpatients and its census, for every app."""
    return CensusCache(
        from_frames(demo_frames(120, today=FIXED_NOW.date())), ttl_seconds=3600
    )


@pytest.fixture
def harness(board_db_url: str, shared_census: CensusCache) -> Iterator[BoardHarness]:
    """The board app over 120 synthetic inpatients, with one user per role."""
    built = build_harness(board_db_url, census=shared_census)
    built.add_standard_users()
    yield built
    built.database.dispose()


@pytest.fixture
def client(harness: BoardHarness) -> Iterator[TestClient]:
    """A browser-like client (not signed in)."""
    with TestClient(harness.app) as test_client:
        yield test_client


@pytest.fixture
def signed_in(harness: BoardHarness):  # type: ignore[no-untyped-def]
    """Sign a new client in as a user; returns (client, csrf token)."""
    clients: list[TestClient] = []

    def make(username: str) -> tuple[TestClient, str]:
        test_client = TestClient(harness.app)
        clients.append(test_client)
        return test_client, sign_in(test_client, username)

    yield make
    for test_client in clients:
        test_client.close()
