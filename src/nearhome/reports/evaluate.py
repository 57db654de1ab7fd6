"""Did a community pilot change things? An interrupted time series and an SPC rebase.

A pilot (a crisis house opening, a new home treatment team) is judged on a monthly
measure before and after its start. Two views are given because they answer different
questions:

* **Interrupted time series** — a segmented Poisson regression (quasi-Poisson, so
  over-dispersion widens the intervals honestly) with the pre-pilot trend, a step and a
  change of slope at the pilot, and annual seasonality as Fourier terms once there are
  two years of data. A share is modelled as a rate (numerator with the denominator as
  exposure). It answers "how big was the change, allowing for trend and season?" with an
  interval.
* **SPC rebase** — an XmR chart whose limits restart at the pilot. It answers "is the
  process since the pilot different from the one before?" in the board's language.

The interval of the overall effect (observed against the counterfactual without the
pilot, over the months since it started) comes from simulating the model's coefficients
from their estimated covariance with a seeded generator, so it is reproducible.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import statsmodels.api as sm

from nearhome import stats
from nearhome.data.warehouse import Warehouse
from nearhome.errors import InvalidConfig
from nearhome.metrics.registry import get
from nearhome.metrics.run import run_metrics
from nearhome.periods import ReportingPeriod
from nearhome.stats.spc import SpcResult

MIN_POINTS_EACH_SIDE = 3
SEASONAL_MONTHS = 24
SIMULATIONS = 2000
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Evaluation:
    """The result of :func:`interrupted_time_series`.

    Attributes:
        monthly: One row per month: ``date, count, exposure, post, fitted,
            counterfactual`` (``value`` is count ÷ exposure × scale for shares).
        effects: One row per effect: ``effect, estimate, lower, upper, p_value, words``:
            the step at the pilot (a rate ratio), the change of trend (ratio per year)
            and the overall relative change since the pilot (%).
        spc: The XmR chart rebased at the pilot.
        seasonality: Whether Fourier terms were fitted.
        intervention: First month of the pilot.
        notes: Caveats about this fit.
    """

    monthly: pd.DataFrame
    effects: pd.DataFrame
    spc: SpcResult
    seasonality: bool
    intervention: dt.date
    notes: tuple[str, ...]

    def effect(self, name: str) -> pd.Series:
        """One effect's row (``step``, ``trend_change`` or ``overall``)."""
        return self.effects[self.effects["effect"] == name].iloc[0]


def _design(frame: pd.DataFrame, start: dt.date, seasonal: bool) -> pd.DataFrame:
    months = pd.to_datetime(frame["date"])
    t = np.arange(len(frame), dtype=float)
    post = (months >= pd.Timestamp(start)).to_numpy().astype(float)
    first_post = int(np.argmax(post)) if post.any() else len(frame)
    design = pd.DataFrame(
        {
            "const": 1.0,
            "time": t,
            "post": post,
            "time_since": np.where(post > 0, t - first_post, 0.0),
        }
    )
    if seasonal:
        angle = 2 * math.pi * (months.dt.month.to_numpy() - 1) / 12
        design["season_sin"] = np.sin(angle)
        design["season_cos"] = np.cos(angle)
    return design


def _check(frame: pd.DataFrame, start: dt.date) -> None:
    dates = pd.to_datetime(frame["date"])
    before = int((dates < pd.Timestamp(start)).sum())
    after = len(frame) - before
    if before < MIN_POINTS_EACH_SIDE or after < MIN_POINTS_EACH_SIDE:
        raise InvalidConfig(
            f"The series has {before} months before {start:%b %Y} and {after} from it; "
            f"at least {MIN_POINTS_EACH_SIDE} on each side are needed.",
            hint="Choose a wider --period or a different --intervention-date.",
        )
    counts = frame["count"].to_numpy(dtype=float)
    if not np.isfinite(counts).all() or (counts < 0).any():
        raise InvalidConfig(
            "The series has missing or negative counts; it cannot be modelled."
        )


def interrupted_time_series(
    frame: pd.DataFrame,
    intervention: dt.date,
    *,
    improvement: str = "decrease",
    seasonality: bool | None = None,
    seed: int = 0,
    scale: float = 1.0,
) -> Evaluation:
    """Fit a segmented quasi-Poisson regression and an SPC rebase at ``intervention``.

    Args:
        frame: One row per month: ``date`` (first of the month), ``count`` and,
            for a share, ``exposure`` (its denominator; omit or leave NaN for counts).
        intervention: First day of the pilot; the first month on or after it starts
            the post-pilot segment.
        improvement: ``decrease`` or ``increase`` is better (for the SPC icons).
        seasonality: Fit annual Fourier terms; by default only with 24 months or more.
        seed: Seed of the simulation behind the overall effect's interval.
        scale: Multiplier of count ÷ exposure in the SPC chart (100 for a percentage).

    Raises:
        InvalidConfig: too few months either side, or counts that cannot be modelled.
    """
    frame = frame.sort_values("date").reset_index(drop=True)
    start = dt.date(intervention.year, intervention.month, 1)
    if intervention.day != 1:
        start = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
    _check(frame, start)
    seasonal = len(frame) >= SEASONAL_MONTHS if seasonality is None else seasonality
    exposure = _exposure(frame)
    design = _design(frame, start, seasonal)
    counts = frame["count"].to_numpy(dtype=float)
    model = sm.GLM(
        counts, design, family=sm.families.Poisson(), offset=np.log(exposure)
    )
    fit = model.fit(scale="X2")
    counterfactual_design = design.assign(post=0.0, time_since=0.0)
    fitted = np.asarray(fit.predict(design, offset=np.log(exposure)))
    counterfactual = np.asarray(
        fit.predict(counterfactual_design, offset=np.log(exposure))
    )
    post = design["post"].to_numpy() > 0
    monthly = frame.assign(
        exposure=exposure, post=post, fitted=fitted, counterfactual=counterfactual
    )
    effects = _effects(fit, design, counterfactual_design, exposure, post, seed)
    values = counts / exposure * scale
    chart = stats.xmr(
        values,
        pd.to_datetime(frame["date"]),
        improvement="increase" if improvement == "increase" else "decrease",
        rebase=[pd.Timestamp(start)],
    )
    notes = _notes(seasonal, len(frame), float(fit.scale))
    return Evaluation(monthly, effects, chart, seasonal, start, notes)


def _exposure(frame: pd.DataFrame) -> npt.NDArray[np.float64]:
    if "exposure" not in frame.columns:
        return np.ones(len(frame))
    exposure = frame["exposure"].to_numpy(dtype=float)
    exposure = np.where(np.isfinite(exposure), exposure, 1.0)
    if (exposure <= 0).any():
        raise InvalidConfig(
            "A month has a zero denominator; the rate cannot be modelled."
        )
    return exposure


def _effects(
    fit: sm.GLM,
    design: pd.DataFrame,
    counterfactual: pd.DataFrame,
    exposure: npt.NDArray[np.float64],
    post: npt.NDArray[np.bool_],
    seed: int,
) -> pd.DataFrame:
    params, cov = np.asarray(fit.params), np.asarray(fit.cov_params())
    names = list(design.columns)
    rows = []
    for effect, column, per, words in (
        ("step", "post", 1.0, "rate ratio at the pilot's start (1 = no step)"),
        ("trend_change", "time_since", 12.0, "change in the yearly trend, as a ratio"),
    ):
        i = names.index(column)
        estimate, se = params[i] * per, math.sqrt(cov[i, i]) * per
        rows.append(
            {
                "effect": effect,
                "estimate": math.exp(estimate),
                "lower": math.exp(estimate - Z95 * se),
                "upper": math.exp(estimate + Z95 * se),
                "p_value": float(np.asarray(fit.pvalues)[i]),
                "words": words,
            }
        )
    rows.append(_overall(params, cov, design, counterfactual, exposure, post, seed))
    return pd.DataFrame(rows)


def _overall(
    params: npt.NDArray[np.float64],
    cov: npt.NDArray[np.float64],
    design: pd.DataFrame,
    counterfactual: pd.DataFrame,
    exposure: npt.NDArray[np.float64],
    post: npt.NDArray[np.bool_],
    seed: int,
) -> dict[str, object]:
    """Observed-model vs counterfactual over the post months, % change, simulated interval."""
    rng = np.random.default_rng(seed)
    draws = rng.multivariate_normal(params, cov, size=SIMULATIONS, method="eigh")
    x, x0 = design.to_numpy()[post], counterfactual.to_numpy()[post]
    offset = np.log(exposure[post])

    def change(beta: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        with_pilot = np.exp(x @ beta.T + offset[:, None]).sum(axis=0)
        without = np.exp(x0 @ beta.T + offset[:, None]).sum(axis=0)
        return np.asarray((with_pilot / without - 1) * 100)

    point = float(change(params[None, :])[0])
    simulated = change(draws)
    lower, upper = np.percentile(simulated, [2.5, 97.5])
    share_below = float((simulated < 0).mean())
    return {
        "effect": "overall",
        "estimate": point,
        "lower": float(lower),
        "upper": float(upper),
        "p_value": float(min(1.0, 2 * min(share_below, 1 - share_below))),
        "words": "% change since the pilot against the counterfactual without it",
    }


def _notes(seasonal: bool, months: int, scale: float) -> tuple[str, ...]:
    notes = []
    if not seasonal:
        notes.append(
            f"No seasonal terms: {months} months is fewer than {SEASONAL_MONTHS}, too few "
            "to separate season from trend."
        )
    if scale > 1.5:
        notes.append(
            f"The counts vary {scale:.1f} times more than Poisson; intervals are widened "
            "accordingly (quasi-Poisson)."
        )
    return tuple(notes)


def pilot_series(
    warehouse: Warehouse | str,
    measure: str,
    *,
    area: str,
    span: ReportingPeriod,
) -> tuple[pd.DataFrame, str]:
    """The monthly counts (and, for a share, exposures) of a measure for one area.

    The area is an ICB code (its residents) or a sub-ICB code; the measure must be a
    count or a share (a median cannot be modelled as counts).

    Returns:
        The frame for :func:`interrupted_time_series` and the measure's title.

    Raises:
        InvalidConfig: a statistic measure, or an area with no rows.
    """
    spec = get(measure)
    if spec.kind == "statistic":
        raise InvalidConfig(
            f"{measure} is a statistic ({spec.unit.replace('_', ' ')}), which cannot be "
            "modelled as counts.",
            hint="Choose a count or a share, e.g. out_of_area.inappropriate_bed_days.",
        )
    frame = run_metrics(
        warehouse, [measure], period=span, frequency="month", by="icb,sub_icb"
    )
    rows = frame[frame["level"].astype(str) == area]
    if rows.empty:
        raise InvalidConfig(
            f"No ICB or sub-ICB has the code '{area}' in the data for {measure}.",
            hint="Use an ICB code such as QAA, or a sub-ICB code.",
        )
    rows = rows[rows["breakdown"] == rows["breakdown"].iloc[0]].sort_values(
        "period_start"
    )
    series = pd.DataFrame(
        {
            "date": rows["period_start"].to_numpy(),
            "count": rows["numerator"].to_numpy(dtype=float),
        }
    )
    if spec.kind == "share":
        series["exposure"] = rows["denominator"].to_numpy(dtype=float)
    return series, spec.title


def evaluate_pilot(
    warehouse: Warehouse | str,
    measure: str,
    *,
    area: str,
    intervention: dt.date,
    span: ReportingPeriod,
    improvement: str = "decrease",
) -> tuple[Evaluation, str]:
    """Fetch a measure's monthly series for an area and evaluate a pilot on it."""
    series, title = pilot_series(warehouse, measure, area=area, span=span)
    scale = get(measure).scale if "exposure" in series.columns else 1.0
    evaluation = interrupted_time_series(
        series, intervention, improvement=improvement, scale=scale
    )
    return evaluation, title
