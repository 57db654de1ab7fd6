"""Directly and indirectly standardised rates, vectorised over many groups at once.

Direct standardisation (DSR) weights each age band's rate by a standard population
(ESP 2013 by default) and gives Dobson limits; it is suppressed when a group's total
count is under 10, as in the PHE method. The non-independent-events variant widens the
limits when people contribute several events (repeat admissions). Indirect
standardisation (ISR) compares observed events with those expected from reference
age-specific rates, with exact or Byar's Poisson limits on the observed count.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from nearhome.errors import DataError, InvalidConfig
from nearhome.stats import intervals
from nearhome.stats.populations import standard_weights
from nearhome.stats.results import (
    Confidence,
    FloatArray,
    IntArray,
    Limits,
    by_columns,
    confidence_levels,
    is_set,
    reasons,
    require_columns,
    tidy_frame,
)

BoolArray = npt.NDArray[np.bool_]
DOBSON = "Dobson (Byar)"
DOBSON_NON_INDEPENDENT = "Dobson (Byar), adjusted for non-independent events"
UNDER_10 = "total count under 10: a DSR is not reliable (PHE rule)"
ZERO_BAND_POPULATION = "population is zero in an age band that has events"
SUPPRESSED = "not calculated"
BAD_REFERENCE = "reference population is zero in an age band with reference events"
ZERO_EXPECTED = "expected count is zero: no reference events or no population"


def dsr(  # noqa: PLR0913 (keyword-only options, as in the PHE method)
    frame: pd.DataFrame,
    *,
    count: str,
    population: str,
    age_band: str,
    by: str | Sequence[str] | None = None,
    standard: pd.DataFrame | None = None,
    multiplier: float = 100_000,
    confidence: Confidence = 0.95,
    independent_events: bool = True,
    event_frequency: str | None = None,
) -> pd.DataFrame:
    """Directly standardised rates with Dobson limits, one per group.

    ``DSR = sum(x_i * w_i / n_i) / sum(w_i) * multiplier`` over age bands ``i`` with
    events ``x``, population ``n`` and standard population ``w``; its variance is
    ``sum(x_i * (w_i / n_i)^2) / sum(w_i)^2``. Missing counts are zero events.

    With ``independent_events=False`` each row counts the *people* in an age band who
    had ``event_frequency`` events (1, 2, 3, …). Events are then ``x * f`` and the
    variance ``sum(f^2 * x_i * (w_i / n_i)^2) / sum(w_i)^2``, as in PHEindicatormethods'
    ``calculate_dsr(independent_events = FALSE)``.

    Args:
        frame: one row per group and age band (and event frequency, if used).
        count: column of events (or of people, with ``independent_events=False``).
        population: column of the population in the band.
        age_band: column of age band labels, matched to the standard by lower age.
        by: grouping columns; one DSR per distinct combination.
        standard: ``age_band``/``population`` frame; ESP 2013 when ``None``.
        multiplier: express the rate per this many people.
        confidence: one level or several, e.g. ``(0.95, 0.998)``.
        independent_events: ``False`` to adjust for people with repeat events.
        event_frequency: column of events per person, needed when not independent.

    Returns:
        One row per group and level: ``<by…>, count, population, value, lower, upper,
        confidence, multiplier, variance, method, suppressed_reason``. ``count`` is the
        total events; ``variance`` is on the scale of ``value`` (multiplier squared).

    Examples:
        >>> from nearhome.stats.populations import esp2013
        >>> bands = esp2013()
        >>> frame = bands.assign(events=bands["population"] // 500,
        ...                      residents=bands["population"] * 10)
        >>> result = dsr(frame, count="events", population="residents", age_band="age_band")
        >>> result[["count", "value", "lower", "upper"]].round(2)
           count  value  lower  upper
        0  200.0   20.0  17.32  22.97
    """
    groups = by_columns(by)
    totals = _dsr_sums(
        frame,
        count,
        population,
        age_band,
        groups,
        standard,
        event_frequency,
        independent_events,
    )
    standard_sum = float(totals.attrs["standard_total"])
    events = totals["events"].to_numpy()
    value = totals["weighted"].to_numpy() / standard_sum * multiplier
    variance = totals["squared"].to_numpy() / standard_sum**2 * multiplier**2
    reason = reasons(
        (totals["zero_band"].to_numpy() > 0, ZERO_BAND_POPULATION),
        (events < 10, UNDER_10),
    )
    method = DOBSON if independent_events else DOBSON_NON_INDEPENDENT
    keys = totals[groups].copy()
    keys["count"] = events
    keys["population"] = totals["population"].to_numpy()

    def limits(level: float) -> Limits:
        return intervals.dobson(value, events, variance, level)

    return tidy_frame(
        keys,
        confidence_levels(confidence),
        limits,
        value=value,
        method=np.where(is_set(reason), SUPPRESSED, method).astype(object),
        reason=reason,
        extra={
            "multiplier": float(multiplier),
            "variance": np.where(is_set(reason), np.nan, variance),
        },
    )


def _dsr_sums(
    frame: pd.DataFrame,
    count: str,
    population: str,
    age_band: str,
    groups: list[str],
    standard: pd.DataFrame | None,
    event_frequency: str | None,
    independent: bool,
) -> pd.DataFrame:
    """Per-group sums of events, weighted rates and squared weights for :func:`dsr`.

    Returns one row per group: the grouping columns, ``events``, ``weighted``,
    ``squared``, ``zero_band`` (bands with events but no population) and
    ``population``, with the standard's total in ``attrs["standard_total"]``.
    """
    if not independent and event_frequency is None:
        raise InvalidConfig(
            "dsr(independent_events=False) needs event_frequency=<column of events per "
            "person>."
        )
    extra = [] if independent or event_frequency is None else [event_frequency]
    require_columns(frame, [count, population, age_band, *groups, *extra], "dsr()")
    x = _non_negative(frame[count], count, fill=0.0)
    n = _non_negative(frame[population], population, fill=None)
    f = _non_negative(frame[extra[0]], extra[0], fill=None) if extra else 1.0
    match = standard_weights(frame[age_band], standard)
    group, keys = _group_codes(frame, groups)
    cell = group * (int(match.band.max()) + 1) + match.band
    first = _first_in_cell(cell, n, with_frequency=bool(extra))
    ratio = np.divide(match.weights, n, out=np.zeros_like(n), where=n > 0)
    terms = {
        "events": x * f,
        "weighted": x * f * ratio,
        "squared": x * f**2 * ratio**2,
        "zero_band": ((n == 0) & (x * f > 0)).astype(np.float64),
        "population": np.where(first, n, 0.0),
    }
    for name, values in terms.items():
        keys[name] = np.bincount(group, weights=values, minlength=len(keys))
    keys.attrs["standard_total"] = match.total
    return keys


def _group_codes(
    frame: pd.DataFrame, groups: list[str]
) -> tuple[IntArray, pd.DataFrame]:
    """A sorted group number per row, and the groups' key columns (one row each)."""
    if not groups:
        return np.zeros(len(frame), dtype=np.int64), pd.DataFrame(index=range(1))
    grouped = frame.groupby(groups, sort=True, observed=True, dropna=False)
    codes = np.asarray(grouped.ngroup().to_numpy(), dtype=np.int64)
    keys = grouped.size().reset_index()[groups]
    return codes, keys


def _first_in_cell(cell: IntArray, n: FloatArray, *, with_frequency: bool) -> BoolArray:
    """Which rows first mention their group and age band, refusing bad repeats.

    Without event frequencies a repeated band would be weighted twice; with them each
    frequency row repeats the band, and all of them must give the same population.
    """
    order = np.argsort(cell, kind="stable")
    ordered = cell[order]
    repeat = np.zeros(len(cell), dtype=bool)
    repeat[1:] = ordered[1:] == ordered[:-1]
    if repeat.any() and not with_frequency:
        raise DataError(
            "Some groups have more than one row for the same age band.",
            hint="Add the column that splits them (e.g. sex) to by=, or sum them first.",
        )
    sorted_n = n[order]
    if with_frequency and (sorted_n[1:][repeat[1:]] != sorted_n[:-1][repeat[1:]]).any():
        raise DataError(
            "Rows of one group and age band give different populations.",
            hint="With event frequencies, repeat the band's population on each row.",
        )
    first = np.empty(len(cell), dtype=bool)
    first[order] = ~repeat
    return first


def _non_negative(column: pd.Series, name: str, *, fill: float | None) -> FloatArray:
    """A numeric column as floats: missing values filled (or refused), negatives refused."""
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64)
    if fill is None and np.isnan(values).any():
        raise DataError(f"Column {name!r} has missing or non-numeric values.")
    filled: FloatArray = np.nan_to_num(values, nan=fill or 0.0)
    if (filled < 0).any():
        raise DataError(f"Column {name!r} has negative values.")
    return filled


def isr(  # noqa: PLR0913 (keyword-only options, as in the PHE method)
    frame: pd.DataFrame,
    *,
    count: str,
    population: str,
    reference_count: str,
    reference_population: str,
    by: str | Sequence[str] | None = None,
    statistic: Literal["ratio", "rate"] = "ratio",
    multiplier: float | None = None,
    confidence: Confidence = 0.95,
) -> pd.DataFrame:
    """Indirectly standardised ratios (observed / expected) or rates, one per group.

    ``E = sum(r_i * n_i)`` with reference rates ``r_i = reference_count_i /
    reference_population_i``; the ratio is ``O / E * multiplier`` (multiplier 1, or 100
    for an SMR-style figure) and the rate ``O / E * R * multiplier`` where ``R`` is the
    reference crude rate. Limits are the Poisson limits of ``O`` (exact below 10, Byar's
    from 10) divided by ``E``.

    Args:
        frame: one row per group and age band with local and reference figures.
        count: column of observed events.
        population: column of the local population.
        reference_count: column of reference events in the band.
        reference_population: column of reference population in the band.
        by: grouping columns.
        statistic: ``"ratio"`` or ``"rate"``.
        multiplier: 1 for ratios, 100,000 for rates unless given.
        confidence: one level or several.

    Returns:
        One row per group and level: ``<by…>, observed, expected, value, lower, upper,
        confidence, multiplier, statistic, method, suppressed_reason``.

    Examples:
        >>> frame = pd.DataFrame({"band": ["18-64", "65+"], "obs": [30, 20],
        ...                       "pop": [1000, 200], "ref_obs": [200, 150],
        ...                       "ref_pop": [10000, 1000]})
        >>> result = isr(frame, count="obs", population="pop",
        ...              reference_count="ref_obs", reference_population="ref_pop")
        >>> result[["observed", "expected", "value", "lower", "upper"]].round(4)
           observed  expected  value   lower   upper
        0      50.0      50.0    1.0  0.7422  1.3184
    """
    if statistic not in ("ratio", "rate"):
        raise InvalidConfig(f"statistic must be 'ratio' or 'rate', not {statistic!r}.")
    groups = by_columns(by)
    columns = [count, population, reference_count, reference_population]
    require_columns(frame, [*columns, *groups], "isr()")
    totals = _isr_sums(
        frame, count, population, reference_count, reference_population, groups
    )
    observed = totals["observed"].to_numpy()
    expected = totals["expected"].to_numpy()
    scale = _isr_scale(totals, statistic, multiplier)
    reason = reasons(
        (totals["bad_reference"].to_numpy() > 0, BAD_REFERENCE),
        (expected == 0, ZERO_EXPECTED),
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        per_expected = np.where(expected > 0, scale / expected, np.nan)

    def limits(level: float) -> Limits:
        lower, upper = intervals.poisson_limits(observed, level)
        return lower * per_expected, upper * per_expected

    method = intervals.poisson_method(observed)
    method[is_set(reason)] = SUPPRESSED
    return tidy_frame(
        totals[[*groups, "observed", "expected"]],
        confidence_levels(confidence),
        limits,
        value=observed * per_expected,
        method=method,
        reason=reason,
        extra={
            "multiplier": _isr_multiplier(statistic, multiplier),
            "statistic": statistic,
        },
    )


def _isr_multiplier(statistic: str, multiplier: float | None) -> float:
    if multiplier is not None:
        return float(multiplier)
    return 1.0 if statistic == "ratio" else 100_000.0


def _isr_scale(
    totals: pd.DataFrame, statistic: str, multiplier: float | None
) -> FloatArray:
    """What ``O / E`` is multiplied by: the multiplier, and the reference rate for rates."""
    factor = _isr_multiplier(statistic, multiplier)
    if statistic == "ratio":
        return np.full(len(totals), factor)
    ref_count = totals["reference_count"].to_numpy()
    ref_pop = totals["reference_population"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(ref_count / ref_pop * factor, dtype=np.float64)


def _isr_sums(
    frame: pd.DataFrame,
    count: str,
    population: str,
    reference_count: str,
    reference_population: str,
    groups: list[str],
) -> pd.DataFrame:
    """Observed and expected events per group, with the reference totals."""
    observed = _non_negative(frame[count], count, fill=0.0)
    local = _non_negative(frame[population], population, fill=0.0)
    ref_count = _non_negative(frame[reference_count], reference_count, fill=0.0)
    ref_pop = _non_negative(
        frame[reference_population], reference_population, fill=None
    )
    ref_rate = np.divide(
        ref_count, ref_pop, out=np.zeros_like(ref_pop), where=ref_pop > 0
    )
    rows = frame[groups].copy() if groups else pd.DataFrame(index=frame.index)
    rows["observed"] = observed
    rows["expected"] = ref_rate * local
    rows["reference_count"] = ref_count
    rows["reference_population"] = ref_pop
    rows["bad_reference"] = ((ref_pop == 0) & (ref_count > 0)).astype(np.int64)
    columns = [
        "observed",
        "expected",
        "reference_count",
        "reference_population",
        "bad_reference",
    ]
    if not groups:
        return rows[columns].sum().to_frame().T
    grouped = rows.groupby(groups, sort=True, observed=True, dropna=False)[columns]
    return grouped.sum().reset_index()
