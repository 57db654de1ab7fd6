"""Small SVG building blocks for the report's charts: scales, ticks, text, documents.

Charts are written as SVG text directly rather than through a plotting library, so the
markup is small, deterministic (golden files and PDF pages do not move between runs),
keeps its text as text (searchable, readable by screen readers and by the disclosure
test) and needs no fonts or scripts from anywhere.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

FONT = "Arial, Helvetica, sans-serif"
TEXT = "#212B32"
MUTED = "#4C6272"
GRID = "#E8EDEE"
BLUE = "#005EB8"
DARK_BLUE = "#003087"
PALE_BLUE = "#41B6E6"
ORANGE = "#ED8B00"
GREY = "#768692"
RED = "#DA291C"
GREEN = "#007F3B"
PALETTE = (BLUE, ORANGE, "#330072", GREEN, "#AE2573", GREY, PALE_BLUE)
"""Series colours: NHS identity blues first, then colours distinguishable in greyscale."""


def nice_step(rough: float) -> float:
    """1, 2 or 5 times a power of ten, at least ``rough`` (a positive number).

    Examples:
        >>> nice_step(0.3), nice_step(7), nice_step(120)
        (0.5, 10.0, 200.0)
    """
    if rough <= 0 or not math.isfinite(rough):
        return 1.0
    power = 10 ** math.floor(math.log10(rough))
    for factor in (1, 2, 5):
        if factor * power >= rough:
            return float(factor * power)
    return float(10 * power)


def nice_range(low: float, high: float, ticks: int = 5) -> tuple[float, float, float]:
    """A range covering ``[low, high]`` on round numbers, and its tick step."""
    if not (math.isfinite(low) and math.isfinite(high)):
        low, high = 0.0, 1.0
    if high == low:
        low, high = (low - 1, high + 1) if low != 0 else (0.0, 1.0)
    step = nice_step((high - low) / ticks)
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


@dataclass(frozen=True)
class Linear:
    """Maps a data interval onto a pixel interval."""

    low: float
    high: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        """The pixel position of ``value``."""
        span = self.high - self.low or 1.0
        return self.start + (value - self.low) / span * (self.end - self.start)


@dataclass(frozen=True)
class Log:
    """Maps a positive data interval onto pixels on a log scale (for ratios)."""

    low: float
    high: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        """The pixel position of ``value`` (clipped to the range)."""
        value = min(max(value, self.low), self.high)
        span = math.log(self.high) - math.log(self.low) or 1.0
        share = (math.log(value) - math.log(self.low)) / span
        return self.start + share * (self.end - self.start)


def escape_text(content: str) -> str:
    """Text made safe for SVG character data."""
    return escape(content)


def fmt(value: float, decimals: int = 0) -> str:
    """A number with thousands separators."""
    if not math.isfinite(value):
        return ""
    return f"{value:,.{decimals}f}"


def tick_values(low: float, high: float, step: float) -> list[float]:
    """Tick positions from ``low`` to ``high`` inclusive."""
    count = round((high - low) / step)
    return [low + i * step for i in range(count + 1)]


def text(
    x: float,
    y: float,
    content: str,
    *,
    anchor: str = "start",
    size: int = 11,
    fill: str = TEXT,
    weight: str = "normal",
    css: str = "",
) -> str:
    """A ``<text>`` element with escaped content."""
    klass = f' class="{css}"' if css else ""
    bold = ' font-weight="bold"' if weight == "bold" else ""
    return (
        f'<text{klass} x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" '
        f'font-size="{size}" fill="{fill}"{bold}>{escape(content)}</text>'
    )


def line(
    x1: float,
    y1: float,
    x2: float,
    y2: float,
    *,
    stroke: str = GRID,
    width: float = 1.0,
    dash: str = "",
) -> str:
    """A ``<line>`` element."""
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
        f'stroke="{stroke}" stroke-width="{width}"{dashes}/>'
    )


def rect(
    x: float,
    y: float,
    width: float,
    height: float,
    *,
    fill: str,
    tip: str = "",
    css: str = "",
    data: str = "",
) -> str:
    """A ``<rect>`` with an optional tooltip and ``data-value`` attribute."""
    klass = f' class="{css}"' if css else ""
    value = f" data-value={quoteattr(data)}" if data else ""
    inner = f"<title>{escape(tip)}</title>" if tip else ""
    return (
        f'<rect{klass}{value} x="{x:.1f}" y="{y:.1f}" width="{max(width, 0):.1f}" '
        f'height="{max(height, 0):.1f}" fill="{fill}">{inner}</rect>'
    )


def wrap(label: str, width: int) -> list[str]:
    """Split a label into lines of at most ``width`` characters (at spaces)."""
    words, lines, current = label.split(), [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    return lines or [""]


def document(
    width: int, height: int, title: str, description: str, body: Sequence[str]
) -> str:
    """A self-contained SVG document with an accessible name and description."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label={quoteattr(title)} '
        f'font-family="{FONT}"><title>{escape(title)}</title>'
        f"<desc>{escape(description)}</desc>"
        f'<rect width="{width}" height="{height}" fill="#FFFFFF"/>'
        f"{''.join(body)}</svg>"
    )
