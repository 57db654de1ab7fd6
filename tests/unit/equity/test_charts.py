"""The SVG charts draw what the controlled table shows, and nothing it hides."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pandas as pd

from nearhome.equity.breakdowns import resolve_breakdowns
from nearhome.equity.charts import forest_plot, funnel_plot, gradient_chart
from nearhome.equity.disclosure import control
from nearhome.equity.measures import resolve_measures
from nearhome.equity.run import analyse

METRIC = "detentions.detentions_per_100k"


def inputs() -> pd.DataFrame:
    cells = [
        ("all", "ALL", 292, 620_000),
        ("ethnic_group", "Asian", 3, 50_000),
        ("ethnic_group", "Black", 120, 100_000),
        ("ethnic_group", "Mixed", 0, 20_000),
        ("ethnic_group", "Other", 2, 20_000),  # two hidden: no secondary suppression
        ("ethnic_group", "White", 167, 430_000),
        *[("imd_quintile", str(q), 70 - 10 * q, 120_000) for q in range(1, 6)],
        ("sub_icb", "01A", 150, 300_000),
        ("sub_icb", "02B", 140, 300_000),
    ]
    return pd.DataFrame(
        {
            "measure_id": METRIC,
            "breakdown": [c[0] for c in cells],
            "level": [c[1] for c in cells],
            "level_description": [c[1] for c in cells],
            "numerator": [float(c[2]) for c in cells],
            "denominator": [float(c[3]) for c in cells],
            "unit": "per_100k",
            "period_start": pd.Timestamp("2025-04-01").date(),
            "period_end": pd.Timestamp("2026-03-31").date(),
            "mhsds_id": None,
            "value": float("nan"),
        }
    )


def shown() -> pd.DataFrame:
    frame = inputs()
    table = analyse(
        frame,
        resolve_measures("detentions"),
        resolve_breakdowns("ethnicity,imd_quintile"),
    )
    return control(table, frame, "mhsds")


def test_forest_plot_lists_hidden_ratios_as_suppressed() -> None:
    svg = forest_plot(shown(), "detentions")
    root = ET.fromstring(svg)
    words = " ".join(
        t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")
    )
    assert "ethnic_group: Asian vs White" in words and "suppressed" in words
    assert "ethnic_group: Black vs White" in words
    assert "0: no events in the group" in words  # Mixed: a ratio of 0 is drawn as text
    tips = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}title")]
    black = 120 / 100_000 / (167 / 430_000)
    assert any(tip.startswith(f"{black:.2f} (") for tip in tips)


def test_gradient_and_funnel_are_well_formed() -> None:
    table = shown()
    gradient = ET.fromstring(gradient_chart(table, "detentions"))
    words = " ".join(
        t.text or "" for t in gradient.iter("{http://www.w3.org/2000/svg}text")
    )
    assert "SII" in words and "RII" in words
    funnel = ET.fromstring(funnel_plot(table, "detentions"))
    circles = list(funnel.iter("{http://www.w3.org/2000/svg}circle"))
    assert len(circles) == 2  # one point per sub-ICB
    assert len(list(funnel.iter("{http://www.w3.org/2000/svg}polyline"))) == 4
