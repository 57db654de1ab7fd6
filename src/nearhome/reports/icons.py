"""Small inline SVG icons for tables and cards: Making Data Count variation and assurance.

They use the same colours and letters as the SPC charts (:mod:`nearhome.reports.spc_chart`)
so a reader learns one visual language; each carries its meaning as text for screen
readers and for printing in greyscale.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from nearhome.reports.spc_chart import ASSURANCE_MARKS, COLOURS

SIZE = 30
VARIATION_WORDS = {
    "common_cause": "common cause variation",
    "improvement_high": "special cause improvement (high)",
    "improvement_low": "special cause improvement (low)",
    "concern_high": "special cause concern (high)",
    "concern_low": "special cause concern (low)",
    "neither_high": "special cause, neither better nor worse (high)",
    "neither_low": "special cause, neither better nor worse (low)",
}


def words(icon: str) -> str:
    """The meaning of a variation or assurance icon, in words."""
    if icon in VARIATION_WORDS:
        return VARIATION_WORDS[icon]
    if icon in ASSURANCE_MARKS:
        return ASSURANCE_MARKS[icon][2]
    return icon.replace("_", " ")


def _ring(colour: str, inner: str, label: str) -> str:
    half = SIZE / 2
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="mdc-icon" width="{SIZE}" height="{SIZE}" '
        f'viewBox="0 0 {SIZE} {SIZE}" role="img" aria-label={quoteattr(label)}>'
        f"<title>{escape(label)}</title>"
        f'<circle cx="{half}" cy="{half}" r="{half - 2}" fill="#FFFFFF" stroke="{colour}" '
        f'stroke-width="2.5"/>{inner}</svg>'
    )


def _letter(letter: str, colour: str) -> str:
    return (
        f'<text x="{SIZE / 2}" y="{SIZE / 2 + 5}" text-anchor="middle" font-size="14" '
        f'font-weight="bold" font-family="Arial, Helvetica, sans-serif" fill="{colour}">'
        f"{escape(letter)}</text>"
    )


def icon_svg(icon: str | None) -> str:
    """An icon for a variation or assurance name ('' for None or an unknown name)."""
    if not icon:
        return ""
    if icon in ASSURANCE_MARKS:
        letter, colour, _ = ASSURANCE_MARKS[icon]
        return _ring(colour, _letter(letter, colour), f"Assurance: {words(icon)}")
    if icon not in VARIATION_WORDS:
        return ""
    family = icon.rsplit("_", 1)[0] if icon != "common_cause" else icon
    colour = COLOURS[family]
    if icon == "common_cause":
        dots = [(-8, 3), (-4, -3), (0, 2), (4, -2), (8, 1)]
        inner = "".join(
            f'<circle cx="{SIZE / 2 + dx}" cy="{SIZE / 2 + dy}" r="1.6" fill="{colour}"/>'
            for dx, dy in dots
        )
    else:
        inner = _letter("H" if icon.endswith("_high") else "L", colour)
    return _ring(colour, inner, f"Variation: {words(icon)}")
