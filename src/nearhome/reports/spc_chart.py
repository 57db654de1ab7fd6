"""An SVG XmR chart in the Making Data Count style, drawn from an :func:`~nearhome.stats.xmr`
result.

The chart shows the values as a grey line with points coloured by their variation
(grey common cause, blue improvement, orange concern, purple when neither direction is
better), the mean as a solid line and the process limits as dashed lines (broken at each
rebase), an optional target line, and the variation and assurance icons drawn in SVG.
The markup is self-contained (no scripts, fonts or network), so it can be inlined in
HTML reports and printed to PDF. Every point carries a tooltip and ``data-`` attributes,
and the chart has a title and description for screen readers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import pandas as pd

from nearhome.errors import ReportFailed
from nearhome.stats import SpcResult

COLOURS = {
    "common_cause": "#A6A6A6",
    "improvement": "#00B0F0",
    "concern": "#E46C0A",
    "neither": "#490092",
    "target": "#DE1B1B",
    "mean": "#000000",
    "limit": "#7F7F7F",
    "text": "#212B32",
}
ASSURANCE_MARKS = {
    "consistently_pass": (
        "P",
        COLOURS["improvement"],
        "consistently passes the target",
    ),
    "consistently_fail": ("F", COLOURS["concern"], "consistently fails the target"),
    "hit_and_miss": ("?", COLOURS["common_cause"], "will hit and miss the target"),
}
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 64, 120, 44, 64


@dataclass(frozen=True)
class _Frame:
    """Maps data to pixels inside the plotting area."""

    width: int
    height: int
    count: int
    low: float
    high: float

    def x(self, index: float) -> float:
        span = self.width - MARGIN_LEFT - MARGIN_RIGHT
        step = span / max(self.count - 1, 1)
        return MARGIN_LEFT + index * step

    def y(self, value: float) -> float:
        span = self.height - MARGIN_TOP - MARGIN_BOTTOM
        return MARGIN_TOP + (self.high - value) / (self.high - self.low) * span


def render_spc_chart(
    result: SpcResult,
    *,
    series: object = None,
    title: str = "",
    y_label: str = "",
    width: int = 720,
    height: int = 360,
    decimals: int = 1,
) -> str:
    """Render one series of an XmR result as an SVG document (a string).

    Args:
        result: the output of :func:`nearhome.stats.xmr`.
        series: which series to draw when the result holds several.
        title: chart title (also the accessible name).
        y_label: label of the value axis.
        width: width in pixels.
        height: height in pixels.
        decimals: decimals shown for values in labels and tooltips.

    Raises:
        ReportFailed: the result holds several series and none (or an unknown one) was
            chosen.
    """
    points, summary = _one_series(result, series)
    target = summary.get("target", np.nan)
    frame = _Frame(width, height, len(points), *_value_range(points, target))
    parts = [
        _axes(frame, points, y_label, decimals),
        _limit_lines(frame, points, decimals),
        _target_line(frame, target, decimals),
        _value_line(frame, points),
        _point_marks(frame, points, decimals),
        _icons(width, summary),
        _footnote(frame, summary),
    ]
    return _document(width, height, title, _description(summary, decimals), parts)


def _one_series(result: SpcResult, series: object) -> tuple[pd.DataFrame, pd.Series]:
    """The points and summary row of the series to draw."""
    points, summary = result.points, result.summary
    if "series" not in points.columns:
        return points, summary.iloc[0]
    labels = summary["series"].tolist()
    if series is None and len(labels) == 1:
        series = labels[0]
    if series not in labels:
        raise ReportFailed(
            f"SPC chart: choose one series to draw with series=, one of {labels[:10]}."
        )
    chosen = points[points["series"] == series].reset_index(drop=True)
    return chosen, summary[summary["series"] == series].iloc[0]


def _value_range(points: pd.DataFrame, target: float) -> tuple[float, float]:
    """A padded range covering values, limits and target, on round numbers."""
    columns = ["value", "mean", "lower_process_limit", "upper_process_limit"]
    numbers = points[columns].to_numpy(dtype=np.float64).ravel()
    numbers = numbers[np.isfinite(numbers)]
    if np.isfinite(target):
        numbers = np.append(numbers, target)
    low, high = float(numbers.min()), float(numbers.max())
    if high == low:
        low, high = low - 1, high + 1
    step = _nice_step((high - low) / 5)
    return math.floor(low / step) * step, math.ceil(high / step) * step


def _nice_step(rough: float) -> float:
    """1, 2 or 5 times a power of ten, at least ``rough``."""
    power = 10 ** math.floor(math.log10(rough))
    for factor in (1, 2, 5, 10):
        if factor * power >= rough:
            return float(factor * power)
    return float(10 * power)  # pragma: no cover (the loop always returns)


def _fmt(value: float, decimals: int) -> str:
    return f"{value:,.{decimals}f}"


def _axes(frame: _Frame, points: pd.DataFrame, y_label: str, decimals: int) -> str:
    """Grid lines, tick labels and the axis label."""
    step = _nice_step((frame.high - frame.low) / 5)
    ticks = np.arange(frame.low, frame.high + step / 2, step)
    right = frame.width - MARGIN_RIGHT
    out = ['<g class="axes" font-size="11" fill="#4C6272">']
    for tick in ticks:
        y = frame.y(float(tick))
        out.append(
            f'<line x1="{MARGIN_LEFT}" y1="{y:.2f}" x2="{right}" y2="{y:.2f}" '
            'stroke="#E8EDEE" stroke-width="1"/>'
            f'<text x="{MARGIN_LEFT - 6}" y="{y + 4:.2f}" text-anchor="end">'
            f"{escape(_fmt(float(tick), decimals))}</text>"
        )
    labels = _x_labels(points)
    every = max(1, math.ceil(len(labels) / 12))
    base = frame.height - MARGIN_BOTTOM + 16
    out.extend(
        f'<text x="{frame.x(i):.2f}" y="{base}" text-anchor="middle">'
        f"{escape(labels[i])}</text>"
        for i in range(0, len(labels), every)
    )
    if y_label:
        middle = (MARGIN_TOP + frame.height - MARGIN_BOTTOM) / 2
        out.append(
            f'<text x="14" y="{middle:.2f}" text-anchor="middle" '
            f'transform="rotate(-90 14 {middle:.2f})">{escape(y_label)}</text>'
        )
    out.append("</g>")
    return "".join(out)


def _x_labels(points: pd.DataFrame) -> list[str]:
    if "date" not in points.columns:
        return [str(i + 1) for i in points["index"]]
    dates = points["date"]
    if pd.api.types.is_datetime64_any_dtype(dates):
        return [d.strftime("%b %Y") for d in pd.to_datetime(dates)]
    return [str(d) for d in dates]


def _segments(points: pd.DataFrame) -> list[tuple[int, int]]:
    """First and last position of each rebase segment."""
    bounds = np.flatnonzero(np.diff(points["segment"].to_numpy()) != 0)
    starts = [0, *(bounds + 1).tolist()]
    ends = [*bounds.tolist(), len(points) - 1]
    return list(zip(starts, ends, strict=True))


def _limit_lines(frame: _Frame, points: pd.DataFrame, decimals: int) -> str:
    """Mean (solid) and process limits (dashed), one stretch per segment."""
    styles = {
        "mean": f'stroke="{COLOURS["mean"]}" stroke-width="1.5"',
        "upper_process_limit": f'stroke="{COLOURS["limit"]}" stroke-dasharray="6 4"',
        "lower_process_limit": f'stroke="{COLOURS["limit"]}" stroke-dasharray="6 4"',
    }
    out = ['<g class="limits" fill="none">']
    for start, end in _segments(points):
        for column, style in styles.items():
            value = float(points[column].iloc[start])
            if not math.isfinite(value):
                continue
            y = frame.y(value)
            out.append(
                f'<line class="{column.replace("_", "-")}" data-value="{float(value)!r}" '
                f'x1="{frame.x(start):.2f}" y1="{y:.2f}" x2="{frame.x(end):.2f}" '
                f'y2="{y:.2f}" {style}><title>{escape(column.replace("_", " "))}: '
                f"{escape(_fmt(value, decimals))}</title></line>"
            )
    out.append("</g>")
    return "".join(out)


def _target_line(frame: _Frame, target: float, decimals: int) -> str:
    if not math.isfinite(target):
        return ""
    y = frame.y(target)
    return (
        f'<line class="target" data-value="{float(target)!r}" x1="{MARGIN_LEFT}" y1="{y:.2f}" '
        f'x2="{frame.width - MARGIN_RIGHT}" y2="{y:.2f}" stroke="{COLOURS["target"]}" '
        f'stroke-dasharray="2 3" stroke-width="1.5"><title>target: '
        f"{escape(_fmt(target, decimals))}</title></line>"
    )


def _value_line(frame: _Frame, points: pd.DataFrame) -> str:
    coords = " ".join(
        f"{frame.x(i):.2f},{frame.y(float(v)):.2f}"
        for i, v in enumerate(points["value"])
    )
    return (
        f'<polyline class="values" points="{coords}" fill="none" '
        f'stroke="{COLOURS["common_cause"]}" stroke-width="1.5"/>'
    )


def _colour(variation: str) -> str:
    return COLOURS[
        variation.rsplit("_", 1)[0] if variation != "common_cause" else variation
    ]


def _point_marks(frame: _Frame, points: pd.DataFrame, decimals: int) -> str:
    labels = _x_labels(points)
    out = ['<g class="points">']
    for i, (value, variation) in enumerate(
        zip(points["value"], points["variation"].astype(str), strict=True)
    ):
        tip = f"{labels[i]}: {_fmt(float(value), decimals)} ({variation.replace('_', ' ')})"
        out.append(
            f'<circle class="point" data-variation="{variation}" data-value="{float(value)!r}" '
            f'cx="{frame.x(i):.2f}" cy="{frame.y(float(value)):.2f}" r="3.5" '
            f'fill="{_colour(variation)}"><title>{escape(tip)}</title></circle>'
        )
    out.append("</g>")
    return "".join(out)


def _icons(width: int, summary: pd.Series) -> str:
    """The variation icon and, when there is a target, the assurance icon."""
    x = width - MARGIN_RIGHT + 54
    out = [_variation_icon(x, MARGIN_TOP + 24, str(summary["variation_icon"]))]
    assurance = summary.get("assurance_icon")
    if isinstance(assurance, str) and assurance in ASSURANCE_MARKS:
        out.append(_assurance_icon(x, MARGIN_TOP + 100, assurance))
    return "".join(out)


def _variation_icon(cx: float, cy: float, variation: str) -> str:
    """A ringed icon: dots on a line for common cause, H or L for special cause."""
    colour = _colour(variation)
    if variation == "common_cause":
        dots = [(-12, 4), (-6, -4), (0, 3), (6, -3), (12, 2)]
        glyph = "".join(
            f'<circle cx="{cx + dx}" cy="{cy + dy}" r="2.2" fill="{colour}"/>'
            for dx, dy in dots
        )
    else:
        letter = "H" if variation.endswith("_high") else "L"
        glyph = (
            f'<text x="{cx}" y="{cy + 7}" text-anchor="middle" font-size="20" '
            f'font-weight="bold" fill="{colour}">{letter}</text>'
        )
    label = variation.replace("_", " ")
    return (
        f'<g class="variation-icon" data-icon="{variation}" role="img" '
        f"aria-label={quoteattr('Variation: ' + label)}><title>Variation: {escape(label)}</title>"
        f'<circle cx="{cx}" cy="{cy}" r="22" fill="#FFFFFF" stroke="{colour}" '
        f'stroke-width="3"/>{glyph}{_caption(cx, cy, "Variation")}</g>'
    )


def _caption(cx: float, cy: float, text: str) -> str:
    return (
        f'<text x="{cx}" y="{cy + 34}" text-anchor="middle" font-size="9" '
        f'fill="{COLOURS["text"]}">{text}</text>'
    )


def _assurance_icon(cx: float, cy: float, assurance: str) -> str:
    letter, colour, meaning = ASSURANCE_MARKS[assurance]
    return (
        f'<g class="assurance-icon" data-icon="{assurance}" role="img" '
        f"aria-label={quoteattr('Assurance: ' + meaning)}><title>Assurance: "
        f'{escape(meaning)}</title><circle cx="{cx}" cy="{cy}" r="22" fill="#FFFFFF" '
        f'stroke="{colour}" stroke-width="3"/><text x="{cx}" y="{cy + 7}" '
        f'text-anchor="middle" font-size="20" font-weight="bold" fill="{colour}">'
        f"{escape(letter)}</text>{_caption(cx, cy, 'Assurance')}</g>"
    )


def _footnote(frame: _Frame, summary: pd.Series) -> str:
    warning = summary.get("warning")
    if not isinstance(warning, str):
        return ""
    return (
        f'<text class="warning" x="{MARGIN_LEFT}" y="{frame.height - 12}" font-size="11" '
        f'fill="{COLOURS["text"]}">{escape(warning)}</text>'
    )


def _description(summary: pd.Series, decimals: int) -> str:
    parts = [
        f"{int(summary['points'])} points; mean {_fmt(float(summary['mean']), decimals)}",
        f"process limits {_fmt(float(summary['lower_process_limit']), decimals)} to "
        f"{_fmt(float(summary['upper_process_limit']), decimals)}",
        f"latest point: {str(summary['variation_icon']).replace('_', ' ')}",
    ]
    assurance = summary.get("assurance_icon")
    if isinstance(assurance, str) and assurance in ASSURANCE_MARKS:
        parts.append(f"the process {ASSURANCE_MARKS[assurance][2]}")
    return "; ".join(parts) + "."


def _document(
    width: int, height: int, title: str, description: str, parts: Sequence[str]
) -> str:
    heading = (
        f'<text class="title" x="{MARGIN_LEFT}" y="24" font-size="15" font-weight="bold" '
        f'fill="{COLOURS["text"]}">{escape(title)}</text>'
        if title
        else ""
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="spc-title spc-desc" '
        'font-family="Arial, Helvetica, sans-serif">'
        f'<title id="spc-title">{escape(title or "SPC chart")}</title>'
        f'<desc id="spc-desc">{escape(description)}</desc>'
        f'<rect width="{width}" height="{height}" fill="#FFFFFF"/>'
        f"{heading}{''.join(parts)}</svg>"
    )
