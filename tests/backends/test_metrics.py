"""Every metric gives the same numbers on DuckDB, Spark and PostgreSQL.

The whole catalogue runs once per backend (one ``run_metrics`` call in
``conftest.py``: every measure, breakdowns that exercise the person, place and crossed
joins and the population denominators, every month of the tiny extract); each metric is then compared with
DuckDB: the same rows, counts exactly equal, shares and statistics within 1e-9
relative. A backend gap is declared in ``GAPS`` as a strict expected failure with its
reason, so it is never skipped silently and its fix turns the run red until the entry
is removed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nearhome.metrics import catalogue

KEYS = ["measure_id", "breakdown", "period_start", "period_end", "level"]
RTOL = 1e-9
_COUNT_UNITS = {spec.unit for spec in catalogue() if spec.kind == "count"}

GAPS: dict[tuple[str, str], str] = {}
"""(backend, metric id) → why that backend cannot give DuckDB's numbers (none today)."""


def _params(backend: str) -> list[object]:
    return [
        pytest.param(
            spec.id,
            marks=pytest.mark.xfail(strict=True, reason=GAPS[(backend, spec.id)])
            if (backend, spec.id) in GAPS
            else (),
        )
        for spec in catalogue()
    ]


def assert_same_numbers(
    expected: pd.DataFrame, actual: pd.DataFrame, metric_id: str
) -> None:
    """Same rows; counts exactly equal, shares and statistics within ``RTOL``."""
    mine = expected[expected["measure_id"] == metric_id]
    theirs = actual[actual["measure_id"] == metric_id]
    assert len(mine) > 0, f"{metric_id}: no rows on DuckDB"
    merged = mine.merge(
        theirs, on=KEYS, how="outer", suffixes=("", "_other"), indicator=True
    )
    unmatched = merged[merged["_merge"] != "both"]
    assert unmatched.empty, f"{metric_id}: rows on one backend only:\n{unmatched[KEYS]}"
    exact = mine["unit"].iloc[0] in _COUNT_UNITS
    for column in ("numerator", "denominator", "value"):
        left = merged[column].to_numpy(dtype="float64")
        right = merged[f"{column}_other"].to_numpy(dtype="float64")
        same = (left == right) if exact else np.isclose(left, right, rtol=RTOL, atol=0)
        same |= np.isnan(left) & np.isnan(right)
        assert same.all(), (
            f"{metric_id}: {column} differs:\n"
            f"{merged.loc[~same, [*KEYS, column, f'{column}_other']]}"
        )


def test_the_request_covers_the_catalogue(duckdb_results: pd.DataFrame) -> None:
    assert set(duckdb_results["measure_id"]) == {spec.id for spec in catalogue()}
    assert {"all", "ethnic_group", "ward", "bed_type;gender", "ri_type"} <= set(
        duckdb_results["breakdown"]
    )


@pytest.mark.spark
@pytest.mark.parametrize("metric_id", _params("pyspark"))
def test_metric_equal_on_spark(
    metric_id: str, duckdb_results: pd.DataFrame, spark_results: pd.DataFrame
) -> None:
    assert_same_numbers(duckdb_results, spark_results, metric_id)


@pytest.mark.postgres
@pytest.mark.parametrize("metric_id", _params("postgres"))
def test_metric_equal_on_postgres(
    metric_id: str, duckdb_results: pd.DataFrame, postgres_results: pd.DataFrame
) -> None:
    assert_same_numbers(duckdb_results, postgres_results, metric_id)
