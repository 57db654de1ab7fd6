"""Render a :class:`Report`: HTML via Jinja, PDF via WeasyPrint from the same HTML, and an
Excel workbook of every table.

The HTML is self-contained: the stylesheet is inlined and charts are inline SVG, so it
opens anywhere with no network and prints the same. The PDF is the same document with
the print rules of the stylesheet (A4, page numbers, a table of contents with page
numbers). Every cell is formatted here and nowhere else, from its kind: a ``count`` cell
is a whole number or ``*``, and carries ``data-kind="count"`` so tests can find every
count in the rendered report.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from nearhome.reports.icons import icon_svg, words
from nearhome.reports.model import Card, Figure, Paragraph, Report, Table

__all__ = ["format_cell", "render_html", "write_pdf", "write_report", "write_xlsx"]

NO_DATA = "–"
STATUS_WORDS = {"green": "Green", "amber": "Amber", "red": "Red", "no_data": "No data"}


def _is_missing(cell: object) -> bool:
    return cell is None or (isinstance(cell, float) and math.isnan(cell))


def _number_text(value: float, kind: str, decimals: int) -> str:
    if kind == "count":
        return f"{value:,.0f}"
    if kind == "money":
        return f"£{value:,.0f}"
    return f"{value:,.{decimals}f}"


def format_cell(cell: object, kind: str, decimals: int = 1) -> str:
    """A cell as text, by its kind (the only place numbers become text).

    Examples:
        >>> format_cell(1234.0, "count"), format_cell("*", "count"), format_cell(12.345, "pct")
        ('1,234', '*', '12.3')
        >>> format_cell(650.0, "money"), format_cell(float("nan"), "number")
        ('£650', '–')
    """
    if _is_missing(cell):
        return NO_DATA
    if isinstance(cell, dt.date):
        return cell.isoformat()
    if kind in ("label", "icon", "status") or isinstance(cell, str):
        return str(cell)
    return _number_text(float(cell), kind, decimals)  # type: ignore[arg-type]


def _cell_html(table: Table, row: int, column: str) -> Markup:
    cell = table.frame[column].iloc[row]
    kind = table.kind_at(row, column)
    decimals = 0 if kind == "count" else table.decimals.get(column, 1)
    text = format_cell(cell, kind, decimals)
    numeric = kind not in ("label", "icon", "status", "date")
    attrs = f' data-kind="{kind}"' + (' class="num"' if numeric else "")
    if kind == "icon" and isinstance(cell, str) and cell:
        return Markup(  # noqa: S704 (our own icon SVG; the words are escaped)
            f'<td{attrs}>{icon_svg(cell)}<span class="icon-words">{Markup.escape(words(cell))}</span></td>'
        )
    if kind == "status" and isinstance(cell, str):
        label = STATUS_WORDS.get(cell, cell)
        return Markup(  # noqa: S704 (the status code is escaped)
            f'<td{attrs}><span class="status status-{Markup.escape(cell)}">{label}</span></td>'
        )
    return Markup(f"<td{attrs}>{Markup.escape(text)}</td>")  # noqa: S704 (text escaped)


def _rows(table: Table) -> list[dict[str, Any]]:
    marked = set(table.highlight)
    return [
        {
            "highlight": i in marked,
            "cells": [_cell_html(table, i, c) for c in table.frame.columns],
        }
        for i in range(len(table.frame))
    ]


def _kind_of(block: object) -> str:
    if isinstance(block, Paragraph):
        return "paragraph"
    if isinstance(block, Table):
        return "table"
    if isinstance(block, Figure):
        return "figure"
    if isinstance(block, Card):
        return "cards"
    return "cards"


def _trusted_svg(text: str) -> Markup:
    """Charts are drawn by nearhome's own chart modules, which escape every label."""
    return Markup(text)  # noqa: S704 (SVG drawn and escaped by nearhome.reports.charts)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("nearhome.reports", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        block_kind=_kind_of,
        rows=_rows,
        icon=lambda i: Markup(icon_svg(i)),  # noqa: S704 (SVG drawn by nearhome.reports.icons)
        icon_words=words,
        status_words=STATUS_WORDS,
    )
    env.filters["svg"] = _trusted_svg
    return env


def stylesheet() -> str:
    """The report's stylesheet (screen and print rules), to inline."""
    return (
        resources.files("nearhome.reports")
        .joinpath("templates", "report.css")
        .read_text("utf-8")
    )


def render_html(report: Report) -> str:
    """The report as one self-contained HTML document."""
    template = _environment().get_template("report.html.j2")
    css = Markup(stylesheet())  # noqa: S704 (package data, not user input)
    return template.render(report=report, css=css)


def write_pdf(html: str, path: Path) -> Path:
    """The HTML printed to an A4 PDF by WeasyPrint (no network: nothing to fetch)."""
    import weasyprint

    def refuse(url: str) -> dict[str, Any]:
        raise ValueError(f"the report must not fetch {url}")

    weasyprint.HTML(string=html, url_fetcher=refuse).write_pdf(path)
    return path


def _sheet_names(tables: Sequence[Table]) -> list[str]:
    names: list[str] = []
    for table in tables:
        base = table.key[:31]
        name, n = base, 2
        while name.lower() in (x.lower() for x in names):
            suffix = f"_{n}"
            name, n = base[: 31 - len(suffix)] + suffix, n + 1
        names.append(name)
    return names


def write_xlsx(report: Report, path: Path) -> Path:
    """Every table of the report, one sheet each, after an About sheet."""
    import xlsxwriter

    tables = report.tables()
    names = _sheet_names(tables)
    book = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": False})
    bold = book.add_format(
        {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#E8EDEE"}
    )
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    _about(book, report, tables, names, bold, wrap)
    formats = {
        d: book.add_format({"num_format": "#,##0" + ("." + "0" * d if d else "")})
        for d in range(4)
    }
    money = book.add_format({"num_format": "£#,##0"})
    for table, name in zip(tables, names, strict=True):
        sheet = book.add_worksheet(name)
        sheet.write(0, 0, table.title, book.add_format({"bold": True, "font_size": 12}))
        for j, column in enumerate(table.frame.columns):
            sheet.write(2, j, str(column), bold)
            sheet.set_column(
                j, j, min(60, max(12, len(str(column)) + 2)), wrap if j == 0 else None
            )
            for i in range(len(table.frame)):
                _write_cell(sheet, (3 + i, j), table, i, str(column), formats, money)
        if table.note:
            sheet.write(4 + len(table.frame), 0, table.note)
        sheet.freeze_panes(3, 1)
    book.close()
    return path


def _write_cell(
    sheet: Any,
    at: tuple[int, int],
    table: Table,
    row: int,
    column: str,
    formats: dict[int, Any],
    money: Any,
) -> None:
    cell = table.frame[column].iloc[row]
    kind = table.kind_at(row, column)
    if _is_missing(cell):
        return
    if isinstance(cell, str) or kind in ("label", "icon", "status"):
        sheet.write_string(*at, str(cell))
    elif isinstance(cell, dt.date):
        sheet.write_string(*at, cell.isoformat())
    elif kind == "money":
        sheet.write_number(*at, float(cell), money)
    else:
        decimals = 0 if kind == "count" else min(table.decimals.get(column, 1), 3)
        sheet.write_number(*at, float(cell), formats[decimals])


def _about(
    book: Any,
    report: Report,
    tables: Sequence[Table],
    names: Sequence[str],
    bold: Any,
    wrap: Any,
) -> None:
    sheet = book.add_worksheet("About")
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 100, wrap)
    rows = [
        ("Report", report.title),
        ("ICB", report.icb),
        ("Period", report.period_label),
        ("Generated", report.generated_at.isoformat(timespec="minutes")),
        ("Disclosure policy", f"{report.policy}: {report.policy_description}"),
        *((str(k), str(v)) for k, v in report.metadata.items()),
    ]
    for i, (key, value) in enumerate(rows):
        sheet.write(i, 0, key, bold)
        sheet.write(i, 1, value)
    start = len(rows) + 1
    sheet.write(start, 0, "Sheet", bold)
    sheet.write(start, 1, "Table", bold)
    for i, (table, name) in enumerate(zip(tables, names, strict=True), start=start + 1):
        sheet.write_url(i, 0, f"internal:'{name}'!A1", string=name)
        sheet.write(i, 1, table.title)


def write_report(
    report: Report, out_dir: Path, formats: Sequence[str]
) -> dict[str, Path]:
    """Write the report in each format into ``out_dir``; returns the path of each file."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"report-{report.icb}-{report.metadata.get('period', 'period').replace('..', '_to_')}"
    paths: dict[str, Path] = {}
    html = render_html(report)
    if "html" in formats:
        paths["html"] = out_dir / f"{stem}.html"
        paths["html"].write_text(html, encoding="utf-8")
    if "pdf" in formats:
        paths["pdf"] = write_pdf(html, out_dir / f"{stem}.pdf")
    if "xlsx" in formats:
        paths["xlsx"] = write_xlsx(report, out_dir / f"{stem}.xlsx")
    return paths
