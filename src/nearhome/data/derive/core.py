"""Shared building blocks of the canonical tables: latest records, months, codes, distance.

Every function returns an unexecuted expression, so the same definitions run on DuckDB,
Spark and PostgreSQL. Monthly snapshots are collapsed to the latest record per unique id
(latest ``UniqMonthID``, then ``RecordNumber``), v5 codes are mapped to v6, and the
source-name → our-name mapping lives only here. Intervals are half-open ``[start, end)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import ibis
from ibis.expr.types import BooleanValue, DateValue, NumericValue, Table, Value

from nearhome.data import codes

Tables = Mapping[str, Table]
FIRST_V6_MONTH = 1489
"""``UniqMonthID`` of April 2024, the first month of MHSDS v6 codes."""
PSEUDO_PRACTICES = ("V81999", "V81998", "V81997")
EARTH_RADIUS_KM = 6371.0088


def raw(tables: Tables, name: str) -> Table:
    """The typed raw table of an MHSDS table name."""
    return tables[f"raw_{name}"]


def latest(table: Table, key: Sequence[str]) -> Table:
    """One row per key: the latest month's record, then the highest ``RecordNumber``.

    A record is resubmitted every month it stays open, so most tables hold several rows
    per key, and some (care contacts, interventions) hardly ever more than one. Ranking
    every row sorts the whole table with all its columns. Instead one grouped pass
    finds each key's latest month and number of rows; a key with a single row is its
    own latest record, and only the rows of the latest month of the other keys (one per
    key, more where several providers submitted it that month) are ranked by
    ``RecordNumber``. The result is the row the full ranking picks. Key columns are
    required fields: a row whose key is missing is a validation error, and has no
    latest record here.
    """
    summary = table.group_by([table[k].name(f"_latest_{k}") for k in key]).aggregate(
        _latest_month=table.UniqMonthID.max(), _latest_rows=table.count()
    )
    rows = table.view()
    newest = rows.join(
        summary,
        [
            *(rows[k] == summary[f"_latest_{k}"] for k in key),
            rows.UniqMonthID == summary._latest_month,
        ],
    ).select(*table.columns, "_latest_rows")
    alone = newest.filter(newest._latest_rows == 1).select(*table.columns)
    several = newest.filter(newest._latest_rows > 1)
    window = ibis.window(
        group_by=[several[k] for k in key],
        order_by=[ibis.desc(several.RecordNumber)],
    )
    ranked = several.mutate(_latest_rank=ibis.row_number().over(window))
    chosen = ranked.filter(ranked._latest_rank == 0).select(*table.columns)
    return ibis.union(alone, chosen)


def month_start(month_id: Value) -> DateValue:
    """First day of the month of a ``UniqMonthID`` (April 1900 is 1)."""
    return ibis.date(1900, 4, 1) + (month_id.cast("int32") - 1).as_interval("M")  # type: ignore[attr-defined,no-any-return]


def code_table(name: str, columns: Sequence[str]) -> Table:
    """A code list as an in-memory Ibis table (portable to every backend)."""
    frame = codes.code_list(name)[list(columns)].copy()
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].astype("string")
        elif str(frame[column].dtype) == "boolean":
            frame[column] = frame[column].fillna(False).astype(bool)
    return ibis.memtable(frame)


def great_circle_km(lat1: Value, lon1: Value, lat2: Value, lon2: Value) -> NumericValue:
    """Haversine distance in km between two points in degrees."""
    p1, p2 = lat1.radians(), lat2.radians()  # type: ignore[attr-defined]
    dlat = p2 - p1
    dlon = lon2.radians() - lon1.radians()  # type: ignore[attr-defined]
    a = (dlat / 2).sin() ** 2 + p1.cos() * p2.cos() * (dlon / 2).sin() ** 2
    return 2 * EARTH_RADIUS_KM * a.sqrt().asin()  # type: ignore[no-any-return]


def in_list(column: Value, values: Sequence[str]) -> BooleanValue:
    return column.isin(list(values))  # type: ignore[no-any-return]


def built(tables: Tables, name: str, builder: Callable[[Tables], Table]) -> Table:
    """The canonical table if it is already materialised, else its definition."""
    return tables[name] if name in tables else builder(tables)
