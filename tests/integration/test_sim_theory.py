"""The simulation against queueing theory, within Monte Carlo error (|bias| < 3 SE).

Seeds are fixed, so these tests are deterministic; the tolerance is stated in standard
errors of the pooled ratio estimator so a genuine bias of a few per cent would show.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from nearhome.capacity.erlang import erlang_b, erlang_c
from nearhome.capacity.queueing import sinusoidal_mean_occupancy
from nearhome.capacity.ward import simulate_ward

WARD = {"arrivals_per_day": 0.5, "mean_los": 35.0, "beds": 20}


@pytest.mark.parametrize(
    ("los", "sd"), [("exponential", None), ("lognormal", 50.0), ("deterministic", None)]
)
def test_loss_matches_erlang_b_whatever_the_stay_distribution(
    los: str, sd: float | None
) -> None:
    r = simulate_ward(**WARD, los=los, los_sd=sd, years=4, reps=300, seed=2024)
    assert r.erlang_b == pytest.approx(0.0973445, abs=1e-6)
    assert abs(r.p_out_of_area - r.erlang_b) < 3 * r.se
    # carried load: occupancy = load (1 - B) / beds
    assert r.mean_occupancy == pytest.approx(17.5 * (1 - r.erlang_b) / 20, abs=0.01)


def test_queue_matches_erlang_c() -> None:
    r = simulate_ward(**WARD, overflow="queue", years=6, reps=120, seed=7)
    assert r.erlang_c == pytest.approx(erlang_c(17.5, 20))
    assert abs(r.p_wait - r.erlang_c) < 3 * r.p_wait_se
    assert r.p_out_of_area == 0.0


def test_sinusoidal_rate_with_unlimited_beds_matches_the_exact_mean() -> None:
    period, days, warm = 365.25, 3 * 365, 1.0
    k = np.arange(days)
    rates = 0.5 * (
        1
        + 0.4
        * (np.cos(2 * math.pi * k / period) - np.cos(2 * math.pi * (k + 1) / period))
        * period
        / (2 * math.pi)
    )
    r = simulate_ward(
        arrivals_per_day=rates,
        mean_los=35.0,
        beds=80,
        years=0,
        reps=200,
        seed=3,
        warmup_years=warm,
    )
    assert r.p_out_of_area == 0.0  # unlimited beds: nobody goes out of area
    exact = sinusoidal_mean_occupancy(
        k.astype(float),
        mean_rate=0.5,
        amplitude=0.4,
        period_days=period,
        mean_los_days=35.0,
    )
    window = slice(400, days)
    simulated = r.mean_census_by_day[window]
    # daily means over 200 replications: SE per day is sqrt(m/200); average over the window
    se = float(np.sqrt(exact[window].mean() / 200) / np.sqrt(simulated.size / 35))
    assert abs(float((simulated - exact[window]).mean())) < 3 * se
    assert np.corrcoef(simulated, exact[window])[0, 1] > 0.95


def test_erlang_b_formula_is_in_the_ward_result() -> None:
    assert erlang_b(17.5, 20) == pytest.approx(0.09734, abs=1e-5)
