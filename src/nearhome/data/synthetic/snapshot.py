"""Monthly snapshots: every record active in a month is submitted again in that month.

A record (a spell, a ward stay, a referral, ...) is active in every month from the one
it starts in to the one it ends in (to the last month if it is still open). Each of
those months gets a row with the month's ``UniqMonthID``; values that are only known
once the record closes (the discharge date and how the person left) are empty until the
month it closed. ``RecordNumber`` is then given to each person at each provider in each
month, and the same number joins the person's MPI row to their event rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pyarrow as pa

from nearhome.data.schema import TableSpec
from nearhome.data.synthetic.columns import (
    NO_DAY,
    Column,
    RowIndex,
    arrow_type,
    to_arrow,
)
from nearhome.data.synthetic.draws import IntArray, distinct
from nearhome.data.synthetic.timeline import Timeline

V6_FIRST_MONTH = 1489
"""``UniqMonthID`` of April 2024, the first month of MHSDS v6 codes."""
RECORDS_PER_MONTH = 10_000_000
GROUP_RECORD_OFFSET = 9_000_000
"""Record numbers of rows that are not about a person start here within a month."""

Versions = Literal["all", "v5", "v6"]


@dataclass(frozen=True)
class Records:
    """Entity-level values of one MHSDS table, before monthly expansion."""

    table: str
    provider: IntArray
    start: IntArray
    end: IntArray
    columns: Mapping[str, Column]
    person: IntArray | None = None
    closing: frozenset[str] = field(default_factory=frozenset)
    versions: Versions = "all"


@dataclass(frozen=True)
class Snapshot:
    """A table's rows: which entity, month and provider each row is."""

    records: Records
    rows: RowIndex
    provider: IntArray
    person: IntArray | None

    def __len__(self) -> int:
        return len(self.rows.entity)


def expand(records: Records, timeline: Timeline) -> Snapshot:
    """One row per record per month it is active in the extract."""
    active = (records.end >= timeline.start) & (records.start < timeline.end)
    first = np.maximum(timeline.month_index(records.start), 0)
    end = np.where(records.end == NO_DAY, timeline.end, records.end)
    last = np.minimum(timeline.month_index(end), timeline.months - 1)
    count = np.where(active, np.maximum(last - first + 1, 0), 0)
    entity = np.repeat(np.arange(len(count)), count)
    month = (
        first[entity]
        + np.arange(len(entity))
        - np.repeat(np.cumsum(count) - count, count)
    )
    is_v6 = timeline.month_ids[month] >= V6_FIRST_MONTH
    keep = {"all": np.ones(len(month), dtype=bool), "v5": ~is_v6, "v6": is_v6}[
        records.versions
    ]
    entity, month, is_v6 = entity[keep], month[keep], is_v6[keep]
    provider = records.provider[entity]
    person = None if records.person is None else records.person[entity]
    order = np.argsort(
        (month * (int(records.provider.max(initial=0)) + 1) + provider)
        * max(len(count), 1)
        + entity
    )
    entity, month, is_v6, provider = (
        entity[order],
        month[order],
        is_v6[order],
        provider[order],
    )
    hidden = ~(end[entity] < timeline.month_starts[month + 1])
    rows = RowIndex(entity=entity, month=month, hidden=hidden, is_v6=is_v6)
    return Snapshot(records, rows, provider, None if person is None else person[order])


def person_months(
    snapshots: Sequence[Snapshot], providers: int, people: int
) -> IntArray:
    """Sorted unique keys of (month, provider, person) across person-level tables."""
    keys = [
        _key(s.rows.month, s.provider, s.person, providers, people)
        for s in snapshots
        if s.person is not None
    ]
    return distinct(np.concatenate(keys)) if keys else np.zeros(0, dtype=np.int64)


def split_key(
    keys: IntArray, providers: int, people: int
) -> tuple[IntArray, IntArray, IntArray]:
    """Month index, provider and person of each key."""
    month, rest = np.divmod(keys, providers * people)
    provider, person = np.divmod(rest, people)
    return month, provider, person


def _key(
    month: IntArray, provider: IntArray, person: IntArray, providers: int, people: int
) -> IntArray:
    return (month * providers + provider) * people + person


def record_numbers(
    keys: IntArray, timeline: Timeline, providers: int, people: int
) -> IntArray:
    """``RecordNumber`` of each (month, provider, person) key, unique within a month."""
    month, _, _ = split_key(keys, providers, people)
    first = np.searchsorted(month, month)
    return (
        timeline.month_ids[month] * RECORDS_PER_MONTH + np.arange(len(keys)) - first + 1
    )


@dataclass(frozen=True)
class Identity:
    """What every row starts with: provider and person codes, record numbering."""

    timeline: Timeline
    provider_codes: pa.Array
    person_codes: pa.Array
    keys: IntArray
    numbers: IntArray


def to_table(snapshot: Snapshot, spec: TableSpec, identity: Identity) -> pa.Table:
    """The snapshot as an Arrow table with exactly the spec's columns, in order."""
    rows = snapshot.rows
    records = snapshot.records
    unknown = set(records.columns) - set(spec.field_names)
    assert not unknown, f"{spec.name}: columns not in the schema: {sorted(unknown)}"
    columns: dict[str, pa.Array] = {
        "UniqMonthID": pa.array(identity.timeline.month_ids[rows.month]),
        "RecordNumber": pa.array(_numbers(snapshot, identity)),
        "OrgIDProv": identity.provider_codes.take(pa.array(snapshot.provider)),
    }
    if snapshot.person is not None:
        columns["Person_ID"] = identity.person_codes.take(pa.array(snapshot.person))
    for spec_field in spec.fields:
        if spec_field.name in columns:
            continue
        column = records.columns.get(spec_field.name)
        if column is None:
            columns[spec_field.name] = pa.nulls(
                len(rows.entity), arrow_type(spec_field.kind)
            )
        else:
            array = to_arrow(
                column,
                rows,
                identity.provider_codes,
                closing=spec_field.name in records.closing,
            )
            columns[spec_field.name] = array.cast(arrow_type(spec_field.kind))
    return pa.table(columns)


def _numbers(snapshot: Snapshot, identity: Identity) -> IntArray:
    rows = snapshot.rows
    if snapshot.person is None:
        first = np.searchsorted(rows.month, rows.month)
        within = np.arange(len(rows.month)) - first + 1
        return (
            identity.timeline.month_ids[rows.month] * RECORDS_PER_MONTH
            + GROUP_RECORD_OFFSET
            + within
        )
    people = len(identity.person_codes)
    providers = len(identity.provider_codes)
    key = _key(rows.month, snapshot.provider, snapshot.person, providers, people)
    return identity.numbers[np.searchsorted(identity.keys, key)]
