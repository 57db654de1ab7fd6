"""A request builds only the facts columns it reads, and that never changes a figure."""

from __future__ import annotations

import pandas as pd
import pytest

from nearhome.data.warehouse import Warehouse
from nearhome.metrics import dimensions
from nearhome.metrics.calendar import periods_table
from nearhome.metrics.coded import PeriodGrid
from nearhome.metrics.compute import Run, WarehouseTables, plan
from nearhome.metrics.registry import resolve
from nearhome.metrics.run import run_metrics
from nearhome.periods import parse_span, split

from .conftest import SPAN


def _read(
    warehouse: Warehouse, metric: str, by: str, icb: str | None = None
) -> set[str]:
    periods = split(parse_span(SPAN), "month")
    run = Run(
        warehouse,
        WarehouseTables(warehouse),
        periods_table(periods),
        PeriodGrid([p.start for p in periods], [p.last_day for p in periods]),
        icb,
    )
    specs = resolve(metric)
    request = plan(specs, dimensions.parse_many(by))
    ((facts, groups),) = request.by_facts.items()
    return set(run.read(facts, groups, specs))


def test_bed_days_by_icb_read_the_days_and_the_icb_only(
    tiny_warehouse: Warehouse,
) -> None:
    read = _read(tiny_warehouse, "bed_days.occupied", "all,icb")
    assert read == {"period_start", "period_last", "bed_days", "icb_code"}


def test_a_scoped_request_also_reads_its_scope(tiny_warehouse: Warehouse) -> None:
    read = _read(tiny_warehouse, "occupancy.available_beds", "all", icb="X")
    assert "site_icb_code" in read


def test_filters_and_name_columns_are_read(tiny_warehouse: Warehouse) -> None:
    read = _read(tiny_warehouse, "length_of_stay.adult_acute_60_plus", "provider")
    assert {"provider_code", "provider_name", "los_days", "bed_type_code"} <= read


NARROW = [
    "activity.admissions",
    "bed_days.occupied",
    "bed_days.occupied_less_leave",
    "detentions.detained_bed_days",
    "length_of_stay.median",
    "readmissions.within_30_days",
    "restrictive.interventions",
    "delayed_discharge.crfd_days",
]


@pytest.mark.parametrize("by", ["all", "icb", "legal_status_group", "bed_type"])
def test_narrow_requests_give_the_whole_catalogues_figures(
    tiny_warehouse: Warehouse, by: str
) -> None:
    wide = run_metrics(
        tiny_warehouse, NARROW, period=SPAN, by=list(dimensions.dimensions())
    )
    narrow = run_metrics(tiny_warehouse, NARROW, period=SPAN, by=by)

    expected = wide[wide["breakdown"] == by].reset_index(drop=True)
    assert len(narrow) > 0
    pd.testing.assert_frame_equal(narrow.reset_index(drop=True), expected)
