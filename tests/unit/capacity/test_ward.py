"""simulate_ward: the API, its result and its fast path."""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import pytest

from nearhome.capacity.batch import empty_records
from nearhome.capacity.draws import build_batch
from nearhome.capacity.engine import run_batch
from nearhome.capacity.measures import measure_batch
from nearhome.capacity.plan import PlanModel, PoolModel
from nearhome.capacity.ward import _census_quantiles, _model, simulate_ward, ward_los
from nearhome.capacity.ward_kernel import census_histogram, count_ward, is_plain_ward


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


def _plain_ward_model(los: str, start: Literal["stationary", "empty"]) -> PlanModel:
    """A plain ward (one always-open pool, nobody waits) over three years."""
    dist = ward_los(los, 35.0, 50.0)
    days = math.ceil(3 * 365.25)
    warm = 0.0 if start == "stationary" else 365.25
    return _model(np.full(days, 0.5), dist, 20, start, warm, 5)


@pytest.mark.parametrize("los", ["exponential", "lognormal", "deterministic"])
@pytest.mark.parametrize("start", ["stationary", "empty"])
def test_direct_ward_counts_are_the_engines(
    los: str, start: Literal["stationary", "empty"]
) -> None:
    """Both ward cores and the general engine give identical counts from one batch."""
    model = _plain_ward_model(los, start)
    days = int(model.horizon)
    batch = build_batch(model, range(30))
    assert is_plain_ward(batch)
    records = empty_records(batch.reps, batch.pools, batch.capacities())
    run_batch(batch, records)
    m = measure_batch(batch, records, model.month_edges, days)
    for use_numba in (False, True):
        c = count_ward(batch, days, use_numba=use_numba)
        assert np.array_equal(c.arrivals, m.arrivals[:, 0])
        assert np.array_equal(c.sent_away, m.sent_away[:, 0])
        assert np.array_equal(c.census, m.census[:, 0])
    assert m.sent_away.sum() > 0


@pytest.mark.parametrize(
    ("los", "sd"), [("exponential", None), ("lognormal", 50.0), ("deterministic", None)]
)
def test_numba_and_numpy_wards_agree_and_match_erlang_b(
    los: str, sd: float | None
) -> None:
    """Same seeds, same draws: identical answers; both within 3 SE of Erlang B."""
    kw = {"arrivals_per_day": 0.5, "mean_los": 35.0, "beds": 20, "los": los}
    for warmup in (None, 1.0):  # starts in balance; starts empty with a warm-up
        a = simulate_ward(
            **kw, los_sd=sd, years=4, reps=300, seed=31, warmup_years=warmup
        )
        b = simulate_ward(
            **kw,
            los_sd=sd,
            years=4,
            reps=300,
            seed=31,
            warmup_years=warmup,
            use_numba=True,
        )
        assert (a.p_out_of_area, a.se) == (b.p_out_of_area, b.se)
        assert a.mean_occupancy == b.mean_occupancy
        assert (a.occupancy_p10, a.occupancy_p50, a.occupancy_p90) == (
            b.occupancy_p10,
            b.occupancy_p50,
            b.occupancy_p90,
        )
        assert np.array_equal(a.mean_census_by_day, b.mean_census_by_day)
        assert a.erlang_b == pytest.approx(0.0973445, abs=1e-6)
        assert abs(b.p_out_of_area - b.erlang_b) < 3 * b.se


def test_census_quantiles_are_numpys() -> None:
    rng = np.random.default_rng(8)
    for _ in range(50):
        census = rng.integers(0, 25, size=(7, 40)).astype(np.int32)
        beds = int(rng.integers(1, 25))
        expected = np.quantile(census / beds, [0.1, 0.5, 0.9])
        got = _census_quantiles(census, (0.1, 0.5, 0.9), beds)
        assert got == pytest.approx(tuple(expected), rel=1e-12, abs=1e-15)


def test_count_ward_refuses_a_pool_where_people_wait() -> None:
    model = _plain_ward_model("exponential", "empty")
    pool = PoolModel(**{**model.pools[0].__dict__, "arrival_wait": True})
    queued = PlanModel(**{**model.__dict__, "pools": (pool,)})
    batch = build_batch(queued, range(2))
    assert not is_plain_ward(batch)
    with pytest.raises(ValueError, match="nobody waits"):
        count_ward(batch, int(model.horizon), use_numba=False)


def test_census_histogram_is_bincount() -> None:
    rng = np.random.default_rng(3)
    census = rng.integers(0, 25, size=(40, 300)).astype(np.int32)
    window = census[:, -120:]  # a window, as the occupancy quantiles read it
    assert np.array_equal(census_histogram(window), np.bincount(window.ravel()))
    assert census_histogram(np.zeros((0, 5), dtype=np.int32)).size == 0
    with pytest.raises(ValueError, match="negative"):
        census_histogram(np.array([[1, -1]], dtype=np.int32))
