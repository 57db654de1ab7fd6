"""Daily admissions as a log-linear count model: trend, season, weekday, population.

``log E[admissions on day d] = β0 + β_t·years + Σ_k (a_k cos + b_k sin)(2πk·doy/365.25)
+ γ_weekday + log(population)``, fitted as a Poisson GLM (statsmodels). When the counts
vary more than Poisson allows, the negative-binomial family is used with its ``alpha``
estimated by moments. A trend is carried into the plan only when it stands clear of noise (|z| >= 2): a trend
fitted to three noisy years and compounded over three more does more harm than none.
Extra variation from month to month (the thing that makes a winter
worse than the model) is measured separately as a coefficient of variation, which the
simulation uses to widen its intervals honestly.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm

from nearhome.capacity.scenario import AdmissionsSpec

__all__ = ["DemandFit", "fit_demand", "fourier_design"]

DAYS_PER_YEAR = 365.25
MIN_DAYS_FOR_SEASON = 365
MIN_DAYS_FOR_TREND = 2 * 365
TREND_Z = 2.0


def fourier_design(
    dates: pd.DatetimeIndex,
    harmonics: int,
    *,
    origin: pd.Timestamp,
    weekdays: bool = True,
) -> pd.DataFrame:
    """Design matrix: constant, years since ``origin``, Fourier terms, weekday dummies."""
    doy = (dates.dayofyear - 1 + 0.5).to_numpy(dtype=np.float64)
    cols: dict[str, np.ndarray] = {  # type: ignore[type-arg]
        "const": np.ones(len(dates)),
        "years": ((dates - origin).days.to_numpy(dtype=np.float64)) / DAYS_PER_YEAR,
    }
    for k in range(1, harmonics + 1):
        angle = 2 * math.pi * k * doy / DAYS_PER_YEAR
        cols[f"cos{k}"] = np.cos(angle)
        cols[f"sin{k}"] = np.sin(angle)
    if weekdays:
        for w in range(1, 7):
            cols[f"wd{w}"] = (dates.weekday == w).astype(np.float64)
    return pd.DataFrame(cols, index=dates)


@dataclass(frozen=True)
class DemandFit:
    """A fitted admissions model for one pool."""

    params: dict[str, float]
    family: str
    alpha: float
    harmonics: int
    origin: pd.Timestamp
    monthly_cv: float
    trend_z: float
    days: int
    admissions: int
    uses_population: bool

    def predict(
        self, dates: pd.DatetimeIndex, population: pd.Series | None = None
    ) -> np.ndarray:  # type: ignore[type-arg]
        """Expected admissions on each date (population by date if the model has an offset)."""
        design = fourier_design(dates, self.harmonics, origin=self.origin)
        beta = np.array([self.params.get(c, 0.0) for c in design.columns])
        eta = design.to_numpy() @ beta
        if self.uses_population and population is not None:
            eta = eta + np.log(population.to_numpy(dtype=np.float64))
        return np.asarray(np.exp(eta))

    @property
    def trend(self) -> float:
        """Log-rate change a year, kept only when it is clear of noise (|z| >= 2)."""
        return self.params.get("years", 0.0) if abs(self.trend_z) >= TREND_Z else 0.0

    def admissions_spec(
        self, start: pd.Timestamp, population: float | None = None
    ) -> AdmissionsSpec:
        """Scenario admissions from the plan start: annual mean, trend, season, weekdays."""
        year = pd.date_range(start, periods=365, freq="D")
        pop = (
            pd.Series(population, index=year)
            if (self.uses_population and population)
            else None
        )
        per_day = float(self.predict(year, pop).mean())
        cos = [self.params.get(f"cos{k}", 0.0) for k in range(1, self.harmonics + 1)]
        sin = [self.params.get(f"sin{k}", 0.0) for k in range(1, self.harmonics + 1)]
        weekday = [1.0] + [
            math.exp(self.params.get(f"wd{w}", 0.0)) for w in range(1, 7)
        ]
        return AdmissionsSpec(
            per_day=round(per_day, 6),
            trend_pct_per_year=round(
                float(np.clip(100 * math.expm1(self.trend), -50, 100)), 4
            ),
            annual_cos=[round(c, 6) for c in cos],
            annual_sin=[round(s, 6) for s in sin],
            weekday_factors=[round(w, 6) for w in weekday],
            monthly_rate_cv=round(min(self.monthly_cv, 2.0), 6),
        )


def _monthly_cv(counts: pd.Series, expected: np.ndarray) -> float:  # type: ignore[type-arg]
    """Extra-Poisson variation of monthly totals: ``var(O/E) - mean(1/E)``, floored at 0."""
    frame = pd.DataFrame({"o": counts.to_numpy(), "e": expected}, index=counts.index)
    months = frame.groupby(pd.DatetimeIndex(frame.index).to_period("M")).sum()
    months = months[months["e"] > 0]
    if len(months) < 6:
        return 0.0
    ratio = months["o"] / months["e"]
    extra = float(ratio.var(ddof=1) - (1.0 / months["e"]).mean())
    return math.sqrt(extra) if extra > 0 else 0.0


def _fit(
    y: np.ndarray, x: pd.DataFrame, offset: np.ndarray | None
) -> tuple[dict[str, float], str, float, np.ndarray, float]:  # type: ignore[type-arg]
    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore"
        )  # statsmodels warns on near-separation in sparse pools
        poisson = sm.GLM(y, x, family=sm.families.Poisson(), offset=offset).fit()
        mu = np.asarray(poisson.fittedvalues)
        dispersion = float(poisson.pearson_chi2 / max(poisson.df_resid, 1))
        if dispersion <= 1.2 or mu.mean() <= 0:
            return dict(poisson.params), "poisson", 0.0, mu, _z(poisson, "years")
        alpha = max((dispersion - 1.0) / float(mu.mean()), 1e-6)
        nb = sm.GLM(
            y, x, family=sm.families.NegativeBinomial(alpha=alpha), offset=offset
        ).fit()
        return (
            dict(nb.params),
            "negative_binomial",
            alpha,
            np.asarray(nb.fittedvalues),
            _z(nb, "years"),
        )


def _z(result: object, name: str) -> float:
    params, bse = getattr(result, "params"), getattr(result, "bse")  # noqa: B009
    if name not in params.index or not bse[name] > 0:
        return 0.0
    return float(params[name] / bse[name])


def fit_demand(
    counts: pd.Series, population: pd.Series | None = None, *, harmonics: int = 2
) -> DemandFit:
    """Fit daily admissions (a Series indexed by every date in the window, zeros included).

    Seasonal terms need a year of data and a trend two years; with less they are left out
    rather than guessed. With fewer than 20 admissions only the mean is kept.
    """
    counts = counts.sort_index().astype(float)
    dates = pd.DatetimeIndex(counts.index)
    days, total = len(counts), int(counts.sum())
    origin = dates[0]
    k = harmonics if days >= MIN_DAYS_FOR_SEASON else 0
    design = fourier_design(dates, k, origin=origin, weekdays=total >= 20)
    if days < MIN_DAYS_FOR_TREND:
        design = design.drop(columns="years")
    offset = (
        np.log(population.reindex(dates).to_numpy(dtype=np.float64))
        if population is not None
        else None
    )
    if total < 20:
        rate = total / max(days, 1)
        base = math.log(rate) if rate > 0 else -30.0
        params = {
            "const": base - (float(np.mean(offset)) if offset is not None else 0.0)
        }
        return DemandFit(
            params,
            "mean_only",
            0.0,
            0,
            origin,
            0.0,
            0.0,
            days,
            total,
            offset is not None,
        )
    params, family, alpha, mu, z = _fit(counts.to_numpy(), design, offset)
    return DemandFit(
        params={str(key): float(v) for key, v in params.items()},
        family=family,
        alpha=alpha,
        harmonics=k,
        origin=origin,
        monthly_cv=_monthly_cv(counts, mu),
        trend_z=z,
        days=days,
        admissions=total,
        uses_population=offset is not None,
    )
