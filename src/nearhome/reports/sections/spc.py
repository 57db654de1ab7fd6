"""SPC views of a monthly measure: an XmR chart, its icons, and a headline card.

Charts are drawn from the disclosure-controlled monthly values (what a reader may see),
so a count chart never places a point at a suppressed count. When any month of a series
is suppressed the chart is left out and the report says why: limits computed through
the gaps would mislead, and the points cannot be shown.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from nearhome import stats
from nearhome.reports.calendar import month_label
from nearhome.reports.model import Card, Figure, Paragraph
from nearhome.reports.results import Results, month_dates
from nearhome.reports.sections.display import (
    decimals_for,
    kind_for,
    text_value,
    unit_words,
)
from nearhome.reports.spc_chart import render_spc_chart
from nearhome.stats import SpcResult

Improvement = Literal["increase", "decrease", "neither"]
MIN_POINTS = 6
CHART_WIDTH = 880
"""Wide enough for a label every other month of two years ("Oct 2024") not to collide."""


@dataclass(frozen=True)
class SpcView:
    """One measure's SPC chart and summary.

    Attributes:
        measure: Metric id.
        title: The measure's title.
        card: The headline card.
        block: The chart, or a note saying why there is none.
        latest: The latest month's shown value (a number or ``*``).
        latest_month: The latest month.
        summary: The XmR summary row (None without a chart).
    """

    measure: str
    title: str
    card: Card
    block: Figure | Paragraph
    latest: object
    latest_month: dt.date | None
    summary: pd.Series | None


def unique_ids(svg: str, key: str) -> str:
    """Give an SPC chart's title and description ids unique to this figure."""
    return svg.replace("spc-title", f"{key}-title").replace("spc-desc", f"{key}-desc")


def spc_view(
    results: Results,
    measure: str,
    *,
    improvement: Improvement,
    key: str,
    label: str | None = None,
    target: float | None = None,
) -> SpcView:
    """The SPC chart, icons and card of one monthly measure.

    Args:
        results: The report's results.
        measure: Metric id.
        improvement: Which direction is better.
        key: Figure key (also makes the SVG's ids unique).
        label: Title override (the metric's title by default).
        target: A monthly target for the assurance icon.
    """
    spec = results.specs.get(measure)
    title = label or results.title(measure)
    series = results.series(measure)
    kind = kind_for(spec)
    if series.empty:
        note = Paragraph(f"{title}: no monthly data for this ICB.", tone="note")
        card = Card(title, "no data", "", detail="No monthly data.", kind=kind)
        return SpcView(measure, title, card, note, None, None, None)
    dates = month_dates(series)
    latest, last = series["value"].iloc[-1], dates[-1]
    shown = text_value(latest, spec)
    reason = _why_no_chart(list(series["value"]))
    if reason:
        note = Paragraph(f"{title}: no SPC chart, because {reason}.", tone="note")
        card = Card(
            title,
            shown,
            month_label(last),
            detail=f"No SPC chart: {reason}.",
            kind=kind,
        )
        return SpcView(measure, title, card, note, latest, last, None)
    chart = stats.xmr(
        [float(v) for v in series["value"]],
        pd.to_datetime(pd.Series(dates)),
        improvement=improvement,
        target=target,
    )
    decimals = decimals_for(kind)
    svg = render_spc_chart(
        chart,
        title=title,
        y_label=unit_words(spec) or "count",
        decimals=decimals,
        width=CHART_WIDTH,
    )
    summary = chart.summary.iloc[0]
    caption = _caption(chart, decimals, target)
    figure = Figure(key, title, unique_ids(svg, key), caption=caption, kind=kind)
    card = Card(
        title,
        shown,
        month_label(last),
        variation=str(summary["variation_icon"]),
        assurance=_icon(summary.get("assurance_icon")),
        detail=_detail(summary, decimals, target),
        kind=kind,
    )
    return SpcView(measure, title, card, figure, latest, last, summary)


def _why_no_chart(values: list[object]) -> str:
    """Why a monthly series cannot be charted ('' when it can)."""
    if any(isinstance(v, str) for v in values):
        return "some months are suppressed under the disclosure policy"
    known = [
        v for v in values if isinstance(v, int | float) and not math.isnan(float(v))
    ]
    if len(known) < len(values) or len(known) < MIN_POINTS:
        return f"fewer than {MIN_POINTS} months have a value"
    return ""


def _icon(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _detail(summary: pd.Series, decimals: int, target: float | None) -> str:
    mean = float(summary["mean"])
    lower, upper = (
        float(summary["lower_process_limit"]),
        float(summary["upper_process_limit"]),
    )
    words = f"Mean {mean:,.{decimals}f}; limits {lower:,.{decimals}f} to {upper:,.{decimals}f}"
    if target is not None:
        words += f"; target {target:,.{decimals}f}"
    return words + "."


def _caption(chart: SpcResult, decimals: int, target: float | None) -> str:
    summary = chart.summary.iloc[0]
    variation = str(summary["variation_icon"]).replace("_", " ")
    text = (
        f"XmR chart of {int(summary['points'])} months: mean {float(summary['mean']):,.{decimals}f}, "
        f"process limits {float(summary['lower_process_limit']):,.{decimals}f} to "
        f"{float(summary['upper_process_limit']):,.{decimals}f}. Latest month: {variation}."
    )
    assurance = summary.get("assurance_icon")
    if target is not None and isinstance(assurance, str):
        text += f" Against the target of {target:,.{decimals}f}: {assurance.replace('_', ' ')}."
    warning = summary.get("warning")
    if isinstance(warning, str):
        text += f" {warning}"
    return text
