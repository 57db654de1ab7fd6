"""A fresh board database on SQLite and, when NEARHOME_TEST_PG is set, on PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from nearhome.appdb import BoardDatabase, open_database, upgrade_database
from nearhome.web.harness import PG_ENV, scratch_postgres


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database URL of each kind (PostgreSQL fails in CI without NEARHOME_TEST_PG)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'board.sqlite'}"
        return
    base = os.environ.get(PG_ENV)
    if not base:
        if os.environ.get("CI") == "true":
            pytest.fail(
                f"{PG_ENV} is not set: CI must start PostgreSQL for the board tests"
            )
        pytest.skip(f"{PG_ENV} is not set")
    with scratch_postgres(base) as url:
        yield url


@pytest.fixture
def database(database_url: str) -> Iterator[BoardDatabase]:
    """A migrated board database."""
    opened = open_database(database_url)
    upgrade_database(opened)
    yield opened
    opened.dispose()
