"""Each replication's random streams, drawn in bulk: NumPy's own numbers, bit for bit.

Replication ``r`` of pool ``p`` draws stream ``s`` from ``default_rng(SeedSequence(seed,
spawn_key=(r, key(p), s)))`` (:func:`nearhome.capacity.draws.rng_for`). Building that
seed sequence and generator costs about 17 µs in NumPy — more than drawing a ward's
thousand numbers from it, and a fifth of the time of a whole ward simulation. When numba is
installed the same three steps are compiled here and run for every replication of a batch
in one call:

1. NumPy's ``SeedSequence`` (the ``hashmix``/``mix`` entropy pool and ``generate_state``),
2. ``PCG64`` seeded from four of its 64-bit words (128-bit state arithmetic on two
   64-bit halves),
3. ``Generator.random`` (53-bit doubles) or ``Generator.standard_exponential`` (NumPy's
   ziggurat, with its tables as numba ships them).

The numbers are NumPy's exactly (a test draws both ways over many seeds, pool keys and
replications), so the seeding discipline, common random numbers and every seeded result
are unchanged, and without numba (``COMPILED`` false) the NumPy generators are used.
"""

from __future__ import annotations

# The numba functions below are typed by numba when compiled, not by annotations.
# mypy: disable-error-code="no-untyped-def,no-untyped-call"
import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from nearhome.capacity.compiled import HAVE_NUMBA, jit, jit_inline
from nearhome.capacity.interp import grid_slopes, interp_row

__all__ = [
    "COMPILED",
    "HAVE_NUMBA",
    "fill_arrival_times",
    "fill_exponential",
    "fill_uniform",
    "one_word",
    "stream_generator",
]

FloatArray = NDArray[np.float64]
WordArray = NDArray[np.uint32]

try:  # NumPy's ziggurat tables, as numba copied them for its own Generator support
    from numba.np.random import _constants as _tables

    _KE, _WE, _FE = _tables.ke_double, _tables.we_double, _tables.fe_double
    _EXP_R = float(_tables.ziggurat_exp_r)
    COMPILED = HAVE_NUMBA
except ImportError:  # pragma: no cover - no numba, or a numba that moved its tables
    _KE = np.zeros(256, dtype=np.uint64)
    _FE = _WE = np.zeros(256, dtype=np.float64)
    _EXP_R = 0.0
    COMPILED = False

# SeedSequence's constants (numpy/random/bit_generator.pyx)
_U = np.uint64
_M32 = _U(0xFFFFFFFF)
_INIT_A = _U(0x43B0D7E5)
_MULT_A = _U(0x931E8875)
_INIT_B = _U(0x8B51F9DD)
_MULT_B = _U(0x58F38DED)
_MIX_L = _U(0xCA01F9DD)
_MIX_R = _U(0x4973F715)
_XSHIFT = _U(16)
_POOL = 4
# PCG64's 128-bit multiplier, high and low halves (pcg64.h)
_MUL_HI = _U(0x2360ED051FC65DA4)
_MUL_LO = _U(0x4385DF649FCCF645)
_S32 = _U(32)
_ONE = _U(1)
_TO_DOUBLE = 1.0 / 9007199254740992.0


def stream_generator(seed: int, spawn_key: tuple[int, ...]) -> np.random.Generator:
    """NumPy's generator for one stream: what the compiled streams reproduce."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=spawn_key))


def _words(n: int) -> list[int]:
    """An integer as SeedSequence reads it: 32-bit words, least significant first."""
    if n < 0:
        raise ValueError("seeds and spawn keys must be non-negative")
    out = [n & 0xFFFFFFFF]
    n >>= 32
    while n:
        out.append(n & 0xFFFFFFFF)
        n >>= 32
    return out


def one_word(reps: Sequence[int]) -> bool:
    """Whether every replication number is one 32-bit word, as the compiled streams need."""
    return all(
        0 <= r <= 0xFFFFFFFF for r in (min(reps, default=0), max(reps, default=0))
    )


def _entropy(seed: int, reps: Sequence[int], key: int, stream: int) -> WordArray:
    """SeedSequence's assembled entropy of every replication's stream ([R, L] words).

    The run entropy (the seed) is padded to the pool size because a spawn key follows it;
    a replication number is one word (four billion replications are never run).
    """
    run = _words(seed)
    run += [0] * max(_POOL - len(run), 0)
    tail = [*_words(key), *_words(stream)]
    number = np.asarray(reps, dtype=np.int64).reshape(-1)
    if not one_word(reps):
        raise ValueError("replication numbers must be in [0, 2**32)")
    out = np.empty((number.size, len(run) + 1 + len(tail)), dtype=np.uint32)
    out[:] = [*run, 0, *tail]
    out[:, len(run)] = number
    return out


@jit_inline
def _hashmix(value, hash_const):
    """SeedSequence's ``hashmix``: returns the mixed value and the next hash constant."""
    value = (value ^ hash_const) & _M32
    hash_const = (hash_const * _MULT_A) & _M32
    value = (value * hash_const) & _M32
    value ^= value >> _XSHIFT
    return value, hash_const


@jit_inline
def _mix(x, y):
    result = ((_MIX_L * x) - (_MIX_R * y)) & _M32
    return result ^ (result >> _XSHIFT)


@jit_inline
def _seed_words(entropy, state):
    """The four 64-bit words ``SeedSequence(...).generate_state(4, uint64)`` gives."""
    n = entropy.shape[0]
    pool = np.empty(_POOL, dtype=np.uint64)
    h = _INIT_A
    for i in range(_POOL):
        v = _U(entropy[i]) if i < n else _U(0)
        pool[i], h = _hashmix(v, h)
    for i_src in range(_POOL):
        for i_dst in range(_POOL):
            if i_src != i_dst:
                v, h = _hashmix(pool[i_src], h)
                pool[i_dst] = _mix(pool[i_dst], v)
    for i_src in range(_POOL, n):
        for i_dst in range(_POOL):
            v, h = _hashmix(_U(entropy[i_src]), h)
            pool[i_dst] = _mix(pool[i_dst], v)
    h = _INIT_B
    for k in range(8):
        v = (pool[k % _POOL] ^ h) & _M32
        h = (h * _MULT_B) & _M32
        v = (v * h) & _M32
        v ^= v >> _XSHIFT
        if k % 2 == 0:
            state[k // 2] = v
        else:
            state[k // 2] |= v << _S32


@jit_inline
def _mul_64(a, b):
    """The full 128-bit product of two 64-bit words, as (high, low)."""
    a0 = a & _M32
    a1 = a >> _S32
    b0 = b & _M32
    b1 = b >> _S32
    p00 = a0 * b0
    p01 = a0 * b1
    p10 = a1 * b0
    mid = (p00 >> _S32) + (p01 & _M32) + (p10 & _M32)
    low = (p00 & _M32) | (mid << _S32)
    high = a1 * b1 + (p01 >> _S32) + (p10 >> _S32) + (mid >> _S32)
    return high, low


@jit_inline
def _step(s, inc):
    """One PCG64 step, ``state = state * multiplier + increment`` modulo 2**128."""
    high, low = _mul_64(s[1], _MUL_LO)
    high += s[1] * _MUL_HI + s[0] * _MUL_LO
    low2 = low + inc[1]
    s[0] = high + inc[0] + (_ONE if low2 < low else _U(0))
    s[1] = low2


@jit_inline
def _seed_pcg(words, s, inc):
    """``PCG64(seed_sequence)``: the state and increment from four 64-bit words."""
    inc[0] = (words[2] << _ONE) | (words[3] >> _U(63))
    inc[1] = (words[3] << _ONE) | _ONE
    s[0] = _U(0)
    s[1] = _U(0)
    _step(s, inc)
    low = s[1] + words[1]
    s[0] = s[0] + words[0] + (_ONE if low < s[1] else _U(0))
    s[1] = low
    _step(s, inc)


@jit_inline
def _next64(s, inc):
    """PCG64's next output (XSL-RR of the stepped state)."""
    _step(s, inc)
    value = s[0] ^ s[1]
    rot = s[0] >> _U(58)
    return (value >> rot) | (value << ((_U(64) - rot) & _U(63)))


@jit_inline
def _next_double(s, inc):
    return float(_next64(s, inc) >> _U(11)) * _TO_DOUBLE


@jit_inline
def _exponential(s, inc, ke, we, fe, exp_r):
    """NumPy's ``random_standard_exponential`` (ziggurat; C's ``log1p`` and ``exp``)."""
    while True:
        ri = _next64(s, inc) >> _U(3)
        idx = np.intp(ri & _U(0xFF))
        ri >>= _U(8)
        x = float(ri) * we[idx]
        if ri < ke[idx]:
            return x
        if idx == 0:
            return exp_r - math.log1p(-_next_double(s, inc))
        if (fe[idx - 1] - fe[idx]) * _next_double(s, inc) + fe[idx] < math.exp(-x):
            return x


@jit
def _fill(entropy, out, exponential, ke, we, fe, exp_r):
    """Row ``r`` of ``out`` from the generator seeded by row ``r`` of ``entropy``."""
    words = np.empty(4, dtype=np.uint64)
    s = np.empty(2, dtype=np.uint64)
    inc = np.empty(2, dtype=np.uint64)
    for r in range(out.shape[0]):
        _seed_words(entropy[r], words)
        _seed_pcg(words, s, inc)
        if exponential:
            for i in range(out.shape[1]):
                out[r, i] = _exponential(s, inc, ke, we, fe, exp_r)
        else:
            for i in range(out.shape[1]):
                out[r, i] = _next_double(s, inc)


def _fill_rows(
    seed: int,
    reps: Sequence[int],
    key: int,
    stream: int,
    out: FloatArray,
    *,
    exponential: bool,
) -> None:
    if not (COMPILED and out.flags.c_contiguous and one_word(reps)):
        for r, row in zip(reps, out, strict=True):
            g = stream_generator(seed, (r, key, stream))
            draws = g.standard_exponential if exponential else g.random
            row[:] = draws(row.shape[0])
        return
    entropy = _entropy(seed, reps, key, stream)
    _fill(entropy, out, exponential, _KE, _WE, _FE, _EXP_R)


def fill_uniform(
    seed: int, reps: Sequence[int], key: int, stream: int, out: FloatArray
) -> None:
    """``out[i] = stream_generator(seed, (reps[i], key, stream)).random(n)``, in place."""
    _fill_rows(seed, reps, key, stream, out, exponential=False)


def fill_exponential(
    seed: int, reps: Sequence[int], key: int, stream: int, out: FloatArray
) -> None:
    """``out[i] = stream_generator(...).standard_exponential(n)``, in place."""
    _fill_rows(seed, reps, key, stream, out, exponential=True)


@jit
def _arrivals(entropy, cumulative, days, totals, out, ke, we, fe, exp_r):  # noqa: PLR0913, PLR0917
    """Poisson epochs (running sums of the stream), stretched through the cumulative rate.

    Epochs only grow, so those below the row's total are a prefix of the row. Returns each
    row's last epoch, so the caller can see a row that needs more draws.
    """
    slopes = grid_slopes(cumulative, days)
    last = np.empty(out.shape[0])
    words = np.empty(4, dtype=np.uint64)
    s = np.empty(2, dtype=np.uint64)
    inc = np.empty(2, dtype=np.uint64)
    for r in range(out.shape[0]):
        _seed_words(entropy[r], words)
        _seed_pcg(words, s, inc)
        row = out[r]
        epoch = 0.0
        inside = 0
        for i in range(row.shape[0]):
            epoch += _exponential(s, inc, ke, we, fe, exp_r)
            row[i] = epoch
            if epoch < totals[r]:
                inside = i + 1
        last[r] = epoch
        interp_row(row[:inside], cumulative, days, slopes, row[:inside])
        row[inside:] = np.inf
    return last


def fill_arrival_times(
    seed: int,
    reps: Sequence[int],
    key: int,
    stream: int,
    *,
    cumulative: FloatArray,
    totals: FloatArray,
    out: FloatArray,
) -> FloatArray:
    """Arrival times from each replication's unit-rate epochs, in one compiled pass.

    The same numbers as ``numpy.interp(cumsum(standard_exponential(n)), cumulative,
    days)`` with ``inf`` from the first epoch at or beyond the row's total (NumPy's
    accumulate adds left to right, as here). Returns each row's last epoch: a row whose
    last epoch is below its total needs more draws than ``out`` holds.
    """
    if not COMPILED:  # pragma: no cover - callers take the NumPy path instead
        raise RuntimeError("fill_arrival_times needs numba")
    days = np.arange(cumulative.size, dtype=np.float64)
    entropy = _entropy(seed, reps, key, stream)
    last: FloatArray = _arrivals(
        entropy,
        np.ascontiguousarray(cumulative, dtype=np.float64),
        days,
        np.ascontiguousarray(totals, dtype=np.float64),
        out,
        _KE,
        _WE,
        _FE,
        _EXP_R,
    )
    return last
