"""Turning tidy metric results into display tables: one row per level, one column per measure.

Values are taken from the disclosure-controlled results, so a cell is a number or ``*``
exactly as the policy left it. Each measure's column kind follows from its unit: counts
of people or events are ``count`` cells (the ones the disclosure test inspects), shares
and averages are ``number``/``pct`` cells.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import pandas as pd

from nearhome.metrics.registry import MetricSpec
from nearhome.reports.model import ColumnKind, Paragraph, Table
from nearhome.reports.results import Results

__all__ = [
    "by_level",
    "kind_for",
    "missing",
    "text_value",
    "totals",
    "unit_words",
    "words",
]

UNIT_WORDS = {
    "pct": "%",
    "per_100k": "per 100,000",
    "per_1m": "per 1,000,000",
    "per_1000_bed_days": "per 1,000 bed days",
    "mean_days": "days (mean)",
    "median_days": "days (median)",
    "geometric_mean_days": "days (geometric mean)",
    "p90_days": "days (90th centile)",
}


_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


def words(label: object) -> str:
    """A level label for people: ``other_physical`` → ``Other physical``, ``UNKNOWN`` →
    ``Unknown``; real descriptions are left as they are.

    Examples:
        >>> words("other_physical"), words("UNKNOWN"), words("Black")
        ('Other physical', 'Unknown', 'Black')
    """
    text = str(label)
    if text == "UNKNOWN":
        return "Unknown"
    if _CODE.match(text):
        spaced = text.replace("_", " ")
        return spaced[0].upper() + spaced[1:]
    return text


def kind_for(spec: MetricSpec | None) -> ColumnKind:
    """How a measure's values are shown: counts of people/events, percentages or numbers."""
    if spec is None:
        return "number"
    if spec.kind == "count":
        return "count" if spec.disclosive else "number"
    return "pct" if spec.unit == "pct" else "number"


def unit_words(spec: MetricSpec | None) -> str:
    """Words for a measure's unit (``%``, ``per 1,000 bed days``; empty for counts)."""
    return "" if spec is None else UNIT_WORDS.get(spec.unit, "")


def decimals_for(kind: ColumnKind) -> int:
    """Decimals shown for a kind of value."""
    return 0 if kind == "count" else 1


def text_value(cell: object, spec: MetricSpec | None) -> str:
    """A value for running text (``1,234``, ``12.5%``, ``*``)."""
    if isinstance(cell, str):
        return cell
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return "no data"
    number = float(cell)  # type: ignore[arg-type]
    kind = kind_for(spec)
    shown = f"{number:,.{decimals_for(kind)}f}"
    return f"{shown}%" if kind == "pct" else shown


def missing(results: Results, measures: Sequence[str]) -> list[Paragraph]:
    """A note naming measures the catalogue does not have (shown instead of silence)."""
    absent = [m for m in measures if not results.has(m)]
    if not absent:
        return []
    return [
        Paragraph(
            "Not available in the metric catalogue, so not shown: "
            + ", ".join(absent)
            + ".",
            tone="warning",
        )
    ]


def _rank(cell: object) -> float:
    if isinstance(cell, str):
        return 0.5
    return float(cell) if isinstance(cell, int | float) else -1.0


def by_level(  # noqa: PLR0913 (keyword-only table options)
    results: Results,
    columns: Sequence[tuple[str, str]],
    breakdown: str,
    *,
    key: str,
    title: str,
    label: str,
    note: str = "",
    order: str = "value",
    highlight: Sequence[str] = (),
) -> Table | None:
    """A table of several measures by the levels of one breakdown.

    Args:
        results: The report's results.
        columns: ``(metric id, header)`` pairs; the first sets the rows.
        breakdown: The breakdown (``receiving_provider``, ``crfd_reason_group``).
        key: Table key.
        title: Table caption.
        label: Header of the level column.
        note: Footnote.
        order: ``value`` (first measure, largest first) or ``level`` (code order).
        highlight: Level codes to emphasise.

    Returns:
        None when the first measure has no rows.
    """
    present = [(m, h) for m, h in columns if results.has(m)]
    if not present:
        return None
    first = results.rows(present[0][0], breakdown)
    if first.empty:
        return None
    # Sort by the shown value, "*" between zero and the smallest shown count, so the
    # order of rows never says more than the cells do.
    rank = first.set_index("level")["value"].map(_rank)
    frame = pd.DataFrame(
        {"level": first["level"], label: first["level_description"].map(words)}
    )
    kinds: dict[str, ColumnKind] = {}
    for measure, header in present:
        rows = results.rows(measure, breakdown).set_index("level")["value"]
        kinds[header] = kind_for(results.specs.get(measure))
        # A level a count never reached is a zero; a share of nothing is no data.
        absent = 0.0 if kinds[header] == "count" and not rows.empty else math.nan
        frame[header] = (
            frame["level"].map(rows).where(frame["level"].isin(rows.index), absent)
        )
    if order == "value":
        frame = frame.assign(_sort=frame["level"].map(rank).fillna(-1.0))
        frame = frame.sort_values(["_sort", "level"], ascending=[False, True]).drop(
            columns="_sort"
        )
    else:
        frame = frame.sort_values("level")
    frame = frame.reset_index(drop=True)
    marked = [i for i, level in enumerate(frame["level"]) if level in highlight]
    return Table(
        key=key,
        title=title,
        frame=frame.drop(columns="level"),
        kinds=kinds,
        decimals={h: decimals_for(k) for h, k in kinds.items()},
        note=note,
        highlight=tuple(marked),
    )


def totals(
    results: Results, measures: Sequence[str], *, key: str, title: str, note: str = ""
) -> Table | None:
    """A table of measures over the reporting year, one row each (None when none has data)."""
    rows: list[dict[str, object]] = []
    cell_kinds: dict[tuple[int, str], ColumnKind] = {}
    for measure in measures:
        total = results.total(measure)
        if total is None:
            continue
        cell_kinds[(len(rows), "Value")] = kind_for(results.specs.get(measure))
        rows.append(
            {
                "Measure": results.title(measure),
                "Value": total["value"],
                "Unit": unit_words(results.specs.get(measure)),
            }
        )
    if not rows:
        return None
    return Table(
        key=key,
        title=title,
        frame=pd.DataFrame(rows),
        kinds={"Value": "number"},
        decimals={"Value": 1},
        cell_kinds=cell_kinds,
        note=note,
    )
