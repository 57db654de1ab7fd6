"""The plan and its execution: every requested metric × breakdown, every period at once.

A request is planned as (metric, breakdown) pairs, with the components composites need.
Pairs are grouped by facts table; each facts table is built for all periods at once
(or read from the prepared facts, :mod:`~nearhome.metrics.prepared`), given its
attributes, restricted to the scope and materialised once; then its
breakdowns are aggregated in a few stacked queries (``UNION ALL`` of one aggregation
per breakdown, every metric of the table computed together). Populations are likewise
one stacked query. Composites are divided afterwards from their parts, so a rate always
uses exactly the published numerator and denominator. Everything before ``execute`` is
an Ibis expression; everything after works on one long frame at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
import numpy as np
import pandas as pd
from ibis.expr.types import Table

from nearhome.data.warehouse import Warehouse
from nearhome.metrics import coded, dimensions, distinct_counts
from nearhome.metrics.attributes import (
    needs_legal_status,
    with_attributes,
    with_sources,
)
from nearhome.metrics.coded import CODE, EMPTY, PeriodGrid, Strings, paired, unpaired
from nearhome.metrics.measures import Composite, FactMeasure, Facts, Population
from nearhome.metrics.population import population_rows, population_table, range_key
from nearhome.metrics.population import supports as population_supports
from nearhome.metrics.registry import MetricSpec, get

if TYPE_CHECKING:
    from nearhome.metrics.prepared import PreparedFacts

Breakdown = tuple[str, ...]
Key = tuple[str, Breakdown]
Progress = Callable[[str, float], None]
PERIOD_COLUMNS = ["period_start", "period_last"]
"""The period columns of every query (the coded frames keep its index, ``period``)."""
LEVELS = ["level_0", "desc_0", "level_1", "desc_1"]
TEXT = ("breakdown", *LEVELS)
"""Text columns of query results, held as string codes (:mod:`~nearhome.metrics.coded`)."""
LONG = [
    "measure_id",
    "breakdown",
    "period",
    *LEVELS,
    "numerator",
    "denominator",
    "statistic",
]
"""Columns of the coded long frame: text as codes, the period as its grid index."""
MAX_CROSS = 2
BATCH = 24
"""Breakdowns per query: one UNION ALL of this many aggregations."""
STORE_FROM = 3
"""Breakdowns from which a facts table is stored before it is aggregated, where the
engine computes a shared subquery once (``Warehouse.shares_subqueries``): fewer are
aggregated in one query that reads the facts once. Writing a table first cost
England's sample of five metrics by England and ICB about a tenth of its time."""
PARTS = ("numerator", "denominator", "statistic")


class WarehouseTables(Mapping[str, Table]):
    """The warehouse's tables as a read-only mapping of Ibis expressions."""

    def __init__(self, warehouse: Warehouse) -> None:
        """Remember the warehouse and the names it holds."""
        self._warehouse = warehouse
        self._names = set(warehouse.list_tables())
        self._tables: dict[str, Table] = {}

    def __getitem__(self, name: str) -> Table:
        """The named table, looked up once (the same expression object is reused)."""
        if name not in self._tables:
            self._tables[name] = self._warehouse.table(name)
        return self._tables[name]

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
    by_facts: dict[Facts, dict[Breakdown, list[MetricSpec]]] = field(
        default_factory=dict
    )
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
                self.populations.setdefault(breakdown, set()).add(
                    computation.denominator
                )
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


# --- queries ------------------------------------------------------------------------


def _level_keys(
    table: Table, breakdown: Breakdown
) -> tuple[dict[str, ir.Value], dict[str, ir.Value]]:
    """Group keys and constants of a breakdown: levels, and the name columns that
    describe them (other descriptions are added after the query)."""
    dims = [dimensions.dimensions()[name] for name in breakdown]
    keys: dict[str, ir.Value] = {}
    constants: dict[str, ir.Value] = {
        "breakdown": ibis.literal(dimensions.label(breakdown))
    }
    for i in range(MAX_CROSS):
        dim = dims[i] if i < len(dims) else None
        if dim is not None and dim.columns:
            keys[f"level_{i}"] = dim.level(table)
        else:
            constants[f"level_{i}"] = (
                dim.level(table) if dim is not None else ibis.literal("")
            )
        if (
            dim is not None
            and dim.label_column is not None
            and dim.label_column in table.columns
        ):
            keys[f"desc_{i}"] = dim.description(table)
        else:
            constants[f"desc_{i}"] = ibis.literal("")
    return keys, constants


Reducer = tuple[Any, str | None, str | None]


def inputs(
    rows: Table, specs: Sequence[MetricSpec]
) -> tuple[Table, dict[str, Reducer], dict[str, str]]:
    """The facts with every metric's per-row value and filter as plain columns, the
    distinct aggregates over them, and which aggregate gives each metric part.

    Shared inputs and identical aggregates (the many metrics dividing by the same count)
    are computed once: the number of aggregates drives the cost of every breakdown.
    """
    columns: dict[str, ir.Value] = {}
    names: dict[object, str] = {}
    reducers: dict[str, Reducer] = {}
    seen: dict[tuple[object, ...], str] = {}
    parts: dict[str, str] = {}

    def name(expr: ir.Value | None) -> str | None:
        if expr is None:
            return None
        key = expr.op()
        if isinstance(key, ops.Field) and key.rel == rows.op():
            return str(key.name)  # a plain column is read as it is, not copied
        if key not in names:
            names[key] = f"_in{len(names)}"
            columns[names[key]] = expr
        return names[key]

    for j, spec in enumerate(specs):
        measure = spec.computation
        assert isinstance(measure, FactMeasure)
        for part in PARTS:
            aggregate = getattr(measure, part)
            if aggregate is None:
                continue
            value, where = aggregate.inputs(rows)
            x, w = name(value), name(where)
            key = (type(aggregate).__name__, getattr(aggregate, "q", None), x, w)
            if key not in seen:
                seen[key] = f"a{len(seen)}"
                reducers[seen[key]] = (aggregate, x, w)
            parts[f"m{j}_{part}"] = seen[key]
    return rows.mutate(**columns), reducers, parts


def aggregation(
    rows: Table,
    breakdown: Breakdown,
    plan: Mapping[str, Reducer],
) -> Table:
    """One breakdown's aggregation, in the stacked column order."""
    keys, constants = _level_keys(rows, breakdown)
    metrics = {
        name: agg.reduce(rows, x, w).cast("float64")
        for name, (agg, x, w) in plan.items()
    }
    grouped = rows.group_by(
        period_start=rows.period_start, period_last=rows.period_last, **keys
    )
    result = grouped.aggregate(**metrics).mutate(**constants)
    return result.select("breakdown", *PERIOD_COLUMNS, *LEVELS, *metrics)


def stacked(parts: Sequence[Table]) -> Table:
    """Several aggregations as one UNION ALL query."""
    return parts[0] if len(parts) == 1 else ibis.union(*parts, distinct=False)


def describe(frame: pd.DataFrame, strings: Strings) -> pd.DataFrame:
    """Fill ``desc_0``/``desc_1`` from each dimension's labels (or the level itself).

    Labels are looked up once per distinct (level, description) pair, not per row.
    """
    breakdowns = frame["breakdown"].to_numpy()
    for code in pd.unique(breakdowns):
        rows = np.flatnonzero(breakdowns == code)
        for i, name in enumerate(strings.text(int(code)).split(dimensions.JOIN)):
            dim = dimensions.dimensions()[name]
            level = frame[f"level_{i}"].to_numpy()[rows]
            given = frame[f"desc_{i}"].to_numpy()[rows]
            read = np.where(given != EMPTY, given, level)
            if dim.labels:
                pairs, inverse = np.unique(paired(level, read), return_inverse=True)
                levels, reads = unpaired(pairs)
                described = dim.describe(
                    pd.Series(strings.decode(levels)),
                    pd.Series(strings.decode(reads)),
                )
                read = strings.codes(described.astype(str))[inverse.reshape(-1)]
            column = frame[f"desc_{i}"].to_numpy().copy()
            column[rows] = read
            frame[f"desc_{i}"] = column
    return frame


def _melt(
    frame: pd.DataFrame,
    specs: Sequence[MetricSpec],
    wanted: set[Key],
    columns: Mapping[str, str],
    strings: Strings,
) -> pd.DataFrame:
    """A stacked wide result as long rows, keeping only the planned pairs."""
    frame = describe(frame, strings)
    breakdowns = frame["breakdown"].to_numpy()
    parts = []
    for j, spec in enumerate(specs):
        labels = strings.codes(dimensions.label(b) for m, b in wanted if m == spec.id)
        mask = np.isin(breakdowns, labels)
        part = {
            "measure_id": np.full(int(mask.sum()), strings.code(spec.id), dtype=CODE),
            **{c: frame[c].to_numpy()[mask] for c in ("breakdown", "period", *LEVELS)},
        }
        for name in PARTS:
            column = columns.get(f"m{j}_{name}")
            part[name] = (
                frame[column].to_numpy()[mask]
                if column
                else np.full(len(part["period"]), np.nan)
            )
        parts.append(pd.DataFrame(part))
    return pd.concat(parts, ignore_index=True)


@dataclass
class Run:
    """Everything one request needs while it executes."""

    warehouse: Warehouse
    tables: Mapping[str, Table]
    periods: Table
    grid: PeriodGrid
    icb: str | None
    progress: Progress | None = None
    prepared: PreparedFacts | None = None
    """Stored facts rows (:mod:`~nearhome.metrics.prepared`) the request may read."""
    strings: Strings = field(default_factory=Strings)
    frames: list[pd.DataFrame] = field(default_factory=list)
    done: int = 0
    total: int = 1

    def report(self, message: str, steps: int = 1) -> None:
        """Advance the progress callback."""
        self.done += steps
        if self.progress is not None:
            self.progress(message, min(self.done / max(self.total, 1), 1.0))

    def execute(self, expr: Table) -> pd.DataFrame:
        """Run one query and read its result coded (:mod:`~nearhome.metrics.coded`)."""
        return coded.frame(self.warehouse.to_arrow(expr), self.strings, self.grid, TEXT)

    def facts(self, facts: Facts, groups: Mapping[Breakdown, list[MetricSpec]]) -> None:
        """Compute every metric × breakdown of one facts table."""
        specs = list(
            {spec.id: spec for wanted in groups.values() for spec in wanted}.values()
        )
        read = columns_read(
            facts, list(groups), specs, self.tables, self.periods, self.icb is not None
        )
        rows, staged = self._rows(facts, len(groups), read)
        if self.icb is not None:
            rows = rows.filter(rows[facts.scope] == self.icb)
        wanted = {(spec.id, b) for b, chosen in groups.items() for spec in chosen}
        rows, parts, columns = inputs(rows, specs)
        # Distinct counts lean on per-row flags stored with the facts, when enough
        # breakdowns use them (:mod:`~nearhome.metrics.distinct_counts`).
        many = len(groups) >= (STORE_FROM if self.warehouse.shares_subqueries else 2)
        rows, firsts = (
            distinct_counts.first_rows(rows, parts, groups)
            if many
            else (rows, distinct_counts.FirstRows({}, {}))
        )
        used = {name for _, x, w in parts.values() for name in (x, w) if name}
        used |= firsts.columns
        rows = rows.select(*[c for c in rows.columns if c in read or c in used])
        cached = _materialise(rows, self.warehouse) if many else rows
        if staged is not None and cached is not rows:
            staged.release()  # type: ignore[attr-defined]  # read into ``cached``
        breakdowns = list(groups)
        try:
            for first in range(0, len(breakdowns), BATCH):
                batch = breakdowns[first : first + BATCH]
                frame = self.execute(
                    stacked(
                        [aggregation(cached, b, firsts.plan(parts, b)) for b in batch]
                    )
                )
                self.frames.append(_melt(frame, specs, wanted, columns, self.strings))
                self.report(
                    f"{facts.name} by {dimensions.label(batch[-1])}", len(batch)
                )
        finally:
            if cached is not rows:
                cached.release()  # type: ignore[attr-defined]
            elif staged is not None:
                staged.release()  # type: ignore[attr-defined]  # read by the queries

    def _rows(
        self, facts: Facts, breakdowns: int, read: frozenset[str]
    ) -> tuple[Table, Table | None]:
        """The facts rows with the attributes ``read``, and what was stored on the way
        (to release once read): the prepared rows when they serve the request, else
        the facts built from the canonical tables."""
        prepared = None if self.prepared is None else self.prepared.rows(facts)
        if prepared is not None:
            return prepared, None
        built = facts.build(self.tables, self.periods, read)
        if (
            breakdowns > 1
            and needs_legal_status(built.columns)
            and "legal_status_group" in read
        ):
            # The legal status lookup reads the facts twice (its keys, then the join
            # back): built once and stored, they are not computed twice (England:
            # 25 s -> 14 s).
            staged = _materialise(built, self.warehouse)
            return with_attributes(staged, self.tables, read), staged
        return with_attributes(built, self.tables, read), None

    def populations(self, needed: Mapping[Breakdown, set[Population]]) -> pd.DataFrame:
        """Population by year and level for every breakdown that needs one (one query)."""
        ranges = sorted(
            {r for wanted in needed.values() for r in wanted}, key=range_key
        )
        rows = population_rows(self.tables, self.icb, ranges)
        cached = _materialise(rows, self.warehouse) if len(needed) > 1 else rows
        parts = []
        for breakdown in needed:
            dims = [dimensions.dimensions()[name] for name in breakdown]
            table = population_table(cached, dims, ranges)
            constants = _population_constants(breakdown)
            parts.append(
                table.mutate(**constants).select(
                    "breakdown", "year", *LEVELS, *[range_key(r) for r in ranges]
                )
            )
        try:
            result = self.warehouse.to_arrow(stacked(parts))
        finally:
            if cached is not rows:
                cached.release()  # type: ignore[attr-defined]
        frame = describe(coded.frame(result, self.strings, None, TEXT), self.strings)
        self.report("population", len(needed))
        return frame


def columns_read(
    facts: Facts,
    breakdowns: Sequence[Breakdown],
    specs: Sequence[MetricSpec],
    tables: Mapping[str, Table],
    periods: Table,
    scoped: bool,
) -> frozenset[str]:
    """The facts columns a request reads: the periods, its breakdowns' levels and names,
    its metrics' values and filters, and the scope column when it is ``scoped`` to an ICB.

    Builders and attributes leave out the rest (:data:`~nearhome.metrics.measures.Wanted`),
    so a request of two breakdowns does not pay for every look-up a whole catalogue
    needs, and one metric's SQL (:mod:`~nearhome.metrics.query`) holds only its own.
    """
    names = set(PERIOD_COLUMNS).union(*map(dimensions.read_by, breakdowns))
    if scoped:
        names.add(facts.scope)
    missing = [s for s in specs if (facts.name, s.id) not in _INPUT_COLUMNS]
    if missing:
        full = with_attributes(facts.build(tables, periods, None), tables)
        for spec in missing:
            _INPUT_COLUMNS[facts.name, spec.id] = _referenced(full, spec)
    for spec in specs:
        names.update(_INPUT_COLUMNS[facts.name, spec.id])
    return with_sources(frozenset(names))


_INPUT_COLUMNS: dict[tuple[str, str], frozenset[str]] = {}
"""Facts columns each metric's aggregates read, by (facts, metric). They depend on the
code alone (the facts builders and the metric's definition), never on the data, so
they are found once per process: building the full facts expression to find them
costs about as much as a small request's queries."""


def _referenced(full: Table, spec: MetricSpec) -> frozenset[str]:
    """Columns of ``full`` read by the metric's values and filters."""
    names: set[str] = set()
    for part in PARTS:
        aggregate = getattr(spec.computation, part)
        if aggregate is None:
            continue
        for value in aggregate.inputs(full):
            if value is not None:
                names.update(
                    str(field.name)
                    for field in value.op().find(ops.Field)
                    if field.rel == full.op()
                )
    return frozenset(names)


def _population_constants(breakdown: Breakdown) -> dict[str, ir.Value]:
    """The constant level columns of a population query (``all``, unused positions)."""
    dims = [dimensions.dimensions()[name] for name in breakdown]
    constants: dict[str, ir.Value] = {
        "breakdown": ibis.literal(dimensions.label(breakdown))
    }
    for i in range(MAX_CROSS):
        if i >= len(dims):
            constants[f"level_{i}"] = ibis.literal("")
            constants[f"desc_{i}"] = ibis.literal("")
        elif not dims[i].columns:
            constants[f"level_{i}"] = ibis.literal("ALL")
            constants[f"desc_{i}"] = ibis.literal("Total")
        else:
            constants[f"desc_{i}"] = ibis.literal("")
    return constants


def _materialise(rows: Table, warehouse: Warehouse) -> Table:
    """Materialise a facts table once for many breakdowns (a temporary table or cache)."""
    return warehouse.cache(rows)


# --- after execution: zero-fill and composites ----------------------------------------


CODES = ["measure_id", "breakdown", "period", *LEVELS]
"""Integer columns of the coded long frame."""


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    """A coded frame with no rows (codes as integers, figures as floats)."""
    return pd.DataFrame(
        {c: np.zeros(0, dtype=CODE if c in CODES else np.float64) for c in columns}
    )


def _as_codes(frame: pd.DataFrame) -> pd.DataFrame:
    """Code columns back to integers after an outer merge made them float (a code
    missing on both sides reads as the empty string)."""
    for column in CODES:
        if column in frame and frame[column].dtype != CODE:
            frame[column] = frame[column].fillna(EMPTY).astype(CODE)
    return frame


def complete(
    long: pd.DataFrame, pairs: Sequence[Key], periods: int, strings: Strings
) -> pd.DataFrame:
    """Zero-fill: every period for every level seen, zero counts where nothing happened
    (a quiet month reads 0, not a missing row); ``all`` rows always exist.

    Only the missing (level, period) cells are built and appended: merging the whole
    result against the full grid would hash every row's keys again.
    """
    level_columns = ["measure_id", "breakdown", *LEVELS]
    totals = [
        m
        for m, b in pairs
        if b == ("all",) and isinstance(get(m).computation, FactMeasure)
    ]
    filler_totals = pd.DataFrame(
        {
            "measure_id": strings.codes(totals),
            "breakdown": np.full(len(totals), strings.code("all"), dtype=CODE),
            "level_0": np.full(len(totals), strings.code("ALL"), dtype=CODE),
            "desc_0": np.full(len(totals), strings.code("Total"), dtype=CODE),
            "level_1": np.full(len(totals), EMPTY, dtype=CODE),
            "desc_1": np.full(len(totals), EMPTY, dtype=CODE),
        }
    )
    both = pd.concat([long[level_columns], filler_totals], ignore_index=True)
    level_ids = both.groupby(level_columns, sort=False).ngroup().to_numpy()
    levels = both.take(np.unique(level_ids, return_index=True)[1])
    period_of = long["period"].to_numpy()
    seen = np.zeros(len(levels) * periods, dtype=bool)
    seen[level_ids[: len(long)] * periods + period_of] = True
    missing = np.flatnonzero(~seen)
    filler = levels.iloc[missing // periods].reset_index(drop=True)
    filler["period"] = (missing % periods).astype(CODE)
    full = pd.concat([long, filler], ignore_index=True)
    measure_ids = full["measure_id"].unique()
    for part in ("numerator", "denominator"):
        counted = [
            m
            for m in measure_ids
            if getattr(get(strings.text(int(m))).computation, part, None) is not None
        ]
        has = full["measure_id"].isin(counted)  # one look-up per metric, not per row
        full[part] = full[part].where(~(has & full[part].isna()), 0.0)
    return full[LONG]


def _population_base(
    population: pd.DataFrame,
    wanted: Population,
    numerator: pd.DataFrame,
    grid: PeriodGrid,
) -> pd.DataFrame:
    """The population of each period's year for each level, as a ``denominator``."""
    years = sorted(int(y) for y in population["year"].dropna().unique())
    periods = numerator[["period"]].drop_duplicates()
    if not years or periods.empty:
        return _empty(["breakdown", "period", *LEVELS, "denominator"])
    periods = periods.assign(
        year=[
            float(_year_for(grid.year_of_last(int(p)), years))
            for p in periods["period"]
        ]
    )
    frame = population.rename(columns={range_key(wanted): "denominator"})
    frame = frame[["breakdown", "year", *LEVELS, "denominator"]]
    base = periods.merge(frame, on="year", how="inner").drop(columns="year")
    return base[base["denominator"] > 0]


def _year_for(year: int, years: Sequence[int]) -> int:
    earlier = [y for y in years if y <= year]
    return max(earlier) if earlier else min(years)


def _fill_descriptions(merged: pd.DataFrame) -> pd.DataFrame:
    for column in ("desc_0", "desc_1", "level_0", "level_1"):
        other = f"{column}_d"
        if other in merged:
            merged[column] = merged[column].fillna(merged.pop(other))
    return merged


def divide(
    by_measure: Mapping[str, pd.DataFrame],
    spec: MetricSpec,
    breakdowns: Sequence[Breakdown],
    population: pd.DataFrame | None,
    run: Run,
) -> pd.DataFrame:
    """A composite's rows for its breakdowns: its numerator metric's numerator over the
    denominator metric's numerator (or the population). Levels with a denominator but
    no numerator get a numerator of zero; a broadcast breakdown's levels share the
    denominator of their remaining levels."""
    composite = spec.computation
    assert isinstance(composite, Composite)
    strings = run.strings
    labels = {strings.code(dimensions.label(b)): b for b in breakdowns}
    top = _rows_of(by_measure, composite.numerator)
    top = top[top["breakdown"].isin(labels)]
    numerator = top[["breakdown", "period", *LEVELS, "numerator"]]
    if isinstance(composite.denominator, Population):
        assert population is not None
        base = _population_base(
            population[population["breakdown"].isin(labels)],
            composite.denominator,
            numerator,
            run.grid,
        )
        merged = numerator.merge(
            base,
            on=["breakdown", "period", "level_0", "level_1"],
            how="outer",
            suffixes=("", "_d"),
        )
        merged = _fill_descriptions(merged)
    else:
        merged = _divide_by_metric(by_measure, composite, numerator, labels, strings)
    merged["numerator"] = merged["numerator"].fillna(0.0)
    merged["statistic"] = np.nan
    merged["measure_id"] = strings.code(spec.id)
    return _as_codes(merged[LONG])


def _rows_of(by_measure: Mapping[str, pd.DataFrame], metric_id: str) -> pd.DataFrame:
    """One metric's long rows (an empty frame when it produced none)."""
    found = by_measure.get(metric_id)
    return _empty(LONG) if found is None else found


def _divide_by_metric(
    by_measure: Mapping[str, pd.DataFrame],
    composite: Composite,
    numerator: pd.DataFrame,
    labels: Mapping[int, Breakdown],
    strings: Strings,
) -> pd.DataFrame:
    assert isinstance(composite.denominator, str)
    denominators = _rows_of(by_measure, composite.denominator)
    direct = [
        label for label, b in labels.items() if reduced(b, composite.broadcast) == b
    ]
    keys = ["breakdown", "period", "level_0", "level_1"]
    base = denominators[denominators["breakdown"].isin(direct)][
        [*keys, "desc_0", "desc_1", "numerator"]
    ]
    base = base.rename(columns={"numerator": "denominator"})
    plain = numerator[numerator["breakdown"].isin(direct)].merge(
        base, on=keys, how="outer", suffixes=("", "_d")
    )
    parts = [_fill_descriptions(plain)]
    for label, breakdown in labels.items():
        if label in direct:
            continue
        rest = reduced(breakdown, composite.broadcast)
        positions = [i for i, d in enumerate(breakdown) if d not in composite.broadcast]
        rows = numerator[numerator["breakdown"] == label].copy()
        den = denominators[
            denominators["breakdown"] == strings.code(dimensions.label(rest))
        ]
        rows["_k0"] = (
            rows[f"level_{positions[0]}"] if positions else strings.code("ALL")
        )
        den = den[["period", "level_0", "numerator"]].rename(
            columns={"level_0": "_k0", "numerator": "denominator"}
        )
        parts.append(
            rows.merge(den, on=["period", "_k0"], how="left").drop(columns="_k0")
        )
    return pd.concat(parts, ignore_index=True)


def execute(run: Run, request: Plan) -> pd.DataFrame:
    """Run a plan: facts tables, then populations, then composites, as one coded long
    frame (:data:`LONG`)."""
    run.total = sum(len(groups) for groups in request.by_facts.values()) + len(
        request.populations
    )
    for facts, groups in request.by_facts.items():
        run.facts(facts, groups)
    facts_pairs = [
        k for k in request.pairs if isinstance(get(k[0]).computation, FactMeasure)
    ]
    long = pd.concat(run.frames, ignore_index=True) if run.frames else _empty(LONG)
    run.frames.clear()
    long = complete(long, facts_pairs, len(run.grid), run.strings)
    population = run.populations(request.populations) if request.populations else None
    composites: dict[str, list[Breakdown]] = {}
    for metric_id, breakdown in request.pairs:
        if isinstance(get(metric_id).computation, Composite):
            composites.setdefault(metric_id, []).append(breakdown)
    # Each composite reads its parts by id: filtering and re-stacking the whole long
    # frame once per composite would cost (composites x rows).
    by_measure = {
        run.strings.text(int(m)): rows  # type: ignore[arg-type]
        for m, rows in long.groupby("measure_id", sort=False)
    }
    del long  # the parts above hold every row: one copy in memory, not two
    for metric_id, breakdowns in composites.items():  # components come first in pairs
        by_measure[metric_id] = divide(
            by_measure, get(metric_id), breakdowns, population, run
        )
    if not by_measure:
        return _empty(LONG)
    return pd.concat(list(by_measure.values()), ignore_index=True)


__all__ = [
    "Plan",
    "Run",
    "WarehouseTables",
    "columns_read",
    "execute",
    "plan",
    "population_supports",
    "supports",
]
