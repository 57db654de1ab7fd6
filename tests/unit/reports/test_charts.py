"""Charts: valid self-contained SVG, suppressed values never drawn, marks on one scale."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from nearhome.reports import charts, svg
from nearhome.reports.icons import icon_svg, words

NS = "{http://www.w3.org/2000/svg}"


def parse(text: str) -> ET.Element:
    return ET.fromstring(text)


def marks(root: ET.Element, css: str) -> list[ET.Element]:
    return [e for e in root.iter() if e.get("class") == css]


def test_bar_chart_leaves_suppressed_bars_out() -> None:
    frame = pd.DataFrame(
        {"label": ["Housing", "Community", "Hospital"], "value": [120.0, "*", 40.0]}
    )
    root = parse(
        charts.bar_chart(frame, title="CRFD days", highlight=["Housing"], unit="days")
    )
    bars = marks(root, "bar")
    assert [b.get("data-value") for b in bars] == ["120.0", "40.0"]
    assert bars[0].get("fill") == svg.ORANGE
    assert bars[1].get("fill") == svg.BLUE
    assert "*" in [t.text for t in marks(root, "bar-label")]
    assert float(bars[0].get("width", 0)) == pytest.approx(
        3 * float(bars[1].get("width", 0)), rel=0.01
    )
    assert root.find(f"{NS}title").text == "CRFD days"  # type: ignore[union-attr]


def test_labels_are_escaped() -> None:
    frame = pd.DataFrame({"label": ["<script>&"], "value": [1.0]})
    text = charts.bar_chart(frame, title="A & B <c>")
    assert "<script>" not in text
    parse(text)


def test_line_chart_breaks_at_suppressed_months() -> None:
    dates = pd.date_range("2025-01-01", periods=5, freq="MS")
    frame = pd.DataFrame(
        {
            "date": list(dates) * 2,
            "series": ["Actual"] * 5 + ["Target"] * 5,
            "value": [10.0, 12.0, "*", 14.0, 15.0, 20, 18, 16, 14, 12],
        }
    )
    root = parse(charts.line_chart(frame, title="Trend", dashed=["Target"]))
    lines = root.findall(f"{NS}polyline")
    assert len(lines) == 3  # actual split in two by the suppressed month, target whole
    assert sum(1 for line in lines if line.get("stroke-dasharray")) == 1
    assert len(marks(root, "point")) == 9
    assert len(marks(root, "suppressed")) == 1


def test_interval_chart_on_a_log_scale() -> None:
    frame = pd.DataFrame(
        {
            "label": ["Black", "Asian", "Mixed"],
            "value": [4.0, 1.0, "*"],
            "lower": [2.0, 0.5, "*"],
            "upper": [8.0, 2.0, "*"],
        }
    )
    root = parse(charts.interval_chart(frame, title="Ratio", reference=1.0, log=True))
    dots = marks(root, "estimate")
    assert len(dots) == 2
    x = [float(d.get("cx", 0)) for d in dots]
    left, right = x[1], x[0]
    assert right - left > 0
    assert len(marks(root, "suppressed")) == 1


def test_waterfall_steps_float_from_the_running_total() -> None:
    frame = pd.DataFrame(
        {
            "label": ["Now", "Growth", "Fewer delays", "Plan"],
            "value": [100.0, 20.0, -50.0, 70.0],
            "kind": ["total", "step", "step", "total"],
        }
    )
    root = parse(charts.waterfall_chart(frame, title="OAP bed days"))
    totals = marks(root, "waterfall-total")
    steps = marks(root, "waterfall-step")
    assert len(totals) == 2
    assert len(steps) == 2
    assert steps[1].get("fill") == svg.GREEN
    assert steps[0].get("fill") == svg.ORANGE


@pytest.mark.parametrize(
    "name",
    [
        "common_cause",
        "improvement_high",
        "concern_low",
        "consistently_pass",
        "hit_and_miss",
    ],
)
def test_icons_are_valid_and_labelled(name: str) -> None:
    root = parse(icon_svg(name))
    assert words(name) in (root.get("aria-label") or "")


def test_unknown_icons_draw_nothing() -> None:
    assert icon_svg(None) == ""
    assert icon_svg("sideways") == ""


def test_nice_ranges() -> None:
    assert svg.nice_range(0, 93) == (0.0, 100.0, 20.0)
    assert svg.nice_range(5, 5)[0] < 5
