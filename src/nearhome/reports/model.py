"""What a report is made of: sections of paragraphs, tables, figures and headline cards.

Sections are built as plain data and rendered three ways (HTML, PDF from the same HTML,
and an Excel workbook of every table), so the three can never disagree. Every table cell
is already final when it lands here: counts have had the disclosure policy applied
(a number or ``*``), and each column says what kind of figure it holds, which is how the
renderer formats it and how tests find every count in the rendered report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

import pandas as pd

ColumnKind: TypeAlias = Literal[
    "label",
    "count",
    "number",
    "pct",
    "ratio",
    "money",
    "estimate",
    "icon",
    "date",
    "status",
]
"""How a column is shown.

``count`` columns hold counts of people or events after disclosure control (a number or
``*``); ``estimate`` columns hold model outputs (beds needed, simulated placements), which
are not counts of people and are not suppressed; ``icon`` columns hold a Making Data
Count icon name; ``status`` columns a scorecard status (green, amber, red, no_data).
"""

Status: TypeAlias = Literal["green", "amber", "red", "no_data"]


@dataclass(frozen=True)
class Table:
    """A table of final, display-ready cells.

    Attributes:
        key: Stable identifier: the Excel sheet, the golden file and the HTML anchor.
        title: Caption.
        frame: The cells; column names are the headers.
        kinds: The kind of each column (columns not named are labels).
        decimals: Decimals for ``number``/``pct``/``ratio``/``estimate`` columns.
        note: A footnote (what the figures are, what was suppressed).
        highlight: Row positions to emphasise (for example housing among delay reasons).
        cell_kinds: Kinds of single cells, ``(row position, column)``, in a column that
            mixes counts and shares (a headline table's latest values).
        layout: ``table``, or ``definitions`` for a glossary printed as a definition list
            (first column the term, the others its description); the workbook always
            gets a table.
    """

    key: str
    title: str
    frame: pd.DataFrame
    kinds: Mapping[str, ColumnKind] = field(default_factory=dict)
    decimals: Mapping[str, int] = field(default_factory=dict)
    note: str = ""
    highlight: Sequence[int] = ()
    cell_kinds: Mapping[tuple[int, str], ColumnKind] = field(default_factory=dict)
    layout: Literal["table", "definitions"] = "table"

    def kind(self, column: str) -> ColumnKind:
        """The kind of ``column`` (``label`` unless said otherwise)."""
        return self.kinds.get(column, "label")

    def kind_at(self, row: int, column: str) -> ColumnKind:
        """The kind of one cell (its own kind, else its column's)."""
        return self.cell_kinds.get((row, column), self.kind(column))


@dataclass(frozen=True)
class Figure:
    """An inline SVG chart with a caption (the SVG carries its own accessible title).

    ``kind`` is ``count`` when the chart's marks are counts of people or events, so the
    disclosure test checks them too.
    """

    key: str
    title: str
    svg: str
    caption: str = ""
    kind: ColumnKind = "number"


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of plain text (escaped when rendered); ``tone`` styles callouts."""

    text: str
    tone: Literal["plain", "note", "warning"] = "plain"


@dataclass(frozen=True)
class Card:
    """A headline figure: a measure's latest value with its SPC icons.

    Attributes:
        title: The measure.
        value: The latest value, already formatted and disclosure-controlled.
        period: What the value covers (``Sep 2026``).
        variation: Making Data Count variation icon name, or None.
        assurance: Making Data Count assurance icon name, or None.
        detail: One line under the value (mean and limits, target).
        status: Optional scorecard status, coloured on the card.
        kind: What the value is (``count`` values are disclosure-checked).
    """

    title: str
    value: str
    period: str
    variation: str | None = None
    assurance: str | None = None
    detail: str = ""
    status: Status | None = None
    kind: ColumnKind = "number"


Block: TypeAlias = Paragraph | Table | Figure | Card | Sequence[Card]


@dataclass(frozen=True)
class Section:
    """One chapter of the report.

    Attributes:
        key: Anchor and ordering key.
        title: Heading (also the table of contents entry).
        blocks: Paragraphs, tables, figures and rows of cards, in reading order.
        measures: Metric ids the section used (for the methods appendix).
    """

    key: str
    title: str
    blocks: tuple[Block, ...]
    measures: tuple[str, ...] = ()

    def tables(self) -> list[Table]:
        """The section's tables, in order."""
        return [b for b in self.blocks if isinstance(b, Table)]

    def figures(self) -> list[Figure]:
        """The section's figures, in order."""
        return [b for b in self.blocks if isinstance(b, Figure)]


@dataclass(frozen=True)
class Report:
    """A whole report, ready to render.

    Attributes:
        title: Document title.
        icb: The ICB the report is about.
        period_label: The reporting period, as printed (``Oct 2025 to Sep 2026``).
        generated_at: When it was generated (injected, never read from the clock).
        policy: Name of the disclosure policy applied.
        policy_description: The policy in one sentence.
        sections: In order.
        metadata: Anything else worth recording in the workbook's About sheet.
    """

    title: str
    icb: str
    period_label: str
    generated_at: dt.datetime
    policy: str
    policy_description: str
    sections: tuple[Section, ...]
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def tables(self) -> list[Table]:
        """Every table, in reading order."""
        return [t for s in self.sections for t in s.tables()]

    def figures(self) -> list[Figure]:
        """Every figure, in reading order."""
        return [f for s in self.sections for f in s.figures()]
