"""Crude rates, proportions and means with confidence limits, as tidy frames.

Inputs are scalars or array-likes (one result per element) and outputs are pandas
frames with ``value, lower, upper, confidence, method, suppressed_reason``. A zero count
is an ordinary result (value 0, lower limit 0); a zero population or total cannot give a
rate, so the row is kept with ``NaN`` and the reason.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from nearhome.errors import DataError
from nearhome.stats import intervals
from nearhome.stats.results import (
    Confidence,
    Limits,
    as_float_array,
    broadcast,
    by_columns,
    confidence_levels,
    is_set,
    reasons,
    require_columns,
    tidy_frame,
)

NOT_CALCULATED = "not calculated"
MISSING = "count or denominator is missing"
ZERO_POPULATION = "population is zero: a rate is undefined"
ZERO_TOTAL = "total is zero: a proportion is undefined"


def rate(
    count: object,
    population: object,
    multiplier: float = 100_000,
    confidence: Confidence = 0.95,
) -> pd.DataFrame:
    """Crude rates with Poisson limits: exact below 10 events, Byar's from 10.

    Args:
        count: events (scalar or array-like).
        population: people or person-time at risk (scalar or array-like).
        multiplier: express the rate per this many (100,000 by default).
        confidence: one level or several, e.g. ``(0.95, 0.998)``.

    Returns:
        One row per input and level: ``count, population, value, lower, upper,
        confidence, multiplier, method, suppressed_reason``.

    Examples:
        >>> rate([0, 9, 10], 50_000)[["value", "lower", "upper", "method"]].round(3)
           value  lower   upper              method
        0    0.0  0.000   7.378  exact (chi-square)
        1   18.0  8.231  34.170  exact (chi-square)
        2   20.0  9.575  36.783                Byar
        >>> rate(3, 0)["suppressed_reason"].iloc[0]
        'population is zero: a rate is undefined'
    """
    counts, pops = broadcast(
        as_float_array(count, "count"), as_float_array(population, "population")
    )
    missing = np.isnan(counts) | np.isnan(pops)
    reason = reasons((missing, MISSING), (pops == 0, ZERO_POPULATION))
    per = np.where(pops > 0, multiplier / np.where(pops > 0, pops, 1.0), np.nan)
    method = intervals.poisson_method(counts)
    method[is_set(reason)] = NOT_CALCULATED

    def limits(level: float) -> Limits:
        lower, upper = intervals.poisson_limits(counts, level)
        return lower * per, upper * per

    keys = pd.DataFrame({"count": counts, "population": pops})
    return tidy_frame(
        keys,
        confidence_levels(confidence),
        limits,
        value=counts * per,
        method=method,
        reason=reason,
        extra={"multiplier": float(multiplier)},
    )


def proportion(
    count: object,
    total: object,
    multiplier: float = 1,
    confidence: Confidence = 0.95,
) -> pd.DataFrame:
    """Proportions with Wilson score limits, including 0 and ``count == total``.

    Args:
        count: people with the attribute (scalar or array-like).
        total: people in the group (scalar or array-like).
        multiplier: 1 for a fraction, 100 for a percentage.
        confidence: one level or several.

    Returns:
        One row per input and level: ``count, total, value, lower, upper, confidence,
        multiplier, method, suppressed_reason``.

    Raises:
        DataError: a count is larger than its total.

    Examples:
        >>> result = proportion([0, 5, 20], 20, multiplier=100)
        >>> result[["value", "lower", "upper"]].round(2)
           value  lower   upper
        0    0.0   0.00   16.11
        1   25.0  11.19   46.87
        2  100.0  83.89  100.00
    """
    counts, totals = broadcast(
        as_float_array(count, "count"), as_float_array(total, "total")
    )
    if np.any(counts > totals):
        raise DataError(
            "A proportion's count is larger than its total.",
            hint="Check that numerator and denominator describe the same people.",
        )
    missing = np.isnan(counts) | np.isnan(totals)
    reason = reasons((missing, MISSING), (totals == 0, ZERO_TOTAL))
    method = np.full(len(counts), intervals.WILSON, dtype=object)
    method[is_set(reason)] = NOT_CALCULATED

    def limits(level: float) -> Limits:
        lower, upper = intervals.wilson(counts, totals, level)
        return lower * multiplier, upper * multiplier

    with np.errstate(invalid="ignore", divide="ignore"):
        value = counts / totals * multiplier
    return tidy_frame(
        pd.DataFrame({"count": counts, "total": totals}),
        confidence_levels(confidence),
        limits,
        value=value,
        method=method,
        reason=reason,
        extra={"multiplier": float(multiplier)},
    )


def mean(
    data: object,
    *,
    value: str | None = None,
    by: str | Sequence[str] | None = None,
    confidence: Confidence = 0.95,
) -> pd.DataFrame:
    """Means with Student's t limits, overall or by group.

    Missing values are left out. A group with one value has a mean but no spread, so its
    limits are ``NaN`` with the reason; an empty group is suppressed.

    Args:
        data: an array-like of values, or a frame (then ``value`` names the column).
        value: the column to average when ``data`` is a frame.
        by: grouping columns when ``data`` is a frame.
        confidence: one level or several.

    Returns:
        One row per group and level: ``<by…>, count, value, lower, upper, confidence,
        standard_deviation, method, suppressed_reason``.

    Examples:
        >>> mean([8, 9, 10, 11, 12])[["count", "value", "lower", "upper"]].round(4)
           count  value   lower    upper
        0      5   10.0  8.0368  11.9632
    """
    groups = by_columns(by)
    frame = _mean_input(data, value, groups)
    if not groups:
        frame = frame.assign(_all=0)
    grouped = frame.groupby(groups or ["_all"], sort=True, observed=True, dropna=False)
    summary = grouped["x"].agg(count="count", mean="mean", std="std").reset_index()
    n = summary["count"].to_numpy(dtype=np.float64)
    centre = summary["mean"].to_numpy(dtype=np.float64)
    sd = summary["std"].to_numpy(dtype=np.float64)
    keys = summary[groups].copy()
    keys["count"] = n.astype(np.int64)
    return tidy_frame(
        keys,
        confidence_levels(confidence),
        lambda level: intervals.t_interval(centre, sd, n, level),
        value=centre,
        method=np.where(n >= 2, intervals.STUDENT_T, NOT_CALCULATED).astype(object),
        reason=reasons((n == 0, "no values")),
        limits_reason=reasons((n == 1, "one value: no spread to estimate limits")),
        extra={"standard_deviation": sd},
    )


def _mean_input(data: object, value: str | None, groups: list[str]) -> pd.DataFrame:
    """Normalise the inputs of :func:`mean`: a frame of column ``x`` and the groups."""
    if isinstance(data, pd.DataFrame):
        if value is None:
            raise DataError("mean() of a frame needs value=<column name>.")
        require_columns(data, [value, *groups], "mean()")
        frame = data[groups].copy()
        frame["x"] = pd.to_numeric(data[value], errors="raise").astype(np.float64)
    else:
        if groups or value is not None:
            raise DataError("value= and by= name columns; pass a frame to use them.")
        frame = pd.DataFrame({"x": np.atleast_1d(np.asarray(data, dtype=np.float64))})
    return frame.dropna(subset=["x"])
