"""Typed views of staged text: each field parsed strictly by its kind, as Ibis expressions.

Parsing is strict on purpose: ``2.5`` is not an integer and ``02/01/2024`` is not an ISO
date, so a value that only parses by guessing becomes NULL here and is reported by
validation as unparseable instead of silently becoming something else.
"""

from __future__ import annotations

from collections.abc import Iterable

import ibis
from ibis.expr.types import BooleanValue, StringValue, Table, Value

from nearhome.data.schema import Kind

PATTERNS: dict[Kind, str] = {
    "int": r"^-?[0-9]+$",
    "float": r"^-?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$",
    "date": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
    "time": r"^[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?$",
}
ASCII_SPACE = 32
"""Code of the space character: every character ``strip`` removes is at or below it."""
STRIPPED = (" ", "\t", "\n", "\r", "\x0b", "\x0c")
"""The characters ``strip`` removes from either end (DuckDB's ``TRIM`` set as Ibis writes it)."""
IBIS_TYPES: dict[Kind, str] = {
    "str": "string",
    "int": "int64",
    "float": "float64",
    "date": "date",
    "time": "time",
}


def cleaned(column: Value) -> Value:
    """Trimmed text with empty strings as NULL.

    Trimming every value is the dearest step of staging (DuckDB's trim of a character set
    costs several times a copy), yet almost no value has whitespace at either end. Text
    whose first character is above the space character and whose last character is not
    one ``strip`` removes is returned as it is: trimming it would change nothing. The last
    character is tested with byte-wise suffix checks, not by reversing the text (a
    reversal copies every value, grapheme by grapheme). Only the rest (empty, or a
    removable character at an end) is trimmed, so the result is exactly the trimmed text.
    """
    text: StringValue = column  # type: ignore[assignment]
    ends_stripped = ibis.or_(*(text.endswith(c) for c in STRIPPED))
    plain = (text.ascii_str() > ASCII_SPACE) & ~ends_stripped
    return ibis.ifelse(plain, text, text.strip().nullif(""))


def parsed(column: Value, kind: Kind) -> Value:
    """The column parsed as ``kind``; NULL where it is empty or not well formed."""
    text = cleaned(column)
    if kind == "str":
        return text
    well_formed = text.re_search(PATTERNS[kind])  # type: ignore[attr-defined]
    return ibis.ifelse(
        well_formed, text.try_cast(IBIS_TYPES[kind]), ibis.null(IBIS_TYPES[kind])
    )  # type: ignore[attr-defined]


def unparseable(column: Value, kind: Kind) -> BooleanValue:
    """True where text is present but does not parse as ``kind``."""
    return cleaned(column).notnull() & parsed(column, kind).isnull()  # type: ignore[no-any-return]


UNPARSEABLE = "_unparseable_"
"""Prefix of the flag, kept beside each non-text field, that its submitted text did not parse."""


def unparseable_flag(name: str) -> str:
    """Name of the column that flags rows where field ``name`` held text that did not parse."""
    return f"{UNPARSEABLE}{name}"


def typed(
    stage: Table, fields: Iterable[tuple[str, Kind]], keep: Iterable[str] = ()
) -> Table:
    """``keep`` columns, every field parsed to its kind, and an unparseable flag per non-text field.

    The flag (not the submitted text) is what validation needs: a field is missing when it
    parsed to NULL without being flagged, and unparseable when flagged. Keeping one boolean
    instead of a second copy of the text halves the staged table and lets the rules read
    the regular-expression result computed once here instead of parsing every value again.
    """
    columns = {name: stage[name] for name in keep}
    pairs = list(fields)
    columns.update({name: parsed(stage[name], kind).name(name) for name, kind in pairs})
    columns.update(
        {
            unparseable_flag(name): unparseable(stage[name], kind)
            for name, kind in pairs
            if kind != "str"
        }
    )
    return stage.select(**columns)


def missing(table: Table, name: str, kind: Kind) -> BooleanValue:
    """True where a typed field was submitted blank (its text, trimmed, is empty)."""
    if kind == "str":
        return table[name].isnull()  # type: ignore[no-any-return]
    return table[name].isnull() & ~table[unparseable_flag(name)]  # type: ignore[no-any-return]
