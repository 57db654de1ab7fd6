"""A request builds only the facts columns it reads, and that never changes a figure."""

from __future__ import annotations

import pandas as pd
import pytest

from nearhome.data.warehouse import Warehouse
from nearhome.metrics import dimensions
from nearhome.metrics.calendar import periods_table
from nearhome.metrics.compute import WarehouseTables, columns_read, plan
from nearhome.metrics.query import metric_query
from nearhome.metrics.registry import get, resolve
from nearhome.metrics.run import run_metrics
from nearhome.periods import parse_span, split

from .conftest import SPAN


def _read(
    warehouse: Warehouse, metric: str, by: str, icb: str | None = None
) -> set[str]:
    periods = periods_table(split(parse_span(SPAN), "month"))
    specs = resolve(metric)
    request = plan(specs, dimensions.parse_many(by))
    ((facts, groups),) = request.by_facts.items()
    tables = WarehouseTables(warehouse)
    return set(
        columns_read(facts, list(groups), specs, tables, periods, icb is not None)
    )


def test_bed_days_by_icb_read_the_days_and_the_icb_only(
    tiny_warehouse: Warehouse,
) -> None:
    read = _read(tiny_warehouse, "bed_days.occupied", "all,icb")
    assert read == {"period_start", "period_last", "bed_days", "icb_code"}


def test_a_scoped_request_also_reads_its_scope(tiny_warehouse: Warehouse) -> None:
    assert "site_icb_code" not in _read(
        tiny_warehouse, "occupancy.available_beds", "all"
    )
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
    "out_of_area.outside_own_icb_people",
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


def test_one_metrics_sql_reads_only_the_tables_it_needs() -> None:
    periods = split(parse_span(SPAN), "month")
    by_icb = metric_query(get("activity.admissions"), periods, ("icb",))
    by_ward = metric_query(get("activity.admissions"), periods, ("ward",))

    assert set(by_icb.tables) == {"spell", "person"}
    assert "ward_stay" in by_ward.tables  # the ward on the admission day is looked up


def test_reading_a_derived_attribute_reads_what_it_is_made_from(
    tiny_warehouse: Warehouse,
) -> None:
    read = _read(tiny_warehouse, "out_of_area.outside_own_icb_people", "all")
    assert {"is_in_area", "icb_code", "site_icb_code"} <= read
