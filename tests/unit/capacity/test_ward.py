"""simulate_ward: the API, its result and its fast path."""

from __future__ import annotations

import math

import pytest

from nearhome.capacity.ward import simulate_ward, ward_los


def test_ward_result_fields() -> None:
    r = simulate_ward(
        arrivals_per_day=0.5, mean_los=35, beds=20, years=2, reps=60, seed=4
    )
    assert r.erlang_b == pytest.approx(0.09734, abs=1e-5)
    assert r.lower <= r.p_out_of_area <= r.upper
    assert 0.6 < r.mean_occupancy < 0.95
    assert r.occupancy_p10 <= r.occupancy_p50 <= r.occupancy_p90 <= 1.0
    assert r.one_in_n == pytest.approx(1 / r.p_out_of_area)
    assert r.replications_per_second > 0
    assert r.mean_census_by_day.size == math.ceil(2 * 365.25)


def test_numba_flag_gives_the_same_numbers() -> None:
    a = simulate_ward(
        arrivals_per_day=0.5, mean_los=35, beds=20, years=1, reps=20, seed=9
    )
    b = simulate_ward(
        arrivals_per_day=0.5,
        mean_los=35,
        beds=20,
        years=1,
        reps=20,
        seed=9,
        use_numba=True,
    )
    assert a.p_out_of_area == b.p_out_of_area and a.mean_occupancy == b.mean_occupancy


def test_samples_and_bad_los() -> None:
    r = simulate_ward(
        arrivals_per_day=0.5,
        mean_los=0,
        los=[10.0, 30.0, 65.0],
        beds=20,
        years=1,
        reps=10,
    )
    assert r.offered_load == pytest.approx(0.5 * 35.0)
    with pytest.raises(ValueError, match="los must be"):
        ward_los("weibull", 3.0, None)
