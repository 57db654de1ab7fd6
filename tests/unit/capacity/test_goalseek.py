"""Goal seeking and the risk view beside the fixed-occupancy view."""

from __future__ import annotations

import doctest

import pytest

from nearhome.capacity import goalseek
from nearhome.capacity.erlang import erlang_b
from nearhome.capacity.goalseek import (
    beds_at_occupancy,
    los_reduction_needed,
    max_demand,
    max_load,
    occupancy_view,
    risk_table,
)


def test_max_load_inverts_erlang_b() -> None:
    a = max_load(20, 0.05)
    assert erlang_b(a, 20) == pytest.approx(0.05, abs=1e-8)
    assert max_load(0, 0.05) == 0.0
    assert max_load(3, 0.9) > 3  # the bracket widens for loose targets


def test_los_cut_and_demand_meet_the_target() -> None:
    cut = los_reduction_needed(0.5, 35.0, 20, 0.05)
    assert erlang_b(0.5 * 35.0 * (1 - cut), 20) == pytest.approx(0.05, abs=1e-6)
    assert los_reduction_needed(0.1, 10.0, 20, 0.05) == 0.0
    assert los_reduction_needed(0.0, 10.0, 20, 0.05) == 0.0
    assert max_demand(20, 35.0, 0.05) * 35.0 == pytest.approx(max_load(20, 0.05))
    with pytest.raises(ValueError, match="mean_los_days"):
        max_demand(20, 0.0)


def test_fixed_occupancy_leaves_small_pools_short_and_big_ones_over() -> None:
    small, big = occupancy_view(8.0), occupancy_view(200.0)
    assert small["p_out_of_area_at_occupancy"] > 0.1
    assert small["beds_for_target"] > small["beds_at_occupancy"]
    assert big["beds_for_target"] < big["beds_at_occupancy"]
    assert occupancy_view(0.0)["occupancy_at_target_beds"] == 0.0


def test_rounding_rules() -> None:
    assert beds_at_occupancy(8.0, 0.85) == 9
    assert beds_at_occupancy(8.0, 0.85, rounding="ceil") == 10
    with pytest.raises(ValueError, match="occupancy"):
        beds_at_occupancy(8.0, 0.0)


def test_risk_table_columns() -> None:
    table = risk_table(17.5, [20, 18, 0])
    assert table["beds"].tolist() == [0, 18, 20]
    row = table.set_index("beds").loc[20]
    assert row["p_out_of_area"] == pytest.approx(0.09734, abs=1e-5)
    assert row["one_in_n"] == pytest.approx(1 / row["p_out_of_area"])
    assert row["oap_bed_days_per_year"] == pytest.approx(
        17.5 * row["p_out_of_area"] * 365.25
    )


def test_doctests() -> None:
    assert doctest.testmod(goalseek).failed == 0
