"""Slope and relative index of inequality (SII, RII) across deprivation quantiles.

The method is the one used for the Public Health Outcomes Framework (PHEindicatormethods
``phe_sii``): each quantile (IMD decile 1 = most deprived) gets a relative rank ``b`` at
the midpoint of its share of the cumulative population, and the indicator is regressed on
that rank by least squares weighted by the population share ``a`` (the model ``y*sqrt(a)
= alpha*sqrt(a) + beta*b*sqrt(a)``). The SII is the slope ``beta`` (the modelled gap
between the least and the most deprived ends), the RII ``(alpha + beta) / alpha``.
Confidence limits come from simulation: each quantile's value is redrawn from a normal
distribution with its standard error, the regression refitted, and the order statistics
of the simulated slopes taken, using a seeded :class:`numpy.random.Generator`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Literal

import numpy as np
import pandas as pd
from scipy import special

from nearhome.errors import InvalidConfig
from nearhome.stats import intervals
from nearhome.stats.results import (
    Confidence,
    FloatArray,
    by_columns,
    confidence_levels,
    require_columns,
    tidy_frame,
)

ValueType = Literal["rate", "proportion", "other"]
MIN_QUANTILES, MAX_QUANTILES = 5, 100


@dataclass(frozen=True)
class _Options:
    """The settings shared by every group of one :func:`sii` call."""

    value_type: ValueType
    transform: bool
    multiplier: float
    repetitions: int
    levels: tuple[float, ...]


def sii(  # noqa: PLR0913 (keyword-only options, as in PHEindicatormethods::phe_sii)
    frame: pd.DataFrame,
    *,
    quantile: str,
    population: str,
    value: str,
    lower: str | None = None,
    upper: str | None = None,
    se: str | None = None,
    by: str | Sequence[str] | None = None,
    value_type: ValueType = "other",
    transform: bool = False,
    multiplier: float = 1.0,
    repetitions: int = 100_000,
    confidence: Confidence = 0.95,
    seed: int | np.random.Generator = 0,
) -> pd.DataFrame:
    """SII and RII with simulated confidence limits, one pair per group.

    Args:
        frame: one row per group and quantile.
        quantile: column of quantile numbers, 1 = most deprived (IMD convention).
        population: column of the quantile's population (the regression weight).
        value: column of the indicator value in the quantile.
        lower: column of the value's 95% lower limit (used to derive its standard error).
        upper: column of the value's 95% upper limit.
        se: column of standard errors, instead of limits (only for ``"other"`` values).
        by: grouping columns.
        value_type: ``"rate"`` (standard error on the log scale), ``"proportion"``
            (logit scale) or ``"other"`` (as given).
        transform: fit the regression on the log/logit scale and transform back.
        multiplier: scale the SII (e.g. -1 to report a gap favouring the least
            deprived as positive; the RII is then inverted).
        repetitions: simulations per group (at least 1,000).
        confidence: one level or several.
        seed: an integer seed (each group gets its own child stream) or a Generator.

    Returns:
        Rows ``<by…>, measure ("sii" or "rii"), quantiles, value, lower, upper,
        confidence, multiplier, method, suppressed_reason``.

    Examples:
        >>> frame = pd.DataFrame({"decile": range(1, 11), "pop": [1000] * 10,
        ...                       "rate": [200 - 10 * d for d in range(10)],
        ...                       "se": [5.0] * 10})
        >>> result = sii(frame, quantile="decile", population="pop", value="rate",
        ...              se="se", repetitions=10_000, seed=1)
        >>> result[["measure", "value"]].round(4)
          measure     value
        0     sii -100.0000
        1     rii    0.5122
    """
    options = _options(value_type, transform, se, multiplier, repetitions, confidence)
    groups = by_columns(by)
    columns = [quantile, population, value, *[c for c in (lower, upper, se) if c]]
    require_columns(frame, [*columns, *groups], "sii()")
    if se is None and (lower is None or upper is None):
        raise InvalidConfig("sii() needs se=, or both lower= and upper= (95% limits).")
    parts = (
        [frame]
        if not groups
        else [part for _, part in frame.groupby(groups, sort=True)]
    )
    streams = _streams(seed, len(parts))
    rows = []
    for part, rng in zip(parts, streams, strict=True):
        ordered = part.sort_values(quantile)
        fit = _fit_group(ordered, population, value, lower, upper, se, options, rng)
        rows.append({**{g: ordered[g].iloc[0] for g in groups}, **fit})
    return _sii_frame(pd.DataFrame(rows), groups, options)


def _options(
    value_type: ValueType,
    transform: bool,
    se: str | None,
    multiplier: float,
    repetitions: int,
    confidence: Confidence,
) -> _Options:
    if value_type not in ("rate", "proportion", "other"):
        raise InvalidConfig(
            f"value_type must be rate, proportion or other: {value_type!r}."
        )
    if transform and value_type == "other":
        raise InvalidConfig("transform=True needs value_type 'rate' or 'proportion'.")
    if se is not None and value_type != "other":
        raise InvalidConfig(
            "A standard error can only be given for value_type='other'.",
            hint="For rates and proportions give the 95% lower and upper limits instead.",
        )
    if repetitions < 1000:
        raise InvalidConfig(f"repetitions must be at least 1,000, not {repetitions}.")
    levels = confidence_levels(confidence)
    return _Options(value_type, transform, float(multiplier), int(repetitions), levels)


def _streams(seed: int | np.random.Generator, count: int) -> list[np.random.Generator]:
    """One generator per group: children of the seed, or the given generator reused."""
    if isinstance(seed, np.random.Generator):
        return [seed] * count
    return [
        np.random.default_rng(child)
        for child in np.random.SeedSequence(seed).spawn(count)
    ]


def _link(values: FloatArray, value_type: ValueType) -> FloatArray:
    """The scale on which standard errors are symmetric: log, logit or identity."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if value_type == "rate":
            return np.log(values)
        if value_type == "proportion":
            return np.asarray(special.logit(values), dtype=np.float64)
    return values


def _inverse(values: FloatArray, value_type: ValueType) -> FloatArray:
    if value_type == "rate":
        return np.exp(values)
    if value_type == "proportion":
        return np.asarray(special.expit(values), dtype=np.float64)
    return values


def _fit_group(
    part: pd.DataFrame,
    population: str,
    value: str,
    lower: str | None,
    upper: str | None,
    se: str | None,
    options: _Options,
    rng: np.random.Generator,
) -> dict[str, object]:
    """SII, RII and their simulated limits for one group's quantiles."""
    k = len(part)
    pops = part[population].to_numpy(dtype=np.float64)
    raw = part[value].to_numpy(dtype=np.float64)
    centre = _link(raw, options.value_type)
    if se is not None:
        spread = part[se].to_numpy(dtype=np.float64)
    else:
        assert lower is not None and upper is not None
        width = _link(part[upper].to_numpy(np.float64), options.value_type) - _link(
            part[lower].to_numpy(np.float64), options.value_type
        )
        spread = width / (2 * intervals.z_value(0.95))
    reason = _group_reason(k, pops, centre, spread)
    if reason is not None:
        return {"quantiles": k, "reason": reason}
    share = pops / pops.sum()
    rank = np.cumsum(share) - share / 2
    design = np.column_stack([np.sqrt(share), rank * np.sqrt(share)])
    solver = np.linalg.solve(design.T @ design, design.T)
    observed = centre if options.transform else raw
    alpha, beta = solver @ (observed * np.sqrt(share))
    draws = rng.normal(centre, spread, size=(options.repetitions, k))
    if not options.transform:
        draws = _inverse(draws, options.value_type)
    simulated = (draws * np.sqrt(share)) @ solver.T
    return {
        "quantiles": k,
        "reason": None,
        **_summarise(alpha, beta, simulated, options),
    }


def _group_reason(
    k: int, pops: FloatArray, centre: FloatArray, spread: FloatArray
) -> str | None:
    """Why a group's SII cannot be calculated, or ``None``."""
    if not MIN_QUANTILES <= k <= MAX_QUANTILES:
        return f"{k} quantiles: the SII needs between 5 and 100"
    if np.isnan(pops).any() or (pops <= 0).any():
        return "a quantile has a zero or missing population"
    if not np.isfinite(centre).all():
        return "a quantile value is missing or outside the range of its scale (e.g. 0)"
    if not np.isfinite(spread).all() or (spread < 0).any():
        return "a quantile's limits or standard error are missing or invalid"
    return None


def _summarise(
    alpha: float, beta: float, simulated: FloatArray, options: _Options
) -> dict[str, object]:
    """Point estimates and, per level, the order-statistic limits of SII and RII."""
    m = options.multiplier
    out: dict[str, object] = {}
    if options.transform:
        f = options.value_type
        out["sii"], out["rii"] = _transformed(alpha, beta, f, m)
        middle = alpha + beta / 2
        slopes = np.sort(simulated[:, 1])
        for level in options.levels:
            low, high = _order_limits(slopes, level)
            ends = [_transformed(middle - s / 2, s, f, m) for s in (low, high)]
            out[f"sii_{level}"] = sorted([ends[0][0], ends[1][0]])
            out[f"rii_{level}"] = sorted([ends[0][1], ends[1][1]])
        return out
    out["sii"] = beta * m
    out["rii"] = _ratio(alpha, beta, m)
    sii_draws = np.sort(simulated[:, 1] * m)
    rii_draws = np.sort(_ratio(simulated[:, 0], simulated[:, 1], m))
    for level in options.levels:
        out[f"sii_{level}"] = list(_order_limits(sii_draws, level))
        out[f"rii_{level}"] = list(_order_limits(rii_draws, level))
    return out


def _ratio(alpha: FloatArray | float, beta: FloatArray | float, m: float) -> FloatArray:
    rii = (np.asarray(alpha) + np.asarray(beta)) / np.asarray(alpha)
    return np.asarray(1 / rii if m < 0 else rii, dtype=np.float64)


def _transformed(
    start: float, slope: float, value_type: ValueType, m: float
) -> tuple[float, float]:
    """SII and RII on the original scale from a line fitted on the link scale."""
    at_0 = float(_inverse(np.array([start]), value_type)[0])
    at_1 = float(_inverse(np.array([start + slope]), value_type)[0])
    rii = at_1 / at_0
    return (at_1 - at_0) * m, 1 / rii if m < 0 else rii


def _order_limits(ordered: FloatArray, level: float) -> tuple[float, float]:
    """The published rule: the round(R * alpha/2)-th and round(R * (1 - alpha/2))-th
    smallest of R simulated values (1-based)."""
    reps = len(ordered)
    top = level + (1 - level) / 2
    low = max(round(reps * (1 - top)), 1)
    high = min(round(reps * top), reps)
    return float(ordered[low - 1]), float(ordered[high - 1])


def _sii_frame(
    fits: pd.DataFrame, groups: list[str], options: _Options
) -> pd.DataFrame:
    """Lay the per-group fits out as the tidy result frame."""
    method = (
        f"weighted least squares on population rank; limits from {options.repetitions} "
        "simulations"
        + (
            f" ({'log' if options.value_type == 'rate' else 'logit'} scale)"
            if options.transform
            else ""
        )
    )
    frames = []
    for measure in ("sii", "rii"):
        keys = fits[groups].copy()
        keys["measure"] = measure
        keys["quantiles"] = fits["quantiles"].astype(np.int64)
        reason = fits["reason"].to_numpy(dtype=object)
        values = (
            fits[measure] if measure in fits else pd.Series(np.nan, index=fits.index)
        )
        frames.append(
            tidy_frame(
                keys,
                options.levels,
                partial(_limit_columns, fits, measure),
                value=np.asarray(values, dtype=np.float64),
                method=method,
                reason=reason,
                extra={"multiplier": options.multiplier},
            )
        )
    out = pd.concat(frames, ignore_index=True)
    order = [*groups, "measure"] if groups else ["measure"]
    out["measure"] = pd.Categorical(out["measure"], ["sii", "rii"])
    out = out.sort_values(order, kind="stable").reset_index(drop=True)
    out["measure"] = out["measure"].astype(str)
    return out


def _limit_columns(
    fits: pd.DataFrame, measure: str, level: float
) -> tuple[FloatArray, FloatArray]:
    """The lower and upper limits of one measure at one level, per group."""
    name = f"{measure}_{level}"
    if name not in fits:
        nan = np.full(len(fits), np.nan)
        return nan, nan.copy()
    pairs = [p if isinstance(p, list) else [np.nan, np.nan] for p in fits[name]]
    both = np.asarray(pairs, dtype=np.float64).reshape(len(fits), 2)
    return both[:, 0], both[:, 1]
