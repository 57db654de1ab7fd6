"""Charts of capacity results as self-contained SVG strings (pure functions of tidy frames).

No plotting library and no fonts or scripts from outside: each function returns a small SVG
document that a report can inline or a browser can open. Colours follow the NHS palette.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import pandas as pd

__all__ = ["fan_chart", "out_of_area_chart", "sweep_chart", "waterfall_chart"]

BLUE, DARK, PALE, GREY, RED, GREEN = (
    "#005eb8",
    "#003087",
    "#c6dbf0",
    "#768692",
    "#da291c",
    "#009639",
)
WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 60, 20, 36, 48


def _svg(body: list[str], title: str) -> str:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" font-family="Arial, sans-serif" font-size="11" role="img">'
    )
    caption = f'<title>{html.escape(title)}</title><text x="{LEFT}" y="20" font-size="14" font-weight="bold">{html.escape(title)}</text>'
    return "\n".join([head, caption, *body, "</svg>"]) + "\n"


def _scale(lo: float, hi: float, a: float, b: float):  # type: ignore[no-untyped-def]
    span = (hi - lo) or 1.0
    return lambda v: a + (float(v) - lo) / span * (b - a)


def _axes(y_lo: float, y_hi: float, y_label: str, fmt: str = "{:.0%}") -> list[str]:
    y = _scale(y_lo, y_hi, HEIGHT - BOTTOM, TOP)
    out = [
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{HEIGHT - BOTTOM}" stroke="{GREY}"/>',
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" y2="{HEIGHT - BOTTOM}" stroke="{GREY}"/>',
    ]
    for i in range(5):
        v = y_lo + (y_hi - y_lo) * i / 4
        out.append(
            f'<text x="{LEFT - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{fmt.format(v)}</text>'
        )
        out.append(
            f'<line x1="{LEFT}" y1="{y(v):.1f}" x2="{WIDTH - RIGHT}" y2="{y(v):.1f}" stroke="#e8edee"/>'
        )
    out.append(
        f'<text x="14" y="{(TOP + HEIGHT - BOTTOM) / 2:.0f}" transform="rotate(-90 14 {(TOP + HEIGHT - BOTTOM) / 2:.0f})" text-anchor="middle">{html.escape(y_label)}</text>'
    )
    return out


def _path(xs: Sequence[float], ys: Sequence[float]) -> str:
    return " ".join(
        f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}"
        for i, (x, y) in enumerate(zip(xs, ys, strict=True))
    )


def fan_chart(monthly: pd.DataFrame, pool: str, reference: float = 0.85) -> str:
    """Occupancy by month for one pool: p10–p90 band, median line and a reference level."""
    rows = monthly[monthly["pool"] == pool].reset_index(drop=True)
    n = len(rows)
    x = _scale(0, max(n - 1, 1), LEFT + 10, WIDTH - RIGHT - 10)
    hi = max(
        1.0, float(rows[["occupancy_p90"]].max().fillna(1.0).iloc[0]) if n else 1.0
    )
    y = _scale(0.5, hi, HEIGHT - BOTTOM, TOP)
    body = _axes(0.5, hi, "occupancy of local beds")
    if n:
        xs = [x(i) for i in range(n)]
        upper = [y(min(max(v, 0.5), hi)) for v in rows["occupancy_p90"].fillna(0.5)]
        lower = [y(min(max(v, 0.5), hi)) for v in rows["occupancy_p10"].fillna(0.5)]
        band = _path(xs + xs[::-1], upper + lower[::-1]) + " Z"
        body.append(
            f'<path d="{band}" fill="{PALE}" stroke="none"><title>p10 to p90</title></path>'
        )
        mid = [y(min(max(v, 0.5), hi)) for v in rows["occupancy_p50"].fillna(0.5)]
        body.append(
            f'<path d="{_path(xs, mid)}" fill="none" stroke="{BLUE}" stroke-width="2"><title>median</title></path>'
        )
        body.append(
            f'<line x1="{LEFT}" y1="{y(reference):.1f}" x2="{WIDTH - RIGHT}" y2="{y(reference):.1f}" stroke="{RED}" stroke-dasharray="4 3"/>'
        )
        body.append(
            f'<text x="{WIDTH - RIGHT}" y="{y(reference) - 4:.1f}" text-anchor="end" fill="{RED}">{reference:.0%}</text>'
        )
        for i in range(0, n, max(1, n // 6)):
            body.append(
                f'<text x="{xs[i]:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">{html.escape(str(rows["month"][i]))}</text>'
            )
    return _svg(body, f"Occupancy by month: {pool} (median and p10–p90)")


def out_of_area_chart(summary: pd.DataFrame, target: float | None = None) -> str:
    """Share of admissions sent out of area by pool, with p10–p90 whiskers."""
    n = len(summary)
    top = max(0.05, float(summary["p_out_of_area_p90"].max()) if n else 0.05)
    top = math.ceil(top * 20) / 20
    y = _scale(0, top, HEIGHT - BOTTOM, TOP)
    x = _scale(0, max(n, 1), LEFT + 10, WIDTH - RIGHT)
    width = (WIDTH - RIGHT - LEFT - 10) / max(n, 1) * 0.6
    body = _axes(0, top, "admissions sent out of area")
    for i, row in enumerate(summary.itertuples()):
        cx = x(i + 0.5)
        body.append(
            f'<rect x="{cx - width / 2:.1f}" y="{y(row.p_out_of_area):.1f}" width="{width:.1f}" height="{y(0) - y(row.p_out_of_area):.1f}" fill="{BLUE}"><title>{html.escape(str(row.pool))}: {row.p_out_of_area:.1%} (1 in {row.one_in_n:.0f})</title></rect>'
        )
        body.append(
            f'<line x1="{cx:.1f}" y1="{y(row.p_out_of_area_p10):.1f}" x2="{cx:.1f}" y2="{y(row.p_out_of_area_p90):.1f}" stroke="{DARK}" stroke-width="2"/>'
        )
        body.append(
            f'<text x="{cx:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">{html.escape(str(row.pool))[:16]}</text>'
        )
    if target is not None:
        body.append(
            f'<line x1="{LEFT}" y1="{y(target):.1f}" x2="{WIDTH - RIGHT}" y2="{y(target):.1f}" stroke="{RED}" stroke-dasharray="4 3"/>'
        )
    return _svg(
        body, "Admissions sent out of area (bar: pooled estimate; line: p10–p90)"
    )


def sweep_chart(sweep: pd.DataFrame, target: float | None = None) -> str:
    """Share sent out of area against beds: simulation (p10–p90) and Erlang B."""
    beds = sweep["beds"].tolist()
    x = _scale(min(beds), max(beds), LEFT + 10, WIDTH - RIGHT - 10)
    top = max(0.05, float(sweep["p_out_of_area_p90"].max()))
    y = _scale(0, top, HEIGHT - BOTTOM, TOP)
    body = _axes(0, top, "admissions sent out of area")
    xs = [x(b) for b in beds]
    band = (
        _path(
            xs + xs[::-1],
            [y(v) for v in sweep["p_out_of_area_p90"]]
            + [y(v) for v in sweep["p_out_of_area_p10"]][::-1],
        )
        + " Z"
    )
    body.append(f'<path d="{band}" fill="{PALE}"/>')
    body.append(
        f'<path d="{_path(xs, [y(v) for v in sweep["p_out_of_area"]])}" fill="none" stroke="{BLUE}" stroke-width="2"><title>simulation</title></path>'
    )
    if "erlang_b" in sweep:
        body.append(
            f'<path d="{_path(xs, [y(v) for v in sweep["erlang_b"]])}" fill="none" stroke="{GREEN}" stroke-dasharray="5 3"><title>Erlang B</title></path>'
        )
    if target is not None:
        body.append(
            f'<line x1="{LEFT}" y1="{y(target):.1f}" x2="{WIDTH - RIGHT}" y2="{y(target):.1f}" stroke="{RED}" stroke-dasharray="4 3"/>'
        )
    for b in beds[:: max(1, len(beds) // 8)]:
        body.append(
            f'<text x="{x(b):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">{b}</text>'
        )
    return _svg(body, "Beds against the share sent out of area")


def waterfall_chart(
    waterfall: pd.DataFrame, measure: str = "oap_bed_days_per_year"
) -> str:
    """Change in a measure as each lever is added in turn (from the baseline to the plan)."""
    rows = waterfall[
        (waterfall["pool"] == "all") & (waterfall["measure"] == measure)
    ].reset_index(drop=True)
    values = rows["value"].tolist()
    lo, hi = min([0.0, *values]), max([1.0, *values]) * 1.1
    y = _scale(lo, hi, HEIGHT - BOTTOM, TOP)
    x = _scale(0, max(len(rows), 1), LEFT + 10, WIDTH - RIGHT)
    body = _axes(lo, hi, measure.replace("_", " "), fmt="{:,.0f}")
    step = (WIDTH - RIGHT - LEFT - 10) / max(len(rows), 1)
    previous = 0.0
    for i, (lever, value) in enumerate(
        zip(rows["lever"], rows["value"].astype(float), strict=True)
    ):
        first = i == 0
        a, b = (0.0, float(value)) if first else (previous, float(value))
        colour = GREY if first else (RED if b > a else GREEN)
        top_, bottom = y(max(a, b)), y(min(a, b))
        body.append(
            f'<rect x="{x(i) + step * 0.15:.1f}" y="{top_:.1f}" width="{step * 0.7:.1f}" height="{max(bottom - top_, 0.5):.1f}" fill="{colour}"><title>{html.escape(str(lever))}: {b:,.0f}</title></rect>'
        )
        body.append(
            f'<text x="{x(i) + step / 2:.1f}" y="{HEIGHT - BOTTOM + 14}" text-anchor="middle" font-size="9">{html.escape(str(lever))[:14]}</text>'
        )
        previous = b
    return _svg(body, f"Change by lever: {measure.replace('_', ' ')}")
