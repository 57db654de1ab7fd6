"""The plan and its execution: every requested metric × breakdown, every period at once.

A request is planned as (metric, breakdown) pairs, with the components composites need.
Pairs are grouped by facts table; each facts table is built for all periods at once,
given its attributes, restricted to the scope, materialised once, and then one
aggregation per breakdown computes every metric of that table together. Composites are
divided afterwards from their parts, so a rate always uses exactly the published
numerator and denominator. Everything before ``execute`` is an Ibis expression.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import ibis.common.exceptions as ibis_exc
import pandas as pd
from ibis.expr.types import Table

from nearhome.data.warehouse import Warehouse
from nearhome.errors import BackendUnsupported
from nearhome.metrics import dimensions
from nearhome.metrics.attributes import with_attributes
from nearhome.metrics.measures import Composite, FactMeasure, Facts, Population
from nearhome.metrics.population import population_table, range_key
from nearhome.metrics.registry import MetricSpec, get

Breakdown = tuple[str, ...]
Key = tuple[str, Breakdown]
Progress = Callable[[str, float], None]
PERIOD_COLUMNS = ["period_start", "period_last"]


class WarehouseTables(Mapping[str, Table]):
    """The warehouse's tables as a read-only mapping of Ibis expressions."""

    def __init__(self, warehouse: Warehouse) -> None:
        """Remember the warehouse and the names it holds."""
        self._warehouse = warehouse
        self._names = set(warehouse.list_tables())

    def __getitem__(self, name: str) -> Table:
        """The named table (raises the warehouse's NotFound when missing)."""
        return self._warehouse.table(name)

    def __iter__(self) -> Iterator[str]:
        """Table names."""
        return iter(sorted(self._names))

    def __len__(self) -> int:
        """Number of tables."""
        return len(self._names)

    def __contains__(self, name: object) -> bool:
        """Whether the table exists."""
        return name in self._names


def supports(spec: MetricSpec, breakdown: Breakdown) -> bool:
    """Whether the metric is defined for this (possibly crossed) breakdown."""
    return all(d in spec.breakdowns for d in breakdown)


def reduced(breakdown: Breakdown, broadcast: Sequence[str]) -> Breakdown:
    """The breakdown without numerator-only dimensions (``("all",)`` if nothing is left)."""
    rest = tuple(d for d in breakdown if d not in broadcast)
    return rest or ("all",)


@dataclass
class Plan:
    """What to compute: metric × breakdown pairs, grouped for execution."""

    pairs: list[Key] = field(default_factory=list)
    by_facts: dict[Facts, dict[Breakdown, list[MetricSpec]]] = field(default_factory=dict)
    populations: dict[Breakdown, set[Population]] = field(default_factory=dict)

    def need(self, spec: MetricSpec, breakdown: Breakdown) -> None:
        """Add a pair and, for composites, the pairs it is divided from."""
        key = (spec.id, breakdown)
        if key in self.pairs:
            return
        computation = spec.computation
        if isinstance(computation, Composite):
            self.need(get(computation.numerator), breakdown)
            if isinstance(computation.denominator, Population):
                self.populations.setdefault(breakdown, set()).add(computation.denominator)
            else:
                base = reduced(breakdown, computation.broadcast)
                self.need(get(computation.denominator), base)
        else:
            group = self.by_facts.setdefault(computation.facts, {})
            group.setdefault(breakdown, []).append(spec)
        self.pairs.append(key)


def plan(specs: Sequence[MetricSpec], breakdowns: Sequence[Breakdown]) -> Plan:
    """Plan every supported (metric, breakdown) pair of a request."""
    result = Plan()
    for breakdown in breakdowns:
        for spec in specs:
            if supports(spec, breakdown):
                result.need(spec, breakdown)
    return result


def _level_columns(n: int) -> list[str]:
    return [f"level_{i}" for i in range(n)] + [f"desc_{i}" for i in range(n)]


def aggregation(rows: Table, breakdown: Breakdown, specs: Sequence[MetricSpec]) -> Table:
    """One query computing every metric of one facts table for one breakdown."""
    dims = [dimensions.dimensions()[name] for name in breakdown]
    keys = {"period_start": rows.period_start, "period_last": rows.period_last}
    constants = {}
    for i, dim in enumerate(dims):
        if dim.columns:
            keys[f"level_{i}"] = dim.level(rows)
            keys[f"desc_{i}"] = dim.description(rows)
        else:  # "all": a constant, added after grouping
            constants[f"level_{i}"] = dim.level(rows)
            constants[f"desc_{i}"] = dim.description(rows)
    metrics = {}
    for j, spec in enumerate(specs):
        measure = spec.computation
        assert isinstance(measure, FactMeasure)
        for part in ("numerator", "denominator", "statistic"):
            aggregate = getattr(measure, part)
            if aggregate is not None:
                metrics[f"m{j}_{part}"] = aggregate.expr(rows)
    grouped = rows.group_by(**keys).aggregate(**metrics)
    return grouped.mutate(**constants) if constants else grouped


def _split(frame: pd.DataFrame, breakdown: Breakdown, specs: Sequence[MetricSpec]) -> dict[Key, pd.DataFrame]:
    keys = PERIOD_COLUMNS + _level_columns(len(breakdown))
    out = {}
    for j, spec in enumerate(specs):
        part = frame[keys].copy()
        for column in ("numerator", "denominator", "statistic"):
            source = f"m{j}_{column}"
            part[column] = frame[source].astype("float64") if source in frame else float("nan")
        out[(spec.id, breakdown)] = part
    return out


def _execute(warehouse: Warehouse, expr: Table) -> pd.DataFrame:
    frame = warehouse.execute(expr)
    for column in PERIOD_COLUMNS:
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


def _materialise(rows: Table, warehouse: Warehouse) -> Table:
    """Materialise a facts table once for many breakdowns (a temporary table or cache)."""
    try:
        return rows.cache()
    except (ibis_exc.OperationNotDefinedError, ibis_exc.UnsupportedOperationError) as exc:
        raise BackendUnsupported(
            f"The {warehouse.name} backend cannot build these facts: {exc}"
        ) from exc


@dataclass
class Run:
    """Everything one request needs while it executes."""

    warehouse: Warehouse
    tables: Mapping[str, Table]
    periods: Table
    icb: str | None
    progress: Progress | None = None
    results: dict[Key, pd.DataFrame] = field(default_factory=dict)

    def _report(self, message: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(message, done / max(total, 1))

    def facts(self, facts: Facts, groups: Mapping[Breakdown, list[MetricSpec]], step: tuple[int, int]) -> int:
        """Compute every metric × breakdown of one facts table; returns steps done."""
        rows = with_attributes(facts.build(self.tables, self.periods), self.tables)
        if self.icb is not None:
            rows = rows.filter(rows[facts.scope] == self.icb)
        cached = _materialise(rows, self.warehouse) if len(groups) > 1 else rows
        done, total = step
        try:
            for breakdown, specs in groups.items():
                frame = _execute(self.warehouse, aggregation(cached, breakdown, specs))
                self.results |= _split(frame, breakdown, specs)
                done += 1
                self._report(f"{facts.name} by {dimensions.label(breakdown)}", done, total)
        finally:
            if cached is not rows:
                cached.release()  # type: ignore[attr-defined]
        return done

    def population(self, breakdown: Breakdown, ranges: set[Population]) -> pd.DataFrame:
        """Population by year and level for one breakdown (executed once per breakdown)."""
        dims = [dimensions.dimensions()[name] for name in breakdown]
        expr = population_table(self.tables, dims, sorted(ranges, key=range_key), self.icb)
        frame = self.warehouse.execute(expr)
        for i, dim in enumerate(dims):
            if not dim.columns:
                frame[f"level_{i}"] = "ALL"
                frame[f"desc_{i}"] = "Total"
        return frame


def complete(frame: pd.DataFrame, spec: MetricSpec, breakdown: Breakdown, periods: pd.DataFrame) -> pd.DataFrame:
    """Zero-fill: every period for every level seen, with zero counts where nothing
    happened (so a quiet month reads 0, not a missing row)."""
    levels = _level_columns(len(breakdown))
    seen = frame[levels].drop_duplicates()
    if breakdown == ("all",) and seen.empty:
        seen = pd.DataFrame({"level_0": ["ALL"], "desc_0": ["Total"]})
    if seen.empty:
        return frame
    grid = periods.merge(seen, how="cross")
    full = grid.merge(frame, on=PERIOD_COLUMNS + levels, how="left")
    measure = spec.computation
    assert isinstance(measure, FactMeasure)
    for part in ("numerator", "denominator"):
        if getattr(measure, part) is not None:
            full[part] = full[part].fillna(0.0)
    return full


def divide(run: Run, spec: MetricSpec, breakdown: Breakdown, populations: Mapping[Breakdown, pd.DataFrame]) -> pd.DataFrame:
    """A composite's frame: its numerator metric's numerator over its denominator.

    Levels with a denominator but no numerator get a numerator of zero (a rate of 0);
    for broadcast breakdowns each numerator level gets its remaining levels' denominator.
    """
    composite = spec.computation
    assert isinstance(composite, Composite)
    n = len(breakdown)
    levels = [f"level_{i}" for i in range(n)]
    top = run.results[(composite.numerator, breakdown)]
    numerator = top[PERIOD_COLUMNS + _level_columns(n) + ["numerator"]]
    if isinstance(composite.denominator, Population):
        denominator = _population_base(populations[breakdown], composite.denominator, numerator, n)
        keys, how = levels, "outer"
    else:
        base = run.results[(composite.denominator, reduced(breakdown, composite.broadcast))]
        positions = [i for i, d in enumerate(breakdown) if d not in composite.broadcast]
        denominator = base[PERIOD_COLUMNS].copy()
        for new, old in enumerate(positions):
            denominator[f"level_{old}"] = base[f"level_{new}"]
            denominator[f"desc_{old}"] = base[f"desc_{new}"]
        denominator["denominator"] = base["numerator"]
        keys = [f"level_{p}" for p in positions]
        how = "outer" if len(positions) == n else "left"
    merged = numerator.merge(denominator, on=PERIOD_COLUMNS + keys, how=how, suffixes=("", "_d"))
    for column in [c for c in merged.columns if c.endswith("_d")]:
        merged[column[:-2]] = merged[column[:-2]].fillna(merged[column])
    merged["numerator"] = merged["numerator"].fillna(0.0)
    merged["statistic"] = float("nan")
    return merged[PERIOD_COLUMNS + _level_columns(n) + ["numerator", "denominator", "statistic"]]


def _population_base(population: pd.DataFrame, wanted: Population, numerator: pd.DataFrame, n: int) -> pd.DataFrame:
    """The population of each period's year for each level, as a ``denominator`` column."""
    years = sorted(int(y) for y in population["year"].dropna().unique())
    periods = numerator[PERIOD_COLUMNS].drop_duplicates()
    if not years or periods.empty:
        return pd.DataFrame(columns=PERIOD_COLUMNS + _level_columns(n) + ["denominator"])
    periods = periods.assign(year=[_year_for(p.year, years) for p in periods["period_last"]])
    frame = population.rename(columns={range_key(wanted): "denominator"})
    frame = frame[["year", *_level_columns(n), "denominator"]]
    base = periods.merge(frame, on="year", how="inner").drop(columns="year")
    return base[base["denominator"] > 0]


def _year_for(year: int, years: Sequence[int]) -> int:
    earlier = [y for y in years if y <= year]
    return max(earlier) if earlier else min(years)


def execute(run: Run, request: Plan, periods: pd.DataFrame) -> dict[Key, pd.DataFrame]:
    """Run a plan: facts tables, then populations, then composites; every pair's frame."""
    total = sum(len(groups) for groups in request.by_facts.values()) + len(request.populations)
    done = 0
    for facts, groups in request.by_facts.items():
        done = run.facts(facts, groups, (done, total))
    for key, frame in list(run.results.items()):
        run.results[key] = complete(frame, get(key[0]), key[1], periods)
    populations = {}
    for breakdown, ranges in request.populations.items():
        populations[breakdown] = run.population(breakdown, ranges)
        done += 1
        run._report(f"population by {dimensions.label(breakdown)}", done, total)
    for metric_id, breakdown in request.pairs:
        spec = get(metric_id)
        if isinstance(spec.computation, Composite):
            run.results[(metric_id, breakdown)] = divide(run, spec, breakdown, populations)
    return run.results
