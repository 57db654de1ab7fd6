"""Erlang B and C: published values, stability at large loads, inverse searches."""

from __future__ import annotations

import doctest
import itertools
import math

import pytest

from nearhome.capacity import erlang
from nearhome.capacity.erlang import (
    beds_for,
    beds_for_repatriating,
    beds_for_wait,
    erlang_b,
    erlang_b_curve,
    erlang_c,
    offered_load,
    out_of_area_repatriating,
)


def test_known_values() -> None:
    assert erlang_b(10, 10) == pytest.approx(0.214582, abs=5e-7)
    assert erlang_b(offered_load(0.5, 35), 20) == pytest.approx(0.09734, abs=5e-6)
    assert erlang_c(17.5, 20) == pytest.approx(0.46316, abs=5e-6)


def test_small_unit_sends_many_away_at_85_percent() -> None:
    # offered load 8 beds, 85% occupancy rule -> 10 beds -> 12% of admissions sent out of area
    beds = math.ceil(8 / 0.85)
    assert beds == 10
    assert erlang_b(8, beds) == pytest.approx(0.1217, abs=1e-4)


def test_stable_at_load_1000() -> None:
    curve = erlang_b_curve(1000.0, 1100)
    assert all(0.0 <= b <= 1.0 for b in curve)
    assert all(a >= b for a, b in itertools.pairwise(curve))
    # normal approximation: B(1000, 1000) is about 0.025
    assert curve[1000] == pytest.approx(0.0245, abs=2e-3)


def test_edge_cases() -> None:
    assert erlang_b(0, 5) == 0.0
    assert erlang_b(3, 0) == 1.0
    assert erlang_c(0, 3) == 0.0
    assert erlang_c(5, 5) == 1.0
    assert beds_for(0.0) == 0
    assert beds_for_wait(0.0) == 0


def test_inverse_searches_are_minimal() -> None:
    for load in (0.7, 8.0, 17.5, 120.0):
        n = beds_for(load, 0.05)
        assert erlang_b(load, n) <= 0.05 < erlang_b(load, n - 1)
        w = beds_for_wait(load, 0.2)
        assert erlang_c(load, w) <= 0.2
        assert w - 1 <= load or erlang_c(load, w - 1) > 0.2


@pytest.mark.parametrize(
    ("load", "beds"), [(-1.0, 3), (math.nan, 3), (2.0, -1), (2.0, 1.5)]
)
def test_bad_inputs_are_refused(load: float, beds: float) -> None:
    with pytest.raises(ValueError, match="must be"):
        erlang_b(load, beds)  # type: ignore[arg-type]


def test_target_must_be_a_share() -> None:
    with pytest.raises(ValueError, match="max_out_of_area"):
        beds_for(3.0, 0.0)
    with pytest.raises(ValueError, match="max_wait_probability"):
        beds_for_wait(3.0, 1.5)


def test_doctests() -> None:
    assert doctest.testmod(erlang).failed == 0


def test_share_sent_away_when_everyone_is_brought_back_is_the_poisson_tail() -> None:
    # load 5, 6 beds: P(N >= 6) = 1 - e^-5 (1 + 5 + 25/2 + 125/6 + 625/24 + 3125/120)
    by_hand = 1 - math.exp(-5) * (1 + 5 + 12.5 + 125 / 6 + 625 / 24 + 3125 / 120)
    assert by_hand == pytest.approx(0.384039, abs=5e-7)
    assert out_of_area_repatriating(5.0, 6) == pytest.approx(by_hand, abs=1e-12)
    # far above the loss system's share for the same pool
    assert erlang_b(5.0, 6) == pytest.approx(0.191, abs=1e-3)
    # P(N >= 9) = 0.0681 > 5% >= P(N >= 10) = 0.0318
    assert out_of_area_repatriating(5.0, 9) == pytest.approx(0.06809, abs=1e-5)
    assert beds_for_repatriating(5.0, 0.05) == 10
    assert out_of_area_repatriating(0.0, 4) == 0.0
    assert out_of_area_repatriating(3.0, 0) == 1.0
    assert beds_for_repatriating(0.0) == 0


def test_repatriating_beds_search_is_minimal_and_stable() -> None:
    for load in (0.7, 8.0, 85.55, 1000.0):
        n = beds_for_repatriating(load, 0.05)
        assert out_of_area_repatriating(load, n) <= 0.05
        assert out_of_area_repatriating(load, n - 1) > 0.05
        assert n >= beds_for(load, 0.05)
    # the demo ICB's adult acute male pool: load 85.55 needs 102 beds, not Erlang's 91
    assert beds_for_repatriating(85.55) == 102 and beds_for(85.55) == 91
