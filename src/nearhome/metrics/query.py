"""One metric as one self-contained query, for analysts to run in their own warehouse.

``nearhome metrics run`` computes many metrics per query and finishes composites in
pandas. An analyst working in SQL Server, Databricks or PostgreSQL wants the opposite:
one metric, one breakdown, one ``SELECT`` they can read and run beside their own tables.
:func:`metric_query` builds that from the same definitions (the same facts, attributes,
breakdown levels and aggregates as :mod:`~nearhome.metrics.compute`), on *unbound*
canonical tables whose schemas come from the loader's definitions, so no warehouse or
connection is needed. Composites join their parts in SQL; in-memory tables (the
reporting periods, age bands) are written out as literal rows.

What the query returns: ``breakdown, period_start, period_end`` (inclusive last day),
``level_0, level_1`` (codes; descriptions are applied by nearhome afterwards),
``numerator, denominator, value``. Unlike ``nearhome metrics run`` it has no rows for a
level and period in which nothing happened (nearhome fills those with zeros).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.operations as ops
from ibis.expr.types import Table, Value

from nearhome.data.derive import DERIVED
from nearhome.data.load import raw_schema
from nearhome.data.parse import IBIS_TYPES
from nearhome.data.schema import REFERENCE_FILES, TABLES
from nearhome.data.warehouse import compile_sql
from nearhome.errors import InvalidConfig
from nearhome.metrics import dimensions
from nearhome.metrics.attributes import with_attributes
from nearhome.metrics.calendar import periods_table
from nearhome.metrics.compute import (
    MAX_CROSS,
    Breakdown,
    aggregation,
    columns_read,
    inputs,
    reduced,
)
from nearhome.metrics.measures import Composite, FactMeasure, Population
from nearhome.metrics.population import population_rows, population_table, range_key
from nearhome.metrics.registry import MetricSpec
from nearhome.periods import ReportingPeriod

KEYS = ("breakdown", "period_start", "period_last", "level_0", "level_1")
OUTPUT = (*KEYS, "numerator", "denominator", "value")


@functools.cache
def _canonical_schemas() -> dict[str, ibis.Schema]:
    raw: dict[str, Table] = {
        f"raw_{t.name}": ibis.table(raw_schema(t.name), name=f"raw_{t.name}")
        for t in TABLES
    }
    for name, columns in REFERENCE_FILES.items():
        schema = {column: IBIS_TYPES[kind] for column, kind in columns}
        raw[f"ref_{name}"] = ibis.table(schema, name=f"ref_{name}")
    schemas: dict[str, ibis.Schema] = {}
    for name, definition in DERIVED.items():
        schemas[name] = definition(raw).schema()
        raw[name] = ibis.table(schemas[name], name=name)
    return schemas


def canonical_tables() -> dict[str, Table]:
    """Every canonical table as an unbound Ibis table with the schema the loader writes.

    The schemas are derived from the loader's own definitions on unbound raw tables, so
    they cannot drift from what ``nearhome data load`` creates.
    """
    return {
        name: ibis.table(schema, name=name)
        for name, schema in _canonical_schemas().items()
    }


@dataclass(frozen=True)
class MetricQuery:
    """A metric's query and the canonical tables it reads."""

    expr: Table
    tables: tuple[str, ...]

    def sql(self, dialect: str) -> str:
        """The query in a dialect, headed by a comment naming the tables it reads."""
        header = [
            "-- nearhome: reads the canonical tables "
            + ", ".join(self.tables)
            + " (docs/reference/canonical-model.md)",
        ]
        return "\n".join([*header, compile_sql(self.expr, dialect)]) + "\n"


def metric_query(
    spec: MetricSpec,
    periods: Sequence[ReportingPeriod],
    breakdown: Breakdown = ("all",),
    icb: str | None = None,
) -> MetricQuery:
    """One metric for every period and level of one breakdown, as one query.

    Raises:
        InvalidConfig: no periods.
    """
    if not periods:
        raise InvalidConfig(
            "The span holds no whole reporting period.",
            hint="Widen --period, e.g. 2025-04..2026-03 for a financial year.",
        )
    tables = canonical_tables()
    expr = _inlined(_query(spec, tables, periods_table(periods), breakdown, icb))
    read = sorted(
        {op.name for op in expr.op().find(ops.UnboundTable)},
        key=list(DERIVED).index,
    )
    return MetricQuery(expr, tuple(read))


def _query(
    spec: MetricSpec,
    tables: Mapping[str, Table],
    periods: Table,
    breakdown: Breakdown,
    icb: str | None,
) -> Table:
    computation = spec.computation
    if isinstance(computation, FactMeasure):
        parts = _parts(spec, computation, tables, periods, breakdown, icb)
    elif isinstance(computation.denominator, Population):
        parts = _over_population(computation, tables, periods, breakdown, icb)
    else:
        parts = _over_metric(computation, tables, periods, breakdown, icb)
    return _valued(parts, spec)


def _parts(
    spec: MetricSpec,
    measure: FactMeasure,
    tables: Mapping[str, Table],
    periods: Table,
    breakdown: Breakdown,
    icb: str | None,
) -> Table:
    """A fact measure's numerator, denominator and statistic by period and level."""
    read = columns_read(
        measure.facts, [breakdown], [spec], tables, periods, icb is not None
    )
    rows = with_attributes(measure.facts.build(tables, periods, read), tables, read)
    if icb is not None:
        rows = rows.filter(rows[measure.facts.scope] == icb)
    rows, reducers, columns = inputs(rows, [spec])
    table = aggregation(rows, breakdown, reducers)

    def part(name: str) -> Value:
        column = columns.get(f"m0_{name}")
        return table[column] if column else ibis.null("float64")

    return table.select(
        *KEYS,
        numerator=part("numerator"),
        denominator=part("denominator"),
        statistic=part("statistic"),
    )


def _component(
    metric_id: str,
    tables: Mapping[str, Table],
    periods: Table,
    breakdown: Breakdown,
    icb: str | None,
) -> Table:
    from nearhome.metrics.registry import get

    spec = get(metric_id)
    assert isinstance(spec.computation, FactMeasure)
    return _parts(spec, spec.computation, tables, periods, breakdown, icb)


def _over_metric(
    composite: Composite,
    tables: Mapping[str, Table],
    periods: Table,
    breakdown: Breakdown,
    icb: str | None,
) -> Table:
    """Numerator metric over denominator metric, joined on period and level."""
    assert isinstance(composite.denominator, str)
    top = _component(composite.numerator, tables, periods, breakdown, icb)
    rest = reduced(breakdown, composite.broadcast)
    bottom = _component(composite.denominator, tables, periods, rest, icb)
    bottom = bottom.select(
        _d_start="period_start",
        _d_last="period_last",
        _d_0="level_0",
        _d_1="level_1",
        _d_den="numerator",
    )
    if rest == breakdown:  # every level of either side appears
        return _every_level(top, bottom, "_d", breakdown)
    # A broadcast breakdown (intervention type): each level shares the denominator
    # of its remaining level, or of the total.
    kept = [i for i, d in enumerate(breakdown) if d not in composite.broadcast]
    key = top[f"level_{kept[0]}"] if kept else ibis.literal("ALL")
    joined = top.left_join(
        bottom, [top.period_start == bottom._d_start, key == bottom._d_0]
    )
    return joined.select(
        *KEYS, "numerator", denominator=joined._d_den, statistic=ibis.null("float64")
    )


def _over_population(
    composite: Composite,
    tables: Mapping[str, Table],
    periods: Table,
    breakdown: Breakdown,
    icb: str | None,
) -> Table:
    """Numerator metric over the residents of each level in the period's year."""
    assert isinstance(composite.denominator, Population)
    top = _component(composite.numerator, tables, periods, breakdown, icb)
    dims = [dimensions.dimensions()[name] for name in breakdown]
    people = population_table(
        population_rows(tables, icb, [composite.denominator]),
        dims,
        [composite.denominator],
    )
    levels = {
        f"level_{i}": people[f"level_{i}"] if d.columns else ibis.literal("ALL")
        for i, d in enumerate(dims)
    }
    if len(dims) < MAX_CROSS:
        levels["level_1"] = ibis.literal("")
    people = people.select(
        _p_year="year", _p_den=people[range_key(composite.denominator)], **levels
    )
    base = _with_year(periods, people)
    base = base.join(people, base._y == people._p_year).filter(lambda t: t._p_den > 0)
    base = base.select(
        _b_start="period_start",
        _b_last="period_last",
        _b_0="level_0",
        _b_1="level_1",
        _b_den="_p_den",
    )
    return _every_level(top, base, "_b", breakdown)


def _with_year(periods: Table, people: Table) -> Table:
    """Each period with the population year it uses: the year it ends in, else the
    nearest earlier year loaded, else the earliest."""
    years = people.select(_y_year="_p_year").distinct()
    pairs = periods.cross_join(years)
    ending = pairs.period_last.year().cast("int64")
    return pairs.group_by("period_start", "period_last").aggregate(
        _y=ibis.coalesce(
            pairs._y_year.max(where=pairs._y_year <= ending), pairs._y_year.min()
        )
    )


def _valued(parts: Table, spec: MetricSpec) -> Table:
    """The output columns, with ``value`` as ``nearhome metrics run`` computes it."""
    if spec.kind == "count":
        value = parts.numerator
    elif spec.kind == "statistic":
        value = parts.statistic
    else:
        value = parts.numerator / parts.denominator.nullif(0) * spec.scale
    has_denominator = spec.denominator is not None
    return parts.select(
        "breakdown",
        "period_start",
        period_end=parts.period_last,
        level_0=parts.level_0,
        level_1=parts.level_1,
        numerator=parts.numerator if spec.kind != "statistic" else ibis.null("float64"),
        denominator=parts.denominator if has_denominator else ibis.null("float64"),
        value=value.cast("float64"),
    )


def _inlined(expr: Table) -> Table:
    """``expr`` with every in-memory table written out as literal rows (``UNION ALL``
    of one-row ``SELECT``s), so the SQL text runs on its own."""
    replacements = {
        node: _literal_rows(node) for node in expr.op().find(ops.InMemoryTable)
    }
    if not replacements:
        return expr
    return expr.op().replace(replacements).to_expr()  # type: ignore[no-any-return]


def _literal_rows(node: ops.InMemoryTable) -> ops.Relation:
    frame = node.data.to_frame()
    schema = node.schema
    rows = [
        ops.DummyTable(
            values={
                name: ops.Literal(_plain(value), dtype)
                for (name, dtype), value in zip(schema.items(), record, strict=True)
            }
        ).to_expr()
        for record in frame.itertuples(index=False)
    ]
    table = rows[0] if len(rows) == 1 else ibis.union(*rows, distinct=False)
    return table.op()  # type: ignore[no-any-return]


def _plain(value: object) -> object:
    """A Python scalar for a literal (numpy and pandas scalars unwrapped)."""
    item = getattr(value, "item", None)
    if callable(item):
        return item()
    to_date = getattr(value, "date", None)
    if callable(to_date) and hasattr(value, "hour"):
        return to_date()
    return value


def _every_level(top: Table, base: Table, prefix: str, breakdown: Breakdown) -> Table:
    """Numerators beside a denominator table whose columns carry ``prefix``
    (``{prefix}_start``, ``_last``, ``_0``, ``_1``, ``_den``), keeping every period and
    level either side has: a level with a denominator and no events reads 0."""

    def col(name: str) -> Value:
        return joined[f"{prefix}_{name}"]

    joined = top.outer_join(
        base,
        [
            top.period_start == base[f"{prefix}_start"],
            top.level_0 == base[f"{prefix}_0"],
            top.level_1 == base[f"{prefix}_1"],
        ],
    )
    return joined.select(
        breakdown=ibis.literal(dimensions.label(breakdown)),
        period_start=ibis.coalesce(joined.period_start, col("start")),
        period_last=ibis.coalesce(joined.period_last, col("last")),
        level_0=ibis.coalesce(joined.level_0, col("0")),
        level_1=ibis.coalesce(joined.level_1, col("1")),
        numerator=ibis.coalesce(joined.numerator, 0.0),
        denominator=col("den"),
        statistic=ibis.null("float64"),
    )
