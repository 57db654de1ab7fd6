"""Exports: CSV, Parquet and Excel carry the disclosure policy; the catalogue writer."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

from nearhome.errors import InvalidConfig
from nearhome.metrics.export import write_catalogue, write_results
from nearhome.metrics.run import run_metrics

from .conftest import SPAN

WHEN = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def results(tiny_warehouse) -> pd.DataFrame:
    return run_metrics(
        tiny_warehouse,
        "bed_days.occupied,restrictive.people",
        period=SPAN,
        by="all,provider",
    )


def test_csv_with_metadata(results, tmp_path) -> None:
    path = write_results(results, tmp_path / "out.csv", generated_at=WHEN)
    frame = pd.read_csv(path)
    assert "*" in set(frame["value"].astype(str))
    meta = json.loads((tmp_path / "out.csv.metadata.json").read_text())
    assert meta["disclosure"]["name"] == "mhsds"
    assert meta["generated_at"] == "2026-01-02T03:04:05+00:00"


def test_parquet_keeps_numbers_and_marks_suppression(results, tmp_path) -> None:
    path = write_results(
        results, tmp_path / "out.parquet", suppress="hes", generated_at=WHEN
    )
    table = pq.read_table(path)
    meta = json.loads(table.schema.metadata[b"nearhome"])
    assert meta["disclosure"]["name"] == "hes"
    frame = table.to_pandas()
    assert frame["value"].dtype == "float64"
    assert frame["value_suppressed"].any()


def test_excel_sheets(results, tmp_path) -> None:
    path = write_results(
        results, tmp_path / "out.xlsx", suppress="none", generated_at=WHEN
    )
    sheets = pd.read_excel(path, sheet_name=None)
    assert list(sheets) == ["bed_days", "restrictive", "definitions", "metadata"]
    assert set(sheets["definitions"]["measure_id"]) == {
        "bed_days.occupied",
        "restrictive.people",
    }
    meta = dict(
        zip(sheets["metadata"]["key"], sheets["metadata"]["value"], strict=True)
    )
    assert json.loads(meta["disclosure"])["name"] == "none"


def test_unknown_suffix(results, tmp_path) -> None:
    with pytest.raises(InvalidConfig, match="xlsx"):
        write_results(results, tmp_path / "out.txt")


def test_write_catalogue(tiny_warehouse, tmp_path) -> None:
    written = write_catalogue(
        tiny_warehouse,
        tmp_path,
        period=SPAN,
        icb="QAA",
        by=("all", "provider"),
        formats=("csv", "xlsx"),
        generated_at=WHEN,
    )
    assert set(written) == {"csv", "xlsx"}
    frame = pd.read_csv(written["csv"])
    assert frame["measure_id"].nunique() > 100
    meta = json.loads((tmp_path / "metrics.csv.metadata.json").read_text())
    assert meta["scope"] == "QAA" and meta["national_total"] is False
