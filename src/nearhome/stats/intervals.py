"""Confidence intervals used by the public-health statistics, on plain arrays.

Every function is vectorised over NumPy arrays and never raises on a zero count: a
count of 0 has a lower Poisson limit of exactly 0 and a finite upper limit. The methods
are the ones in the Public Health England (now OHID/DHSC) technical guidance and its R
and Python packages (PHEindicatormethods, PHStatsMethods):

* exact Poisson limits from the chi-square distribution for counts under 10;
* Byar's approximation for counts of 10 and over;
* Wilson score limits for proportions;
* Dobson's method for directly standardised rates;
* Student's t for means.
"""

from __future__ import annotations

import numpy as np
from scipy import special, stats

from nearhome.stats.results import FloatArray, Limits, ObjectArray

BYAR_FROM = 10
"""Counts from this value use Byar's approximation; smaller counts use exact limits."""

EXACT = "exact (chi-square)"
BYAR = "Byar"
WILSON = "Wilson score"
STUDENT_T = "Student's t"


def z_value(confidence: float) -> float:
    """Two-sided standard normal quantile: 1.959964 for 0.95, 3.090232 for 0.998.

    Examples:
        >>> round(z_value(0.95), 6)
        1.959964
    """
    return float(special.ndtri(1 - (1 - confidence) / 2))


def exact_poisson(count: FloatArray, confidence: float) -> Limits:
    """Exact Poisson limits for an observed count, from the chi-square distribution.

    ``lower = chi2(alpha/2, 2x) / 2`` and ``upper = chi2(1 - alpha/2, 2x + 2) / 2``.
    At ``x = 0`` the lower limit is 0 (no events cannot have a positive lower bound).

    Examples:
        >>> lower, upper = exact_poisson(np.array([0.0, 5.0]), 0.95)
        >>> np.round(lower, 4).tolist(), np.round(upper, 4).tolist()
        ([0.0, 1.6235], [3.6889, 11.6683])
    """
    alpha = 1 - confidence
    with np.errstate(invalid="ignore"):
        lower = np.where(count > 0, stats.chi2.ppf(alpha / 2, 2 * count) / 2, 0.0)
    upper = stats.chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2
    return np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64)


def byar(count: FloatArray, confidence: float) -> Limits:
    """Byar's approximation to the Poisson limits (Breslow and Day, 1987).

    ``lower = x (1 - 1/(9x) - z/(3 sqrt x))^3`` and
    ``upper = (x+1) (1 - 1/(9(x+1)) + z/(3 sqrt(x+1)))^3``. The lower limit is only
    defined for ``x > 0``; it is 0 at ``x = 0``.

    Examples:
        >>> lower, upper = byar(np.array([10.0]), 0.95)
        >>> np.round([lower[0], upper[0]], 4).tolist()
        [4.7874, 18.3915]
    """
    z = z_value(confidence)
    safe = np.where(count > 0, count, 1.0)
    lower = np.where(
        count > 0, safe * (1 - 1 / (9 * safe) - z / (3 * np.sqrt(safe))) ** 3, 0
    )
    plus = count + 1
    upper = plus * (1 - 1 / (9 * plus) + z / (3 * np.sqrt(plus))) ** 3
    return np.maximum(lower, 0.0), upper


def poisson_limits(count: FloatArray, confidence: float) -> Limits:
    """Limits for a Poisson count: exact below 10 events, Byar's from 10.

    Examples:
        >>> lower, upper = poisson_limits(np.array([9.0, 10.0]), 0.95)
        >>> np.round(lower, 4).tolist()
        [4.1154, 4.7874]
    """
    exact_lower, exact_upper = exact_poisson(count, confidence)
    byar_lower, byar_upper = byar(count, confidence)
    small = count < BYAR_FROM
    return np.where(small, exact_lower, byar_lower), np.where(
        small, exact_upper, byar_upper
    )


def poisson_method(count: FloatArray) -> ObjectArray:
    """Name the Poisson method used for each count (exact below 10, Byar's from 10)."""
    return np.where(count < BYAR_FROM, EXACT, BYAR).astype(object)


def wilson(count: FloatArray, total: FloatArray, confidence: float) -> Limits:
    """Wilson score limits for a proportion ``count / total``, as fractions.

    Valid at 0 (lower limit 0) and at ``count == total`` (upper limit 1); both ends are
    clipped to [0, 1] so rounding never puts a limit outside the possible range.

    Examples:
        >>> lower, upper = wilson(np.array([0.0, 10.0]), np.array([10.0, 10.0]), 0.95)
        >>> np.round(lower, 4).tolist(), np.round(upper, 4).tolist()
        ([0.0, 0.7225], [0.2775, 1.0])
    """
    z = z_value(confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        spread = z * np.sqrt(z**2 + 4 * count * (1 - count / total))
        lower = (2 * count + z**2 - spread) / 2 / (total + z**2)
        upper = (2 * count + z**2 + spread) / 2 / (total + z**2)
    lower = np.where(count == 0, 0.0, np.clip(lower, 0.0, 1.0))
    upper = np.where(count == total, 1.0, np.clip(upper, 0.0, 1.0))
    return lower, upper


def dobson(
    value: FloatArray,
    total_count: FloatArray,
    variance: FloatArray,
    confidence: float,
) -> Limits:
    """Dobson limits for a weighted sum of Poisson counts, such as a DSR.

    ``value + sqrt(variance / O) * (O_limit - O)`` where ``O`` is the total count and
    ``O_limit`` its Byar limit (Byar's at every count; callers suppress totals under
    10).
    ``value`` and ``variance`` must be on the same scale (apply the multiplier to both,
    the variance squared).

    Examples:
        >>> lower, upper = dobson(np.array([100.0]), np.array([25.0]),
        ...                       np.array([400.0]), 0.95)
        >>> np.round([lower[0], upper[0]], 3).tolist()
        [64.697, 147.626]
    """
    o_lower, o_upper = byar(total_count, confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.sqrt(variance / total_count)
    return value + scale * (o_lower - total_count), value + scale * (
        o_upper - total_count
    )


def t_interval(
    mean: FloatArray, sd: FloatArray, n: FloatArray, confidence: float
) -> Limits:
    """Student's t limits for a mean: ``mean ± t(n-1) * sd / sqrt(n)``.

    Undefined (``NaN``) for fewer than two values.

    Examples:
        >>> lower, upper = t_interval(np.array([10.0]), np.array([2.0]),
        ...                           np.array([5.0]), 0.95)
        >>> np.round([lower[0], upper[0]], 4).tolist()
        [7.5167, 12.4833]
    """
    dof = np.where(n > 1, n - 1, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = stats.t.ppf(1 - (1 - confidence) / 2, dof) * sd / np.sqrt(n)
    return mean - half, mean + half
