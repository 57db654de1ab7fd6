"""A scenario resolved into numbers: the model the draws and the engine work from.

:func:`plan_model` turns the typed :class:`~nearhome.capacity.scenario.Scenario` into a
:class:`PlanModel`: per pool its length-of-stay distribution, daily admission rates, census
and bed slots; across pools the routing matrix of transfers and the lever tables. Nothing
here is random.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from nearhome.capacity.batch import REPAT_RULES
from nearhome.capacity.distributions import (
    Deterministic,
    Empirical,
    Exponential,
    LengthOfStay,
    Lognormal,
)
from nearhome.capacity.levers import plan_tables
from nearhome.capacity.scenario import LosSpec, Scenario

__all__ = ["PlanModel", "PoolModel", "los_distribution", "plan_model", "pool_key"]

FloatArray = NDArray[np.float64]
Start = Literal["census", "stationary", "empty"]


def pool_key(pool_id: str) -> int:
    """A stable number for a pool id, so its random streams do not move when pools are added."""
    return zlib.crc32(pool_id.encode("utf-8"))


def los_distribution(spec: LosSpec) -> LengthOfStay:
    """The length-of-stay distribution a scenario's ``[pools.los]`` describes."""
    share = dict(spec.crfd_share)
    if spec.kind == "empirical":
        return Empirical(
            clinical_days=tuple(spec.clinical_days or ()),
            crfd_days={g: tuple(v) for g, v in spec.crfd_days.items()},
        )
    mean = float(spec.mean_days or 1.0)
    if spec.kind == "exponential":
        return Exponential(mean_days=mean, crfd_share=share)
    if spec.kind == "deterministic":
        return Deterministic(days=mean, crfd_share=share)
    return Lognormal(
        mean_days=mean, sd_days=float(spec.sd_days or mean), crfd_share=share
    )


@dataclass(frozen=True)
class PoolModel:
    """One pool, resolved."""

    id: str
    los: LengthOfStay
    rates: FloatArray
    open_from: FloatArray
    close_at: FloatArray
    census_local: FloatArray = field(default_factory=lambda: np.zeros(0))
    census_away: FloatArray = field(default_factory=lambda: np.zeros(0))
    removal_share: dict[str, float] = field(default_factory=dict)
    monthly_cv: float = 0.0
    arrival_wait: bool = False
    start: Start = "census"

    @cached_property
    def key(self) -> int:
        """Seed key of the pool's random streams."""
        return pool_key(self.id)

    @property
    def beds_at_start(self) -> int:
        """Slots usable at time 0."""
        return int(((self.open_from <= 0.0) & (self.close_at > 0.0)).sum())


@dataclass(frozen=True)
class PlanModel:
    """Everything the draws and the engine need, for every pool."""

    pools: tuple[PoolModel, ...]
    routing: FloatArray
    route_wait: NDArray[np.bool_]
    clin_mult: FloatArray
    crfd_mult: FloatArray
    removal_ramp: FloatArray
    long_cut: FloatArray
    long_thr: FloatArray
    horizon: float
    seed: int
    month_edges: FloatArray
    month_labels: tuple[str, ...]
    repat_rule: int = 0
    repat_min_remaining: float = 0.0
    warmup: float = 0.0

    def expected_visits(self) -> FloatArray:
        """Mean visits each pool receives over the horizon (admissions plus transfers in)."""
        direct = np.array(
            [
                p.rates.sum() + p.census_local.size + p.census_away.size
                for p in self.pools
            ]
        )
        flow = np.linalg.solve(np.eye(len(self.pools)) - self.routing.T, direct)
        return np.maximum(flow, 0.0)

    def visit_capacity(self) -> NDArray[np.int64]:
        """Visits to pre-draw per pool and replication: the mean with a wide margin."""
        mean = self.expected_visits()
        cv = np.array([p.monthly_cv for p in self.pools])
        return np.ceil(mean * (1.1 + 3.0 * cv) + 6.0 * np.sqrt(mean) + 20.0).astype(
            np.int64
        )


def plan_model(scenario: Scenario) -> PlanModel:
    """Resolve a scenario into a :class:`PlanModel`."""
    tables = plan_tables(scenario)
    ids = scenario.pool_ids()
    n = len(ids)
    routing = np.zeros((n, n))
    route_wait = np.zeros((n, n), dtype=np.bool_)
    for t in scenario.transfers:
        a, b = ids.index(t.from_pool), ids.index(t.to_pool)
        routing[a, b] += t.probability
        route_wait[a, b] = t.when_full == "wait"
    pools = tuple(
        PoolModel(
            id=spec.id,
            los=los_distribution(spec.los),
            rates=tables.rates[i],
            open_from=tables.open_from[i],
            close_at=tables.close_at[i],
            census_local=np.asarray(spec.census.local_elapsed_days, dtype=np.float64),
            census_away=np.asarray(
                spec.census.out_of_area_elapsed_days, dtype=np.float64
            ),
            removal_share=tables.removal_share[i],
            monthly_cv=spec.admissions.monthly_rate_cv,
            arrival_wait=spec.admissions.when_full == "wait",
        )
        for i, spec in enumerate(scenario.pools)
    )
    return PlanModel(
        pools=pools,
        routing=routing,
        route_wait=route_wait,
        clin_mult=tables.clinical_multiplier,
        crfd_mult=tables.crfd_multiplier,
        removal_ramp=tables.removal_ramp,
        long_cut=tables.long_stay_cut,
        long_thr=tables.long_stay_threshold,
        horizon=float(tables.days),
        seed=scenario.seed,
        month_edges=tables.month_edges,
        month_labels=tables.month_labels,
        repat_rule=REPAT_RULES[scenario.repatriation.rule],
        repat_min_remaining=scenario.repatriation.min_remaining_days,
    )
