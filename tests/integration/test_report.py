"""The board report end to end on a small synthetic warehouse.

One report (with the example plan, the sample capacity scenario and a board database) is
built once for the module; the tests then check its tables against reviewed golden files
(regenerate with ``pytest --force-regen``), that no rendered count breaks the disclosure
policy, that the PDF has the expected pages and none blank, that the workbook holds every
table, and (``-m browser``) that the HTML renders in headless Chromium with no network.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
import typer
from PIL import Image
from typer.testing import CliRunner

from nearhome.appdb import open_database, upgrade_database
from nearhome.appdb.models import BoardEntry
from nearhome.capacity.scenario import sample_scenario
from nearhome.cli import evaluate as evaluate_cli
from nearhome.data.load import load_extract
from nearhome.data.synthetic import write_synthetic_extract
from nearhome.data.warehouse import connect
from nearhome.reports.build import ReportSpec, assemble
from nearhome.reports.model import Report, Table
from nearhome.reports.plan import load_plan
from nearhome.reports.render import render_html, write_report

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
GENERATED_AT = dt.datetime(2026, 10, 15, 9, 0)
ICB = "QAA"
CARER_ANSWERS = ["yes"] * 12 + ["no"] * 5 + ["no_carer"] * 2 + [None] * 6


@dataclass(frozen=True)
class Built:
    report: Report
    html: str
    paths: dict[str, Path]
    warehouse_url: str


def write_board(url: str) -> None:
    database = open_database(url)
    upgrade_database(database)
    now = dt.datetime(2026, 10, 1, 12, 0, tzinfo=dt.UTC)
    with database.transaction() as session:
        for i, answer in enumerate(CARER_ANSWERS):
            session.add(
                BoardEntry(
                    spell_id=f"S{i:03d}",
                    carer_involved=answer,
                    updated_at=now,
                    updated_by="test",
                )
            )
    database.dispose()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    folder = tmp_path_factory.mktemp("report")
    write_synthetic_extract(
        folder / "extract",
        icbs=1,
        years=2,
        seed=7,
        scale=0.1,
        end_month=dt.date(2026, 9, 1),
    )
    url = f"duckdb:///{folder / 'warehouse.duckdb'}"
    warehouse = connect(url)
    load_extract(warehouse, folder / "extract")
    board = f"sqlite:///{folder / 'board.sqlite'}"
    write_board(board)
    spec = ReportSpec(
        icb=ICB,
        generated_at=GENERATED_AT,
        plan=load_plan(ROOT / "examples" / "plan.toml"),
        scenario=sample_scenario(),
        board_url=board,
        capacity_reps=6,
    )
    report = assemble(warehouse, spec)
    paths = write_report(report, folder / "out", ["html", "pdf", "xlsx"])
    warehouse.close()
    yield Built(report, render_html(report), paths, url)


def golden_csv(table: Table) -> str:
    """The table as CSV with floats rounded and rows sorted, so golden files are stable."""
    frame = table.frame.copy()
    for column in frame.columns:
        frame[column] = frame[column].map(
            lambda v: round(v, 3) if isinstance(v, float) else v
        )
    frame = frame.astype(str)
    frame = frame.sort_values(list(frame.columns), kind="stable").reset_index(drop=True)
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def test_report_has_every_section(built: Built) -> None:
    keys = [s.key for s in built.report.sections]
    assert keys == [
        "headlines",
        "out_of_area",
        "flow",
        "mental_health_act",
        "inequalities",
        "capacity",
        "plan",
        "scorecard",
        "methods",
    ]
    assert built.report.policy == "mhsds"
    assert built.report.period_label == "Oct 2025 to Sep 2026"


def test_tables_match_golden_files(built: Built, file_regression: Any) -> None:
    tables = built.report.tables()
    keys = [t.key for t in tables]
    assert len(keys) == len(set(keys)), "table keys must be unique"
    listing = "".join(f"{t.key}\t{t.title}\n" for t in tables)
    checks = [("tables", listing, ".txt")]
    checks += [(f"table_{t.key}", golden_csv(t), ".csv") for t in tables]
    failures = []
    for (
        basename,
        text,
        extension,
    ) in checks:  # check them all, then report every difference
        try:
            file_regression.check(text, basename=basename, extension=extension)
        except pytest.fail.Exception as failure:
            failures.append(str(failure))
    assert not failures, "\n\n".join(failures)


class Counts(HTMLParser):
    """Every count the rendered report shows: table cells, cards and chart marks."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self.marks: list[str] = []
        self.urls: list[str] = []
        self._count_cell = False
        self._count_figure = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.urls += [
            v or ""
            for k, v in attrs
            if k in ("src", "href", "xlink:href") and not (v or "").startswith("#")
        ]
        if tag == "figure":
            self._count_figure = 1 if found.get("data-kind") == "count" else 0
        self._count_cell = tag in ("td", "p") and found.get("data-kind") == "count"
        if self._count_figure and "data-value" in found and tag in ("rect", "circle"):
            self.marks.append(found["data-value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "figure":
            self._count_figure = 0

    def handle_data(self, data: str) -> None:
        if self._count_cell:
            self.cells.append(data.strip())
            self._count_cell = False


def test_no_rendered_count_breaks_the_disclosure_policy(built: Built) -> None:
    """Sub-national counts: 0, *, or a multiple of 5 — never 1 to 4."""
    counts = Counts()
    counts.feed(built.html)
    assert len(counts.cells) > 100
    assert len(counts.marks) > 20
    for text in counts.cells:
        if text in ("*", "–"):
            continue
        value = float(text.replace(",", ""))
        assert not 1 <= value <= 4, f"count {text} shown"
        assert value % 5 == 0, f"count {text} is not rounded to 5"
    for mark in counts.marks:
        value = float(mark)
        assert not 1 <= value <= 4, f"chart mark at count {mark}"
        assert value % 5 == 0
    assert "*" in counts.cells, "a small synthetic ICB should have something suppressed"
    assert counts.urls == [], "the report must not link or load anything outside itself"


def test_policy_is_stated_and_measures_defined(built: Built) -> None:
    methods = built.report.sections[-1]
    assert "counts of 1 to 4 people or events are shown as *" in methods.blocks[0].text  # type: ignore[union-attr]
    definitions = methods.tables()[0].frame["Measure"]
    assert definitions.str.contains("out_of_area.inappropriate_bed_days; OAP02").any()
    assert "<style>" in built.html and "<svg" in built.html


def test_scorecard_reads_the_board_and_the_plan(built: Built) -> None:
    scorecard = next(s for s in built.report.sections if s.key == "scorecard")
    evidence = next(
        t for t in scorecard.tables() if t.key == "scorecard_evidence"
    ).frame
    valuing = evidence[evidence["Principle"] == "Valuing"]
    # 19 of 25 entries recorded; 12 of the 17 people with a carer have them involved
    assert valuing["Value"].tolist() == pytest.approx([76.0, 100 * 12 / 17])
    voices = next(t for t in scorecard.tables() if t.key == "coproduction").frame
    assert "Carers' forum" in voices["Group"].tolist()


def test_capacity_runs_the_plans_beds(built: Built) -> None:
    capacity = next(s for s in built.report.sections if s.key == "capacity")
    beds = next(
        t for t in capacity.tables() if t.key == "capacity_beds_needed"
    ).frame.set_index("Pool")
    assert beds.loc["Adult acute (male)", "Beds at plan end"] == 48 + 4 + 6
    assert beds.loc["Older adult", "Beds at plan end"] == 31 - 4
    assert any("plan's 2 bed change" in getattr(b, "text", "") for b in capacity.blocks)


def test_pdf_pages_are_all_used(
    built: Built, tmp_path: Path, file_regression: Any
) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "30",
            str(built.paths["pdf"]),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    pages = sorted(tmp_path.glob("page-*.png"))
    file_regression.check(f"{len(pages)}\n", basename="pdf_pages", extension=".txt")
    for page in pages:
        image = Image.open(page).convert("L")
        width, height = image.size
        body = image.crop((0, 0, width, int(height * 0.9)))
        dark = sum(body.histogram()[:200])
        assert dark / (width * height) > 0.003, f"{page.name} is blank"
    ARTIFACTS.mkdir(exist_ok=True)
    for keep in (pages[0], pages[1], pages[len(pages) // 2]):
        shutil.copy(keep, ARTIFACTS / f"report-{keep.name}")


def test_workbook_holds_every_table(built: Built) -> None:
    book = openpyxl.load_workbook(built.paths["xlsx"], read_only=True)
    tables = built.report.tables()
    assert len(book.sheetnames) == len(tables) + 1
    sheet = book[book.sheetnames[1]]
    assert (
        next(sheet.iter_rows(min_row=1, max_row=1, values_only=True))[0]
        == tables[0].title
    )
    about = list(book["About"].iter_rows(values_only=True))
    assert ("Disclosure policy", f"mhsds: {built.report.policy_description}") in about


def test_evaluate_a_pilot_from_the_command_line(built: Built, tmp_path: Path) -> None:
    app = typer.Typer()
    app.command("evaluate")(evaluate_cli.evaluate)
    app.command("noop")(lambda: None)
    chart = tmp_path / "pilot.svg"
    result = CliRunner().invoke(
        app,
        [
            "evaluate",
            "--measure",
            "bed_days.occupied",
            "--intervention-date",
            "2025-10-01",
            "--area",
            ICB,
            "--warehouse",
            built.warehouse_url,
            "--svg",
            str(chart),
        ],
        terminal_width=200,
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"step\W+\d\.\d{3}\W+\d\.\d{3} to \d\.\d{3}", result.output)
    assert "SPC rebase: mean" in result.output
    assert chart.read_text(encoding="utf-8").startswith("<svg")


@pytest.mark.browser
def test_html_renders_in_chromium_without_the_network(built: Built, page: Any) -> None:
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on(
        "console",
        lambda message: (
            errors.append(message.text) if message.type == "error" else None
        ),
    )
    page.set_viewport_size({"width": 1200, "height": 900})
    page.goto(built.paths["html"].as_uri())
    assert page.locator("section.report-section").count() == 9
    assert page.locator("nav.toc a").count() == 9
    first_chart = page.locator("figure.chart svg").first.bounding_box()
    assert first_chart is not None and first_chart["width"] > 300
    assert page.locator("td[data-kind=count]").count() > 100
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=False)
    page.locator("#sec-scorecard").screenshot(
        path=str(ARTIFACTS / "report-scorecard.png")
    )
    assert all(url.startswith(("file:", "data:", "about:")) for url in requests), (
        requests
    )
    assert errors == []


def test_golden_csv_rounds_and_sorts() -> None:
    table = Table(
        key="t", title="T", frame=pd.DataFrame({"a": ["b", "a"], "v": [1.23456, "*"]})
    )
    assert golden_csv(table) == "a,v\na,*\nb,1.235\n"
