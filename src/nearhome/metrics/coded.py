"""Query results held as numbers while a run executes, and turned back into text once.

A whole-catalogue run returns about 11 million rows whose text columns (metric, breakdown,
level and description) repeat a few thousand distinct values and whose periods repeat
sixty. Read the usual way, each cell becomes a Python object of its own: 4 GB, and most
of the run's time went on creating, hashing, merging and sorting them. Here each result
arrives as Arrow, every text value becomes a number in one table of strings kept by the
run, and every period becomes its place in the run's period grid. Zero-fill, composites
and sorting then work on plain integer columns, and the output's text columns are built
at the end by indexing into the distinct values, so every cell of one value shares one
string object.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

EMPTY = 0
"""The code of the empty string (also what a missing level or description reads as)."""

CODE = np.int32
"""Codes are 32-bit: a run has far fewer distinct texts, and 11 million rows of seven
code columns take half the memory of 64-bit ones."""
Codes = np.ndarray[Any, np.dtype[np.int32]]
Pairs = np.ndarray[Any, np.dtype[np.int64]]


def paired(first: Codes, second: Codes) -> Pairs:
    """Two code columns as one 64-bit key (for finding distinct pairs)."""
    return (first.astype(np.int64) << 32) | second.astype(np.int64)


def unpaired(pairs: Pairs) -> tuple[Codes, Codes]:
    """The two codes of each :func:`paired` key."""
    return (pairs >> 32).astype(CODE), (pairs & 0xFFFFFFFF).astype(CODE)


class Strings:
    """Every distinct text value of one run, numbered in the order first seen."""

    def __init__(self) -> None:
        """Start with the empty string as :data:`EMPTY`."""
        self._codes: dict[str, int] = {"": EMPTY}
        self._values: list[str] = [""]
        self._array: np.ndarray[Any, np.dtype[np.object_]] | None = None

    def __len__(self) -> int:
        """Number of distinct values seen."""
        return len(self._values)

    def code(self, value: str) -> int:
        """The number of one value (numbered now if it is new)."""
        found = self._codes.get(value)
        if found is None:
            found = len(self._values)
            self._codes[value] = found
            self._values.append(value)
            self._array = None
        return found

    def codes(self, values: Iterable[str]) -> Codes:
        """The numbers of several values."""
        return np.fromiter((self.code(v) for v in values), dtype=CODE)

    def text(self, code: int) -> str:
        """The value of one number."""
        return self._values[code]

    def decode(
        self, codes: np.ndarray[Any, np.dtype[np.integer[Any]]]
    ) -> np.ndarray[Any, np.dtype[np.object_]]:
        """Values of many numbers, as an object array sharing one string per value."""
        if self._array is None or len(self._array) != len(self._values):
            self._array = np.array(self._values, dtype=object)
        return self._array[codes]  # type: ignore[no-any-return]

    def encode_arrow(self, column: pa.ChunkedArray) -> Codes:
        """Numbers of an Arrow column of text (a missing value reads as empty).

        Each chunk is dictionary-encoded by Arrow, so only its distinct values pass
        through Python.
        """
        if not pa.types.is_string(column.type):
            column = pc.cast(column, pa.string())
        parts = []
        for chunk in column.chunks:
            encoded = pc.dictionary_encode(chunk)
            lookup = self.codes(encoded.dictionary.to_pylist())
            lookup = np.append(lookup, CODE(EMPTY))  # where a missing value points
            indices = encoded.indices.fill_null(len(lookup) - 1)
            parts.append(lookup[indices.to_numpy(zero_copy_only=False)])
        return np.concatenate(parts) if parts else np.zeros(0, dtype=CODE)


class PeriodGrid:
    """The run's reporting periods; a result's period is its index here."""

    def __init__(self, starts: Sequence[dt.date], lasts: Sequence[dt.date]) -> None:
        """Periods by first and last day, in order of their first day."""
        self.starts = np.array(list(starts), dtype=object)
        self.lasts = np.array(list(lasts), dtype=object)
        self._days = np.array(starts, dtype="datetime64[D]").astype(np.int64)
        if len(self._days) > 1 and not (np.diff(self._days) > 0).all():
            msg = "periods must be in order of their first day"
            raise ValueError(msg)

    def __len__(self) -> int:
        """Number of periods."""
        return len(self._days)

    def index_arrow(self, column: pa.ChunkedArray) -> Codes:
        """Each row's period index, from its first day."""
        days = pc.cast(pc.cast(column, pa.date32()), pa.int32())
        values = days.to_numpy().astype(np.int64)
        index: Codes = np.searchsorted(self._days, values).astype(CODE)
        found = (index < len(self._days)) & (
            self._days[np.minimum(index, len(self._days) - 1)] == values
        )
        if not found.all():
            msg = "a result row's period is not one of the run's periods"
            raise ValueError(msg)
        return index

    def year_of_last(self, index: int) -> int:
        """Calendar year of a period's last day (the population year it reads)."""
        return int(self.lasts[index].year)


def frame(
    table: pa.Table,
    strings: Strings,
    grid: PeriodGrid | None,
    text: Sequence[str],
) -> pd.DataFrame:
    """A query result as numbers: the ``text`` columns as string codes, ``period_start``
    as the period's index in the grid (column ``period``; ``period_last`` is dropped,
    the grid has it), every other column as float64 (missing as NaN)."""
    columns: dict[str, np.ndarray[Any, Any]] = {}
    for name in table.column_names:
        column = table.column(name)
        if name == "period_last" and grid is not None:
            continue
        if name == "period_start" and grid is not None:
            columns["period"] = grid.index_arrow(column)
        elif name in text:
            columns[name] = strings.encode_arrow(column)
        else:
            values = pc.cast(column, pa.float64()).to_numpy()
            columns[name] = np.asarray(values, dtype=np.float64)
    return pd.DataFrame(columns)


__all__ = ["CODE", "EMPTY", "PeriodGrid", "Strings", "frame", "paired", "unpaired"]
