"""Typed views of staged text: each field parsed strictly by its kind, as Ibis expressions.

Parsing is strict on purpose: ``2.5`` is not an integer and ``02/01/2024`` is not an ISO
date, so a value that only parses by guessing becomes NULL here and is reported by
validation as unparseable instead of silently becoming something else.
"""

from __future__ import annotations

from collections.abc import Iterable

import ibis
from ibis.expr.types import BooleanValue, Table, Value

from nearhome.data.schema import Kind

PATTERNS: dict[Kind, str] = {
    "int": r"^-?[0-9]+$",
    "float": r"^-?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$",
    "date": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
    "time": r"^[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?$",
}
IBIS_TYPES: dict[Kind, str] = {
    "str": "string",
    "int": "int64",
    "float": "float64",
    "date": "date",
    "time": "time",
}


def cleaned(column: Value) -> Value:
    """Trimmed text with empty strings as NULL."""
    return column.strip().nullif("")  # type: ignore[attr-defined,no-any-return]


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


TEXT = "_text_"
"""Prefix of the submitted text of a field, kept beside its parsed value for validation."""


def typed(
    stage: Table, fields: Iterable[tuple[str, Kind]], keep: Iterable[str] = ()
) -> Table:
    """``keep`` columns, every field parsed to its kind, and its text as ``_text_<field>``.

    Keeping both in one relation lets a validation rule compare what was submitted with
    what it parsed to, in a single pass.
    """
    columns = {name: stage[name] for name in keep}
    pairs = list(fields)
    columns.update({name: parsed(stage[name], kind).name(name) for name, kind in pairs})
    columns.update({f"{TEXT}{name}": stage[name] for name, _ in pairs})
    return stage.select(**columns)
