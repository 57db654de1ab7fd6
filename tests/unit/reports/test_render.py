"""Rendering: cell formats, self-contained HTML, and the workbook of every table."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from nearhome.reports.model import Card, Figure, Paragraph, Report, Section, Table
from nearhome.reports.render import format_cell, render_html, write_report, write_xlsx


@pytest.mark.parametrize(
    ("cell", "kind", "decimals", "text"),
    [
        (1234.4, "count", 1, "1,234"),
        ("*", "count", 0, "*"),
        ("*", "pct", 1, "*"),
        (12.345, "pct", 1, "12.3"),
        (2.5, "ratio", 2, "2.50"),
        (650.0, "money", 0, "£650"),
        (float("nan"), "count", 0, "–"),
        (None, "number", 1, "–"),
        ("Housing", "label", 0, "Housing"),
        (dt.date(2026, 1, 1), "date", 0, "2026-01-01"),
    ],
)
def test_format_cell(cell: object, kind: str, decimals: int, text: str) -> None:
    assert format_cell(cell, kind, decimals) == text


def small_report() -> Report:
    table = Table(
        key="placements",
        title="Placements <by provider>",
        frame=pd.DataFrame(
            {
                "Provider": ["A & B", "C"],
                "Placements": [10.0, "*"],
                "Share": [12.5, "*"],
                "Variation": ["concern_high", ""],
                "Status": ["red", "no_data"],
            }
        ),
        kinds={
            "Placements": "count",
            "Share": "pct",
            "Variation": "icon",
            "Status": "status",
        },
        highlight=(1,),
        note="A note.",
    )
    glossary = Table(
        key="definitions",
        title="Definitions",
        layout="definitions",
        frame=pd.DataFrame(
            {
                "Measure": ["Bed days (x.y)"],
                "Definition": ["Midnights."],
                "Caveats": [""],
            }
        ),
    )
    section = Section(
        "one",
        "One",
        (
            Paragraph("Hello <world>", tone="note"),
            (
                Card(
                    "Bed days",
                    "245",
                    "Sep 2026",
                    variation="common_cause",
                    assurance="hit_and_miss",
                    kind="count",
                ),
            ),
            Figure(
                "chart",
                "Chart",
                '<svg xmlns="http://www.w3.org/2000/svg"><title>t</title></svg>',
                "Caption",
                kind="count",
            ),
            table,
            glossary,
        ),
    )
    return Report(
        "Title",
        "QAA",
        "Oct 2025 to Sep 2026",
        dt.datetime(2026, 10, 15, 9, 30),
        "mhsds",
        "MHSDS publications",
        (section,),
        {"period": "2025-10..2026-09"},
    )


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.counts: list[str] = []
        self.sources: list[str] = []
        self._in_count = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.sources += [
            v or ""
            for k, v in attrs
            if k in ("src", "href") and not (v or "").startswith("#")
        ]
        self._in_count = tag == "td" and found.get("data-kind") == "count"

    def handle_data(self, data: str) -> None:
        if self._in_count:
            self.counts.append(data)
            self._in_count = False


def test_html_is_self_contained_and_marks_counts() -> None:
    html = render_html(small_report())
    assert "<style>" in html and "http://" not in html.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )
    assert "Hello &lt;world&gt;" in html
    assert "A &amp; B" in html
    assert 'class="highlight"' in html
    assert "status-red" in html and "Variation: special cause concern (high)" in html
    assert 'href="#sec-one"' in html
    collector = Collector()
    collector.feed(html)
    assert collector.counts == ["10", "*"]
    assert collector.sources == []
    assert (
        "<dt>Bed days (x.y)</dt>" in html
        and "Caveats" not in html.split("<dl")[1].split("</dl>")[0]
    )


def test_workbook_has_an_about_sheet_and_one_sheet_per_table(tmp_path: Path) -> None:
    path = write_xlsx(small_report(), tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["About", "placements", "definitions"]
    sheet = book["placements"]
    assert [c.value for c in sheet[3]] == [
        "Provider",
        "Placements",
        "Share",
        "Variation",
        "Status",
    ]
    assert [c.value for c in sheet[4]][:3] == ["A & B", 10, 12.5]
    assert [c.value for c in sheet[5]][:3] == ["C", "*", "*"]
    about = {row[0].value: row[1].value for row in book["About"].iter_rows(max_row=5)}
    assert about["Disclosure policy"].startswith("mhsds")


def test_long_table_keys_get_unique_sheet_names(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": [1.0]})
    tables = tuple(Table(key="x" * 40, title=f"T{i}", frame=frame) for i in range(3))
    report = small_report()
    report = Report(
        report.title,
        report.icb,
        report.period_label,
        report.generated_at,
        report.policy,
        report.policy_description,
        (Section("s", "S", tables),),
    )
    book = openpyxl.load_workbook(write_xlsx(report, tmp_path / "r.xlsx"))
    names = book.sheetnames[1:]
    assert len(set(names)) == 3 and all(len(n) <= 31 for n in names)


def test_write_report_in_chosen_formats(tmp_path: Path) -> None:
    paths = write_report(small_report(), tmp_path / "out", ["html", "xlsx"])
    assert set(paths) == {"html", "xlsx"}
    assert paths["html"].name == "report-QAA-2025-10_to_2026-09.html"
    assert all(p.exists() for p in paths.values())
