"""Making Data Count special-cause rules, vectorised over many SPC segments at once.

Every array here is two-dimensional: one row per segment (a series, or the part of a
series after a rebase) padded with ``NaN`` to the longest segment, so thousands of
series are tested with a handful of NumPy operations. The rules:

* **outside limits** – a point above the upper or below the lower process limit;
* **run** – ``run_length`` (7, or 6) or more consecutive points on one side of the mean;
  a point exactly on the mean belongs to neither side and breaks the run;
* **trend** – ``trend_length`` (7, or 6) or more consecutive points each higher (or each
  lower) than the one before; an equal neighbour breaks the trend;
* **two of three beyond two sigma** – two or three of three consecutive points beyond the
  two-sigma line on the same side, with all three on that side of the mean. Only the
  points beyond two sigma are flagged. The current rule (Making Data Count, November
  2023) counts points beyond the process limits too; the earlier rule counted only
  points between two sigma and the limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias

import numpy as np
import numpy.typing as npt

from nearhome.errors import InvalidConfig

BoolArray: TypeAlias = npt.NDArray[np.bool_]
FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.int64]
Improvement = Literal["increase", "decrease", "neither"]
Conflict = Literal["improvement", "concern"]
TwoSigmaRule = Literal["current", "earlier"]

LIMIT_FACTOR = 2.66
"""Process limits sit this many average moving ranges from the mean (3 / 1.128)."""

RULES = ("outside_limits", "trend", "two_sigma", "run")
"""The rule names; this order (from NHSRplotthedots) is the default priority."""

VARIATIONS = (
    "common_cause",
    "improvement_high",
    "improvement_low",
    "concern_high",
    "concern_low",
    "neither_high",
    "neither_low",
)
"""Variation classes of a point, named as the Making Data Count variation icons."""


@dataclass(frozen=True)
class RuleFlags:
    """Which points each rule flags, split by side (high = above the mean / rising)."""

    high: dict[str, BoolArray]
    low: dict[str, BoolArray]

    def fired(self, rule: str) -> BoolArray:
        """Points the rule flags on either side."""
        return self.high[rule] | self.low[rule]


def windows_covering(flags: BoolArray, length: int) -> BoolArray:
    """Mark every position that lies inside ``length`` consecutive true flags.

    Examples:
        >>> windows_covering(np.array([[1, 1, 1, 0, 1, 1]], dtype=bool), 3).astype(int)
        array([[1, 1, 1, 0, 0, 0]])
    """
    rows, width = flags.shape
    if length > width:
        return np.zeros_like(flags)
    counts = np.zeros((rows, width + 1), dtype=np.int64)
    counts[:, 1:] = np.cumsum(flags, axis=1)
    full = (counts[:, length:] - counts[:, :-length]) == length
    starts = np.zeros((rows, full.shape[1] + 1), dtype=np.int64)
    starts[:, 1:] = np.cumsum(full, axis=1)
    position = np.arange(width)
    last_start = np.minimum(position, width - length) + 1
    first_start = np.maximum(position - length + 1, 0)
    covered = starts[:, last_start] - starts[:, first_start]
    return np.asarray(covered > 0)


def sigma_lines(mean: FloatArray, amr: FloatArray) -> dict[str, FloatArray]:
    """The one-, two- and three-sigma lines, with sigma = 2.66 / 3 × average moving range.

    Examples:
        >>> lines = sigma_lines(np.array(1.0), np.array(3.0))
        >>> [round(float(lines[k]), 2) for k in ("lower_process_limit", "upper_two_sigma")]
        [-6.98, 6.32]
    """
    out = {}
    for name, k in (("process_limit", 3), ("two_sigma", 2), ("one_sigma", 1)):
        width = (k * LIMIT_FACTOR / 3) * amr
        out[f"lower_{name}"] = mean - width
        out[f"upper_{name}"] = mean + width
    return out


def detect(
    values: FloatArray,
    *,
    mean: FloatArray,
    lines: dict[str, FloatArray],
    run_length: int,
    trend_length: int,
    two_sigma_rule: TwoSigmaRule,
) -> RuleFlags:
    """Apply the four rules to padded segments.

    ``mean`` and the ``lines`` from :func:`sigma_lines` are columns (one per segment).
    """
    side = values - mean
    above, below = side > 0, side < 0
    outside_high = values > lines["upper_process_limit"]
    outside_low = values < lines["lower_process_limit"]
    beyond_high = values > lines["upper_two_sigma"]
    beyond_low = values < lines["lower_two_sigma"]
    if two_sigma_rule == "earlier":
        beyond_high &= ~outside_high
        beyond_low &= ~outside_low
    rising = np.zeros_like(above)
    falling = np.zeros_like(above)
    rising[:, 1:] = values[:, 1:] > values[:, :-1]
    falling[:, 1:] = values[:, 1:] < values[:, :-1]
    return RuleFlags(
        high={
            "outside_limits": outside_high,
            "run": windows_covering(above, run_length),
            "trend": _trend(rising, trend_length),
            "two_sigma": _two_of_three(beyond_high, above),
        },
        low={
            "outside_limits": outside_low,
            "run": windows_covering(below, run_length),
            "trend": _trend(falling, trend_length),
            "two_sigma": _two_of_three(beyond_low, below),
        },
    )


def _trend(steps: BoolArray, length: int) -> BoolArray:
    """Points in ``length`` consecutive points joined by ``length - 1`` like steps.

    ``steps[:, i]`` says point ``i`` moved (up or down) from point ``i - 1``.
    """
    in_run = windows_covering(steps, length - 1)
    points = in_run.copy()
    points[:, :-1] |= in_run[:, 1:]
    return points


def _two_of_three(beyond: BoolArray, same_side: BoolArray) -> BoolArray:
    """Points beyond two sigma in a window of three, all on one side, with two beyond."""
    if beyond.shape[1] < 3:
        return np.zeros_like(beyond)
    sides = same_side[:, :-2] & same_side[:, 1:-1] & same_side[:, 2:]
    count = beyond[:, :-2].astype(np.int64) + beyond[:, 1:-1] + beyond[:, 2:]
    window = sides & (count >= 2)
    hit = np.zeros_like(beyond)
    for offset in range(3):
        hit[:, offset : offset + window.shape[1]] |= window
    return hit & beyond


def check_priority(priority: Sequence[str]) -> tuple[str, ...]:
    """Validate a rule priority: every rule named exactly once."""
    order = tuple(priority)
    if sorted(order) != sorted(RULES):
        raise InvalidConfig(
            f"rule_priority must name each of {RULES} once, not {order}.",
        )
    return order


def classify(
    flags: RuleFlags,
    values: FloatArray,
    *,
    improvement: Improvement,
    conflict: Conflict,
    priority: tuple[str, ...],
) -> tuple[IntArray, IntArray]:
    """The variation class and the deciding rule of every point.

    With a direction of improvement, a point flagged both ways (e.g. the last point of a
    rising trend that is also in a run below the mean) counts as ``conflict``: as
    improvement by default, as the Making Data Count tool shows it. With ``"neither"``
    the first rule in ``priority`` that fires decides the side; at the turn between a
    rising and a falling trend, the trend the point starts decides.

    Returns:
        ``(variation, rule)``: indexes into :data:`VARIATIONS` and into ``priority``
        (``-1`` for common cause).
    """
    any_high = np.logical_or.reduce([flags.high[r] for r in RULES])
    any_low = np.logical_or.reduce([flags.low[r] for r in RULES])
    if improvement == "neither":
        high = _neither_side(flags, values, priority, any_high, any_low)
        variation = np.where(high, 5, 6)
    else:
        good_high = improvement == "increase"
        good = any_high if good_high else any_low
        bad = any_low if good_high else any_high
        is_good = good & (~bad | (conflict == "improvement"))
        high = is_good == good_high
        variation = np.where(is_good, np.where(high, 1, 2), np.where(high, 3, 4))
    special = any_high | any_low
    variation = np.where(special, variation, 0)
    rule = np.full(values.shape, -1, dtype=np.int64)
    for index in range(len(priority) - 1, -1, -1):
        name = priority[index]
        fires = np.where(high, flags.high[name], flags.low[name]) & special
        rule[fires] = index
    return variation.astype(np.int64), rule


def _neither_side(
    flags: RuleFlags,
    values: FloatArray,
    priority: tuple[str, ...],
    any_high: BoolArray,
    any_low: BoolArray,
) -> BoolArray:
    """Side of each flagged point when no direction is better: the top rule decides."""
    next_up = np.zeros_like(any_high)
    next_up[:, :-1] = values[:, 1:] > values[:, :-1]
    high = any_high & ~any_low
    undecided = any_high & any_low
    for name in priority:
        h, lo = flags.high[name], flags.low[name]
        side = np.where(h & lo, next_up, h)
        decide = undecided & (h | lo)
        high = np.where(decide, side, high)
        undecided &= ~decide
    return np.asarray(high, dtype=bool)
