"""Code lists: the coded values nearhome understands, read from package data.

Every code list (ethnicity, bed types and their v5 to v6 crosswalk, delay reasons,
legal status, ...) is one CSV file in ``nearhome/data/reference``, and ``sources.csv``
there says where each list came from and what was judged when it was built. Codes are
never spelt out as literals elsewhere: validation, derivation, metrics and reports ask
this module, so a corrected list changes every output at once and is reviewed as a data
diff.

Codes are strings and keep their leading zeros (``"01"`` is not ``1``). Columns named
``is_*``, ``has_*`` or ``excluded_*`` are booleans; ``decile``, ``quintile``, ``min_*``
and ``max_*`` are nullable integers (``Int64``); every other column is text, with empty
cells as ``None``.

Files are read once per process (``functools.cache`` on pure readers); callers always
get a copy, so nothing they do can change what the next caller sees.
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass
from importlib import resources

import pandas as pd

from nearhome.errors import NotFound

__all__ = [
    "CodeListInfo",
    "bed_groupings",
    "bed_type_crosswalk",
    "code_list",
    "code_values",
    "crfd_reason_groups",
    "describe",
    "ethnic_groups",
    "info",
    "key_columns",
    "legal_status_groups",
    "list_names",
    "render_markdown",
    "ri_type_groups",
]

_PACKAGE = "nearhome.data"
_FOLDER = "reference"
_SOURCES_FILE = "sources.csv"

_KEYS: dict[str, tuple[str, ...]] = {
    "bed_type_crosswalk": ("v5_code",),
    "bed_grouping": ("grouping", "bed_type_code"),
    "imd_quintile": ("decile",),
    "age_band_sets": ("band_set", "band"),
    "distance_band": ("band",),
}
"""Lists whose rows are not identified by ``code``; every other list is keyed by it."""

_INT_COLUMNS = frozenset(
    {"decile", "quintile", "min_age", "max_age", "min_km", "max_km"}
)
_BOOL_PREFIXES = ("is_", "has_", "excluded_")
_BOOLS = {"true": True, "false": False}


@dataclass(frozen=True, slots=True)
class CodeListInfo:
    """Where a code list comes from: one row of ``sources.csv``."""

    name: str
    title: str
    source: str
    notes: str


# --- reading --------------------------------------------------------------------------


def _read_csv(filename: str) -> pd.DataFrame:
    """Read one reference CSV as text, then give each column its documented type."""
    path = resources.files(_PACKAGE) / _FOLDER / filename
    with path.open("r", encoding="utf-8") as handle:
        raw = pd.read_csv(handle, dtype=str, keep_default_na=False)
    return pd.DataFrame({col: _typed(filename, col, raw[col]) for col in raw.columns})


def _typed(filename: str, column: str, values: pd.Series) -> pd.Series:
    """Type one text column by its name; a bad cell is a packaging bug, so it raises."""
    if column in _INT_COLUMNS:
        ints = [None if v == "" else int(v) for v in values]
        return pd.Series(pd.array(ints, dtype="Int64"), name=column)
    if column.startswith(_BOOL_PREFIXES):
        bad = sorted(set(values) - set(_BOOLS))
        if bad:
            msg = f"{filename}: column {column} must hold true/false, found {bad}"
            raise ValueError(msg)
        return pd.Series([_BOOLS[v] for v in values], dtype=bool, name=column)
    return pd.Series(
        [None if v == "" else v for v in values], dtype=object, name=column
    )


@functools.cache
def _sources() -> pd.DataFrame:
    return _read_csv(_SOURCES_FILE)


@functools.cache
def _table(name: str) -> pd.DataFrame:
    return _read_csv(f"{name}.csv")


def _checked(name: str) -> str:
    """Return ``name`` if it is a code list; else raise NotFound with close matches."""
    names = list_names()
    if name in names:
        return name
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    suggestion = f" Did you mean: {', '.join(close)}?" if close else ""
    raise NotFound(
        f"No code list named {name!r}.{suggestion}",
        hint=f"The code lists are: {', '.join(names)}.",
    )


# --- the general API ------------------------------------------------------------------


def list_names() -> tuple[str, ...]:
    """Names of every code list, in the order of ``sources.csv``.

    Returns:
        The list names; each is also the stem of its CSV file.
    """
    return tuple(str(n) for n in _sources()["list_name"])


def info(name: str) -> CodeListInfo:
    """Title, source and notes of one code list, for docs, footnotes and tooltips.

    Raises:
        NotFound: ``name`` is not a code list; the message names close matches.
    """
    row = _sources().set_index("list_name").loc[_checked(name)]
    return CodeListInfo(
        name, str(row["title"]), str(row["source"]), str(row["notes"] or "")
    )


def code_list(name: str) -> pd.DataFrame:
    """One code list as a frame, in file order (which is display order).

    Args:
        name: A list name from :func:`list_names`, e.g. ``"bed_type"``.

    Returns:
        A fresh copy of the list, typed as described in the module docstring.

    Raises:
        NotFound: ``name`` is not a code list; the message names close matches.
    """
    return _table(_checked(name)).copy()


def key_columns(name: str) -> tuple[str, ...]:
    """The columns that identify a row of the list (unique together).

    Raises:
        NotFound: ``name`` is not a code list.
    """
    return _KEYS.get(_checked(name), ("code",))


def code_values(name: str) -> frozenset[str]:
    """The valid codes of a list keyed by one column, as strings (for validation rules).

    Raises:
        NotFound: ``name`` is not a code list.
        ValueError: the list is keyed by more than one column (use :func:`code_list`).
    """
    keys = key_columns(name)
    if len(keys) != 1:
        msg = f"code list {name!r} is keyed by {keys}; read it with code_list()"
        raise ValueError(msg)
    return frozenset(str(v) for v in _table(name)[keys[0]].dropna())


@functools.cache
def _descriptions(name: str) -> dict[str, str]:
    frame = _table(name)
    if not {"code", "description"} <= set(frame.columns):
        msg = f"code list {name!r} has no code and description columns"
        raise ValueError(msg)
    return {
        str(c): str(d) for c, d in zip(frame["code"], frame["description"], strict=True)
    }


def describe(name: str, code: str, *, default: str | None = None) -> str:
    """The description of one code, e.g. ``describe("bed_type", "200")``.

    Args:
        name: A list with ``code`` and ``description`` columns.
        code: The code as a string, leading zeros included.
        default: Returned for a code not in the list; without it such a code raises.

    Raises:
        NotFound: the list does not exist, or the code is not in it and there is no
            default.
        ValueError: the list has no ``code``/``description`` columns.
    """
    found = _descriptions(_checked(name)).get(code)
    if found is not None:
        return found
    if default is not None:
        return default
    raise NotFound(
        f"Code {code!r} is not in code list {name!r}.",
        hint="Codes are strings with their leading zeros, e.g. '01' not '1'.",
    )


# --- typed accessors used across the package ------------------------------------------


def bed_type_crosswalk() -> pd.DataFrame:
    """v5 bed type -> v6 bed type: columns v5_code, v6_code, is_one_to_one.

    One row per v5 code, so mapping on load is a plain join. ``v6_code`` is ``None`` for
    the v4.1-only codes 16 and 18. Where ``is_one_to_one`` is false the v6 code is a
    documented choice (see ``sources.csv``): loaders keep the submitted code beside it.
    """
    return code_list("bed_type_crosswalk")[["v5_code", "v6_code", "is_one_to_one"]]


def bed_groupings(grouping: str | None = None) -> pd.DataFrame:
    """Named bed type groupings over v6 codes (columns grouping, group, bed_type_code).

    "Acute bed" means different things in different outputs, so each output's grouping
    is kept by name (``los_publication``, ``oap_adult_acute``, ``mhs27a``,
    ``nhse_dashboard``, ``follow_up_72h``, ``capacity_pool``), never hard-coded.

    Args:
        grouping: Keep only this grouping; all groupings when ``None``.

    Raises:
        NotFound: ``grouping`` is not a known grouping; the message names close matches.
    """
    frame = code_list("bed_grouping")
    if grouping is None:
        return frame
    known = list(dict.fromkeys(str(g) for g in frame["grouping"]))
    if grouping not in known:
        close = difflib.get_close_matches(grouping, known, n=3, cutoff=0.5)
        suggestion = f" Did you mean: {', '.join(close)}?" if close else ""
        raise NotFound(
            f"No bed grouping named {grouping!r}.{suggestion}",
            hint=f"The bed groupings are: {', '.join(known)}.",
        )
    return frame[frame["grouping"] == grouping].reset_index(drop=True)


def _group_map(name: str) -> dict[str, str]:
    frame = _table(name)
    return {str(c): str(g) for c, g in zip(frame["code"], frame["group"], strict=True)}


def crfd_reason_groups() -> dict[str, str]:
    """v6 CRFD delay reason -> NHSE group.

    Groups: housing, social_care, community, hospital, not_known.
    """
    return _group_map("crfd_reason")


def legal_status_groups() -> dict[str, str]:
    """Legal status -> group: informal, detention, short_term, guardianship, other."""
    return _group_map("legal_status")


def ri_type_groups() -> dict[str, str]:
    """Restrictive intervention type -> group (prone, other_physical, chemical, ...)."""
    return _group_map("ri_type")


def ethnic_groups() -> dict[str, str]:
    """Ethnic category -> broad group.

    Groups: White, Mixed, Asian, Black, Other (as in the population file), Not stated,
    Not known.
    """
    return _group_map("ethnic_category")


# --- documentation --------------------------------------------------------------------

_DOC_HEADER = """\
# Code lists

<!-- Generated by nearhome.data.codes.render_markdown(); do not edit by hand. -->

Every coded value nearhome reads or reports comes from one of these lists. Each is a
CSV file in `src/nearhome/data/reference/`, and `sources.csv` beside them records where
each list came from and what was judged. Read them with `nearhome.data.codes`:
`code_list(name)` (a frame), `code_values(name)` (valid codes), `describe(name, code)`
(a label), and the accessors `bed_type_crosswalk()`, `bed_groupings(grouping)`,
`crfd_reason_groups()`, `legal_status_groups()`, `ri_type_groups()` and
`ethnic_groups()`.

Codes are strings with their leading zeros. Columns named `is_*`, `has_*` or
`excluded_*` are booleans; `decile`, `quintile`, `min_*` and `max_*` are integers;
empty cells are missing.
"""


def _cell(value: object) -> str:
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).replace("|", "\\|")


def _markdown_table(frame: pd.DataFrame) -> list[str]:
    lines = [
        "| " + " | ".join(frame.columns) + " |",
        "|" + "---|" * len(frame.columns),
    ]
    lines += [
        "| " + " | ".join(_cell(v) for v in row) + " |"
        for row in frame.itertuples(index=False)
    ]
    return lines


def render_markdown() -> str:
    """The reference page ``docs/reference/code-lists.md`` as Markdown text.

    The page is generated so it cannot drift from the CSV files; a test compares them.
    """
    lines = [_DOC_HEADER, "## Contents", ""]
    lines += [f"- [`{n}`](#{n}): {info(n).title}" for n in list_names()]
    for name in list_names():
        meta = info(name)
        lines += [
            "",
            f"## {name}",
            "",
            f"**{meta.title}**",
            "",
            f"Source: {meta.source}.",
            "",
        ]
        if meta.notes:
            lines += [f"Notes: {meta.notes}", ""]
        lines += [f"Key: {', '.join(f'`{k}`' for k in key_columns(name))}.", ""]
        lines += _markdown_table(_table(name))
    return "\n".join(lines) + "\n"
