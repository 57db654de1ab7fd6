"""Column kinds of the generated records and their conversion to Arrow arrays.

Records keep one value per real-world thing (a spell, a ward stay); a monthly snapshot
repeats it once per active month. Conversion therefore takes an entity-level column and
the row -> entity index, and uses Arrow's ``take`` so that strings are built once per
entity, not once per row. Missing values are ``""`` for text, ``NO_DAY`` for dates and
``NaN`` for numbers; all become nulls (empty CSV cells).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nearhome.data.synthetic.draws import (
    BoolArray,
    FloatArray,
    IntArray,
    StrArray,
    distinct_inverse,
)

NO_DAY = np.iinfo(np.int64).max
_CLOCK = pa.array([f"{m // 60:02d}:{m % 60:02d}:00" for m in range(1440)])


@dataclass(frozen=True)
class Text:
    """Codes and other short strings."""

    values: StrArray


@dataclass(frozen=True)
class Coded:
    """Values from a short list of labels: ``labels[index]`` (-1 or ``""`` is missing)."""

    index: IntArray
    labels: StrArray

    @classmethod
    def of(cls, values: StrArray) -> Coded:
        """Encode an array of strings."""
        labels, index = distinct_inverse(values)
        return cls(index=index.reshape(-1).astype(np.int64), labels=labels)

    def take(self, rows: IntArray) -> Coded:
        """The values of the given entities."""
        return Coded(index=self.index[rows], labels=self.labels)


@dataclass(frozen=True)
class Ident:
    """Identifiers ``<provider code><tag><8 digits>``, e.g. ``TZAS00001234``."""

    provider: IntArray
    number: IntArray
    tag: str


@dataclass(frozen=True)
class Day:
    """Dates as day numbers."""

    values: IntArray


@dataclass(frozen=True)
class Whole:
    """Integers."""

    values: IntArray


@dataclass(frozen=True)
class Real:
    """Decimal numbers."""

    values: FloatArray


@dataclass(frozen=True)
class Clock:
    """Times of day (``HH:MM:SS``) from minutes since 1970-01-01."""

    minutes: IntArray


@dataclass(frozen=True)
class ByMonth:
    """Integers that differ by month: shape (entity, month)."""

    values: IntArray


@dataclass(frozen=True)
class ByVersion:
    """A column written differently before (v5) and from (v6) April 2024."""

    v5: Column
    v6: Column


Column = Text | Coded | Ident | Day | Whole | Real | Clock | ByMonth | ByVersion


@dataclass(frozen=True)
class RowIndex:
    """Where each output row's values come from."""

    entity: IntArray
    month: IntArray
    hidden: BoolArray
    """Rows where a closing value is not yet known (before the month it happened)."""
    is_v6: BoolArray


def to_arrow(
    column: Column, rows: RowIndex, provider_codes: pa.Array, *, closing: bool
) -> pa.Array:
    """The column's values for the given rows (hidden rows are null if ``closing``)."""
    hide = rows.hidden if closing else np.zeros(len(rows.entity), dtype=bool)
    if isinstance(column, ByVersion):
        old = to_arrow(column.v5, rows, provider_codes, closing=closing)
        new = to_arrow(column.v6, rows, provider_codes, closing=closing)
        return pc.if_else(pa.array(rows.is_v6), new, old)
    if isinstance(column, Text):
        return _text(column.values, rows.entity, hide)
    if isinstance(column, Coded):
        return _coded(column, rows.entity, hide)
    if isinstance(column, Ident):
        return idents(column, provider_codes).take(pa.array(rows.entity))
    if isinstance(column, Day):
        values = column.values[rows.entity]
        return pa.array(
            np.where(hide, 0, values).astype(np.int32), mask=hide | (values == NO_DAY)
        ).view(pa.date32())
    if isinstance(column, Clock):
        minutes = column.minutes[rows.entity]
        index = pa.array(
            np.where(minutes == NO_DAY, 0, minutes % 1440),
            mask=hide | (minutes == NO_DAY),
        )
        return _CLOCK.take(index)
    if isinstance(column, ByMonth):
        return pa.array(
            column.values[rows.entity, rows.month], type=pa.int64(), mask=hide
        )
    if isinstance(column, Whole):
        return pa.array(column.values[rows.entity], type=pa.int64(), mask=hide)
    values = column.values[rows.entity]
    return pa.array(values, type=pa.float64(), mask=hide | np.isnan(values))


def idents(column: Ident, provider_codes: pa.Array) -> pa.Array:
    """The identifiers as strings, one per entity."""
    prefix = provider_codes.take(pa.array(column.provider))
    digits = pc.utf8_lpad(pc.cast(pa.array(column.number), pa.string()), 8, "0")
    return pc.binary_join_element_wise(prefix, pa.scalar(column.tag), digits, "")


def _coded(column: Coded, entity: IntArray, hide: BoolArray) -> pa.Array:
    labels = column.labels.astype(str)
    dictionary = pa.array(np.append(labels, ""), mask=np.r_[labels == "", True])
    index = column.index[entity]
    return dictionary.take(pa.array(np.where(hide | (index < 0), len(labels), index)))


def _text(values: StrArray, entity: IntArray, hide: BoolArray) -> pa.Array:
    unique, inverse = distinct_inverse(values)
    dictionary = pa.array(np.append(unique, ""), mask=np.r_[unique == "", True])
    index = (
        np.where(hide, len(unique), inverse.reshape(-1)[entity])
        if len(values)
        else np.zeros(len(entity), dtype=np.int64)
    )
    return dictionary.take(pa.array(index))


def arrow_type(kind: str) -> pa.DataType:
    """Arrow type of a schema field kind."""
    return {"int": pa.int64(), "float": pa.float64(), "date": pa.date32()}.get(
        kind, pa.string()
    )
