"""Erlang's loss and delay formulas for a pool of beds.

A bed pool where a person who finds every bed full is sent out of area is a loss system:
the share of admissions sent away is Erlang B, whatever the shape of the length-of-stay
distribution (Erlang B is *insensitive*: only the offered load matters). If instead people
wait for a bed (in a place of safety, at home with the crisis team), the pool is a delay
system and the probability of having to wait is Erlang C (exact for exponential stays).

A third case sits beside these two. If people sent out of area stay counted and are
brought back the moment a local bed frees (the simulation's repatriation rule with
``min_remaining_days = 0``), every resident of the pool, here or away, carries on with the
stay they would have had, so their number is that of an unlimited pool: Poisson with mean
the offered load. The local beds are full whenever that number reaches the pool size, so
the share sent away is the Poisson tail ``P(N >= beds)``, far above Erlang B for a pool
run near its load (offered load 85.55, 93 beds: 0.224 against 0.037). It is insensitive to
the length-of-stay distribution too.

The offered load is ``arrivals per day × mean length of stay in days``: the mean number of
beds the pool would occupy if it never ran out.

Everything here is pure arithmetic on floats; the recursion for B is the numerically
stable one, good to loads of several thousand beds.
"""

from __future__ import annotations

import math

from scipy.special import gammainc

__all__ = [
    "beds_for",
    "beds_for_repatriating",
    "beds_for_wait",
    "erlang_b",
    "erlang_b_curve",
    "erlang_c",
    "offered_load",
    "out_of_area_repatriating",
]


def _check_load(load: float) -> None:
    if not math.isfinite(load) or load < 0:
        raise ValueError(f"offered load must be a finite number >= 0, got {load!r}")


def _check_beds(beds: int) -> None:
    if isinstance(beds, bool) or int(beds) != beds or beds < 0:
        raise ValueError(f"beds must be a whole number >= 0, got {beds!r}")


def offered_load(arrivals_per_day: float, mean_los_days: float) -> float:
    """The mean number of beds demand would fill with unlimited beds (Little's law).

    Examples:
        >>> offered_load(0.5, 35)
        17.5
    """
    _check_load(arrivals_per_day)
    _check_load(mean_los_days)
    return arrivals_per_day * mean_los_days


def erlang_b_curve(load: float, max_beds: int) -> list[float]:
    """Erlang B for every pool size 0..max_beds in one pass.

    The recursion ``B(n) = a B(n-1) / (n + a B(n-1))`` only ever divides by a number
    larger than ``n``, so it never overflows (the closed form with factorials does at
    loads above ~170).

    Examples:
        >>> [round(b, 4) for b in erlang_b_curve(2.0, 3)]
        [1.0, 0.6667, 0.4, 0.2105]
    """
    _check_load(load)
    _check_beds(max_beds)
    curve = [1.0]
    b = 1.0
    for n in range(1, int(max_beds) + 1):
        b = load * b / (n + load * b)
        curve.append(b)
    return curve


def erlang_b(load: float, beds: int) -> float:
    """Probability an arrival finds all beds full (the share sent out of area).

    Args:
        load: offered load in beds (arrivals per day × mean length of stay).
        beds: number of beds in the pool.

    Examples:
        >>> round(erlang_b(10, 10), 6)
        0.214582
        >>> round(erlang_b(17.5, 20), 5)
        0.09734
    """
    return erlang_b_curve(load, beds)[-1]


def erlang_c(load: float, beds: int) -> float:
    """Probability an arrival has to wait for a bed when everyone waits (M/M/c).

    Returns 1.0 when the load reaches the number of beds: the queue then grows without
    limit and everyone waits.

    Examples:
        >>> round(erlang_c(17.5, 20), 5)
        0.46316
    """
    _check_load(load)
    _check_beds(beds)
    if load == 0:
        return 0.0
    if beds <= load:
        return 1.0
    b = erlang_b(load, beds)
    return beds * b / (beds - load * (1.0 - b))


def _search_beds(load: float, ok: str, target: float) -> int:
    upper = int(load + 60.0 * math.sqrt(load) + 200)
    curve = erlang_b_curve(load, upper)
    for n, b in enumerate(curve):
        if ok == "loss" and b <= target:
            return n
        if ok == "wait" and n > load and n * b / (n - load * (1.0 - b)) <= target:
            return n
    raise AssertionError("the search bound always holds a solution")  # pragma: no cover


def beds_for(load: float, max_out_of_area: float = 0.05) -> int:
    """The fewest beds that keep the share sent out of area at or below a target.

    Examples:
        >>> beds_for(8, 0.05)
        13
        >>> beds_for(0.0)
        0
    """
    _check_load(load)
    if not 0 < max_out_of_area <= 1:
        raise ValueError("max_out_of_area must be in (0, 1]")
    if load == 0:
        return 0
    return _search_beds(load, "loss", max_out_of_area)


def beds_for_wait(load: float, max_wait_probability: float = 0.05) -> int:
    """The fewest beds that keep the probability of waiting (Erlang C) at or below a target.

    Examples:
        >>> beds_for_wait(17.5, 0.2)
        23
    """
    _check_load(load)
    if not 0 < max_wait_probability <= 1:
        raise ValueError("max_wait_probability must be in (0, 1]")
    if load == 0:
        return 0
    return _search_beds(load, "wait", max_wait_probability)


def out_of_area_repatriating(load: float, beds: int) -> float:
    """Share sent out of area when everyone away is brought back as soon as a bed frees.

    Nobody's stay changes by being away, so the pool's residents (local plus away) number
    ``N ~ Poisson(load)`` and an admission finds every local bed taken when ``N >= beds``.
    ``P(N >= n)`` is the regularised lower incomplete gamma function ``P(n, load)``, which
    stays accurate at loads of thousands of beds (no factorials, no long sums).

    Examples:
        >>> round(out_of_area_repatriating(5.0, 6), 6)  # 1 - e^-5 (1 + 5 + ... + 5^5/5!)
        0.384039
        >>> out_of_area_repatriating(3.0, 0)
        1.0
    """
    _check_load(load)
    _check_beds(beds)
    if beds == 0:
        return 1.0
    if load == 0:
        return 0.0
    return float(gammainc(int(beds), load))


def beds_for_repatriating(load: float, max_out_of_area: float = 0.05) -> int:
    """The fewest beds that meet the target when everyone away is brought back at once.

    The counterpart of :func:`beds_for` for :func:`out_of_area_repatriating`: roughly
    ``load + 1.645 sqrt(load)`` beds at 5%, against Erlang B's ``load + a few``.

    Examples:
        >>> beds_for_repatriating(5.0, 0.05)  # P(N >= 9) = 0.068, P(N >= 10) = 0.032
        10
        >>> beds_for_repatriating(0.0)
        0
    """
    _check_load(load)
    if not 0 < max_out_of_area <= 1:
        raise ValueError("max_out_of_area must be in (0, 1]")
    if load == 0:
        return 0
    n = int(load)
    while out_of_area_repatriating(load, n) > max_out_of_area:
        n += 1
    while n > 0 and out_of_area_repatriating(load, n - 1) <= max_out_of_area:
        n -= 1
    return n
