"""The SVG SPC chart: structure, geometry, colours, icons and escaping."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from nearhome import stats
from nearhome.errors import ReportFailed
from nearhome.reports.spc_chart import COLOURS, render_spc_chart

SVG = "{http://www.w3.org/2000/svg}"
PUBLISHED = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
MONTHS = pd.date_range("2024-01-01", periods=18, freq="MS")


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def by_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if e.get("class") == name]


def test_document_is_valid_accessible_svg() -> None:
    chart = stats.xmr(PUBLISHED, MONTHS)
    root = parse(render_spc_chart(chart, title="Admissions", width=800, height=400))
    assert root.tag == f"{SVG}svg"
    assert (root.get("width"), root.get("height")) == ("800", "400")
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Admissions"  # type: ignore[union-attr]
    description = root.find(f"{SVG}desc").text or ""  # type: ignore[union-attr]
    assert "18 points; mean 1.9" in description
    assert "process limits -3.1 to 7.0" in description
    assert "script" not in render_spc_chart(chart)


def test_one_circle_per_point_coloured_by_variation() -> None:
    chart = stats.xmr(PUBLISHED, MONTHS, screen_outliers=True, improvement="decrease")
    circles = by_class(parse(render_spc_chart(chart)), "point")
    assert len(circles) == 18
    assert [c.get("data-variation") for c in circles].count("concern_high") == 1
    assert circles[4].get("fill") == COLOURS["concern"]
    assert {c.get("fill") for i, c in enumerate(circles) if i != 4} == {
        COLOURS["common_cause"]
    }
    assert "May 2024: 10.0 (concern high)" in (circles[4].findtext(f"{SVG}title") or "")


def test_points_and_lines_share_one_linear_scale() -> None:
    chart = stats.xmr(PUBLISHED, MONTHS)
    root = parse(render_spc_chart(chart))
    circles = by_class(root, "point")
    values = np.array([float(c.get("data-value", "nan")) for c in circles])
    ys = np.array([float(c.get("cy", "nan")) for c in circles])
    slope, intercept = np.polyfit(values, ys, 1)
    assert slope < 0  # higher values sit higher on the page
    np.testing.assert_allclose(ys, slope * values + intercept, atol=0.01)
    xs = np.array([float(c.get("cx", "nan")) for c in circles])
    np.testing.assert_allclose(np.diff(xs), np.diff(xs)[0], atol=0.01)
    for name in ("mean", "upper-process-limit", "lower-process-limit"):
        (line,) = by_class(root, name)
        value = float(line.get("data-value", "nan"))
        assert float(line.get("y1", "nan")) == pytest.approx(
            slope * value + intercept, abs=0.01
        )
    mean = by_class(root, "mean")[0]
    assert float(mean.get("data-value", "nan")) == pytest.approx(35 / 18)


def test_rebase_draws_one_set_of_lines_per_segment() -> None:
    values = [10.0, 11.0] * 8 + [20.0, 21.0] * 8
    dates = pd.date_range("2022-01-01", periods=32, freq="MS")
    chart = stats.xmr(values, dates, rebase=["2023-05-01"])
    root = parse(render_spc_chart(chart))
    means = by_class(root, "mean")
    assert [float(m.get("data-value", "nan")) for m in means] == [10.5, 20.5]
    assert float(means[0].get("x2", "nan")) < float(means[1].get("x1", "nan"))


def test_icons_and_target() -> None:
    values = [0.0, 1.0] * 6 + [0.0] + [1.0] * 7
    chart = stats.xmr(values, improvement="increase", target=-3.0, fix_after=12)
    root = parse(render_spc_chart(chart))
    (variation,) = by_class(root, "variation-icon")
    assert variation.get("data-icon") == "improvement_high"
    assert "H" in "".join(variation.itertext())
    (assurance,) = by_class(root, "assurance-icon")
    assert assurance.get("data-icon") == "consistently_pass"
    (target,) = by_class(root, "target")
    assert float(target.get("data-value", "nan")) == -3.0
    assert target.get("stroke") == COLOURS["target"]


def test_no_target_means_no_assurance_icon_and_common_cause_icon_has_no_letter() -> (
    None
):
    root = parse(render_spc_chart(stats.xmr([0.0, 1.0] * 8)))
    assert by_class(root, "assurance-icon") == []
    assert by_class(root, "target") == []
    (variation,) = by_class(root, "variation-icon")
    assert variation.get("data-icon") == "common_cause"
    assert "H" not in "".join(variation.itertext())


def test_short_series_warning_is_printed_under_the_chart() -> None:
    root = parse(render_spc_chart(stats.xmr([1.0, 3.0, 2.0, 4.0])))
    (warning,) = by_class(root, "warning")
    assert "fewer than 13" in (warning.text or "")


def test_text_is_escaped() -> None:
    svg = render_spc_chart(stats.xmr(PUBLISHED), title="A < B & C", y_label='"rate"')
    root = parse(svg)
    assert root.findtext(f"{SVG}title") == "A < B & C"
    assert "A &lt; B &amp; C" in svg


def test_several_series_need_a_choice() -> None:
    chart = stats.xmr(PUBLISHED * 2, series=["north"] * 18 + ["south"] * 18)
    with pytest.raises(ReportFailed, match="series="):
        render_spc_chart(chart)
    with pytest.raises(ReportFailed, match="series="):
        render_spc_chart(chart, series="east")
    root = parse(render_spc_chart(chart, series="south"))
    assert len(by_class(root, "point")) == 18
    one = stats.xmr(PUBLISHED, series=["only"] * 18)
    assert len(by_class(parse(render_spc_chart(one)), "point")) == 18


def test_flat_series_still_has_a_range() -> None:
    root = parse(render_spc_chart(stats.xmr([5.0] * 14)))
    ys = {c.get("cy") for c in by_class(root, "point")}
    assert len(ys) == 1
    assert all(np.isfinite(float(y or "nan")) for y in ys)
