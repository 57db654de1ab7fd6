"""Writing an equity result: the tidy CSV, a metadata file and the SVG charts.

Only the controlled table is written (the recorded inputs never leave memory), and the
charts are drawn from it, so files and charts agree and hide the same cells.
"""

from __future__ import annotations

import json
from pathlib import Path

from nearhome.equity.charts import forest_plot, funnel_plot, gradient_chart
from nearhome.equity.run import EquityResult
from nearhome.equity.tidy import STATISTICS

TABLE = "equity.csv"
METADATA = "equity.json"


def write_equity(result: EquityResult, folder: Path) -> list[Path]:
    """Write ``equity.csv``, ``equity.json`` and one chart per measure and kind.

    Charts: ``forest_<measure>.svg`` (crude ratios to the reference group),
    ``gradient_<measure>.svg`` (when an IMD grouping was analysed) and
    ``funnel_<measure>.svg`` (when providers or sub-ICBs have denominators).

    Returns:
        The paths written, table first.
    """
    folder.mkdir(parents=True, exist_ok=True)
    table = result.table
    written = [folder / TABLE, folder / METADATA]
    table.to_csv(written[0], index=False)
    metadata = {
        "period": result.period,
        "icb": result.icb,
        "disclosure": result.policy,
        "rows": len(table),
        "statistics": STATISTICS,
    }
    written[1].write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
    for measure in dict.fromkeys(table["measure"]):
        rows = table[table["measure"] == measure]
        charts = {}
        if (rows["statistic"] == "crude_ratio").any():
            charts[f"forest_{measure}.svg"] = forest_plot(table, measure)
        for breakdown in ("imd_quintile", "imd_decile"):
            if (
                (rows["breakdown"] == breakdown) & (rows["statistic"] == "crude_rate")
            ).any():
                charts[f"gradient_{measure}.svg"] = gradient_chart(
                    table, measure, breakdown
                )
                break
        if (rows["statistic"] == "funnel_rate").any():
            charts[f"funnel_{measure}.svg"] = funnel_plot(table, measure)
        for name, svg in charts.items():
            path = folder / name
            path.write_text(svg, encoding="utf-8")
            written.append(path)
    return written
