"""SVG charts of the equity table: forest plot, deprivation gradient, funnel plot.

Drawn as SVG text (like the report's charts: small, deterministic, text kept as text,
no fonts or scripts), from the controlled table only, so a chart can never show what
the table hides: suppressed figures are listed as "suppressed" instead of drawn.
``equity`` sits beside ``reports`` in the layers, so it has its own few drawing
helpers rather than importing the report's.
"""

from __future__ import annotations

import math
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import pandas as pd

from nearhome.equity.funnel import FUNNEL_LEVELS
from nearhome.equity.measures import MEASURES
from nearhome.stats.funnel import funnel_limits

FONT = "Arial, Helvetica, sans-serif"
TEXT = "#212B32"
GRID = "#E8EDEE"
BLUE = "#005EB8"
ORANGE = "#ED8B00"
GREY = "#768692"
RED = "#DA291C"
WIDTH = 820
LEFT = 330
GRADIENT_LEFT = 90
RIGHT = 40
TOP = 48
ROW = 24


def _number(cell: object) -> float:
    """A table cell as a float (``*`` and blanks are NaN)."""
    if isinstance(cell, int | float | np.integer | np.floating):
        return float(cell)
    return math.nan


def _text(x: float, y: float, words: str, **attrs: str | float) -> str:
    """A text element; keyword attributes (``font_size``) override the defaults."""
    merged: dict[str, str | float] = {
        "font_family": FONT,
        "font_size": 12,
        "fill": TEXT,
    }
    merged.update(attrs)
    extra = "".join(
        f" {k.replace('_', '-')}={quoteattr(str(v))}" for k, v in merged.items()
    )
    return f'<text x="{x:.1f}" y="{y:.1f}"{extra}>{escape(words)}</text>'


def _line(x1: float, y1: float, x2: float, y2: float, colour: str, **attrs: str) -> str:
    extra = "".join(f" {k.replace('_', '-')}={quoteattr(v)}" for k, v in attrs.items())
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
        f'stroke="{colour}"{extra}/>'
    )


def _document(height: float, title: str, description: str, parts: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.0f}" '
        f'viewBox="0 0 {WIDTH} {height:.0f}" role="img" aria-labelledby="t d">'
        f'<title id="t">{escape(title)}</title><desc id="d">{escape(description)}</desc>'
        f'<rect width="100%" height="100%" fill="white"/>'
        + _text(10, 22, title, font_weight="bold", font_size=14)
        + "".join(parts)
        + "</svg>\n"
    )


def _ticks(low: float, high: float, log: bool) -> list[float]:
    if log:
        candidates = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200]
        return [t for t in candidates if low <= t <= high]
    step = 10 ** math.floor(math.log10(max(high - low, 1e-9)))
    for factor in (1, 2, 5, 10):
        if (high - low) / (step * factor) <= 6:
            step *= factor
            break
    first = math.floor(low / step) * step
    return [float(t) for t in np.arange(first, high + step / 2, step) if t <= high]


def _scale(low: float, high: float, log: bool) -> tuple[float, float]:
    if log:
        return math.log(low), math.log(high)
    return low, high


def _x(value: float, low: float, high: float, log: bool) -> float:
    a, b = _scale(low, high, log)
    v = math.log(value) if log else value
    return LEFT + (v - a) / (b - a) * (WIDTH - LEFT - RIGHT)


def _short(label: str, limit: int = 50) -> str:
    """A row label that fits the left margin; the full wording is in the table."""
    return label if len(label) <= limit else label[: limit - 1] + "…"


def forest_plot(
    table: pd.DataFrame, measure: str, *, statistic: str = "crude_ratio"
) -> str:
    """Ratios to the reference group with 95% limits, one row per group, log scale.

    Args:
        table: the controlled equity table.
        measure: the measure to draw.
        statistic: ``crude_ratio`` or ``dsr_ratio``.
    """
    rows = table[
        (table["measure"] == measure)
        & (table["statistic"] == statistic)
        & (table["confidence"].astype(float).round(3) == 0.95)
    ].reset_index(drop=True)
    per = rows["per"].iloc[0] if len(rows) else ""
    title = f"{measure}: rate ratio to the reference group (95% limits, log scale)"
    values = [
        v
        for column in ("value", "lower", "upper")
        for v in rows[column].map(_number)
        if math.isfinite(v) and v > 0
    ]
    low = min([0.5, *values]) / 1.2
    high = max([2.0, *values]) * 1.2
    height = TOP + ROW * (len(rows) + 2) + 30
    parts = []
    bottom = TOP + ROW * (len(rows) + 1)
    for tick in _ticks(low, high, log=True):
        x = _x(tick, low, high, log=True)
        parts.append(_line(x, TOP, x, bottom, GRID))
        parts.append(_text(x, bottom + 16, f"{tick:g}", text_anchor="middle"))
    one = _x(1.0, low, high, log=True)
    parts.append(_line(one, TOP, one, bottom, TEXT, stroke_dasharray="4 3"))
    for i, row in rows.iterrows():
        y = TOP + ROW * (int(str(i)) + 1)
        label = _short(
            f"{row['breakdown']}: {row['level_description']} vs {row['reference']}"
        )
        parts.append(_text(LEFT - 8, y + 4, label, text_anchor="end"))
        value, lower, upper = (_number(row[c]) for c in ("value", "lower", "upper"))
        if not (math.isfinite(value) and value > 0):
            reason = "suppressed" if row["value"] == "*" else "not calculated"
            if value == 0 and math.isfinite(upper):
                reason = f"0: no events in the group (upper limit {upper:.2f})"
            parts.append(_text(LEFT + 6, y + 4, reason, fill=GREY, font_style="italic"))
            continue
        lo = _x(max(lower, low), low, high, log=True) if lower > 0 else LEFT
        hi = (
            _x(min(upper, high), low, high, log=True)
            if math.isfinite(upper)
            else WIDTH - RIGHT
        )
        colour = {"higher": ORANGE, "lower": BLUE}.get(str(row["significance"]), GREY)
        parts.append(_line(lo, y, hi, y, colour, stroke_width="2"))
        parts.append(
            f'<rect x="{_x(value, low, high, log=True) - 4:.1f}" y="{y - 4:.1f}" '
            f'width="8" height="8" fill="{colour}"><title>{escape(f"{value:.2f} ({lower:.2f} to {upper:.2f})")}</title></rect>'
        )
    parts.append(
        _text(
            LEFT,
            height - 8,
            f"Ratio of rates {per}; 1 = same as the reference group.",
            fill=GREY,
        )
    )
    return _document(height, title, f"{len(rows)} ratios", parts)


def gradient_chart(
    table: pd.DataFrame, measure: str, breakdown: str = "imd_quintile"
) -> str:
    """Crude rates by IMD level (1 = most deprived) with 95% limits, and the SII/RII."""
    rows = table[
        (table["measure"] == measure)
        & (table["breakdown"] == breakdown)
        & (table["statistic"] == "crude_rate")
        & (table["confidence"].astype(float).round(3) == 0.95)
        & table["level"].astype(str).str.fullmatch(r"\d+")
    ].copy()
    rows = (
        rows.assign(_q=rows["level"].astype(int))
        .sort_values("_q")
        .reset_index(drop=True)
    )
    per = rows["per"].iloc[0] if len(rows) else ""
    title = f"{measure}: rate {per} by deprivation ({breakdown})"
    uppers = [u for u in rows["upper"].map(_number) if math.isfinite(u)]
    high = max([1.0, *uppers]) * 1.1
    height = 360
    bottom, top = height - 70, TOP + 16
    band = (WIDTH - GRADIENT_LEFT - RIGHT) / max(len(rows), 1)
    parts = []
    for tick in _ticks(0, high, log=False):
        y = bottom - tick / high * (bottom - top)
        parts.append(_line(GRADIENT_LEFT, y, WIDTH - RIGHT, y, GRID))
        parts.append(_text(GRADIENT_LEFT - 8, y + 4, f"{tick:g}", text_anchor="end"))
    for i, row in rows.iterrows():
        x = GRADIENT_LEFT + band * (int(str(i)) + 0.5)
        parts.append(_text(x, bottom + 16, str(row["level"]), text_anchor="middle"))
        value, lower, upper = (_number(row[c]) for c in ("value", "lower", "upper"))
        if not math.isfinite(value):
            label = "suppressed" if row["value"] == "*" else "no rate"
            parts.append(_text(x, bottom - 8, label, text_anchor="middle", fill=GREY))
            continue

        def y_of(v: float) -> float:
            return bottom - v / high * (bottom - top)

        parts.append(_line(x, y_of(lower), x, y_of(upper), BLUE, stroke_width="2"))
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y_of(value):.1f}" r="5" fill="{BLUE}">'
            f"<title>{escape(f'{value:.1f} ({lower:.1f} to {upper:.1f})')}</title></circle>"
        )
    parts.append(
        _text(GRADIENT_LEFT, bottom + 36, "IMD level: 1 = most deprived", fill=GREY)
    )
    parts.append(
        _text(
            GRADIENT_LEFT,
            bottom + 54,
            _index_text(table, measure, breakdown),
            fill=TEXT,
        )
    )
    return _document(height, title, f"{len(rows)} levels", parts)


def _index_text(table: pd.DataFrame, measure: str, breakdown: str) -> str:
    rows = table[
        (table["measure"] == measure)
        & (table["breakdown"] == breakdown)
        & table["statistic"].isin(["sii", "rii"])
        & (table["confidence"].astype(float).round(3) == 0.95)
    ]
    words = []
    for _, row in rows.iterrows():
        value, lower, upper = (_number(row[c]) for c in ("value", "lower", "upper"))
        name = str(row["statistic"]).upper()
        if math.isfinite(value):
            words.append(f"{name} {value:.2f} ({lower:.2f} to {upper:.2f})")
        else:
            words.append(f"{name}: {row['suppressed_reason'] or 'not calculated'}")
    return "; ".join(words) or "No index of inequality for this grouping."


def funnel_plot(table: pd.DataFrame, measure: str) -> str:
    """Each unit's rate against its denominator, with 95% and 99.8% funnel limits."""
    units = table[
        (table["measure"] == measure)
        & (table["statistic"] == "funnel_rate")
        & (table["confidence"].astype(float).round(3) == 0.95)
    ].reset_index(drop=True)
    per = units["per"].iloc[0] if len(units) else ""
    unit_name = units["breakdown"].iloc[0] if len(units) else "unit"
    title = f"{measure}: funnel plot of {unit_name} rates {per}"
    height = 380
    if units.empty:
        return _document(height, title, "no units", [_text(LEFT, 80, "No units.")])
    target = float(str(units["reference"].iloc[0]).rsplit(" ", 1)[-1])
    multiplier = MEASURES[measure].multiplier
    exposure = table[
        (table["measure"] == measure)
        & (table["breakdown"] == unit_name)
        & (table["statistic"] == "denominator")
    ].set_index("level")["value"]
    sizes = units["level"].map(exposure).map(_number).to_numpy(dtype=np.float64)
    n_max = float(np.nanmax(sizes)) * 1.1 if np.isfinite(sizes).any() else 1.0
    grid = np.linspace(n_max / 200, n_max, 120)
    limits = funnel_limits(grid, target, multiplier, confidence=FUNNEL_LEVELS)
    rates = [r for r in units["value"].map(_number) if math.isfinite(r)]
    inner = limits.loc[np.isclose(limits["confidence"], 0.95), "upper"]
    high = max([target * 2, *rates, *inner.clip(upper=target * 4)]) * 1.05
    left, right, top, bottom = 70, WIDTH - RIGHT, TOP, height - 60

    def xy(n: float, r: float) -> tuple[float, float]:
        return (
            left + n / n_max * (right - left),
            bottom - min(r, high) / high * (bottom - top),
        )

    parts = [
        _line(left, bottom, right, bottom, TEXT),
        _line(left, top, left, bottom, TEXT),
    ]
    for tick in _ticks(0, high, log=False):
        _, y = xy(0, tick)
        parts.append(_line(left, y, right, y, GRID))
        parts.append(_text(left - 6, y + 4, f"{tick:g}", text_anchor="end"))
    for tick in _ticks(0, n_max, log=False):
        x, _ = xy(tick, 0)
        parts.append(_line(x, bottom, x, bottom + 4, TEXT))
        parts.append(_text(x, bottom + 16, f"{tick:,g}", text_anchor="middle"))
    _, ty = xy(0, target)
    parts.append(_line(left, ty, right, ty, TEXT))
    for level, colour, dash in ((0.95, ORANGE, "4 3"), (0.998, RED, "8 3")):
        chosen = limits[np.isclose(limits["confidence"], level)]
        for column in ("lower", "upper"):
            points = " ".join(
                "{:.1f},{:.1f}".format(*xy(n, r))
                for n, r in zip(chosen["denominator"], chosen[column], strict=True)
                if math.isfinite(r)
            )
            parts.append(
                f'<polyline points="{points}" fill="none" stroke="{colour}" '
                f'stroke-dasharray="{dash}"/>'
            )
    hidden = 0
    for i, row in units.iterrows():
        rate, n = _number(row["value"]), float(sizes[int(str(i))])
        if not (math.isfinite(rate) and math.isfinite(n)):
            hidden += 1
            continue
        x, y = xy(n, rate)
        tip = f"{row['level_description']}: {rate:.2f} ({row['significance']})"
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{BLUE}">'
            f"<title>{escape(tip)}</title></circle>"
        )
        parts.append(_text(x + 7, y - 6, str(row["level"]), font_size=10))
    note = f"Solid line: overall rate {target:.3g}; dashed: 95% and 99.8% limits."
    if hidden:
        note += f" {hidden} unit(s) suppressed."
    parts.append(
        _text(left, height - 30, f"Denominator of each {unit_name}", fill=GREY)
    )
    parts.append(_text(left, height - 12, note, fill=GREY))
    return _document(height, title, f"{len(units)} units", parts)
