"""One warehouse per backend for the whole session, loaded from the tiny extract.

Starting Spark and loading into it dominates the Spark suite's time, so every backend
test shares one Spark warehouse (and one PostgreSQL schema). PostgreSQL tests need the
server ``.ci/run`` starts (``NEARHOME_TEST_PG``); without it they skip locally and fail
in CI, like the board's PostgreSQL tests.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from nearhome.data.load import load_extract
from nearhome.data.warehouse import Warehouse, connect
from nearhome.metrics.run import run_metrics

PG_ENV = "NEARHOME_TEST_PG"
SPAN = "2024-03..2024-05"
"""Every month of the tiny extract."""
BY = "all,ethnic_group,ward,bed_type,bed_type*gender,ri_type"
"""The total; a person and a place breakdown; a crossed pair; a numerator-only one."""


def _catalogue_results(warehouse: Warehouse) -> pd.DataFrame:
    """The whole catalogue by :data:`BY` for :data:`SPAN` (one request, few queries)."""
    return run_metrics(warehouse, "all", period=SPAN, by=BY)


@pytest.fixture(scope="session")
def duckdb_warehouse(tiny_extract: Path) -> Warehouse:
    """The tiny extract in an in-memory DuckDB warehouse (read-only use)."""
    warehouse = connect("duckdb://")
    load_extract(warehouse, tiny_extract)
    return warehouse


@pytest.fixture(scope="session")
def duckdb_results(duckdb_warehouse: Warehouse) -> pd.DataFrame:
    """The reference every other backend and the SQL text are compared with."""
    return _catalogue_results(duckdb_warehouse)


@pytest.fixture(scope="session")
def spark_warehouse(
    tiny_extract: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Warehouse]:
    """The tiny extract in a Spark local[2] warehouse (Parquet in a temporary folder)."""
    folder = tmp_path_factory.mktemp("spark")
    warehouse = connect(f"spark://local[2]?path={folder}")
    load_extract(warehouse, tiny_extract)
    yield warehouse
    warehouse.close()


@contextlib.contextmanager
def postgres_schema(prefix: str) -> Iterator[Warehouse]:
    """A warehouse in a new private schema of the test PostgreSQL server, dropped after."""
    base = os.environ.get(PG_ENV)
    if not base:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{PG_ENV} is not set: CI must start PostgreSQL")
        pytest.skip(f"{PG_ENV} is not set")
    schema = f"{prefix}_{secrets.token_hex(4)}"
    separator = "&" if "?" in base else "?"
    warehouse = connect(f"{base}{separator}schema={schema}")
    try:
        yield warehouse
    finally:
        with warehouse.backend.con.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        warehouse.close()


@pytest.fixture(scope="session")
def postgres_warehouse(tiny_extract: Path) -> Iterator[Warehouse]:
    """The tiny extract in a private schema of the test PostgreSQL server."""
    with postgres_schema("nearhome_backends") as warehouse:
        load_extract(warehouse, tiny_extract)
        yield warehouse


@pytest.fixture(scope="session")
def spark_results(spark_warehouse: Warehouse) -> pd.DataFrame:
    """The same request on Spark."""
    return _catalogue_results(spark_warehouse)


@pytest.fixture(scope="session")
def postgres_results(postgres_warehouse: Warehouse) -> pd.DataFrame:
    """The same request on PostgreSQL."""
    return _catalogue_results(postgres_warehouse)
