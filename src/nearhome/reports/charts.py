"""One function per chart type: a tidy frame in, an SVG string out; no data access.

Values may be numbers or the disclosure mark ``*``: a suppressed bar or point is not
drawn (its size would give the count away) and is labelled ``*`` instead. Every mark
carries a tooltip and a ``data-value`` attribute, so the charts are readable without
colour and tests can check what was drawn.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import pandas as pd

from nearhome.reports import svg

__all__ = ["bar_chart", "interval_chart", "line_chart", "number", "waterfall_chart"]

SUPPRESSED = "*"
LABEL_WIDTH = 230


def number(cell: object) -> float:
    """A cell as a float; ``*``, None and text become NaN."""
    if isinstance(cell, bool):
        return float(cell)
    if isinstance(cell, int | float):
        return float(cell)
    if cell is None or str(cell) == SUPPRESSED:
        return math.nan
    try:
        return float(str(cell))
    except ValueError:
        return math.nan


def _label(value: float, decimals: int, unit: str = "") -> str:
    if not math.isfinite(value):
        return SUPPRESSED
    words = f" {unit}" if unit else ""
    return f"{svg.fmt(value, decimals)}{words}"


def _short(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _x_grid(
    x: svg.Linear, ticks: tuple[float, float, float], top: float, bottom: float
) -> list[str]:
    low, high, step = ticks
    decimals = 0 if step >= 1 else 2
    out = []
    for tick in svg.tick_values(low, high, step):
        px = x(tick)
        out.append(svg.line(px, top, px, bottom))
        out.append(
            svg.text(
                px,
                bottom + 14,
                svg.fmt(tick, decimals),
                anchor="middle",
                fill=svg.MUTED,
            )
        )
    return out


def _y_grid(
    y: svg.Linear, ticks: tuple[float, float, float], left: float, right: float
) -> list[str]:
    low, high, step = ticks
    decimals = 0 if step >= 1 else 2
    out = []
    for tick in svg.tick_values(low, high, step):
        py = y(tick)
        out.append(svg.line(left, py, right, py))
        out.append(
            svg.text(
                left - 6, py + 4, svg.fmt(tick, decimals), anchor="end", fill=svg.MUTED
            )
        )
    return out


def bar_chart(
    frame: pd.DataFrame,
    *,
    label: str = "label",
    value: str = "value",
    title: str,
    unit: str = "",
    decimals: int = 0,
    highlight: Sequence[str] = (),
    width: int = 720,
) -> str:
    """Horizontal bars, one per row, in the frame's order.

    Args:
        frame: One row per bar.
        label: Column of bar labels.
        value: Column of values (numbers or ``*``).
        title: Chart title (also its accessible name).
        unit: Words after each value label (``days``).
        decimals: Decimals in value labels.
        highlight: Labels drawn in the highlight colour (for example housing).
        width: Width in pixels.
    """
    top, row = 36, 26
    values = [number(v) for v in frame[value]]
    labels = [str(v) for v in frame[label]]
    height = int(top + row * max(len(labels), 1) + 30)
    finite = [v for v in values if math.isfinite(v)]
    ticks = svg.nice_range(min([0.0, *finite]), max([0.0, *finite]))
    x = svg.Linear(ticks[0], ticks[1], LABEL_WIDTH, width - 90)
    body = [svg.text(12, 22, title, size=14, weight="bold")]
    body += _x_grid(x, ticks, top, height - 30)
    for i, (name, val) in enumerate(zip(labels, values, strict=True)):
        y = top + i * row
        colour = svg.ORANGE if name in highlight else svg.BLUE
        shown = _label(val, decimals, unit)
        body.append(
            svg.text(LABEL_WIDTH - 8, y + row / 2 + 4, _short(name, 36), anchor="end")
        )
        if math.isfinite(val):
            start, end = sorted((x(0), x(val)))
            body.append(
                svg.rect(
                    start,
                    y + 4,
                    end - start,
                    row - 8,
                    fill=colour,
                    tip=f"{name}: {shown}",
                    css="bar",
                    data=repr(val),
                )
            )
        edge = max(x(val), x(0)) if math.isfinite(val) else x(0)
        body.append(svg.text(edge + 6, y + row / 2 + 4, shown, css="bar-label"))
    description = "; ".join(
        f"{n}: {_label(v, decimals, unit)}" for n, v in zip(labels, values, strict=True)
    )
    return svg.document(width, height, title, description, body)


def _as_date(cell: object) -> dt.date:
    if isinstance(cell, pd.Timestamp):
        return cell.date()
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    return pd.Timestamp(str(cell)).date()


def line_chart(  # noqa: PLR0913 (keyword-only chart options)
    frame: pd.DataFrame,
    *,
    x: str = "date",
    y: str = "value",
    series: str = "series",
    title: str,
    y_label: str = "",
    dashed: Sequence[str] = (),
    decimals: int = 0,
    quarterly: bool = False,
    width: int = 720,
    height: int = 300,
) -> str:
    """Lines over months, one per series; dashed series (targets) are drawn dashed.

    Args:
        frame: One row per series and month; ``y`` holds numbers or ``*``.
        x: Column of dates (the first of each month).
        y: Column of values.
        series: Column naming each line (shown in the legend, in order of appearance).
        title: Chart title.
        y_label: Words for the value axis.
        dashed: Series drawn dashed (trajectories and targets).
        decimals: Decimals in tooltips.
        quarterly: Label the axis with financial-year quarters (``25/26 Q1``).
        width: Width in pixels.
        height: Height in pixels.
    """
    left, right, top, bottom = 64, 170, 36, 40
    dates = sorted({_as_date(d) for d in frame[x]})
    finite = [v for v in (number(c) for c in frame[y]) if math.isfinite(v)]
    ticks = svg.nice_range(min([0.0, *finite]), max([1.0, *finite]))
    py = svg.Linear(ticks[0], ticks[1], height - bottom, top)
    px = svg.Linear(0, max(len(dates) - 1, 1), left, width - right)
    body = [svg.text(12, 22, title, size=14, weight="bold")]
    body += _y_grid(py, ticks, left, width - right)
    body += _time_axis(px, dates, height - bottom + 16, quarterly)
    if y_label:
        body.append(_y_title(y_label, (top + height - bottom) / 2))
    where = {d: i for i, d in enumerate(dates)}
    names = list(dict.fromkeys(str(s) for s in frame[series]))
    for k, name in enumerate(names):
        part = frame[frame[series].astype(str) == name]
        colour = svg.RED if name in dashed else svg.PALETTE[k % len(svg.PALETTE)]
        cells = list(zip(part[x], part[y], strict=True))
        points = [(where[_as_date(d)], number(v)) for d, v in cells]
        hidden = {
            where[_as_date(d)]
            for d, v in cells
            if isinstance(v, str) and v == SUPPRESSED
        }
        body += _polyline(px, py, points, colour, dashed=name in dashed)
        body += _points(
            px, py, (points, hidden), colour, name, (dates, quarterly), decimals
        )
        body += _legend_entry(
            width - right + 12, top + 8 + k * 18, name, colour, dashed=name in dashed
        )
    description = f"{len(names)} series over {len(dates)} months: {', '.join(names)}."
    return svg.document(width, height, title, description, body)


def _time_axis(
    px: svg.Linear, dates: list[dt.date], y: float, quarterly: bool
) -> list[str]:
    """Month (or quarter) labels, at most about twelve of them."""
    every = max(1, math.ceil(len(dates) / 12))
    return [
        svg.text(px(i), y, _x_label(d, quarterly), anchor="middle", fill=svg.MUTED)
        for i, d in enumerate(dates)
        if i % every == 0
    ]


def _y_title(words: str, middle: float) -> str:
    return (
        f'<text x="14" y="{middle:.1f}" text-anchor="middle" font-size="11" fill="{svg.MUTED}" '
        f'transform="rotate(-90 14 {middle:.1f})">{svg.escape_text(words)}</text>'
    )


def _legend_entry(
    x: float, y: float, name: str, colour: str, *, dashed: bool
) -> list[str]:
    return [
        svg.line(
            x, y, x + 20, y, stroke=colour, width=2.5, dash="5 3" if dashed else ""
        ),
        svg.text(x + 26, y + 4, _short(name, 22)),
    ]


def _polyline(
    px: svg.Linear,
    py: svg.Linear,
    points: list[tuple[int, float]],
    colour: str,
    *,
    dashed: bool,
) -> list[str]:
    """One polyline per unbroken run of points (suppressed points break the line)."""
    runs: list[list[tuple[int, float]]] = [[]]
    for i, value in points:
        if math.isfinite(value):
            runs[-1].append((i, value))
        elif runs[-1]:
            runs.append([])
    dash = ' stroke-dasharray="6 4"' if dashed else ""
    out = []
    for run in runs:
        if len(run) < 2:
            continue
        coords = " ".join(f"{px(i):.1f},{py(v):.1f}" for i, v in run)
        out.append(
            f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>'
        )
    return out


def _x_label(day: dt.date, quarterly: bool) -> str:
    if not quarterly:
        return f"{day:%b %y}"
    first = day.year if day.month >= 4 else day.year - 1
    return (
        f"{first % 100:02d}/{(first + 1) % 100:02d} Q{((day.month - 4) % 12) // 3 + 1}"
    )


def _points(
    px: svg.Linear,
    py: svg.Linear,
    marks: tuple[list[tuple[int, float]], set[int]],
    colour: str,
    name: str,
    axis: tuple[list[dt.date], bool],
    decimals: int,
) -> list[str]:
    points, hidden = marks
    dates, quarterly = axis
    out = []
    for i, value in points:
        cell_is_suppressed = i in hidden
        tip = f"{name}, {_x_label(dates[i], quarterly)}: {_label(value, decimals)}"
        if math.isfinite(value):
            out.append(
                f'<circle class="point" data-value="{value!r}" cx="{px(i):.1f}" '
                f'cy="{py(value):.1f}" r="2.5" fill="{colour}"><title>'
                f"{svg.escape_text(tip)}</title></circle>"
            )
        elif cell_is_suppressed:
            out.append(
                svg.text(
                    px(i),
                    py(py.low) - 4,
                    SUPPRESSED,
                    anchor="middle",
                    fill=svg.MUTED,
                    css="suppressed",
                )
            )
    return out


def interval_chart(  # noqa: PLR0913 (keyword-only chart options)
    frame: pd.DataFrame,
    *,
    label: str = "label",
    value: str = "value",
    lower: str = "lower",
    upper: str = "upper",
    title: str,
    reference: float | None = None,
    log: bool = False,
    marker: str | None = None,
    marker_label: str = "",
    value_label: str = "estimate and interval",
    decimals: int = 1,
    width: int = 720,
) -> str:
    """Point estimates with intervals, one row each (a forest plot).

    Args:
        frame: One row per estimate.
        label: Column of row labels.
        value: Column of estimates (numbers or ``*``).
        lower: Column of lower limits.
        upper: Column of upper limits.
        title: Chart title.
        reference: Draw a vertical reference line here (1 for ratios).
        log: Use a log scale (ratios).
        marker: Optional column of a second value drawn as a diamond (a comparison view).
        marker_label: Legend words for the marker.
        value_label: Legend words for the estimate (shown with a marker).
        decimals: Decimals in labels.
        width: Width in pixels.
    """
    top, row = 36, 26
    labels = [str(v) for v in frame[label]]
    mids = [number(v) for v in frame[value]]
    lows = [number(v) for v in frame[lower]]
    highs = [number(v) for v in frame[upper]]
    marks = [number(v) for v in frame[marker]] if marker else [math.nan] * len(labels)
    height = int(top + row * max(len(labels), 1) + 34 + (18 if marker else 0))
    scale = _interval_scale([*lows, *highs, *mids, *marks], reference, log, width)
    body = [svg.text(12, 22, title, size=14, weight="bold")]
    body += _interval_axis(
        scale, reference, log, top, height - 34 - (18 if marker else 0)
    )
    for i, name in enumerate(labels):
        y = top + i * row + row / 2
        body.append(svg.text(LABEL_WIDTH - 8, y + 4, _short(name, 36), anchor="end"))
        body += _interval_row(scale, y, (lows[i], mids[i], highs[i]), name, decimals)
        if math.isfinite(marks[i]):
            x = scale(marks[i])
            body.append(
                f'<path class="marker" data-value="{marks[i]!r}" d="M{x:.1f},{y - 6:.1f} '
                f'L{x + 6:.1f},{y:.1f} L{x:.1f},{y + 6:.1f} L{x - 6:.1f},{y:.1f} Z" '
                f'fill="{svg.ORANGE}"><title>{svg.escape_text(f"{name}, {marker_label}: {_label(marks[i], decimals)}")}</title></path>'
            )
    if marker:
        base = height - 12
        body.append(
            f'<circle cx="{LABEL_WIDTH:.1f}" cy="{base - 4}" r="4" fill="{svg.BLUE}"/>'
        )
        body.append(svg.text(LABEL_WIDTH + 8, base, value_label))
        x = LABEL_WIDTH + 16 + 6.5 * len(value_label)
        body.append(
            f'<path d="M{x},{base - 10} L{x + 6},{base - 4} L{x},{base + 2} L{x - 6},{base - 4} Z" fill="{svg.ORANGE}"/>'
        )
        body.append(svg.text(x + 10, base, marker_label))
    description = "; ".join(
        f"{n}: {_label(m, decimals)} ({_label(lo, decimals)} to {_label(hi, decimals)})"
        for n, m, lo, hi in zip(labels, mids, lows, highs, strict=True)
    )
    return svg.document(width, height, title, description, body)


def _interval_scale(
    numbers: list[float], reference: float | None, log: bool, width: int
) -> svg.Linear | svg.Log:
    finite = [v for v in numbers if math.isfinite(v) and (v > 0 or not log)]
    if reference is not None:
        finite.append(reference)
    if log:
        low = min(finite, default=0.5)
        high = max(finite, default=2.0)
        low, high = 2 ** math.floor(math.log2(low)), 2 ** math.ceil(math.log2(high))
        if low == high:
            low, high = low / 2, high * 2
        return svg.Log(low, high, LABEL_WIDTH, width - 110)
    low, high, _ = svg.nice_range(min([0.0, *finite]), max([0.0, *finite]))
    return svg.Linear(low, high, LABEL_WIDTH, width - 110)


def _interval_axis(
    scale: svg.Linear | svg.Log,
    reference: float | None,
    log: bool,
    top: float,
    bottom: float,
) -> list[str]:
    if log:
        ticks: list[float] = []
        tick = scale.low
        while tick <= scale.high * 1.0001:
            ticks.append(tick)
            tick *= 2
    else:
        low, high, step = svg.nice_range(scale.low, scale.high)
        ticks = svg.tick_values(low, high, step)
    out = []
    for tick in ticks:
        x = scale(tick)
        out.append(svg.line(x, top, x, bottom))
        shown = f"{tick:g}" if log else svg.fmt(tick, 0 if tick == int(tick) else 2)
        out.append(svg.text(x, bottom + 14, shown, anchor="middle", fill=svg.MUTED))
    if reference is not None:
        x = scale(reference)
        out.append(
            svg.line(x, top - 4, x, bottom, stroke=svg.TEXT, width=1.2, dash="4 3")
        )
    return out


def _interval_row(
    scale: svg.Linear | svg.Log,
    y: float,
    limits: tuple[float, float, float],
    name: str,
    decimals: int,
) -> list[str]:
    low, mid, high = limits
    out = []
    if math.isfinite(low) and math.isfinite(high):
        out.append(
            svg.line(scale(low), y, scale(high), y, stroke=svg.DARK_BLUE, width=2)
        )
    if math.isfinite(mid):
        tip = f"{name}: {_label(mid, decimals)} ({_label(low, decimals)} to {_label(high, decimals)})"
        out.append(
            f'<circle class="estimate" data-value="{mid!r}" cx="{scale(mid):.1f}" cy="{y:.1f}" '
            f'r="5" fill="{svg.BLUE}"><title>{svg.escape_text(tip)}</title></circle>'
        )
    else:
        out.append(svg.text(LABEL_WIDTH + 6, y + 4, SUPPRESSED, css="suppressed"))
    return out


def waterfall_chart(
    frame: pd.DataFrame,
    *,
    label: str = "label",
    value: str = "value",
    kind: str = "kind",
    title: str,
    unit: str = "",
    decimals: int = 1,
    width: int = 720,
) -> str:
    """A waterfall: ``total`` rows are bars from zero, ``step`` rows float from the running total.

    Args:
        frame: Rows in order; ``kind`` is ``total`` or ``step``.
        label: Column of labels.
        value: Column of values (a step's change, or a total's level).
        kind: Column saying which rows are totals.
        title: Chart title.
        unit: Words after value labels.
        decimals: Decimals in labels.
        width: Width in pixels.
    """
    top, row = 36, 26
    labels = [str(v) for v in frame[label]]
    values = [number(v) for v in frame[value]]
    kinds = [str(v) for v in frame[kind]]
    spans, running = [], 0.0
    for raw, what in zip(values, kinds, strict=True):
        val = raw if math.isfinite(raw) else 0.0
        if what == "total":
            spans.append((0.0, val))
            running = val
        else:
            spans.append((running, running + val))
            running += val
    height = int(top + row * max(len(labels), 1) + 30)
    ends = [v for span in spans for v in span]
    ticks = svg.nice_range(min([0.0, *ends]), max([0.0, *ends]))
    x = svg.Linear(ticks[0], ticks[1], LABEL_WIDTH, width - 110)
    body = [svg.text(12, 22, title, size=14, weight="bold")]
    body += _x_grid(x, ticks, top, height - 30)
    for i, (name, (start, end), what, val) in enumerate(
        zip(labels, spans, kinds, values, strict=True)
    ):
        y = top + i * row
        colour = (
            svg.DARK_BLUE
            if what == "total"
            else (svg.GREEN if end < start else svg.ORANGE)
        )
        left_px, right_px = sorted((x(start), x(end)))
        sign = "" if what == "total" or val < 0 else "+"
        shown = f"{sign}{_label(val, decimals, unit)}"
        body.append(
            svg.text(LABEL_WIDTH - 8, y + row / 2 + 4, _short(name, 36), anchor="end")
        )
        body.append(
            svg.rect(
                left_px,
                y + 4,
                max(right_px - left_px, 1.0),
                row - 8,
                fill=colour,
                tip=f"{name}: {shown}",
                css=f"waterfall-{what}",
                data=repr(val),
            )
        )
        body.append(svg.text(right_px + 6, y + row / 2 + 4, shown))
    description = "; ".join(
        f"{n}: {_label(v, decimals, unit)}" for n, v in zip(labels, values, strict=True)
    )
    return svg.document(width, height, title, description, body)
