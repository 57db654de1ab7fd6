"""Distinct counts as sums of first-row flags, where a breakdown allows it.

``COUNT(DISTINCT person_id)`` is the most expensive aggregate of a run: every breakdown
builds its own hash table of (period, level, person). But when a breakdown gives every
row of one person in one period the same level (their ICB, ethnicity, age at the
period's end), the number of distinct people in a level is the number of rows that are
their person's first row in the period. That flag is computed once per facts table, and
summing it is as cheap as counting rows. Breakdowns that can split one person's rows
across levels (the ward, the legal status on the day) keep the distinct count.

Only people are flagged, for the breakdowns read from the person's own attributes,
which are constant within a person by construction. The same would hold for other
counted columns (an incident, an intervention) wherever the data happened to make a
breakdown constant within them, but checking that on England's restrictive
interventions cost more (5 s) than the flags saved.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
from ibis.expr.types import Table

from nearhome.metrics import dimensions
from nearhome.metrics.attributes import PERSON_COLUMNS
from nearhome.metrics.measures import Distinct, Total

PERSON = "person_id"
OF_THE_PERSON = frozenset((*PERSON_COLUMNS, "age"))
"""Facts columns that depend on the person and the period alone: added by
:func:`~nearhome.metrics.attributes.with_person`, joined on ``person_id``, with age at
the period's last day."""
PERIOD_KEY = ("period_start", "period_last")

Reducer = tuple[Any, str | None, str | None]


def read_by(breakdown: Sequence[str]) -> frozenset[str]:
    """The facts columns a (possibly crossed) breakdown's levels and names read."""
    read: set[str] = set()
    for name in breakdown:
        dim = dimensions.dimensions()[name]
        read.update(dim.columns)
        if dim.label_column is not None:
            read.add(dim.label_column)
    return frozenset(read)


@dataclass(frozen=True, slots=True)
class FirstRows:
    """First-row flags for a facts table's distinct counts.

    Attributes:
        flagged: Aggregate name → the sum of flags that replaces it.
    """

    flagged: Mapping[str, Reducer]

    def plan(
        self, reducers: Mapping[str, Reducer], breakdown: Sequence[str]
    ) -> dict[str, Reducer]:
        """``reducers`` with each count of people replaced by its flags' sum when the
        breakdown reads only the person's own attributes."""
        if not self.flagged or not read_by(breakdown) <= OF_THE_PERSON:
            return dict(reducers)
        return {**reducers, **self.flagged}


def first_rows(
    rows: Table,
    reducers: Mapping[str, Reducer],
    breakdowns: Iterable[Sequence[str]],
) -> tuple[Table, FirstRows]:
    """Add a first-row flag for each distinct count of people in ``reducers``, when
    some breakdown reads only the person's own attributes.

    A row's flag is 1 when it meets the count's filter and is its person's first such
    row in the period, else 0. All flags share one window, so the engine sorts the rows
    once, not once per count.
    """
    flags: dict[str, ir.Value] = {}
    flagged: dict[str, Reducer] = {}
    people = {
        name: where
        for name, (aggregate, column, where) in reducers.items()
        if isinstance(aggregate, Distinct) and column == PERSON
    }
    if not people or not any(read_by(b) <= OF_THE_PERSON for b in breakdowns):
        return rows, FirstRows(flagged)
    window = ibis.window(
        group_by=[*(rows[c] for c in PERIOD_KEY), rows[PERSON]],
        order_by=[rows[PERSON]],
        rows=(None, 0),
    )
    for name, where in people.items():
        included = rows[PERSON].notnull()
        if where is not None:
            included = included & rows[where].fill_null(False)
        running = included.cast("int32").sum().over(window)
        flag = f"_first_{name}"
        flags[flag] = (included & (running == 1)).cast("int8")
        flagged[name] = (Total(flag), flag, None)
    return rows.mutate(**flags), FirstRows(flagged)


__all__ = ["OF_THE_PERSON", "FirstRows", "first_rows", "read_by"]
