"""Goal seeking and the risk view of a bed pool, from Erlang B.

Planners ask three questions of one pool: how many beds keep out-of-area placements below
a target; if beds are fixed, how much shorter must stays be; and how much demand could the
beds absorb. A fixed-occupancy rule (beds = load ÷ 0.85) answers none of them: it leaves a
small pool short and over-builds a big one, because the risk of a full ward depends on the
pool's size. :func:`risk_table` puts both views side by side.
"""

from __future__ import annotations

import math

import pandas as pd
from scipy.optimize import brentq

from nearhome.capacity.erlang import beds_for, erlang_b, erlang_b_curve, erlang_c

__all__ = [
    "DAYS_PER_YEAR",
    "beds_at_occupancy",
    "los_reduction_needed",
    "max_demand",
    "max_load",
    "occupancy_view",
    "risk_table",
]

DAYS_PER_YEAR = 365.25


def max_load(beds: int, max_out_of_area: float = 0.05) -> float:
    """The largest offered load a pool of ``beds`` takes with at most the target sent away.

    Examples:
        >>> round(max_load(20, 0.05), 3)
        15.249
    """
    if beds <= 0:
        return 0.0
    if not 0 < max_out_of_area < 1:
        raise ValueError("max_out_of_area must be in (0, 1)")
    upper = float(beds)
    while erlang_b(upper, beds) < max_out_of_area:
        upper *= 2.0
    root: float = brentq(
        lambda a: erlang_b(a, beds) - max_out_of_area, 0.0, upper, xtol=1e-10
    )
    return root


def max_demand(beds: int, mean_los_days: float, max_out_of_area: float = 0.05) -> float:
    """Admissions per day a pool absorbs at the target (for a given mean stay).

    Examples:
        >>> round(max_demand(20, 35.0, 0.05), 4)
        0.4357
    """
    if mean_los_days <= 0:
        raise ValueError("mean_los_days must be > 0")
    return max_load(beds, max_out_of_area) / mean_los_days


def los_reduction_needed(
    arrivals_per_day: float,
    mean_los_days: float,
    beds: int,
    max_out_of_area: float = 0.05,
) -> float:
    """Fraction by which mean stay must fall for ``beds`` to meet the target (0 if met).

    Examples:
        >>> round(los_reduction_needed(0.5, 35.0, 20, 0.05), 4)
        0.1286
    """
    load = arrivals_per_day * mean_los_days
    if load <= 0:
        return 0.0
    return max(0.0, 1.0 - max_load(beds, max_out_of_area) / load)


def beds_at_occupancy(
    load: float, occupancy: float = 0.85, *, rounding: str = "round"
) -> int:
    """Beds by the fixed-occupancy rule ``load ÷ occupancy`` (the Midlands model's view).

    ``rounding="round"`` rounds half to even as that model's R code does; ``"ceil"`` rounds up.

    Examples:
        >>> beds_at_occupancy(8.0, 0.85, rounding="ceil")
        10
    """
    if not 0 < occupancy <= 1:
        raise ValueError("occupancy must be in (0, 1]")
    raw = load / occupancy
    return math.ceil(raw - 1e-12) if rounding == "ceil" else round(raw)


def occupancy_view(
    load: float, occupancy: float = 0.85, max_out_of_area: float = 0.05
) -> dict[str, float]:
    """The fixed-occupancy answer next to the risk answer, for one pool.

    Examples:
        >>> view = occupancy_view(8.0)
        >>> int(view["beds_at_occupancy"]), round(view["p_out_of_area_at_occupancy"], 3)
        (9, 0.173)
        >>> int(view["beds_for_target"])
        13
    """
    beds_fixed = beds_at_occupancy(load, occupancy)
    beds_risk = beds_for(load, max_out_of_area) if load > 0 else 0
    return {
        "offered_load": load,
        "beds_at_occupancy": float(beds_fixed),
        "p_out_of_area_at_occupancy": erlang_b(load, beds_fixed),
        "beds_for_target": float(beds_risk),
        "p_out_of_area_at_target_beds": erlang_b(load, beds_risk),
        "occupancy_at_target_beds": (load * (1 - erlang_b(load, beds_risk)) / beds_risk)
        if beds_risk
        else 0.0,
    }


def risk_table(load: float, beds: range | list[int]) -> pd.DataFrame:
    """For each pool size: share sent away, 1 in n, occupancy, OAP bed days a year, P(wait).

    Examples:
        >>> risk_table(17.5, range(18, 21))[["beds", "p_out_of_area"]].round(4).to_dict("list")
        {'beds': [18, 19, 20], 'p_out_of_area': [0.1526, 0.1232, 0.0973]}
    """
    sizes = sorted(int(n) for n in beds)
    curve = erlang_b_curve(load, max(sizes)) if sizes else []
    rows = []
    for n in sizes:
        b = curve[n]
        rows.append(
            {
                "beds": n,
                "offered_load": load,
                "p_out_of_area": b,
                "one_in_n": (1.0 / b) if b > 0 else math.inf,
                "occupancy": load * (1 - b) / n if n else math.nan,
                "oap_bed_days_per_year": load * b * DAYS_PER_YEAR,
                "p_wait": erlang_c(load, n),
            }
        )
    return pd.DataFrame(rows)
