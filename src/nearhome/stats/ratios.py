"""Rate ratios and rate differences of each group against a chosen reference group.

Two inputs, two methods for the ratio:

* crude rates (``count`` and ``population``): the exact conditional method. Given the
  total ``x1 + x0`` events, ``x1`` is binomial with ``p = RR n1 / (RR n1 + n0)``, so the
  Clopper-Pearson limits of ``p`` give exact limits ``RR = p / (1 - p) * n0 / n1``. It
  stays valid with few events and gives a finite upper limit when the group has none.
* directly standardised rates (``value`` and ``variance``, as returned by
  :func:`nearhome.stats.dsr`): the log-scale Taylor (delta) method,
  ``var(log RR) = v1 / d1^2 + v0 / d0^2``.

Differences use the same inputs: for crude rates the MOVER method (Zou and Donner),
which recovers each rate's variance from its own exact/Byar's limits, so a group with no
events still gets sensible limits; for DSRs the normal approximation
``d1 - d0 ± z sqrt(v1 + v0)``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from nearhome.errors import DataError, InvalidConfig
from nearhome.stats import intervals
from nearhome.stats.results import (
    Confidence,
    FloatArray,
    Limits,
    ObjectArray,
    by_columns,
    confidence_levels,
    is_set,
    reasons,
    require_columns,
    tidy_frame,
)

EXACT_CONDITIONAL = "exact conditional (binomial)"
MOVER = "MOVER from exact/Byar limits"
LOG_TAYLOR = "log-scale Taylor (delta method)"
NORMAL = "normal approximation (delta method)"
NOT_CALCULATED = "not calculated"


def rate_ratio(  # noqa: PLR0913 (keyword-only options)
    frame: pd.DataFrame,
    *,
    group: str,
    reference: Hashable,
    count: str | None = None,
    population: str | None = None,
    value: str | None = None,
    variance: str | None = None,
    by: str | Sequence[str] | None = None,
    multiplier: float = 100_000,
    confidence: Confidence = 0.95,
) -> pd.DataFrame:
    """Ratio and difference of each group's rate to the reference group's rate.

    Give either ``count`` and ``population`` (crude rates) or ``value`` and
    ``variance`` (standardised rates from :func:`nearhome.stats.dsr`).

    Args:
        frame: one row per group (within each ``by`` combination).
        group: column naming the groups being compared (e.g. ethnic group).
        reference: the group everyone is compared with (e.g. ``"White British"``).
        count: column of events (crude rates).
        population: column of populations (crude rates).
        value: column of standardised rates.
        variance: column of their variances (same scale as ``value``).
        by: columns within which the comparison is made (e.g. year).
        multiplier: crude differences are per this many people.
        confidence: one level or several.

    Returns:
        Rows ``<by…>, group, reference, measure ("ratio" or "difference"), value,
        lower, upper, confidence, method, suppressed_reason`` for every non-reference
        group.

    Examples:
        >>> frame = pd.DataFrame({"ethnicity": ["White", "Black"],
        ...                       "detained": [64, 228], "pop": [100_000, 100_000]})
        >>> result = rate_ratio(frame, group="ethnicity", reference="White",
        ...                     count="detained", population="pop")
        >>> result[["group", "measure", "value", "lower", "upper"]].round(3)
           group     measure    value    lower    upper
        0  Black       ratio    3.562    2.689    4.778
        1  Black  difference  164.000  130.319  198.854
    """
    crude = count is not None and population is not None
    if not crude and (value is None or variance is None):
        raise InvalidConfig(
            "rate_ratio() needs count= and population= (crude rates) or value= and "
            "variance= (standardised rates)."
        )
    groups = by_columns(by)
    used = [count, population] if crude else [value, variance]
    columns = [c for c in used if c is not None]
    pairs = _pairs(frame, group, reference, columns, groups)
    levels = confidence_levels(confidence)
    if crude:
        parts = _crude(pairs, columns, multiplier)
    else:
        parts = _standardised(pairs, columns)
    keys = pairs[[*groups, group]].rename(columns={group: "group"})
    keys["reference"] = pd.Series(
        [reference] * len(keys), index=keys.index, dtype=object
    )
    out = []
    for measure, (val, limits, method, reason) in zip(
        ("ratio", "difference"), parts, strict=True
    ):
        part_keys = keys.assign(measure=measure, _row=np.arange(len(keys)))
        out.append(
            tidy_frame(
                part_keys, levels, limits, value=val, method=method, reason=reason
            )
        )
    result = pd.concat(out, ignore_index=True).sort_values("_row", kind="stable")
    return result.drop(columns="_row").reset_index(drop=True)


def _pairs(
    frame: pd.DataFrame,
    group: str,
    reference: Hashable,
    columns: list[str],
    groups: list[str],
) -> pd.DataFrame:
    """Each non-reference row beside its reference row (columns suffixed ``_ref``)."""
    require_columns(frame, [group, *columns, *groups], "rate_ratio()")
    data = frame[[*groups, group, *columns]].drop_duplicates()
    if data.duplicated(subset=[*groups, group]).any():
        raise DataError(
            "rate_ratio() needs one row per group; some groups have several.",
            hint="Filter dsr() output to one confidence level, or add columns to by=.",
        )
    is_reference = (data[group] == reference).to_numpy()
    if not is_reference.any():
        raise DataError(
            f"The reference group {reference!r} is not in column {group!r}."
        )
    ref = data[is_reference].drop(columns=group)
    ref = ref.rename(columns={c: f"{c}_ref" for c in columns})
    others = data[~is_reference]
    if groups:
        return others.merge(ref, on=groups, how="left").reset_index(drop=True)
    return others.merge(ref, how="cross").reset_index(drop=True)


Part = tuple[FloatArray, Callable[[float], Limits], ObjectArray, ObjectArray]


def _crude(
    pairs: pd.DataFrame, columns: list[str], multiplier: float
) -> tuple[Part, Part]:
    """Exact conditional ratio and MOVER difference for crude rates."""
    count, population = columns
    x1, n1 = _floats(pairs, count), _floats(pairs, population)
    x0, n0 = _floats(pairs, f"{count}_ref"), _floats(pairs, f"{population}_ref")
    missing = np.isnan(x1 + n1 + x0 + n0)
    zero_pop = (n1 == 0) | (n0 == 0)
    base = (
        (missing, "group or reference figures are missing"),
        (zero_pop, "population is zero in the group or the reference"),
    )
    ratio_reason = reasons(
        *base, (x0 == 0, "reference group has no events: ratio undefined")
    )
    diff_reason = reasons(*base)
    with np.errstate(invalid="ignore", divide="ignore"):
        r1, r0 = x1 / n1 * multiplier, x0 / n0 * multiplier
        ratio = r1 / r0

    def ratio_limits(level: float) -> Limits:
        return _exact_conditional(x1, n1, x0, n0, level)

    def diff_limits(level: float) -> Limits:
        l1, u1 = intervals.poisson_limits(x1, level)
        l0, u0 = intervals.poisson_limits(x0, level)
        with np.errstate(invalid="ignore", divide="ignore"):
            per1, per0 = multiplier / n1, multiplier / n0
        l1, u1, l0, u0 = l1 * per1, u1 * per1, l0 * per0, u0 * per0
        d = r1 - r0
        return d - np.hypot(r1 - l1, u0 - r0), d + np.hypot(u1 - r1, r0 - l0)

    return (
        (ratio, ratio_limits, _method(EXACT_CONDITIONAL, ratio_reason), ratio_reason),
        (r1 - r0, diff_limits, _method(MOVER, diff_reason), diff_reason),
    )


def _exact_conditional(
    x1: FloatArray, n1: FloatArray, x0: FloatArray, n0: FloatArray, level: float
) -> Limits:
    """Clopper-Pearson limits of ``x1 | x1 + x0`` mapped onto the rate ratio."""
    alpha = 1 - level
    with np.errstate(invalid="ignore", divide="ignore"):
        p_low = np.where(x1 > 0, stats.beta.ppf(alpha / 2, x1, x0 + 1), 0.0)
        p_high = np.where(x0 > 0, stats.beta.ppf(1 - alpha / 2, x1 + 1, x0), 1.0)
        scale = n0 / n1
        lower = p_low / (1 - p_low) * scale
        upper = np.where(p_high < 1, p_high / (1 - p_high) * scale, np.inf)
    return np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64)


def _standardised(pairs: pd.DataFrame, columns: list[str]) -> tuple[Part, Part]:
    """Log-scale Taylor ratio and normal difference for standardised rates."""
    value, variance = columns
    d1, v1 = _floats(pairs, value), _floats(pairs, variance)
    d0, v0 = _floats(pairs, f"{value}_ref"), _floats(pairs, f"{variance}_ref")
    missing = np.isnan(d1 + v1 + d0 + v0)
    base = (missing, "rate suppressed or missing in the group or the reference")
    ratio_reason = reasons(
        base,
        (d0 == 0, "reference rate is zero: ratio undefined"),
        (d1 == 0, "rate is zero: log-scale limits undefined"),
    )
    diff_reason = reasons(base)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = d1 / d0
        log_se = np.sqrt(v1 / d1**2 + v0 / d0**2)

    def ratio_limits(level: float) -> Limits:
        z = intervals.z_value(level)
        with np.errstate(invalid="ignore"):
            return ratio * np.exp(-z * log_se), ratio * np.exp(z * log_se)

    def diff_limits(level: float) -> Limits:
        half = intervals.z_value(level) * np.sqrt(v1 + v0)
        return d1 - d0 - half, d1 - d0 + half

    return (
        (ratio, ratio_limits, _method(LOG_TAYLOR, ratio_reason), ratio_reason),
        (d1 - d0, diff_limits, _method(NORMAL, diff_reason), diff_reason),
    )


def _floats(frame: pd.DataFrame, column: str) -> FloatArray:
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=np.float64)
    if (values < 0).any():
        raise DataError(f"Column {column!r} has negative values.")
    return values


def _method(name: str, reason: ObjectArray) -> ObjectArray:
    return np.where(is_set(reason), NOT_CALCULATED, name).astype(object)
