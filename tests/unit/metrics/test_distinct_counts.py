"""Counts of people by a breakdown of the person are sums of first-row flags, and give
exactly the distinct counts; other breakdowns keep the distinct count."""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd
import pytest

from nearhome.data.warehouse import Warehouse, connect
from nearhome.metrics import distinct_counts
from nearhome.metrics.compute import aggregation
from nearhome.metrics.measures import Count, Distinct
from nearhome.metrics.registry import resolve
from nearhome.metrics.run import run_metrics

from .conftest import SPAN

MARCH = dt.date(2024, 3, 1)
APRIL = dt.date(2024, 4, 1)


def _rows() -> pd.DataFrame:
    """Person A has three rows in March (two wards, one row not counted by the
    filter), B two rows in March and one in April; one row has no person."""
    return pd.DataFrame(
        {
            "period_start": [MARCH] * 6 + [APRIL],
            "period_last": [dt.date(2024, 3, 31)] * 6 + [dt.date(2024, 4, 30)],
            "person_id": ["A", "A", "A", "B", "B", None, "B"],
            "gender_code": ["2", "2", "2", "1", "1", "1", "1"],
            "ward_code": ["W1", "W2", "W2", "W1", "W1", "W1", "W2"],
            "detained": [False, True, None, True, True, True, False],
        }
    )


@pytest.fixture(autouse=True)
def _flags_for_any_request(monkeypatch: pytest.MonkeyPatch) -> None:
    """Flags for requests of any size, so a few breakdowns show them at work."""
    monkeypatch.setattr(distinct_counts, "WORTH_A_WINDOW", 1)


REDUCERS = {
    "people": (Distinct("person_id"), "person_id", None),
    "detained": (Distinct("person_id"), "person_id", "detained"),
    "rows": (Count(), None, None),
}


def _by(breakdown: tuple[str, ...], flagged: bool) -> pd.DataFrame:
    warehouse = connect("duckdb://")
    rows = ibis.memtable(_rows())
    if flagged:
        rows, firsts = distinct_counts.first_rows(rows, REDUCERS, [breakdown])
        plan = firsts.plan(REDUCERS, breakdown)
    else:
        plan = dict(REDUCERS)
    result = warehouse.execute(aggregation(rows, breakdown, plan))
    levels = sorted(column for column in result.columns if column.startswith("level_"))
    return result.sort_values(["period_start", *levels]).reset_index(drop=True)


def test_people_by_gender_are_counted_once_per_month() -> None:
    figures = _by(("gender",), flagged=True)
    # March: women = A (1 person; detained on one row), men = B (1 person, detained);
    # April: men = B (1 person, not detained). The row with no person is not a person.
    assert figures["level_0"].tolist() == ["1", "2", "1"]
    assert figures["people"].tolist() == [1.0, 1.0, 1.0]
    assert figures["detained"].tolist() == [1.0, 1.0, 0.0]
    assert figures["rows"].tolist() == [3.0, 3.0, 1.0]


@pytest.mark.parametrize(
    "breakdown", [("all",), ("gender",), ("ward",), ("gender", "ward")]
)
def test_flags_give_the_distinct_counts(breakdown: tuple[str, ...]) -> None:
    pd.testing.assert_frame_equal(
        _by(breakdown, flagged=True), _by(breakdown, flagged=False)
    )


def test_people_by_ward_count_single_rows_once_and_the_rest_distinct() -> None:
    figures = _by(("ward",), flagged=True)
    # March: W1 has A (one row) and B (two rows): 2 people, B detained; W2 has A (two
    # rows, detained on one): 1 person, detained. April: W2 has B, not detained.
    assert figures["level_0"].tolist() == ["W1", "W2", "W2"]
    assert figures["people"].tolist() == [2.0, 1.0, 1.0]
    assert figures["detained"].tolist() == [1.0, 1.0, 0.0]


def test_breakdowns_of_the_person_sum_first_rows_and_others_split() -> None:
    _, firsts = distinct_counts.first_rows(
        ibis.memtable(_rows()), REDUCERS, [("ward",), ("gender",)]
    )
    for breakdown in [("ward",), ("gender", "ward")]:
        plan = firsts.plan(REDUCERS, breakdown)
        assert isinstance(plan["people"][0], distinct_counts.SinglesAndDistinct)
        assert plan["rows"] == REDUCERS["rows"]
    by_gender = firsts.plan(REDUCERS, ("gender", "age_five_year"))
    assert isinstance(by_gender["people"][0], distinct_counts.Total)
    assert isinstance(by_gender["detained"][0], distinct_counts.Total)


def test_flags_are_made_only_for_the_breakdowns_asked_for() -> None:
    rows = ibis.memtable(_rows())
    _, by_ward = distinct_counts.first_rows(rows, REDUCERS, [("ward",)])
    assert not by_ward.by_the_person
    assert set(by_ward.split) == {"people", "detained"}
    _, by_gender = distinct_counts.first_rows(rows, REDUCERS, [("gender",), ("all",)])
    assert set(by_gender.by_the_person) == {"people", "detained"}
    assert not by_gender.split
    assert by_gender.columns == {"_first_people", "_first_detained"}


def test_few_breakdowns_keep_the_distinct_count(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(distinct_counts, "WORTH_A_WINDOW", 3)
    rows = ibis.memtable(_rows())
    two = [("all",), ("gender",)]
    flagged, firsts = distinct_counts.first_rows(rows, REDUCERS, two)
    assert flagged is rows
    assert firsts.plan(REDUCERS, ("gender",)) == REDUCERS
    _, more = distinct_counts.first_rows(rows, REDUCERS, [*two, ("age_five_year",)])
    assert set(more.by_the_person) == {"people", "detained"}
    assert not more.split  # every breakdown is of the person


def test_people_metrics_equal_distinct_counts_on_the_tiny_extract(
    tiny_warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = [
        s.id
        for s in resolve("all")
        if isinstance(getattr(s.computation, "numerator", None), Distinct)
    ]
    by = "all,gender,ethnic_group,age_five_year,ward,provider"
    flagged = run_metrics(tiny_warehouse, people, period=SPAN, by=by)
    monkeypatch.setattr(
        distinct_counts.FirstRows, "plan", lambda self, reducers, b: dict(reducers)
    )
    counted = run_metrics(tiny_warehouse, people, period=SPAN, by=by)
    assert len(people) >= 5
    pd.testing.assert_frame_equal(flagged, counted)


def _interventions() -> pd.DataFrame:
    """Interventions (incident and type) by month and ward. K1 has one type record;
    K2 two, both on ward W1 in March; K3 two, one in March on W2 and one in April;
    K4 one record, left out by the filter; one row has no key."""
    return pd.DataFrame(
        {
            "period_start": [MARCH] * 5 + [APRIL, MARCH],
            "ward_code": ["W1", "W1", "W1", "W2", "W2", "W2", "W1"],
            "key": ["K1", "K2", "K2", "K3", "K4", "K3", None],
            "records": [1, 2, 2, 2, 1, 2, 1],
            "kept": [True, True, True, True, False, True, True],
        }
    )


@pytest.mark.parametrize("by", [["period_start"], ["period_start", "ward_code"]])
def test_single_records_counted_as_rows_give_the_distinct_count(
    by: list[str],
) -> None:
    plain = Distinct("key", lambda t: t.kept)
    split = Distinct("key", lambda t: t.kept, single=lambda t: t.records == 1)
    rows = ibis.memtable(_interventions())
    value, where = split.inputs(rows)
    inputs = rows.mutate(x=value, w=where)
    figures = connect("duckdb://").execute(
        rows.group_by(by)
        .aggregate(plain=plain.expr(rows), split=split.expr(rows))
        .join(inputs.group_by(by).aggregate(reduced=split.reduce(inputs, "x", "w")), by)
        .order_by(by)
    )
    # March: K1, K2 (two rows) and K3 = 3 (K4 filtered out, the keyless row not
    # counted); April: K3 = 1. By ward, March: W1 holds K1 and K2 = 2, W2 holds K3 = 1.
    expected = [3, 1] if by == ["period_start"] else [2, 1, 1]
    assert figures["plain"].tolist() == expected
    assert figures["split"].tolist() == expected
    assert figures["reduced"].tolist() == expected


def test_a_count_with_single_rows_needs_no_flags() -> None:
    split = Distinct("key", single=lambda t: t.records == 1)
    rows = ibis.memtable(_interventions())
    value, where = split.inputs(rows)
    reducers = {"interventions": (split, "x", "w")}
    _, firsts = distinct_counts.first_rows(
        rows.mutate(x=value, w=where), reducers, [("ward",)]
    )
    assert not firsts.split
    assert not firsts.by_the_person
