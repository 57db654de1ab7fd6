"""Interrupted time series: recovers a known step, widens for over-dispersion, refuses too little data."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from nearhome.errors import InvalidConfig
from nearhome.reports.evaluate import interrupted_time_series

DATES = pd.date_range("2023-04-01", periods=36, freq="MS")
PILOT = dt.date(2025, 4, 1)


def series(
    step: float, *, seed: int = 3, exposure: bool = False, months: int = 36
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    dates = DATES[:months]
    t = np.arange(months)
    season = 0.1 * np.sin(2 * np.pi * (dates.month.to_numpy() - 1) / 12)
    size = (
        rng.integers(800, 1200, months).astype(float) if exposure else np.ones(months)
    )
    mu = size * np.exp(
        np.log(60 if not exposure else 0.05)
        + 0.004 * t
        + season
        + np.log(step) * (dates >= pd.Timestamp(PILOT))
    )
    frame = pd.DataFrame({"date": dates.date, "count": rng.poisson(mu).astype(float)})
    if exposure:
        frame["exposure"] = size
    return frame


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_known_step_is_inside_its_interval(seed: int) -> None:
    result = interrupted_time_series(series(0.7, seed=seed), PILOT)
    step = result.effect("step")
    assert step["lower"] < 0.7 < step["upper"]
    assert step["upper"] < 1.0
    overall = result.effect("overall")
    assert overall["upper"] < 0
    assert result.seasonality
    assert result.intervention == PILOT


def test_no_change_gives_an_interval_around_one() -> None:
    step = interrupted_time_series(series(1.0), PILOT).effect("step")
    assert step["lower"] < 1.0 < step["upper"]


def test_a_share_is_modelled_as_a_rate() -> None:
    result = interrupted_time_series(series(0.6, exposure=True), PILOT, scale=100)
    assert result.effect("step")["lower"] < 0.6 < result.effect("step")["upper"]
    assert result.spc.points["value"].iloc[0] == pytest.approx(
        result.monthly["count"].iloc[0] / result.monthly["exposure"].iloc[0] * 100
    )


def test_spc_limits_restart_at_the_pilot() -> None:
    result = interrupted_time_series(series(0.5), PILOT)
    points = result.spc.points
    assert points["segment"].nunique() == 2
    before, after = points.groupby("segment")["mean"].first()
    assert after < before


def test_short_series_drop_seasonality_and_say_so() -> None:
    short = series(0.8, months=18)
    result = interrupted_time_series(short, dt.date(2024, 4, 15))
    assert not result.seasonality
    assert any("seasonal" in note for note in result.notes)
    assert result.intervention == dt.date(2024, 5, 1)


def test_too_few_months_either_side() -> None:
    with pytest.raises(InvalidConfig, match="at least 3 on each side"):
        interrupted_time_series(series(0.8), dt.date(2026, 2, 1))


def test_same_seed_same_answer() -> None:
    a = interrupted_time_series(series(0.8), PILOT, seed=5).effects
    b = interrupted_time_series(series(0.8), PILOT, seed=5).effects
    pd.testing.assert_frame_equal(a, b)
