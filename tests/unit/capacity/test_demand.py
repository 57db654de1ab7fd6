"""The admissions GLM recovers what it was simulated with."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from nearhome.capacity.demand import fit_demand


def _simulate(
    days: pd.DatetimeIndex, seed: int, *, trend: float = 0.0, noise: float = 0.0
) -> pd.Series:
    rng = np.random.default_rng(seed)
    t = (days - days[0]).days.to_numpy() / 365.25
    doy = days.dayofyear.to_numpy() - 0.5
    lam = 3.0 * np.exp(
        trend * t
        + 0.15 * np.cos(2 * math.pi * doy / 365.25)
        + 0.05 * np.sin(2 * math.pi * doy / 365.25)
    )
    lam = lam * np.where(days.weekday >= 5, 0.7, 1.1)
    if noise:
        months = days.to_period("M")
        factor = pd.Series(
            rng.gamma(1 / noise**2, noise**2, len(months.unique())),
            index=months.unique(),
        )
        lam = lam * factor.reindex(months).to_numpy()
    return pd.Series(rng.poisson(lam), index=days)


DAYS = pd.date_range("2021-04-01", "2025-03-31")


def test_recovers_season_weekday_and_trend() -> None:
    fit = fit_demand(_simulate(DAYS, 1, trend=0.08))
    assert fit.family == "poisson"
    assert fit.params["cos1"] == pytest.approx(0.15, abs=0.04)
    weekend = (fit.params["wd5"] + fit.params["wd6"]) / 2
    weekdays = sum(fit.params[f"wd{w}"] for w in range(1, 5)) / 5
    assert weekend - weekdays == pytest.approx(math.log(0.7 / 1.1), abs=0.06)
    spec = fit.admissions_spec(pd.Timestamp("2025-04-01"))
    assert spec.trend_pct_per_year == pytest.approx(100 * math.expm1(0.08), abs=3.0)
    assert spec.per_day == pytest.approx(3.0 * math.exp(0.08 * 4) * 0.98, rel=0.12)
    assert spec.weekday_factors[0] == 1.0 and len(spec.annual_cos) == 2


def test_no_trend_is_not_invented() -> None:
    fit = fit_demand(_simulate(DAYS, 2))
    assert (
        abs(fit.trend_z) < 2
        or fit.admissions_spec(pd.Timestamp("2025-04-01")).trend_pct_per_year != 0
    )
    assert (
        fit.admissions_spec(pd.Timestamp("2025-04-01")).trend_pct_per_year == 0.0
        or abs(fit.trend_z) >= 2
    )


def test_extra_monthly_variation_is_measured() -> None:
    fit = fit_demand(_simulate(DAYS, 3, noise=0.2))
    assert fit.monthly_cv == pytest.approx(0.2, abs=0.08)
    assert fit.family in {"poisson", "negative_binomial"}


def test_population_offset_and_sparse_data() -> None:
    y = _simulate(DAYS, 4)
    pop = pd.Series(np.linspace(1.0e5, 1.1e5, len(DAYS)), index=DAYS)
    fit = fit_demand(y, pop)
    assert fit.uses_population
    spec = fit.admissions_spec(pd.Timestamp("2025-04-01"), 1.1e5)
    assert spec.per_day == pytest.approx(y.mean(), rel=0.15)
    short = fit_demand(pd.Series([0, 1, 0, 0, 2], index=DAYS[:5]))
    assert short.family == "mean_only"
    assert short.admissions_spec(DAYS[5]).per_day == pytest.approx(0.6)
