"""One ward, simulated: the quick question "with these beds, how often do we send people away?".

:func:`simulate_ward` draws a single pool's numbers exactly as a scenario's are drawn. When
nobody can wait for a bed (the usual ward) the replications are counted directly by
:mod:`nearhome.capacity.ward_kernel`, which gives the engine's counts without its records;
otherwise the full engine runs. With a constant admission
rate it starts the ward *in balance* — a truncated-Poisson number of patients, each with the
remaining stay of someone found in a bed at a random moment — so no warm-up is needed and
the answer is comparable with Erlang B from day one. With ``overflow="queue"`` people wait
for a bed instead of going out of area (the Erlang C case); the ward then starts empty and
a warm-up is discarded.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from nearhome.capacity.batch import empty_records
from nearhome.capacity.distributions import (
    Deterministic,
    Empirical,
    Exponential,
    LengthOfStay,
    Lognormal,
)
from nearhome.capacity.draws import build_batch
from nearhome.capacity.engine import run_batch
from nearhome.capacity.engine_loop import run_batch_loop
from nearhome.capacity.erlang import erlang_b, erlang_c
from nearhome.capacity.measures import (
    measure_batch,
    ratio_estimate,
)
from nearhome.capacity.plan import PlanModel, PoolModel
from nearhome.capacity.ward_kernel import (
    WardCounts,
    census_histogram,
    count_ward,
    is_plain_ward,
)

__all__ = ["WardResult", "simulate_ward", "ward_los"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
DAYS_PER_YEAR = 365.25
Z95 = 1.959963984540054


@dataclass(frozen=True)
class WardResult:
    """What :func:`simulate_ward` found, with Monte Carlo error."""

    p_out_of_area: float
    se: float
    lower: float
    upper: float
    p_wait: float
    p_wait_se: float
    offered_load: float
    erlang_b: float
    erlang_c: float
    mean_occupancy: float
    occupancy_p10: float
    occupancy_p50: float
    occupancy_p90: float
    mean_census_by_day: FloatArray
    beds: int
    reps: int
    years: float
    elapsed_seconds: float

    @property
    def one_in_n(self) -> float:
        """ "1 in n admissions sent out of area"."""
        return 1.0 / self.p_out_of_area if self.p_out_of_area > 0 else math.inf

    @property
    def replications_per_second(self) -> float:
        """Throughput of the run."""
        return (
            self.reps / self.elapsed_seconds if self.elapsed_seconds > 0 else math.inf
        )


def ward_los(
    los: str | Sequence[float], mean_los: float, los_sd: float | None
) -> LengthOfStay:
    """The length-of-stay distribution named by ``los`` (or observed stays)."""
    if not isinstance(los, str):
        return Empirical(clinical_days=tuple(float(v) for v in los))
    if los == "exponential":
        return Exponential(mean_days=mean_los)
    if los == "deterministic":
        return Deterministic(days=mean_los)
    if los == "lognormal":
        return Lognormal(
            mean_days=mean_los, sd_days=los_sd if los_sd is not None else mean_los
        )
    raise ValueError(
        f"los must be 'exponential', 'lognormal', 'deterministic' or samples, got {los!r}"
    )


def _model(
    rates: FloatArray,
    dist: LengthOfStay,
    beds: int,
    start: Literal["stationary", "empty"],
    warmup: float,
    seed: int,
) -> PlanModel:
    days = rates.size
    pool = PoolModel(
        id="ward",
        los=dist,
        rates=rates,
        open_from=np.full(beds, -np.inf),
        close_at=np.full(beds, np.inf),
        arrival_wait=False,
        start=start,
    )
    ones = np.ones((1, days))
    edges = np.array([0.0, float(days)])
    return PlanModel(
        pools=(pool,),
        routing=np.zeros((1, 1)),
        route_wait=np.zeros((1, 1), dtype=np.bool_),
        clin_mult=ones,
        crfd_mult=ones,
        removal_ramp=np.zeros((1, days)),
        long_cut=np.zeros((1, days)),
        long_thr=np.array([math.inf]),
        horizon=float(days),
        seed=seed,
        month_edges=edges,
        month_labels=tuple(str(i) for i in range(edges.size - 1)),
        warmup=warmup,
    )


def _count_batch(
    model: PlanModel, first: int, last: int, use_numba: bool
) -> tuple[WardCounts, IntArray]:
    """Counts, census and waits of replications ``first..last-1``.

    A ward where nobody can wait is counted directly (:mod:`nearhome.capacity.ward_kernel`)
    from the same draws; otherwise the full engine runs and its measures are read.
    """
    days = int(model.horizon)
    batch = build_batch(model, range(first, last))
    if is_plain_ward(batch):
        counts = count_ward(batch, days, use_numba=use_numba)
        return counts, np.zeros(batch.reps, dtype=np.int64)
    records = empty_records(batch.reps, batch.pools, batch.capacities())
    (run_batch_loop if use_numba else run_batch)(batch, records)
    m = measure_batch(batch, records, model.month_edges, days)
    counts = WardCounts(
        arrivals=m.arrivals[:, 0], sent_away=m.sent_away[:, 0], census=m.census[:, 0]
    )
    return counts, m.waited[:, 0]


def _counts(
    model: PlanModel, reps: int, *, batch_size: int = 2000, use_numba: bool = False
) -> tuple[WardCounts, IntArray]:
    """The ward's counts and census, and how many admissions waited for a bed."""
    results = [
        _count_batch(model, a, min(a + batch_size, reps), use_numba)
        for a in range(0, reps, batch_size)
    ]
    if len(results) == 1:
        return results[0]
    parts = [c for c, _ in results]
    joined = WardCounts(
        arrivals=np.concatenate([p.arrivals for p in parts]),
        sent_away=np.concatenate([p.sent_away for p in parts]),
        census=np.concatenate([p.census for p in parts]),
    )
    return joined, np.concatenate([w for _, w in results])


def simulate_ward(  # noqa: PLR0913
    *,
    arrivals_per_day: float | Sequence[float] | FloatArray,
    mean_los: float,
    beds: int,
    los: str | Sequence[float] = "exponential",
    los_sd: float | None = None,
    years: float = 5.0,
    reps: int = 200,
    seed: int = 0,
    overflow: Literal["out_of_area", "queue"] = "out_of_area",
    warmup_years: float | None = None,
    use_numba: bool = False,
) -> WardResult:
    """Simulate one ward: share of admissions sent out of area (or waiting), occupancy.

    ``arrivals_per_day`` is a constant rate or one rate per day (then the ward starts empty
    and ``warmup_years`` of the run is discarded). Example: ``simulate_ward(arrivals_per_day=
    0.5, mean_los=35, beds=20)`` gives about 0.097 sent out of area, as Erlang B does.
    ``use_numba`` runs the compiled cores (the same answer, sooner).
    """
    dist = ward_los(los, mean_los, los_sd)
    if isinstance(arrivals_per_day, int | float):
        constant = float(arrivals_per_day)
        warm = (
            (
                0.0
                if overflow == "out_of_area"
                else max(1.0, 20 * dist.mean / DAYS_PER_YEAR)
            )
            if warmup_years is None
            else warmup_years
        )
        days = math.ceil((years + warm) * DAYS_PER_YEAR)
        rates = np.full(days, constant)
    else:
        rates = np.asarray(arrivals_per_day, dtype=np.float64)
        constant = float("nan")
        warm = warmup_years or 0.0
        years = rates.size / DAYS_PER_YEAR - warm
    start: Literal["stationary", "empty"] = (
        "stationary"
        if (warm == 0 and overflow == "out_of_area" and math.isfinite(constant))
        else "empty"
    )
    model = _model(rates, dist, beds, start, warm * DAYS_PER_YEAR, seed)
    if overflow == "queue":
        model = PlanModel(
            **{
                **model.__dict__,
                "pools": (
                    PoolModel(**{**model.pools[0].__dict__, "arrival_wait": True}),
                ),
            }
        )
    began = time.perf_counter()
    counts, waited = _counts(model, reps, use_numba=use_numba)
    elapsed = time.perf_counter() - began
    first = min(math.ceil(model.warmup), int(model.horizon))
    return _ward_result(counts, waited, first, dist, beds, constant, years, elapsed)


def _census_quantiles(
    census: NDArray[np.int32], probs: Sequence[float], beds: int
) -> tuple[float, ...]:
    """Quantiles of ``census / beds`` over all replications and days (numpy's "linear").

    The census is a small non-negative integer, so the order statistics come from its
    histogram (:func:`census_histogram`) instead of partially sorting every
    replication-day (which cost more than the simulation of a ward).
    """
    n = census.size
    if not n:
        return (math.nan,) * len(probs)
    below = np.cumsum(census_histogram(census))
    out = []
    for q in probs:
        h = q * (n - 1)
        lo = math.floor(h)
        a, b = np.searchsorted(below, [lo, min(lo + 1, n - 1)], side="right")
        out.append((float(a) + (float(b) - float(a)) * (h - lo)) / beds)
    return tuple(out)


def _ward_result(
    counts: WardCounts,
    waited: IntArray,
    first_day: int,
    dist: LengthOfStay,
    beds: int,
    rate: float,
    years: float,
    elapsed: float,
) -> WardResult:
    arrivals = counts.arrivals.astype(np.float64)
    p, se = ratio_estimate(counts.sent_away.astype(np.float64), arrivals)
    pw, pw_se = ratio_estimate(waited.astype(np.float64), arrivals)
    load = rate * dist.mean
    window = counts.census[:, first_day:].sum(axis=1, dtype=np.int64)
    days = years * DAYS_PER_YEAR
    q10, q50, q90 = _census_quantiles(
        counts.census[:, -round(days) :], (0.1, 0.5, 0.9), max(beds, 1)
    )
    return WardResult(
        p_out_of_area=p,
        se=se,
        lower=max(p - Z95 * se, 0.0),
        upper=p + Z95 * se,
        p_wait=pw,
        p_wait_se=pw_se,
        offered_load=load,
        erlang_b=erlang_b(load, beds) if math.isfinite(load) else math.nan,
        erlang_c=erlang_c(load, beds) if math.isfinite(load) else math.nan,
        mean_occupancy=float(window.mean() / (days * max(beds, 1))),
        occupancy_p10=float(q10),
        occupancy_p50=float(q50),
        occupancy_p90=float(q90),
        mean_census_by_day=counts.census.mean(axis=0),
        beds=beds,
        reps=int(counts.arrivals.size),
        years=years,
        elapsed_seconds=elapsed,
    )
