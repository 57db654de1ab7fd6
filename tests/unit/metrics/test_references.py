"""Every metric equals its independent plain-pandas reference (``tests/backends/references.py``)
on the tiny extract and on a small synthetic extract, for the ``all`` breakdown."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from nearhome.data.load import load_extract
from nearhome.data.warehouse import Warehouse, connect
from nearhome.metrics.registry import catalogue
from nearhome.metrics.run import run_metrics
from nearhome.periods import parse_span, split

from .conftest import SPAN

SYNTHETIC_SPAN = "2025-10..2026-03"


def _references() -> ModuleType:
    path = Path(__file__).parents[2] / "backends" / "references.py"
    spec = importlib.util.spec_from_file_location("nearhome_test_references", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


REFERENCES = _references()


@pytest.fixture(scope="module")
def synthetic_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    from nearhome.data.synthetic import write_synthetic_extract
    from nearhome.periods import parse_month

    folder = tmp_path_factory.mktemp("synthetic") / "extract"
    write_synthetic_extract(
        folder, icbs=1, years=1, seed=11, scale=0.05, end_month=parse_month("2026-03")
    )
    warehouse = connect("duckdb://")
    load_extract(warehouse, folder)
    return warehouse


def compare(warehouse: Warehouse, span: str) -> list[str]:
    """Ids whose results differ from the reference, with the first difference."""
    periods = split(parse_span(span), "month")
    ours = run_metrics(warehouse, "all", period=span, by="all")
    data = REFERENCES.load(warehouse)
    problems = []
    for spec in catalogue():
        expected = REFERENCES.reference(spec.id, data, periods)
        got = ours[ours["measure_id"] == spec.id].set_index("period_start")
        for row in expected.itertuples():
            actual = got.loc[row.period_start]
            for column in ("numerator", "denominator", "value"):
                a, b = float(actual[column]), float(getattr(row, column))
                if not (np.isnan(a) and np.isnan(b)) and not np.isclose(
                    a, b, rtol=1e-9, atol=1e-9
                ):
                    problems.append(
                        f"{spec.id} {row.period_start} {column}: ours {a}, reference {b}"
                    )
                    break
    return problems


def test_every_metric_has_a_reference() -> None:
    assert {m.id for m in catalogue()} == set(REFERENCES.REFERENCES)


def test_tiny_extract_matches_references(tiny_warehouse: Warehouse) -> None:
    assert compare(tiny_warehouse, SPAN) == []


def test_synthetic_extract_matches_references(synthetic_warehouse: Warehouse) -> None:
    assert compare(synthetic_warehouse, SYNTHETIC_SPAN) == []
