"""Prepared facts give DuckDB's figures on Spark and PostgreSQL too.

Each backend gets its own warehouse (the shared ones in ``conftest.py`` are read-only
for the other tests): the tiny extract is loaded, its facts prepared, and the same
request as ``test_metrics.py`` is run reading them and compared, metric by metric,
with DuckDB building its facts.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from nearhome.data.load import load_extract
from nearhome.data.warehouse import Warehouse, connect
from nearhome.metrics import catalogue
from nearhome.metrics.prepared import prepare_facts
from nearhome.metrics.run import run_metrics

from .conftest import BY, SPAN, postgres_schema
from .test_metrics import assert_same_numbers


def _prepared_results(warehouse: Warehouse, extract: Path) -> pd.DataFrame:
    load_extract(warehouse, extract)
    prepare_facts(warehouse)
    frame = run_metrics(warehouse, "all", period=SPAN, by=BY)
    assert frame.attrs["nearhome"]["prepared_facts"]
    return frame


@pytest.fixture(scope="module")
def spark_prepared(
    tiny_extract: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[pd.DataFrame]:
    folder = tmp_path_factory.mktemp("spark-prepared")
    warehouse = connect(f"spark://local[2]?path={folder}")
    try:
        yield _prepared_results(warehouse, tiny_extract)
    finally:
        warehouse.close()


@pytest.fixture(scope="module")
def postgres_prepared(tiny_extract: Path) -> Iterator[pd.DataFrame]:
    with postgres_schema("nearhome_prepared") as warehouse:
        yield _prepared_results(warehouse, tiny_extract)


@pytest.mark.parametrize(
    ("backend", "metric_id"),
    [
        pytest.param(backend, spec.id, marks=getattr(pytest.mark, backend))
        for backend in ("spark", "postgres")
        for spec in catalogue()
    ],
)
def test_prepared_equal_to_duckdb(
    backend: str,
    metric_id: str,
    duckdb_results: pd.DataFrame,
    request: pytest.FixtureRequest,
) -> None:
    prepared = request.getfixturevalue(f"{backend}_prepared")
    assert_same_numbers(duckdb_results, prepared, metric_id)
