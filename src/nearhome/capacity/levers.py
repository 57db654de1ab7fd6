"""Turn a scenario's demand, beds and levers into day-by-day tables for the engine.

Everything a lever does is expressed as a daily multiplier (on the admission rate, on
clinical days, on CRFD days) or as a change to the bed schedule, so the engine itself knows
nothing about levers. A lever at its neutral value produces a multiplier of exactly 1.0 (or
no bed change), which is why "a neutral lever changes nothing" holds bit for bit.

:func:`neutralise` switches named levers off; the waterfall of change by lever is built by
switching them back on one at a time with common random numbers.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from nearhome.capacity.scenario import (
    Levers,
    MidlandsSpec,
    PoolSpec,
    RepatriationSpec,
    Scenario,
)

__all__ = [
    "LEVER_NAMES",
    "PlanTables",
    "admission_rates",
    "bed_slots",
    "midlands_multipliers",
    "month_starts",
    "neutralise",
    "plan_tables",
]

FloatArray = NDArray[np.float64]
DAYS_PER_YEAR = 365.25

LEVER_NAMES = (
    "demographic_growth",
    "incidence_change",
    "admission_avoidance",
    "acuity_change",
    "los_reduction",
    "crfd_removal",
    "long_stay_reduction",
    "midlands_factors",
    "expatriation",
    "bed_changes",
    "repatriation",
)
"""Levers in the order the waterfall adds them: demand first, then stays, then beds."""


@dataclass(frozen=True)
class PlanTables:
    """Day-indexed inputs for every pool (rows in scenario pool order)."""

    days: int
    rates: FloatArray
    clinical_multiplier: FloatArray
    crfd_multiplier: FloatArray
    removal_ramp: FloatArray
    long_stay_cut: FloatArray
    long_stay_threshold: FloatArray
    removal_share: tuple[dict[str, float], ...]
    open_from: tuple[FloatArray, ...]
    close_at: tuple[FloatArray, ...]
    month_edges: FloatArray
    month_labels: tuple[str, ...]


def _day(scenario: Scenario, day: dt.date | None, default: dt.date) -> float:
    return float(((day or default) - scenario.start_date).days)


def lever_ramp(scenario: Scenario, days: FloatArray) -> FloatArray:
    """Share of each lever's full effect reached on each day (0 before start, 1 at full)."""
    levers = scenario.levers
    start = _day(scenario, levers.start, scenario.start_date)
    full = _day(scenario, levers.full_effect, levers.start or scenario.start_date)
    if full <= start:
        return np.where(days >= start, 1.0, 0.0)
    return np.clip((days - start) / (full - start), 0.0, 1.0)


def _seasonality(pool: PoolSpec, dates_doy: FloatArray) -> FloatArray:
    spec = pool.admissions
    if not spec.annual_cos:
        return np.ones_like(dates_doy)

    def curve(doy: FloatArray) -> FloatArray:
        log_rate = np.zeros_like(doy)
        for k, (a, b) in enumerate(
            zip(spec.annual_cos, spec.annual_sin, strict=True), start=1
        ):
            angle = 2.0 * math.pi * k * doy / DAYS_PER_YEAR
            log_rate += a * np.cos(angle) + b * np.sin(angle)
        return np.asarray(np.exp(log_rate), dtype=np.float64)

    year_mean = float(curve(np.arange(366, dtype=np.float64) + 0.5).mean())
    return curve(dates_doy) / year_mean


def _population_index(
    scenario: Scenario, pool: PoolSpec, years: FloatArray
) -> FloatArray:
    """Admission-weighted population growth for the pool, relative to the plan start."""
    mix_total = sum(pool.age_sex_mix.values()) or 1.0
    index = np.zeros_like(years)
    start_year = (
        scenario.start_date.year
        + (scenario.start_date.timetuple().tm_yday - 1) / DAYS_PER_YEAR
    )
    for group, share in pool.age_sex_mix.items():
        rows = sorted(
            (r.year + 0.5, r.count)
            for r in scenario.population
            if f"{r.age_band}|{r.sex}" == group
        )
        xs = np.array([x for x, _ in rows])
        ys = np.array([y for _, y in rows])
        base = float(np.interp(start_year, xs, ys))
        index += (share / mix_total) * np.interp(years, xs, ys) / base
    return index


def midlands_multipliers(spec: MidlandsSpec) -> tuple[float, float]:
    """Full-effect multipliers (admissions, length of stay) equal to the Midlands factors.

    That model adds each factor's percentage to spells and to bed days; the social care
    factor applies to delayed bed days only. Matching spells and bed days means admissions
    scale by ``A = 1 + Σf`` and stays by ``B / A``, where ``B = 1 + Σf' + d × social care``.

    Examples:
        >>> a, l = midlands_multipliers(MidlandsSpec(delayed_share_of_bed_days=0.1))
        >>> round(a, 4), round(a * l, 4)
        (0.895, 0.8356)
    """
    others = (
        spec.demographic_growth
        + spec.incidence_change
        + spec.acuity_change
        + spec.mha_changes
        + spec.national_policy
        + spec.service_models
        + spec.prevention_programme
        + spec.admission_avoidance
        + spec.waiting_list_reduction
    )
    spells = 1.0 + (others + spec.social_care_pressures) / 100.0
    bed_days = (
        1.0
        + others / 100.0
        + spec.delayed_share_of_bed_days * spec.social_care_pressures / 100.0
    )
    return spells, bed_days / spells


def admission_rates(scenario: Scenario, pool: PoolSpec, days: FloatArray) -> FloatArray:
    """Expected admissions on each plan day (``days`` are day indices from the start)."""
    dates = [scenario.start_date + dt.timedelta(days=int(d)) for d in days]
    doy = np.array([d.timetuple().tm_yday - 1 + 0.5 for d in dates], dtype=np.float64)
    weekday = np.array([d.weekday() for d in dates])
    factors = np.asarray(pool.admissions.weekday_factors, dtype=np.float64)
    years = days / DAYS_PER_YEAR
    rate = (
        pool.admissions.per_day
        * _seasonality(pool, doy)
        * (factors / factors.mean())[weekday]
    )
    rate = rate * (1.0 + pool.admissions.trend_pct_per_year / 100.0) ** years
    levers, ramp = scenario.levers, lever_ramp(scenario, days)
    if levers.demographic_growth:
        calendar = np.array(
            [d.year + (d.timetuple().tm_yday - 1) / DAYS_PER_YEAR for d in dates]
        )
        rate = rate * _population_index(scenario, pool, calendar)
    if levers.incidence_change_pct_per_year:
        since = np.maximum(
            days - _day(scenario, levers.start, scenario.start_date), 0.0
        )
        rate = rate * (1.0 + levers.incidence_change_pct_per_year / 100.0) ** (
            since / DAYS_PER_YEAR
        )
    for item in levers.admission_avoidance:
        if item.pools and pool.id not in item.pools:
            continue
        own = np.where(
            days >= _day(scenario, item.start, scenario.start_date), 1.0, 0.0
        )
        rate = rate * (
            1.0 - item.pct_of_admissions / 100.0 * (own if item.start else ramp)
        )
    if scenario.midlands is not None and scenario.midlands.apply_to_simulation:
        arrivals, _ = midlands_multipliers(scenario.midlands)
        rate = rate * (1.0 + (arrivals - 1.0) * _midlands_ramp(days))
    return np.asarray(rate, dtype=np.float64)


def _midlands_ramp(days: FloatArray) -> FloatArray:
    """The Midlands factors are 3-year totals: reach them linearly over three years."""
    return np.clip(days / (3 * DAYS_PER_YEAR), 0.0, 1.0)


def _los_tables(
    scenario: Scenario, days: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    levers, ramp = scenario.levers, lever_ramp(scenario, days)
    since = np.maximum(days - _day(scenario, levers.start, scenario.start_date), 0.0)
    clinical = (1.0 + levers.acuity_change_pct_per_year / 100.0) ** (
        since / DAYS_PER_YEAR
    )
    clinical = clinical * (1.0 - levers.los_reduction_pct / 100.0 * ramp)
    crfd = np.ones_like(days)
    if scenario.midlands is not None and scenario.midlands.apply_to_simulation:
        _, los = midlands_multipliers(scenario.midlands)
        step = 1.0 + (los - 1.0) * _midlands_ramp(days)
        clinical, crfd = clinical * step, crfd * step
    removal = ramp if levers.crfd_removal_pct else np.zeros_like(days)
    return clinical, crfd, removal, levers.long_stay_reduction_pct / 100.0 * ramp


def bed_slots(scenario: Scenario, pool: PoolSpec) -> tuple[FloatArray, FloatArray]:
    """Opening and closing day of every bed slot; closures take the newest open slots."""
    reserved = round(pool.non_resident_census)
    released = round(
        pool.non_resident_census * scenario.levers.expatriation_pct / 100.0
    )
    opens: list[float] = [-math.inf] * max(pool.beds - reserved, 0)
    closes: list[float] = [math.inf] * len(opens)
    changes = [
        (_day(scenario, c.date, scenario.start_date), c.change)
        for c in pool.bed_changes
    ]
    if released:
        levers = scenario.levers
        when = _day(scenario, levers.full_effect or levers.start, scenario.start_date)
        changes.append((max(when, 0.0), released))
    for day, change in sorted(changes):
        if change > 0:
            opens += [day] * change
            closes += [math.inf] * change
            continue
        open_now = [i for i in range(len(opens)) if closes[i] > day]
        for i in sorted(open_now, reverse=True)[:-change]:
            closes[i] = day
    return np.asarray(opens, dtype=np.float64), np.asarray(closes, dtype=np.float64)


def month_starts(scenario: Scenario) -> tuple[FloatArray, tuple[str, ...]]:
    """Day offsets of each calendar month boundary in the plan, and month labels."""
    edges, labels = [0.0], []
    cursor = scenario.start_date
    while cursor < scenario.end_date:
        labels.append(cursor.strftime("%Y-%m"))
        nxt = (cursor.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        cursor = min(nxt, scenario.end_date)
        edges.append(float((cursor - scenario.start_date).days))
    return np.asarray(edges), tuple(labels)


def plan_tables(scenario: Scenario) -> PlanTables:
    """Every day-indexed table the engine needs for this scenario."""
    n_days = (scenario.end_date - scenario.start_date).days
    days = np.arange(n_days, dtype=np.float64)
    clinical, crfd, removal, long_cut = _los_tables(scenario, days)
    rows = [admission_rates(scenario, pool, days) for pool in scenario.pools]
    slots = [bed_slots(scenario, pool) for pool in scenario.pools]
    edges, labels = month_starts(scenario)
    share = {g: v / 100.0 for g, v in scenario.levers.crfd_removal_pct.items()}
    n = len(scenario.pools)
    return PlanTables(
        days=n_days,
        rates=np.vstack(rows),
        clinical_multiplier=np.tile(clinical, (n, 1)),
        crfd_multiplier=np.tile(crfd, (n, 1)),
        removal_ramp=np.tile(removal, (n, 1)),
        long_stay_cut=np.tile(long_cut, (n, 1)),
        long_stay_threshold=np.array(
            [p.long_stay_days or math.inf for p in scenario.pools]
        ),
        removal_share=tuple(dict(share) for _ in scenario.pools),
        open_from=tuple(s[0] for s in slots),
        close_at=tuple(s[1] for s in slots),
        month_edges=edges,
        month_labels=labels,
    )


def neutralise(scenario: Scenario, names: set[str] | frozenset[str]) -> Scenario:
    """A copy of the scenario with the named levers at their neutral values."""
    unknown = set(names) - set(LEVER_NAMES)
    if unknown:
        raise ValueError(f"unknown levers {sorted(unknown)}")
    update: dict[str, object] = {}
    neutral = Levers()
    lever_fields = {
        "demographic_growth": "demographic_growth",
        "incidence_change": "incidence_change_pct_per_year",
        "admission_avoidance": "admission_avoidance",
        "acuity_change": "acuity_change_pct_per_year",
        "los_reduction": "los_reduction_pct",
        "crfd_removal": "crfd_removal_pct",
        "long_stay_reduction": "long_stay_reduction_pct",
        "expatriation": "expatriation_pct",
    }
    changed = {f: getattr(neutral, f) for n, f in lever_fields.items() if n in names}
    if changed:
        update["levers"] = scenario.levers.model_copy(update=changed)
    if "bed_changes" in names:
        update["pools"] = [
            p.model_copy(update={"bed_changes": []}) for p in scenario.pools
        ]
    if "repatriation" in names:
        update["repatriation"] = RepatriationSpec(rule="none")
    if "midlands_factors" in names and scenario.midlands is not None:
        update["midlands"] = scenario.midlands.model_copy(
            update={"apply_to_simulation": False}
        )
    return scenario.model_copy(update=update)


def active_levers(scenario: Scenario) -> list[str]:
    """Levers that are not at their neutral value, in waterfall order."""
    return [name for name in LEVER_NAMES if neutralise(scenario, {name}) != scenario]
