"""How a metric is computed: aggregations over a family's facts, or composites.

A *facts* table has one row per counted thing per reporting period (an admission, a
ward stay's days in a month, a placement active at a month end) with the columns every
breakdown needs. Several metrics share one facts table and differ only in what they
aggregate, so :mod:`nearhome.metrics.run` builds each facts table once, materialises it,
and computes every metric and breakdown from it. A *composite* divides a registered
metric by another (or by a population) after both are computed, so that, for example,
restrictive interventions per 1,000 bed days uses exactly the published bed-day figure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import ibis
from ibis.expr.types import BooleanValue, Table, Value

Tables = Mapping[str, Table]
Where = Callable[[Table], BooleanValue]
Wanted = frozenset[str] | None
"""The facts columns a request reads (None: every column). A builder may leave out
an expensive column nobody reads: a run of two breakdowns need not look up each
row's ward, legal status or leave days."""
FactBuilder = Callable[[Tables, Table, Wanted], Table]


def wants(wanted: Wanted, *columns: str) -> bool:
    """Whether any of ``columns`` is read (always true when nothing was narrowed)."""
    return wanted is None or not wanted.isdisjoint(columns)


@dataclass(frozen=True, slots=True)
class Facts:
    """A named facts table shared by the metrics that aggregate it.

    Attributes:
        name: Unique name (used for progress messages and caching).
        build: ``(tables, periods) -> rows``: one row per counted thing per period, with
            ``period_start``, ``period_end``, ``period_last`` and the columns of
            :attr:`dimensions`; rows carry ``person_id`` / ``provider_code`` /
            ``site_code`` so :mod:`~nearhome.metrics.attributes` can add the rest.
        dimensions: Breakdowns its rows support.
        scope: Column that restricts the rows to one ICB (``icb_code`` of the person,
            or ``site_icb_code`` for capacity, which belongs to the place).
        description: What one row is, for the explanation page.
    """

    name: str
    build: FactBuilder
    dimensions: tuple[str, ...]
    scope: str = "icb_code"
    description: str = ""


def _where(t: Table, where: Where | None) -> BooleanValue | None:
    return None if where is None else where(t)


def _filter(t: Table, w: str | None) -> BooleanValue | None:
    return None if w is None else t[w]


@dataclass(frozen=True, slots=True)
class Count:
    """Number of rows (optionally only those meeting ``where``)."""

    where: Where | None = None

    def inputs(self, t: Table) -> tuple[Value | None, BooleanValue | None]:
        """Per-row value and filter, computed once when the facts are materialised."""
        return None, _where(t, self.where)

    def reduce(self, t: Table, x: str | None, w: str | None) -> Value:  # noqa: ARG002 - part of the shared interface
        """The aggregate over the materialised inputs."""
        return t.count(where=_filter(t, w))

    def expr(self, t: Table) -> Value:
        """The aggregate expression straight over the facts table ``t``."""
        return t.count(where=_where(t, self.where))


@dataclass(frozen=True, slots=True)
class Distinct:
    """Number of distinct values of ``column`` (people, interventions).

    ``single``, when given, is true on rows whose value no other row of the facts'
    source holds (an intervention with one type record: nearly every one). Such a row
    adds one to any period and level it is counted in, so it is counted as a row and
    only the other rows' values are counted distinct: hashing every value is what a
    distinct count costs. The result is the same distinct count.
    """

    column: str
    where: Where | None = None
    single: Where | None = None

    def inputs(self, t: Table) -> tuple[Value | None, BooleanValue | None]:
        """Per-row value and filter, computed once when the facts are materialised.

        With ``single``, the value is null on the single rows (they are counted as
        rows) and the filter keeps only rows with a value to count.
        """
        value, where = t[self.column], _where(t, self.where)
        if self.single is None:
            return value, where
        present = value.notnull() if where is None else value.notnull() & where
        shared = ibis.ifelse(self.single(t), ibis.null(value.type()), value)
        return shared, present

    def reduce(self, t: Table, x: str | None, w: str | None) -> Value:
        """The aggregate over the materialised inputs."""
        assert x is not None
        return self._of(t[x], _filter(t, w), t)

    def expr(self, t: Table) -> Value:
        """The aggregate expression straight over the facts table ``t``."""
        value, where = self.inputs(t)
        assert value is not None
        return self._of(value, where, t)

    def _of(self, value: Value, where: BooleanValue | None, t: Table) -> Value:
        if self.single is None:
            return value.nunique(where=where)
        assert where is not None
        singles = t.count(where=where & value.isnull())
        return singles + value.nunique(where=where)  # type: ignore[operator,no-any-return]


@dataclass(frozen=True, slots=True)
class Total:
    """Sum of ``column`` (days), zero when there are no rows."""

    column: str
    where: Where | None = None

    def inputs(self, t: Table) -> tuple[Value | None, BooleanValue | None]:
        """Per-row value and filter, computed once when the facts are materialised."""
        return t[self.column], _where(t, self.where)

    def reduce(self, t: Table, x: str | None, w: str | None) -> Value:
        """The aggregate over the materialised inputs."""
        return ibis.coalesce(t[x].sum(where=_filter(t, w)), 0)

    def expr(self, t: Table) -> Value:
        """The aggregate expression straight over the facts table ``t``."""
        return ibis.coalesce(t[self.column].sum(where=_where(t, self.where)), 0)


@dataclass(frozen=True, slots=True)
class Quantile:
    """The ``q`` quantile of ``column`` with linear interpolation (``q=0.5``: median)."""

    column: str
    q: float
    where: Where | None = None

    def inputs(self, t: Table) -> tuple[Value | None, BooleanValue | None]:
        """Per-row value and filter, computed once when the facts are materialised."""
        return t[self.column].cast("float64"), _where(t, self.where)

    def reduce(self, t: Table, x: str | None, w: str | None) -> Value:
        """The aggregate over the materialised inputs."""
        return self._of(t[x], _filter(t, w))

    def expr(self, t: Table) -> Value:
        """The aggregate expression straight over the facts table ``t``."""
        value, where = self.inputs(t)
        return self._of(value, where)

    def _of(self, value: Value, where: BooleanValue | None) -> Value:
        # The filter nulls the value rather than going to ``where=``: Ibis would also
        # wrap the fraction in the condition, and Spark needs a constant fraction.
        # Quantiles ignore nulls, so the result is the same on every engine.
        if where is not None:
            value = where.ifelse(value, ibis.null(value.type()))
        if self.q == 0.5:
            return value.median()  # type: ignore[attr-defined,no-any-return]
        return value.quantile(self.q)  # type: ignore[attr-defined,no-any-return]


@dataclass(frozen=True, slots=True)
class GeometricMean:
    """exp(mean(ln ``column``)) over rows with ``column`` ≥ 1 (ln 0 is undefined)."""

    column: str
    where: Where | None = None

    def inputs(self, t: Table) -> tuple[Value | None, BooleanValue | None]:
        """Per-row value and filter, computed once when the facts are materialised."""
        positive = t[self.column] >= 1
        where = positive if self.where is None else positive & self.where(t)
        # ln is taken of max(x, 1) so no backend evaluates ln 0 for rows filtered out.
        return ibis.greatest(t[self.column], 1).cast("float64").ln(), where

    def reduce(self, t: Table, x: str | None, w: str | None) -> Value:
        """The aggregate over the materialised inputs."""
        return t[x].mean(where=_filter(t, w)).exp()

    def expr(self, t: Table) -> Value:
        """The aggregate expression straight over the facts table ``t``."""
        value, where = self.inputs(t)
        return value.mean(where=where).exp()  # type: ignore[union-attr]


Aggregate = Count | Distinct | Total | Quantile | GeometricMean


@dataclass(frozen=True, slots=True)
class FactMeasure:
    """A metric computed by aggregating one facts table.

    Attributes:
        facts: The facts table.
        numerator: Aggregate giving the numerator column (None for statistics).
        denominator: Aggregate giving the denominator column (shares, statistics).
        statistic: Aggregate giving the value directly (median, percentile, ...).
    """

    facts: Facts
    numerator: Aggregate | None
    denominator: Aggregate | None = None
    statistic: Aggregate | None = None


@dataclass(frozen=True, slots=True)
class Population:
    """A population denominator: residents of the breakdown level, in an age range.

    The population of the calendar year in which the period ends is used (the nearest
    earlier year when that year is missing, else the earliest year loaded).
    """

    min_age: int | None = None
    max_age: int | None = None

    @property
    def label(self) -> str:
        """Words for the age range, for definitions."""
        if self.min_age is None and self.max_age is None:
            return "all ages"
        if self.max_age is None:
            return f"aged {self.min_age} and over"
        return f"aged {self.min_age or 0} to {self.max_age}"


@dataclass(frozen=True, slots=True)
class Composite:
    """A metric that divides one registered metric by another or by a population.

    Attributes:
        numerator: Id of the metric whose numerator is this metric's numerator.
        denominator: Id of the metric whose numerator is the denominator, or a
            :class:`Population`.
        broadcast: Breakdowns only the numerator has (an intervention's type): for
            these the denominator is taken at the remaining breakdown (all bed days).
    """

    numerator: str
    denominator: str | Population
    broadcast: tuple[str, ...] = ()
