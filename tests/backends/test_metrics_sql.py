"""``nearhome metrics sql``: every metric compiles to every dialect, and the SQL text
gives the numbers ``run_metrics`` gives.

Every metric's DuckDB text runs against the DuckDB warehouse (the total); the Spark and
PostgreSQL texts run for one metric of each kind of query (a count, a share of two
metrics, a rate per population, a statistic, a numerator-only breakdown, a crossed
breakdown), which keeps the Spark part short. SQL Server has no warehouse to run on;
its text is compiled for every metric and its gaps are declared.

The SQL has no row for a level and period in which nothing happened, where
``run_metrics`` fills in zeros; every other row must match.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from nearhome.cli import app
from nearhome.data.warehouse import DIALECTS, Warehouse
from nearhome.errors import UnsupportedBreakdown
from nearhome.metrics import catalogue, dimensions, get
from nearhome.metrics.query import MetricQuery, metric_query
from nearhome.periods import parse_span, split

SPAN = "2024-03..2024-05"
"""The span of ``conftest.SPAN`` (every month of the tiny extract)."""
PERIODS = split(parse_span(SPAN), "month")
RTOL = 1e-9
QUANTILE = (
    "SQL Server has no median or percentile aggregate (PERCENTILE_CONT is a window "
    "function there), so Ibis cannot compile one"
)
GAPS: dict[tuple[str, str], str] = {
    ("mssql", metric_id): QUANTILE
    for metric_id in (
        "length_of_stay.median",
        "length_of_stay.p90",
        "length_of_stay.adult_acute_median",
        "length_of_stay.older_adult_acute_median",
        "length_of_stay.under_18_median",
        "length_of_stay.in_hospital_median",
    )
}
"""(dialect, metric id) → why that dialect cannot express the metric."""
SAMPLES = (
    ("bed_days.occupied", "all"),
    ("activity.admissions", "bed_type;gender"),
    ("out_of_area.inappropriate_active_pct", "all"),
    ("detentions.detentions_per_100k", "ethnic_group"),
    ("length_of_stay.median", "all"),
    ("restrictive.per_1000_bed_days", "ri_type"),
)
"""One metric per kind of query, with the breakdown that exercises it (all in ``conftest.BY``)."""


@functools.cache
def _query(metric_id: str, breakdown: str = "all") -> MetricQuery:
    wanted = dimensions.parse(breakdown.replace(dimensions.JOIN, dimensions.CROSS))
    return metric_query(get(metric_id), PERIODS, wanted)


def _params() -> list[object]:
    return [
        pytest.param(
            spec.id,
            dialect,
            marks=pytest.mark.xfail(strict=True, reason=GAPS[(dialect, spec.id)])
            if (dialect, spec.id) in GAPS
            else (),
        )
        for spec in catalogue()
        for dialect in DIALECTS
    ]


@pytest.mark.parametrize(("metric_id", "dialect"), _params())
def test_every_metric_compiles(metric_id: str, dialect: str) -> None:
    query = _query(metric_id)
    text = query.sql(dialect)
    header, _, body = text.partition("\n")
    assert header.startswith("-- nearhome: reads the canonical tables")
    assert query.tables and all(name in header for name in query.tables)
    assert "ibis_pandas_memtable" not in body  # periods are written out as rows
    assert body.lstrip().upper().startswith(("SELECT", "WITH"))


def _run_text(warehouse: Warehouse, text: str) -> pd.DataFrame:
    """Run the SQL text as an analyst would: straight on the engine's connection."""
    result = warehouse.backend.raw_sql(text)
    if warehouse.name == "duckdb":
        return result.fetch_df()  # type: ignore[no-any-return]
    if warehouse.name == "pyspark":
        return result.toPandas()  # type: ignore[no-any-return]
    with result as cursor:
        rows = cursor.fetchall()
        names = [column.name for column in cursor.description]
    return pd.DataFrame(rows, columns=names)


def _sql_rows(warehouse: Warehouse, text: str) -> pd.DataFrame:
    frame = _run_text(warehouse, text)
    frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.date
    crossed = frame["level_1"].fillna("") != ""
    frame["level"] = frame["level_0"].where(
        ~crossed, frame["level_0"] + dimensions.JOIN + frame["level_1"]
    )
    return frame


def assert_sql_equals_run(
    expected: pd.DataFrame, warehouse: Warehouse, metric_id: str, breakdown: str
) -> None:
    """The SQL's rows equal ``run_metrics``' rows; rows only in ``run_metrics`` are
    the zeros (or empty statistics) it fills in for quiet periods."""
    query = _query(metric_id, breakdown)
    got = _sql_rows(warehouse, query.sql(_dialect(warehouse)))
    mine = expected[
        (expected["measure_id"] == metric_id) & (expected["breakdown"] == breakdown)
    ]
    merged = mine.merge(
        got, on=["period_start", "level"], how="outer", suffixes=("", "_sql")
    )
    assert merged["measure_id"].notna().all(), f"{metric_id}: rows only in the SQL"
    only_run = merged["value_sql"].isna() & merged["numerator_sql"].isna()
    quiet = merged.loc[only_run, "numerator"].fillna(0) == 0
    assert quiet.all(), f"{metric_id}: the SQL lacks rows with a count"
    for column in ("numerator", "denominator", "value"):
        left = merged.loc[~only_run, column].to_numpy(dtype="float64")
        right = merged.loc[~only_run, f"{column}_sql"].to_numpy(dtype="float64")
        same = np.isclose(left, right, rtol=RTOL, atol=0) | (
            np.isnan(left) & np.isnan(right)
        )
        assert same.all(), f"{metric_id} by {breakdown}: {column} differs"


def _dialect(warehouse: Warehouse) -> str:
    return {"pyspark": "spark"}.get(warehouse.name, warehouse.name)


@pytest.fixture(scope="module")
def expected(duckdb_results: pd.DataFrame) -> pd.DataFrame:
    """``run_metrics`` for the whole catalogue, by the backend suite's breakdowns."""
    return duckdb_results


@pytest.mark.parametrize("metric_id", [spec.id for spec in catalogue()])
def test_duckdb_sql_gives_run_metrics_numbers(
    metric_id: str, duckdb_warehouse: Warehouse, expected: pd.DataFrame
) -> None:
    assert_sql_equals_run(expected, duckdb_warehouse, metric_id, "all")


@pytest.mark.parametrize(("metric_id", "breakdown"), SAMPLES)
def test_duckdb_sql_by_breakdown(
    metric_id: str, breakdown: str, duckdb_warehouse: Warehouse, expected: pd.DataFrame
) -> None:
    assert_sql_equals_run(expected, duckdb_warehouse, metric_id, breakdown)


@pytest.mark.spark
@pytest.mark.parametrize(("metric_id", "breakdown"), SAMPLES)
def test_spark_sql_gives_run_metrics_numbers(
    metric_id: str, breakdown: str, spark_warehouse: Warehouse, expected: pd.DataFrame
) -> None:
    assert_sql_equals_run(expected, spark_warehouse, metric_id, breakdown)


@pytest.mark.postgres
@pytest.mark.parametrize(("metric_id", "breakdown"), SAMPLES)
def test_postgres_sql_gives_run_metrics_numbers(
    metric_id: str,
    breakdown: str,
    postgres_warehouse: Warehouse,
    expected: pd.DataFrame,
) -> None:
    assert_sql_equals_run(expected, postgres_warehouse, metric_id, breakdown)


def test_cli_prints_the_sql_with_its_tables() -> None:
    result = CliRunner().invoke(
        app,
        [
            "metrics",
            "sql",
            "activity.admissions",
            "--dialect",
            "mssql",
            "--period",
            SPAN,
            "--by",
            "provider",
        ],
    )
    assert result.exit_code == 0, result.output
    header = result.output.partition("\n")[0]
    assert header.startswith("-- nearhome: reads the canonical tables")
    assert "spell" in header and "provider" in header
    assert "[period_start]" in result.output  # T-SQL quoting


def test_cli_refuses_an_unknown_dialect_and_breakdown() -> None:
    runner = CliRunner()
    args = ["metrics", "sql", "activity.admissions", "--period", SPAN]
    assert runner.invoke(app, [*args, "--dialect", "oracle"]).exit_code == 2
    refused = runner.invoke(app, [*args, "--by", "ri_type"])
    assert isinstance(refused.exception, UnsupportedBreakdown)  # exit 1 via main()
