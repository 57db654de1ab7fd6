"""The person's attributes and age reach facts the same way whether the person is
looked up before the period join (ward stays, open spells) or after it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import pytest
from ibis.expr.types import Table

from nearhome.data.warehouse import Warehouse
from nearhome.metrics import activity, bed_days
from nearhome.metrics.attributes import BIRTH, PERSON_COLUMNS, with_attributes
from nearhome.metrics.calendar import periods_table
from nearhome.metrics.compute import WarehouseTables
from nearhome.metrics.measures import Wanted
from nearhome.periods import Frequency, parse_span, split

from .conftest import SPAN


def _age(birth: dt.date, day: dt.date) -> int:
    """Whole years on ``day``, written independently of the query's rule."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


@pytest.mark.parametrize(
    ("builder", "key"),
    [
        (bed_days.ward_stay_rows, "ward_stay_id"),
        (activity.open_spell_rows, "spell_id"),
    ],
)
@pytest.mark.parametrize(
    ("span", "frequency"),
    # Financial years: a year between a period's first and last day, so age on any
    # other day than the last would differ for almost everyone.
    [(SPAN, "month"), ("2023-04..2025-03", "fy")],
)
def test_person_looked_up_first_gives_each_period_its_age(
    tiny_warehouse: Warehouse,
    builder: Callable[[WarehouseTables, Table, Wanted], Table],
    key: str,
    span: str,
    frequency: Frequency,
) -> None:
    tables = WarehouseTables(tiny_warehouse)
    periods = periods_table(split(parse_span(span), frequency))
    built = builder(tables, periods, None)
    assert BIRTH in built.columns  # looked up before the periods
    facts = tiny_warehouse.execute(
        with_attributes(built, tables).select(
            key, "person_id", "period_last", *PERSON_COLUMNS, "age"
        )
    )
    assert BIRTH not in facts.columns
    people = tiny_warehouse.execute(tables["person"]).set_index("person_id")
    assert len(facts) >= 4
    for row in facts.itertuples(index=False):
        person = people.loc[row.person_id]
        last = pd.Timestamp(row.period_last).date()
        birth = pd.Timestamp(person["birth_date"]).date()
        assert row.age == _age(birth, last), (getattr(row, key), last)
        for column in PERSON_COLUMNS:
            expected, got = person[column], getattr(row, column)
            assert (pd.isna(expected) and pd.isna(got)) or expected == got, column


def test_only_the_attributes_read_are_looked_up(tiny_warehouse: Warehouse) -> None:
    tables = WarehouseTables(tiny_warehouse)
    periods = periods_table(split(parse_span(SPAN), "month"))
    built = bed_days.ward_stay_rows(tables, periods, frozenset({"icb_code"}))
    present = set(built.columns)
    assert "icb_code" in present
    assert present.isdisjoint(set(PERSON_COLUMNS) - {"icb_code"} | {BIRTH})
    assert "age" not in with_attributes(built, tables, frozenset({"icb_code"})).columns
