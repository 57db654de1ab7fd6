"""Funnel-plot control limits for crude rates (Spiegelhalter, 2005; PHE funnel tools).

A funnel plot compares units (providers, sub-ICBs) that have very different
denominators with one target rate: each unit's rate is plotted against its
denominator, and the limits around the target narrow as the denominator grows. A unit
outside the 99.8% limits is a signal worth looking into; random variation alone puts
about 1 unit in 20 outside the 95% limits.

The limits are the exact Poisson limits of the *expected* count ``E = target x
denominator`` from the chi-square distribution, ``chi2(alpha/2, 2E) / 2`` and
``chi2(1 - alpha/2, 2E + 2) / 2``, divided by the denominator: the continuous form of
the Poisson quantiles used by PHE's funnel-plot tools, smooth in the denominator so the
funnel is drawn as a curve.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from nearhome.errors import DataError
from nearhome.stats.results import Confidence, as_float_array, confidence_levels

EXACT_FUNNEL = "exact Poisson limits of the expected count"


def funnel_limits(
    denominator: object,
    target: float,
    multiplier: float = 100_000,
    confidence: Confidence = (0.95, 0.998),
) -> pd.DataFrame:
    """Control limits around a target rate for each denominator.

    Args:
        denominator: people or exposure (bed days, spells) of each unit.
        target: the rate everyone is compared with, per ``multiplier``.
        multiplier: the rate is per this many (100,000 people, 1,000 bed days).
        confidence: one level or several; 95% and 99.8% by default.

    Returns:
        One row per denominator and level: ``denominator, target, confidence, lower,
        upper, method``. A zero denominator has no limits (``NaN``).

    Raises:
        DataError: the target is negative or not a number.

    Examples:
        >>> limits = funnel_limits([1_000, 100_000], target=50.0)
        >>> limits[["denominator", "confidence", "lower", "upper"]].round(
        ...     {"lower": 2, "upper": 2})
           denominator  confidence  lower   upper
        0       1000.0       0.950   0.05  467.42
        1       1000.0       0.998   0.00  813.31
        2     100000.0       0.950  37.11   65.92
        3     100000.0       0.998  30.96   75.94
    """
    if not np.isfinite(target) or target < 0:
        raise DataError(f"A funnel target must be a rate of 0 or more, not {target!r}.")
    n = as_float_array(denominator, "denominator")
    levels = confidence_levels(confidence)
    expected = np.where(n > 0, target / multiplier * n, np.nan)
    rows = []
    for level in levels:
        alpha = 1 - level
        with np.errstate(invalid="ignore", divide="ignore"):
            low = np.where(
                expected > 0, stats.chi2.ppf(alpha / 2, 2 * expected) / 2, 0.0
            )
            high = stats.chi2.ppf(1 - alpha / 2, 2 * expected + 2) / 2
            per = np.where(n > 0, multiplier / np.where(n > 0, n, 1.0), np.nan)
        rows.append(
            pd.DataFrame(
                {
                    "denominator": n,
                    "target": float(target),
                    "confidence": level,
                    "lower": np.where(np.isnan(expected), np.nan, low * per),
                    "upper": high * per,
                    "method": EXACT_FUNNEL,
                }
            ).assign(_row=np.arange(len(n)))
        )
    out = pd.concat(rows, ignore_index=True).sort_values(
        ["_row", "confidence"], kind="stable"
    )
    return out.drop(columns="_row").reset_index(drop=True)


def funnel_position(
    count: object,
    denominator: object,
    target: float,
    multiplier: float = 100_000,
    confidence: float = 0.998,
) -> np.ndarray:
    """Where each unit's count falls against the target: ``above``, ``below``, ``within``.

    Decided on the counts with the exact Poisson test of ``E = target x denominator``
    (below when ``P(X <= x) < alpha / 2``, above when ``P(X >= x) < alpha / 2``), so a
    unit with no events is never "below" when even the expected count is under one
    event; the drawn limits are the continuous version of the same quantiles.

    Examples:
        >>> funnel_position([0, 0, 30, 7], [1_000, 100_000, 20_000, 20_000], 20.0,
        ...                 confidence=0.95).tolist()
        ['within', 'below', 'above', 'within']
    """
    x, n = (
        as_float_array(v, name)
        for v, name in ((count, "count"), (denominator, "denominator"))
    )
    expected = target / multiplier * n
    alpha = 1 - confidence
    with np.errstate(invalid="ignore"):
        below = stats.poisson.cdf(x, expected) < alpha / 2
        above = stats.poisson.sf(x - 1, expected) < alpha / 2
    position = np.select([above, below], ["above", "below"], "within").astype(object)
    position[~(n > 0)] = None
    return position
