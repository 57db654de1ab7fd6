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

# The numba functions below are typed by numba when compiled, not by annotations.
# mypy: disable-error-code="no-untyped-def,no-untyped-call"
import math

import numpy as np
from numpy.typing import NDArray

from nearhome.capacity.compiled import HAVE_NUMBA, jit_inline, jit_numpy_errors

__all__ = ["HAVE_NUMBA", "grid_slopes", "interp_grid", "interp_row"]

FloatArray = NDArray[np.float64]


@jit_numpy_errors
def grid_slopes(xp, fp):
    """NumPy's slope of each interval (a zero-width interval gives an unused inf/nan)."""
    n = xp.shape[0]
    slopes = np.empty(n - 1)
    for j in range(n - 1):
        slopes[j] = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j])
    return slopes


@jit_inline
def interp_row(x, xp, fp, slopes, out):
    """``out = numpy.interp(x, xp, fp)`` for one row (``out`` may be ``x`` itself).

    ``slopes`` is :func:`grid_slopes` of the grid. Written as one loop that stores in
    each branch: the same steps as a helper returning a value ran ten times slower.
    """
    n = xp.shape[0]
    lo = xp[0]
    hi = xp[n - 1]
    scale = (n - 1) / (hi - lo) if hi > lo else 0.0
    for i in range(x.shape[0]):
        v = x[i]
        if not v >= lo:  # below the grid, or nan
            out[i] = v if math.isnan(v) else fp[0]
            continue
        if v >= hi:
            out[i] = fp[n - 1]
            continue
        # the last j with xp[j] <= v < xp[j + 1], from a straight-line guess
        j = min(int((v - lo) * scale), n - 2)
        while xp[j] > v:
            j -= 1
        while xp[j + 1] <= v:
            j += 1
        if xp[j] == v:
            out[i] = fp[j]
            continue
        res = slopes[j] * (v - xp[j]) + fp[j]
        if math.isnan(res):
            res = slopes[j] * (v - xp[j + 1]) + fp[j + 1]
            if math.isnan(res) and fp[j] == fp[j + 1]:
                res = fp[j]
        out[i] = res


@jit_numpy_errors
def _interp_grid(x, xp, fp, out):
    """``out = numpy.interp(x, xp, fp)`` for 2-D ``x``, with a guessed interval."""
    slopes = grid_slopes(xp, fp)
    for r in range(x.shape[0]):
        interp_row(x[r], xp, fp, slopes, out[r])


def interp_grid(x: FloatArray, xp: FloatArray, fp: FloatArray) -> FloatArray:
    """``numpy.interp(x, xp, fp)`` for a 2-D ``x`` and a non-decreasing grid ``xp``."""
    xp = np.ascontiguousarray(xp, dtype=np.float64)
    fp = np.ascontiguousarray(fp, dtype=np.float64)
    if not HAVE_NUMBA or x.ndim != 2 or xp.size < 2:  # one point: numpy's own rule
        return np.interp(x, xp, fp)
    out = np.empty(x.shape)
    _interp_grid(np.asarray(x, dtype=np.float64), xp, fp, out)
    return out
