"""Prepared monthly facts: the same figures, read only while they are current."""

from __future__ import annotations

from pathlib import Path

import ibis
import pandas as pd
import pytest
from typer.testing import CliRunner

from nearhome.cli import app as cli
from nearhome.cli.metrics import app
from nearhome.data.load import load_extract
from nearhome.data.warehouse import Warehouse, connect
from nearhome.errors import DataError
from nearhome.metrics import catalogue, dimensions, prepared
from nearhome.metrics.measures import FactMeasure, Facts
from nearhome.metrics.prepared import (
    MANIFEST,
    PREFIX,
    facts_tables,
    prepare_facts,
    usable,
)
from nearhome.metrics.run import run_metrics
from nearhome.periods import parse_span, split

from .conftest import SPAN

EVERY_BREAKDOWN = list(dimensions.dimensions())
CROSSED = "all,icb*ethnic_group,bed_type*gender,ward*legal_status_group"


def _loaded(extract: Path) -> Warehouse:
    warehouse = connect("duckdb://")
    load_extract(warehouse, extract)
    return warehouse


@pytest.fixture(scope="module")
def ready(tiny_extract: Path) -> Warehouse:
    """The tiny extract loaded and prepared (read-only use)."""
    warehouse = _loaded(tiny_extract)
    prepare_facts(warehouse)
    return warehouse


@pytest.fixture
def fresh(tiny_extract: Path) -> Warehouse:
    """The tiny extract loaded, not prepared, for a test that writes to it."""
    return _loaded(tiny_extract)


def _prepared_tables(warehouse: Warehouse) -> list[str]:
    return sorted(t for t in warehouse.list_tables() if t.startswith(PREFIX))


def test_one_table_per_facts_for_every_loaded_month(ready: Warehouse) -> None:
    manifest = ready.execute(ready.table(MANIFEST))
    aggregated = {
        spec.computation.facts.name
        for spec in catalogue(include_internal=True)
        if isinstance(spec.computation, FactMeasure)
    }
    assert len(aggregated) == 13
    assert set(manifest["facts"]) == aggregated
    assert _prepared_tables(ready) == sorted(
        [MANIFEST, *(PREFIX + k for k in aggregated)]
    )
    # The tiny extract's spells were submitted for March, April and May 2024.
    assert set(pd.to_datetime(manifest["first_month"]).dt.strftime("%Y-%m")) == {
        "2024-03"
    }
    assert set(pd.to_datetime(manifest["last_month"]).dt.strftime("%Y-%m")) == {
        "2024-05"
    }
    # Admissions: 7, 3 and 1 in March, April and May (worked out in test_activity.py).
    admissions = ready.table(PREFIX + "admissions")
    by_month = ready.execute(
        admissions.group_by("period_start").aggregate(n=admissions.count())
    )
    counts = dict(zip(by_month["period_start"].astype(str), by_month["n"], strict=True))
    assert counts == {"2024-03-01": 7, "2024-04-01": 3, "2024-05-01": 1}
    assert manifest.set_index("facts").loc["admissions", "rows"] == 11


@pytest.mark.parametrize(
    ("span", "by", "icb"),
    [
        (SPAN, EVERY_BREAKDOWN, None),
        ("2024-04", "all,age_mhs07,provider,crfd_reason,ri_type,distance_band", None),
        ("2024-04..2024-05", CROSSED, None),
        (SPAN, "all,sub_icb,ward,gender", "QAA"),
    ],
)
def test_prepared_facts_give_the_figures_built_facts_give(
    ready: Warehouse, span: str, by: str | list[str], icb: str | None
) -> None:
    """The whole catalogue, by every breakdown, for all or some of the prepared
    months and for one ICB: reading prepared rows changes no figure."""
    built = run_metrics(ready, "all", period=span, by=by, icb=icb, prepared=False)
    read = run_metrics(ready, "all", period=span, by=by, icb=icb)
    assert not built.attrs["nearhome"]["prepared_facts"]
    assert read.attrs["nearhome"]["prepared_facts"]
    assert len(read) > 0
    pd.testing.assert_frame_equal(read, built)


def test_the_prepared_rows_are_the_ones_read(fresh: Warehouse) -> None:
    """Remove April's prepared admissions: a monthly run then counts none in April,
    so the figures come from the stored rows and not from a fresh build."""
    prepare_facts(fresh)
    table = PREFIX + "admissions"
    stored = fresh.table(table)
    kept = stored.filter(stored.period_start != ibis.date(2024, 4, 1))
    fresh.write_table("kept", kept)
    fresh.write_table(table, fresh.table("kept"))
    after = run_metrics(fresh, "activity.admissions", period=SPAN)
    built = run_metrics(fresh, "activity.admissions", period=SPAN, prepared=False)
    assert list(after["value"]) == [7, 0, 1]
    assert list(built["value"]) == [7, 3, 1]


def test_other_frequencies_and_months_outside_build_their_facts(
    ready: Warehouse,
) -> None:
    """A quarter is not the sum of its months (people at the period's end, distinct
    counts): prepared monthly rows serve monthly requests inside the prepared months
    only."""
    months = split(parse_span(SPAN), "month")
    assert usable(ready, months, "month") is not None
    assert usable(ready, months, "quarter") is None
    assert usable(ready, months, "rolling12") is None
    assert (
        usable(ready, split(parse_span("2024-02..2024-05"), "month"), "month") is None
    )
    assert (
        usable(ready, split(parse_span("2024-04..2024-06"), "month"), "month") is None
    )
    wider = run_metrics(ready, "bed_days.occupied", period="2024-02..2024-05")
    assert not wider.attrs["nearhome"]["prepared_facts"]
    assert list(wider["value"])[1:] == [152, 180, 181]


def test_a_new_load_makes_prepared_facts_stale(
    fresh: Warehouse, tiny_extract: Path
) -> None:
    """Loading again (even the same files) may change the canonical tables: what was
    prepared before it is no longer read, and the figures are still right."""
    prepare_facts(fresh)
    assert run_metrics(fresh, "bed_days.occupied", period=SPAN).attrs["nearhome"][
        "prepared_facts"
    ]
    load_extract(fresh, tiny_extract)
    again = run_metrics(fresh, "bed_days.occupied", period=SPAN)
    assert not again.attrs["nearhome"]["prepared_facts"]
    assert list(again["value"]) == [152, 180, 181]


def test_changed_definitions_make_prepared_facts_stale(
    ready: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prepared, "definitions_fingerprint", lambda: "changed")
    frame = run_metrics(ready, "bed_days.occupied", period=SPAN)
    assert not frame.attrs["nearhome"]["prepared_facts"]


def test_a_failed_preparation_leaves_the_last_one(
    fresh: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    prepare_facts(fresh)
    manifest = fresh.execute(fresh.table(MANIFEST))
    kinds = facts_tables()

    def broken(*_args: object) -> ibis.Table:
        raise RuntimeError("disk full")

    failing = [
        Facts(f.name, broken, f.dimensions, f.scope) if i == 3 else f
        for i, f in enumerate(kinds)
    ]
    monkeypatch.setattr(prepared, "facts_tables", lambda: failing)
    with pytest.raises(RuntimeError, match="disk full"):
        prepare_facts(fresh)
    pd.testing.assert_frame_equal(fresh.execute(fresh.table(MANIFEST)), manifest)
    assert run_metrics(fresh, "bed_days.occupied", period=SPAN).attrs["nearhome"][
        "prepared_facts"
    ]


def test_nothing_to_prepare_before_a_load() -> None:
    with pytest.raises(DataError, match="no hospital spells"):
        prepare_facts(connect("duckdb://"))


def test_cli_loads_prepares_and_runs_read_them(
    tiny_extract: Path, tmp_path: Path
) -> None:
    url = f"duckdb:///{tmp_path / 'wh.duckdb'}"
    runner = CliRunner()
    loaded = runner.invoke(cli, ["data", "load", str(tiny_extract), "--warehouse", url])
    assert loaded.exit_code == 0, loaded.output
    assert f"nearhome metrics prepare --warehouse {url}" in loaded.output
    result = runner.invoke(app, ["prepare", "--warehouse", url])
    assert result.exit_code == 0, result.output
    assert "ward_stays" in result.output and "2024-03..2024-05" in result.output
    store = connect(url)
    frame = run_metrics(store, "bed_days.occupied", period=SPAN)
    assert frame.attrs["nearhome"]["prepared_facts"]
    assert list(frame["value"]) == [152, 180, 181]
    store.close()


def test_cli_refuses_to_prepare_an_empty_warehouse(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path / 'empty.duckdb'}"
    result = CliRunner().invoke(app, ["prepare", "--warehouse", url])
    assert result.exit_code != 0
    assert isinstance(result.exception, DataError)
