"""Linear interpolation through one grid, bit for bit as :func:`numpy.interp` computes it.

Arrival times are made by stretching unit-rate Poisson epochs through a pool's cumulative
admission rate: one ``numpy.interp`` over every epoch of a batch, which bisects the whole
grid for each epoch and was the largest single cost of drawing a ward's numbers. The grid
here is a cumulative rate, close to a straight line, so the interval of an epoch is
*guessed* from the average slope and then corrected by stepping — usually no step at all.
The value is then NumPy's own formula (``slope * (x - xp[j]) + fp[j]`` with the slope
``(fp[j+1] - fp[j]) / (xp[j+1] - xp[j])``, and its rules at the ends and for nan), so the
numbers, and every seeded result, are the same whether or not numba is installed; a test
checks equality with ``numpy.interp``.
"""

from __future__ import annotations

# The numba function below is typed by numba when compiled, not by annotations.
# mypy: disable-error-code="no-untyped-def,no-untyped-call"
import math
from collections.abc import Callable
from typing import Any, TypeVar, cast

import numpy as np
from numpy.typing import NDArray

__all__ = ["HAVE_NUMBA", "interp_grid"]

FloatArray = NDArray[np.float64]
F = TypeVar("F", bound=Callable[..., Any])

try:  # numba is an optional speed-up; everything works without it
    import numba

    HAVE_NUMBA = True

    def _jit(func: F) -> F:
        # numpy's error model: a zero-width interval gives an unused inf/nan slope, as in C
        return cast(F, numba.njit(cache=True, nogil=True, error_model="numpy")(func))

except ImportError:  # pragma: no cover - depends on the environment
    HAVE_NUMBA = False

    def _jit(func: F) -> F:
        return func


@_jit
def _interp_grid(x, xp, fp, out):
    """``out = numpy.interp(x, xp, fp)`` for 2-D ``x``, with a guessed interval."""
    n = xp.shape[0]
    slopes = np.empty(n - 1)
    for j in range(n - 1):
        slopes[j] = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j])
    lo = xp[0]
    hi = xp[n - 1]
    scale = (n - 1) / (hi - lo) if hi > lo else 0.0
    for r in range(x.shape[0]):
        for i in range(x.shape[1]):
            v = x[r, i]
            if not v >= lo:  # below the grid, or nan
                out[r, i] = v if math.isnan(v) else fp[0]
                continue
            if v >= hi:
                out[r, i] = fp[n - 1]
                continue
            # the last j with xp[j] <= v < xp[j + 1], from a straight-line guess
            j = min(int((v - lo) * scale), n - 2)
            while xp[j] > v:
                j -= 1
            while xp[j + 1] <= v:
                j += 1
            if xp[j] == v:
                out[r, i] = fp[j]
                continue
            res = slopes[j] * (v - xp[j]) + fp[j]
            if math.isnan(res):
                res = slopes[j] * (v - xp[j + 1]) + fp[j + 1]
                if math.isnan(res) and fp[j] == fp[j + 1]:
                    res = fp[j]
            out[r, i] = res


def interp_grid(x: FloatArray, xp: FloatArray, fp: FloatArray) -> FloatArray:
    """``numpy.interp(x, xp, fp)`` for a 2-D ``x`` and a non-decreasing grid ``xp``."""
    xp = np.ascontiguousarray(xp, dtype=np.float64)
    fp = np.ascontiguousarray(fp, dtype=np.float64)
    if not HAVE_NUMBA or x.ndim != 2 or xp.size < 2:  # one point: numpy's own rule
        return np.interp(x, xp, fp)
    out = np.empty(x.shape)
    _interp_grid(np.asarray(x, dtype=np.float64), xp, fp, out)
    return out
