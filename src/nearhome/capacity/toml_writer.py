"""Write a scenario back out as TOML (the standard library only reads TOML).

Only what a scenario holds is supported: tables, arrays of tables, strings, booleans,
integers, finite floats, dates and flat arrays of those. ``None`` values are left out, since
TOML has no null and every optional scenario field defaults to ``None``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["dumps"]

_BARE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def _key(name: str) -> str:
    return name if name and set(name) <= _BARE else json.dumps(name)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"TOML cannot hold {value!r}")
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _inline(value: Any) -> str:
    if isinstance(value, Mapping):
        inner = ", ".join(
            f"{_key(k)} = {_inline(v)}" for k, v in value.items() if v is not None
        )
        return "{" + inner + "}"
    if isinstance(value, Sequence) and not isinstance(value, str):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    return _scalar(value)


def _is_table_array(value: Any) -> bool:
    return (
        isinstance(value, Sequence)
        and not isinstance(value, str)
        and len(value) > 0
        and all(isinstance(v, Mapping) for v in value)
    )


def _emit(table: Mapping[str, Any], path: list[str], out: list[str]) -> None:
    plain = {k: v for k, v in table.items() if v is not None}
    for key, value in plain.items():
        if not isinstance(value, Mapping) and not _is_table_array(value):
            out.append(f"{_key(key)} = {_inline(value)}")
    for key, value in plain.items():
        if isinstance(value, Mapping):
            if (
                any(
                    isinstance(v, Mapping) or _is_table_array(v) for v in value.values()
                )
                or value
            ):
                out.append("")
                out.append("[" + ".".join(_key(p) for p in [*path, key]) + "]")
                _emit(value, [*path, key], out)
        elif _is_table_array(value):
            for item in value:
                out.append("")
                out.append("[[" + ".".join(_key(p) for p in [*path, key]) + "]]")
                _emit(item, [*path, key], out)


def dumps(data: Mapping[str, Any]) -> str:
    """TOML text for a mapping (as given by ``Scenario.model_dump()``).

    Examples:
        >>> print(dumps({"name": "x", "pools": [{"id": "a", "beds": 3}]}))
        name = "x"
        <BLANKLINE>
        [[pools]]
        id = "a"
        beds = 3
        <BLANKLINE>
    """
    out: list[str] = []
    _emit(data, [], out)
    return "\n".join(out).lstrip("\n") + "\n"
