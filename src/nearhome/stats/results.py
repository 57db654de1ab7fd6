"""The tidy result frame every statistic in :mod:`nearhome.stats` returns.

Each row carries ``value``, ``lower``, ``upper``, ``confidence``, ``method`` and
``suppressed_reason``. One input row becomes one output row per confidence level, with
the levels of one input next to each other, so a 95% and a 99.8% limit can be read side
by side. Nothing here raises on a zero count or a zero population: the statistics put
``NaN`` in the value and say why in ``suppressed_reason``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from nearhome.errors import DataError, InvalidConfig

FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.int64]
ObjectArray: TypeAlias = npt.NDArray[np.object_]
Limits: TypeAlias = tuple[FloatArray, FloatArray]
Confidence: TypeAlias = float | Sequence[float]

RESULT_COLUMNS = (
    "value",
    "lower",
    "upper",
    "confidence",
    "method",
    "suppressed_reason",
)


def confidence_levels(confidence: Confidence) -> tuple[float, ...]:
    """Check and normalise one or several confidence levels.

    Levels are fractions strictly between 0 and 1 (0.95, 0.998). A level is never
    guessed from a percentage, because 95 and 0.95 would silently mean different things.

    Examples:
        >>> confidence_levels(0.95)
        (0.95,)
        >>> confidence_levels([0.95, 0.998])
        (0.95, 0.998)
    """
    levels = (confidence,) if isinstance(confidence, int | float) else tuple(confidence)
    if not levels:
        raise InvalidConfig("At least one confidence level is needed, e.g. 0.95.")
    for level in levels:
        if not 0 < float(level) < 1:
            raise InvalidConfig(
                f"Confidence level {level!r} is not a fraction between 0 and 1.",
                hint="Write 95% as 0.95 and 99.8% as 0.998.",
            )
    if len(set(levels)) != len(levels):
        raise InvalidConfig(f"Confidence levels {levels} repeat a level.")
    return tuple(float(level) for level in levels)


def as_float_array(values: object, name: str) -> FloatArray:
    """Turn a scalar or array-like into a 1-D float array, refusing negatives."""
    array = np.atleast_1d(np.asarray(values, dtype=np.float64))
    if array.ndim != 1:
        raise DataError(f"{name} must be a scalar or a one-dimensional array-like.")
    if np.any(array < 0):
        raise DataError(
            f"{name} has negative values; counts and populations cannot be negative."
        )
    return array


def broadcast(*arrays: FloatArray) -> tuple[FloatArray, ...]:
    """Broadcast 1-D inputs to one length, with a clear error when they disagree."""
    try:
        return tuple(np.broadcast_arrays(*arrays))
    except ValueError:
        lengths = ", ".join(str(len(array)) for array in arrays)
        raise DataError(f"Inputs have different lengths ({lengths}).") from None


def reasons(*rules: tuple[npt.NDArray[np.bool_], str]) -> ObjectArray:
    """Combine (condition, reason) pairs: the first true condition names the reason.

    Rows where no condition holds get ``None`` (not suppressed).
    """
    size = len(rules[0][0])
    out: ObjectArray = np.full(size, None, dtype=object)
    for condition, reason in reversed(rules):
        out[condition] = reason
    return out


def is_set(reason: ObjectArray) -> npt.NDArray[np.bool_]:
    """Which rows of a reason array carry a reason (are not ``None``)."""
    return np.fromiter((r is not None for r in reason), dtype=bool, count=len(reason))


def by_columns(by: str | Sequence[str] | None) -> list[str]:
    """The grouping columns as a list (empty when ungrouped)."""
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def require_columns(
    frame: pd.DataFrame, columns: Sequence[Hashable], what: str
) -> None:
    """Refuse a frame that lacks columns a statistic needs, naming all of them."""
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise DataError(
            f"{what} needs columns {missing} that the frame does not have.",
            hint=f"The frame has {list(frame.columns)}.",
        )


def tidy_frame(
    keys: pd.DataFrame,
    levels: tuple[float, ...],
    limits: Callable[[float], Limits],
    *,
    value: FloatArray,
    method: str | ObjectArray,
    reason: ObjectArray,
    limits_reason: ObjectArray | None = None,
    extra: dict[str, float | str | npt.NDArray[Any]] | None = None,
) -> pd.DataFrame:
    """Build the long result frame: each key row repeated once per confidence level.

    Args:
        keys: one row per result (grouping columns and inputs such as counts).
        levels: the confidence levels, from :func:`confidence_levels`.
        limits: returns ``(lower, upper)`` arrays for one level.
        value: the statistic for each key row.
        method: the method name for each key row (a string or an array of strings).
        reason: why each key row is suppressed, or ``None``.
        limits_reason: why only the limits of a row are missing (its value is kept).
        extra: further columns placed between ``confidence`` and ``method``.

    Rows whose reason is set have value and limits ``NaN`` whatever was computed.
    """
    n, k = len(keys), len(levels)
    suppressed = is_set(reason)
    if limits_reason is not None:
        reason = np.where(suppressed, reason, limits_reason)
    no_limits = is_set(reason)
    lower = np.empty((n, k))
    upper = np.empty((n, k))
    for j, level in enumerate(levels):
        lower[:, j], upper[:, j] = limits(level)
    lower[no_limits] = np.nan
    upper[no_limits] = np.nan
    shown = np.where(suppressed, np.nan, value)
    out = keys.loc[keys.index.repeat(k)].reset_index(drop=True)
    out["value"] = np.repeat(shown, k)
    out["lower"] = lower.ravel()
    out["upper"] = upper.ravel()
    out["confidence"] = np.tile(np.asarray(levels), n)
    for name, column in (extra or {}).items():
        out[name] = _repeat(column, n, k)
    out["method"] = _repeat(method, n, k)
    out["suppressed_reason"] = np.repeat(reason, k)
    return out


def _repeat(column: float | str | npt.NDArray[Any], n: int, k: int) -> npt.NDArray[Any]:
    """A per-row column repeated once per level, or a constant spread over all rows."""
    if isinstance(column, np.ndarray):
        return np.repeat(column, k)
    return np.full(n * k, column, dtype=object if isinstance(column, str) else None)
