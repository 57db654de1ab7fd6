"""XmR statistical process control charts the NHS Making Data Count way.

The centre line is the mean of the baseline points; the process limits are
``mean ± 2.66 × average moving range`` (the moving range being the absolute difference
between consecutive points). Points are then tested against the special-cause rules in
:mod:`nearhome.stats.spc_rules` and classed as common cause, or special cause
improvement, concern or neither, high or low; the last point gives the variation icon
and the limits against a target give the assurance icon.

:func:`xmr` takes one series or many (a ``series`` label per value) and handles them all
in one vectorised pass, so 10,000 monthly series take well under a second.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from nearhome.errors import DataError, InvalidConfig
from nearhome.stats import spc_rules
from nearhome.stats.spc_rules import (
    RULES,
    VARIATIONS,
    BoolArray,
    Conflict,
    FloatArray,
    Improvement,
    IntArray,
    TwoSigmaRule,
)

SCREEN_FACTOR = 3.267
"""With screening, moving ranges above this many average moving ranges are excluded."""
MIN_FIX_AFTER = 12
SHORT_SERIES = 13
"""Baselines with fewer points than this get a warning: their limits are provisional."""

ASSURANCE = ("consistently_pass", "consistently_fail", "hit_and_miss")

Rebase: TypeAlias = Sequence[object] | Mapping[object, Sequence[object]] | None
Target: TypeAlias = float | Mapping[object, float] | None


@dataclass(frozen=True)
class SpcResult:
    """The result of :func:`xmr`.

    Attributes:
        points: one row per point, in series and date order.
        summary: one row per series with its variation and assurance icons.
    """

    points: pd.DataFrame
    summary: pd.DataFrame


@dataclass(frozen=True)
class _Layout:
    """Where each sorted point sits: its series, segment and position in the segment."""

    order: IntArray
    series_code: IntArray
    segment_id: IntArray
    segment_number: IntArray
    position: IntArray
    index_in_series: IntArray
    segment_length: IntArray


@dataclass(frozen=True)
class _Baseline:
    """Per-segment mean and average moving range, with the per-point working."""

    mean: FloatArray
    amr: FloatArray
    moving: FloatArray
    baseline: BoolArray
    screened: BoolArray


def xmr(  # noqa: PLR0913 (keyword-only chart options)
    values: object,
    dates: object = None,
    *,
    improvement: Improvement = "decrease",
    target: Target = None,
    rebase: Rebase = None,
    fix_after: int | None = None,
    series: object = None,
    run_length: int = 7,
    trend_length: int = 7,
    two_sigma_rule: TwoSigmaRule = "current",
    screen_outliers: bool = False,
    conflict: Conflict = "improvement",
    rule_priority: Sequence[str] = RULES,
) -> SpcResult:
    """An XmR chart with Making Data Count rules, icons and warnings.

    Args:
        values: the measurements (one per period), one series or several stacked.
        dates: the period of each value; points are sorted by it. Positions if ``None``.
        improvement: ``"increase"``, ``"decrease"`` or ``"neither"`` is better.
        target: a target value (or a mapping of series label to target) for assurance.
        rebase: dates (positions if no dates) where new limits start, or a mapping of
            series label to such dates. Rebase only when the cause of a change is known.
        fix_after: compute limits from the first N (≥ 12) points of each segment only.
        series: a series label per value, to chart many series in one call.
        run_length: points on one side of the mean that make a run (7, or 6).
        trend_length: consecutive rising or falling points that make a trend (7, or 6).
        two_sigma_rule: ``"current"`` (November 2023: points beyond the limits count
            towards two-of-three) or ``"earlier"`` (only points between two and three
            sigma count).
        screen_outliers: exclude moving ranges above 3.267 × their mean and recompute.
        conflict: which wins when a point is flagged both ways (``"improvement"``, as the
            Making Data Count tool, or ``"concern"``).
        rule_priority: order in which rules name the special cause of a point.

    Returns:
        :class:`SpcResult` with ``points`` (columns ``series`` if given, ``date`` if
        given, ``index, value, segment, mean, lower_process_limit,
        upper_process_limit, lower_two_sigma, upper_two_sigma, lower_one_sigma,
        upper_one_sigma, moving_range, moving_range_screened, in_baseline,
        rule_outside_limits, rule_trend, rule_two_sigma, rule_run, special_cause,
        special_cause_rule, variation``) and ``summary`` (``series, points, segments,
        mean, lower_process_limit, upper_process_limit, improvement, target,
        variation_icon, assurance_icon, warning``).

    Examples:
        >>> data = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
        >>> chart = xmr(data)
        >>> limits = ["mean", "lower_process_limit", "upper_process_limit"]
        >>> chart.points[limits].iloc[0].round(2).tolist()
        [1.94, -3.06, 6.95]
        >>> xmr(data, screen_outliers=True).points[limits].iloc[0].round(2).tolist()
        [1.94, -0.72, 4.6]
        >>> chart.summary[["variation_icon", "warning"]].iloc[0].tolist()
        ['common_cause', None]
    """
    _check_options(
        fix_after, run_length, trend_length, two_sigma_rule, conflict, improvement
    )
    priority = spc_rules.check_priority(rule_priority)
    frame = _input_frame(values, dates, series)
    layout = _layout(frame, rebase, has_dates=dates is not None)
    grid = np.full(
        (len(layout.segment_length), int(layout.segment_length.max())), np.nan
    )
    sorted_values = frame["value"].to_numpy()[layout.order]
    grid[layout.segment_id, layout.position] = sorted_values
    limits = _limits(grid, fix_after, screen_outliers)
    lines = spc_rules.sigma_lines(limits.mean[:, None], limits.amr[:, None])
    flags = spc_rules.detect(
        grid,
        mean=limits.mean[:, None],
        lines=lines,
        run_length=run_length,
        trend_length=trend_length,
        two_sigma_rule=two_sigma_rule,
    )
    variation, rule = spc_rules.classify(
        flags, grid, improvement=improvement, conflict=conflict, priority=priority
    )
    points = _points_frame(
        frame, layout, grid, limits, flags, variation, rule, priority
    )
    summary = _summary(
        points, layout, improvement, target, has_series=series is not None
    )
    if series is None:
        points = points.drop(columns="series")
    if dates is None:
        points = points.drop(columns="date")
    return SpcResult(points=points, summary=summary)


def _check_options(
    fix_after: int | None,
    run_length: int,
    trend_length: int,
    two_sigma_rule: str,
    conflict: str,
    improvement: str,
) -> None:
    if fix_after is not None and fix_after < MIN_FIX_AFTER:
        raise InvalidConfig(
            f"fix_after must be at least {MIN_FIX_AFTER} points, not {fix_after}."
        )
    for name, length in (("run_length", run_length), ("trend_length", trend_length)):
        if length not in (6, 7):
            raise InvalidConfig(f"{name} must be 7 (the default) or 6, not {length}.")
    choices = {
        "two_sigma_rule": (two_sigma_rule, ("current", "earlier")),
        "conflict": (conflict, ("improvement", "concern")),
        "improvement": (improvement, ("increase", "decrease", "neither")),
    }
    for name, (given, allowed) in choices.items():
        if given not in allowed:
            raise InvalidConfig(f"{name} must be one of {allowed}, not {given!r}.")


def _input_frame(values: object, dates: object, series: object) -> pd.DataFrame:
    """Values, dates and series labels as one frame, checked."""
    value = np.atleast_1d(np.asarray(values, dtype=np.float64))
    if value.ndim != 1 or len(value) == 0:
        raise DataError("xmr() needs a one-dimensional, non-empty sequence of values.")
    if not np.isfinite(value).all():
        raise DataError(
            "xmr() values include missing or infinite numbers.",
            hint="Drop or fill the missing periods first; limits need every point.",
        )
    frame = pd.DataFrame({"value": value})
    for name, column in (("series", series), ("date", dates)):
        if column is None:
            continue
        array = pd.Series(column).to_numpy()
        if len(array) != len(value):
            raise DataError(f"xmr() has {len(value)} values but {len(array)} {name}s.")
        if pd.isna(array).any():
            raise DataError(f"xmr() {name}s include missing values.")
        frame[name] = array
    if series is None:
        frame["series"] = None
    if dates is None:  # positions within each series
        codes = pd.factorize(frame["series"], use_na_sentinel=False)[0]
        frame["date"] = pd.Series(codes).groupby(codes).cumcount().to_numpy()
    return frame[["value", "date", "series"]]


def _layout(frame: pd.DataFrame, rebase: Rebase, *, has_dates: bool) -> _Layout:
    """Sort points by series and date, and cut each series into rebase segments."""
    series_code, series_labels = pd.factorize(
        frame["series"], sort=False, use_na_sentinel=False
    )
    date_code, date_labels = pd.factorize(frame["date"], sort=True)
    order = np.lexsort((date_code, series_code))
    s_code, d_code = series_code[order], date_code[order]
    repeat = (s_code[1:] == s_code[:-1]) & (d_code[1:] == d_code[:-1])
    if repeat.any():
        raise DataError("xmr() has two values for the same date in one series.")
    rebase_code = _rebase_positions(rebase, date_labels, series_labels, has_dates)
    segment_number = np.zeros(len(order), dtype=np.int64)
    for code, cuts in rebase_code.items():
        rows = slice(None) if code is None else s_code == code
        segment_number[rows] = np.searchsorted(cuts, d_code[rows], side="right")
    new = np.ones(len(order), dtype=bool)
    new[1:] = (s_code[1:] != s_code[:-1]) | (segment_number[1:] != segment_number[:-1])
    segment_id = np.cumsum(new) - 1
    starts = np.flatnonzero(new)
    series_start = np.flatnonzero(np.r_[True, s_code[1:] != s_code[:-1]])
    index_in_series = (
        np.arange(len(order))
        - series_start[np.cumsum(np.r_[True, s_code[1:] != s_code[:-1]]) - 1]
    )
    return _Layout(
        order=order,
        series_code=s_code,
        segment_id=segment_id,
        segment_number=segment_number,
        position=np.arange(len(order)) - starts[segment_id],
        index_in_series=index_in_series,
        segment_length=np.diff(np.r_[starts, len(order)]),
    )


def _rebase_positions(
    rebase: Rebase, date_labels: pd.Index, series_labels: pd.Index, has_dates: bool
) -> dict[int | None, IntArray]:
    """Rebase dates as sorted date codes, for all series (key ``None``) or per series."""
    if rebase is None:
        return {}
    per_series = rebase.items() if isinstance(rebase, Mapping) else [(None, rebase)]
    out: dict[int | None, IntArray] = {}
    for label, cuts in per_series:
        values = list(cuts)
        if has_dates and pd.api.types.is_datetime64_any_dtype(date_labels):
            values = list(pd.to_datetime(pd.Index(values)))
        codes = np.sort(np.asarray(date_labels.searchsorted(values), dtype=np.int64))
        if label is None:
            out[None] = codes
        else:
            found = int(series_labels.get_indexer(pd.Index([label]))[0])
            if found < 0:
                raise DataError(
                    f"rebase names series {label!r}, which is not in the data."
                )
            out[found] = codes
    return out


def _limits(grid: FloatArray, fix_after: int | None, screen: bool) -> _Baseline:
    """Mean, average moving range and moving ranges of each segment's baseline."""
    valid = ~np.isnan(grid)
    baseline = valid.copy()
    if fix_after is not None:
        baseline[:, fix_after:] = False
    mean = _masked_mean(grid, baseline)
    moving = np.full(grid.shape, np.nan)
    moving[:, 1:] = np.abs(grid[:, 1:] - grid[:, :-1])
    in_base = baseline.copy()
    in_base[:, 0] = False
    amr = _masked_mean(moving, in_base)
    screened = np.zeros_like(valid)
    if screen:
        screened = in_base & (moving > SCREEN_FACTOR * amr[:, None])
        amr = _masked_mean(moving, in_base & ~screened)
    return _Baseline(mean, amr, moving, baseline, screened)


def _masked_mean(values: FloatArray, mask: BoolArray) -> FloatArray:
    """Row means over the masked cells, ``NaN`` for rows with none (no warning)."""
    total = np.where(mask, values, 0.0).sum(axis=1)
    count = mask.sum(axis=1)
    out = np.full(len(values), np.nan)
    np.divide(total, count, out=out, where=count > 0)
    return out


def _points_frame(
    frame: pd.DataFrame,
    layout: _Layout,
    grid: FloatArray,
    limits: _Baseline,
    flags: spc_rules.RuleFlags,
    variation: IntArray,
    rule: IntArray,
    priority: tuple[str, ...],
) -> pd.DataFrame:
    """One row per point, in series and date order."""
    at = (layout.segment_id, layout.position)
    mean = limits.mean[layout.segment_id]
    lines = spc_rules.sigma_lines(mean, limits.amr[layout.segment_id])
    columns: dict[str, object] = {
        "series": frame["series"].to_numpy()[layout.order],
        "date": frame["date"].to_numpy()[layout.order],
        "index": layout.index_in_series,
        "value": grid[at],
        "segment": layout.segment_number,
        "mean": mean,
        **lines,
        "moving_range": limits.moving[at],
        "moving_range_screened": limits.screened[at],
        "in_baseline": limits.baseline[at],
    }
    for name in RULES:
        columns[f"rule_{name}"] = flags.fired(name)[at]
    columns["special_cause"] = variation[at] > 0
    columns["special_cause_rule"] = pd.Categorical.from_codes(
        rule[at], categories=pd.Index(list(priority))
    )
    columns["variation"] = pd.Categorical.from_codes(
        variation[at], categories=pd.Index(list(VARIATIONS))
    )
    return pd.DataFrame(columns)


def _summary(
    points: pd.DataFrame,
    layout: _Layout,
    improvement: Improvement,
    target: Target,
    *,
    has_series: bool,
) -> pd.DataFrame:
    """One row per series: size, current limits, icons and any short-baseline warning."""
    code = layout.series_code
    last = np.flatnonzero(np.r_[code[1:] != code[:-1], True])
    current = points.iloc[last].reset_index(drop=True)
    labels = current["series"].to_numpy()
    targets = _targets(target, labels)
    summary = pd.DataFrame(
        {
            "series": labels,
            "points": current["index"].to_numpy() + 1,
            "segments": current["segment"].to_numpy() + 1,
            "mean": current["mean"].to_numpy(),
            "lower_process_limit": current["lower_process_limit"].to_numpy(),
            "upper_process_limit": current["upper_process_limit"].to_numpy(),
            "improvement": improvement,
            "target": targets,
            "variation_icon": current["variation"].astype(str).to_numpy(),
            "assurance_icon": assurance(
                targets,
                current["lower_process_limit"].to_numpy(),
                current["upper_process_limit"].to_numpy(),
                improvement,
            ),
            "warning": _warnings(layout, last),
        }
    )
    return summary if has_series else summary.drop(columns="series")


def _targets(target: Target, labels: npt.NDArray[np.object_]) -> FloatArray:
    if target is None:
        return np.full(len(labels), np.nan)
    if isinstance(target, Mapping):
        return np.array([float(target.get(label, np.nan)) for label in labels])
    return np.full(len(labels), float(target))


def assurance(
    target: FloatArray, lower: FloatArray, upper: FloatArray, improvement: Improvement
) -> npt.NDArray[np.object_]:
    """The assurance icon: can the process be relied on to meet the target?

    A target outside the process limits on the good side is consistently passed, on
    the bad side consistently failed; a target between the limits is hit and miss.
    There is no icon without a target or a direction of improvement.

    Examples:
        >>> assurance(np.array([5.0, 50.0, 20.0]), np.array([10.0] * 3),
        ...           np.array([30.0] * 3), "increase").tolist()
        ['consistently_pass', 'consistently_fail', 'hit_and_miss']
    """
    out = np.full(len(target), None, dtype=object)
    if improvement == "neither":
        return out
    known = ~np.isnan(target) & ~np.isnan(lower) & ~np.isnan(upper)
    below, above = target <= lower, target >= upper
    passes, fails = (below, above) if improvement == "increase" else (above, below)
    out[known] = ASSURANCE[2]
    out[known & passes] = ASSURANCE[0]
    out[known & fails] = ASSURANCE[1]
    return out


def _warnings(layout: _Layout, last: IntArray) -> npt.NDArray[np.object_]:
    """Warn when a series' current or an earlier baseline has fewer than 13 points."""
    current = layout.segment_length[layout.segment_id[last]]
    first_segment = layout.segment_id[np.r_[0, last[:-1] + 1]]
    shortest = np.minimum.reduceat(layout.segment_length, first_segment)
    out = np.full(len(last), None, dtype=object)
    for i in np.flatnonzero(shortest < SHORT_SERIES):
        if current[i] < SHORT_SERIES:
            out[i] = (
                f"The current baseline has {current[i]} points, fewer than {SHORT_SERIES}: "
                "its limits are provisional and will move as points are added."
            )
        else:
            out[i] = (
                f"An earlier baseline has {shortest[i]} points, fewer than {SHORT_SERIES}: "
                "its limits are provisional."
            )
    return out
