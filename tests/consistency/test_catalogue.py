"""Promises about the catalogue as a whole: metadata, the output contract, the docs."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from nearhome.data.load import load_extract
from nearhome.data.warehouse import Warehouse, connect
from nearhome.metrics import dimensions
from nearhome.metrics.documentation import render_markdown
from nearhome.metrics.registry import FAMILIES, UNITS, catalogue
from nearhome.metrics.run import COLUMNS, run_metrics

DOCS = Path(__file__).parents[2] / "docs" / "reference" / "metrics.md"
SPAN = "2024-03..2024-05"


@pytest.fixture(scope="module")
def warehouse(tiny_extract: Path) -> Warehouse:
    store = connect("duckdb://")
    load_extract(store, tiny_extract)
    return store


@pytest.fixture(scope="module")
def every_breakdown(warehouse: Warehouse) -> pd.DataFrame:
    """The whole catalogue by every single breakdown, on the tiny extract."""
    return run_metrics(warehouse, "all", period=SPAN, by=list(dimensions.dimensions()))


def test_every_metric_is_described() -> None:
    specs = catalogue()
    assert len({s.id for s in specs}) == len(specs)
    for spec in specs:
        assert re.fullmatch(r"[a-z_]+\.[a-z0-9_]+", spec.id), spec.id
        assert spec.family in FAMILIES and spec.id.startswith(spec.family + ".")
        assert spec.title and spec.definition and spec.numerator, spec.id
        assert spec.unit in UNITS, spec.id
        if spec.kind in ("share", "statistic"):
            assert spec.denominator, f"{spec.id} divides by something it does not name"
        assert spec.breakdowns[0] == "all"
        assert set(spec.breakdowns) <= set(dimensions.dimensions()), spec.id


def test_national_ids_are_not_reused() -> None:
    ids = [s.mhsds_id for s in catalogue() if s.mhsds_id]
    assert len(ids) == len(set(ids))


def test_local_definitions_say_so() -> None:
    for spec in catalogue():
        if spec.is_local:
            assert spec.mhsds_id is None, spec.id


def test_reference_page_is_current() -> None:
    assert DOCS.read_text(encoding="utf-8") == render_markdown(), (
        "Regenerate: python -m nearhome.metrics.documentation > docs/reference/metrics.md"
    )


def test_output_contract(every_breakdown: pd.DataFrame) -> None:
    frame = every_breakdown
    assert list(frame.columns) == COLUMNS
    for column in ("numerator", "denominator", "value"):
        assert frame[column].dtype == "float64"
    assert (frame["period_end"] >= frame["period_start"]).all()
    assert frame["level"].notna().all() and frame["level_description"].notna().all()
    assert (
        frame.duplicated(["measure_id", "period_start", "breakdown", "level"]).sum()
        == 0
    )


def test_every_declared_breakdown_runs(every_breakdown: pd.DataFrame) -> None:
    """Each metric answers for the total in every month, and every declared breakdown
    either has rows or nothing to show in the tiny extract (never an error)."""
    counts = every_breakdown.groupby(["measure_id", "breakdown"]).size()
    for spec in catalogue():
        assert counts.get((spec.id, "all")) == 3, spec.id
        undeclared = set(
            every_breakdown[every_breakdown["measure_id"] == spec.id]["breakdown"]
        ) - set(spec.breakdowns)
        assert not undeclared, f"{spec.id}: {undeclared}"
