"""Charts are well-formed, self-contained SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pandas as pd

from nearhome.capacity.charts import (
    fan_chart,
    out_of_area_chart,
    sweep_chart,
    waterfall_chart,
)


def test_charts_parse_and_hold_no_external_references() -> None:
    monthly = pd.DataFrame(
        {
            "pool": "a",
            "month": ["2025-04", "2025-05"],
            "occupancy_p10": [0.7, 0.75],
            "occupancy_p50": [0.8, 0.82],
            "occupancy_p90": [0.9, 0.97],
        }
    )
    summary = pd.DataFrame(
        {
            "pool": ["a", "b"],
            "p_out_of_area": [0.05, 0.1],
            "p_out_of_area_p10": [0.01, 0.05],
            "p_out_of_area_p90": [0.1, 0.2],
            "one_in_n": [20.0, 10.0],
        }
    )
    sweep = pd.DataFrame(
        {
            "beds": [10, 12],
            "p_out_of_area": [0.1, 0.05],
            "p_out_of_area_p10": [0.05, 0.02],
            "p_out_of_area_p90": [0.15, 0.08],
            "erlang_b": [0.11, 0.06],
        }
    )
    waterfall = pd.DataFrame(
        {
            "pool": "all",
            "measure": "oap_bed_days_per_year",
            "lever": ["baseline", "x"],
            "value": [100.0, 60.0],
        }
    )
    for svg in (
        fan_chart(monthly, "a"),
        fan_chart(monthly, "none"),
        out_of_area_chart(summary, 0.05),
        sweep_chart(sweep, 0.05),
        waterfall_chart(waterfall),
    ):
        root = ET.fromstring(svg)
        assert root.tag.endswith("svg")
        assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")
