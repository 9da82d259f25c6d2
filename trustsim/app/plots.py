"""The live plots as inline SVG: active exchanges by kind, cooperation, mean trust, tonnes.

Plain SVG polylines cost microseconds per redraw (a matplotlib figure costs a large part of a
second of text layout), which keeps many classroom sessions responsive on one small server.
"""

from __future__ import annotations

import math
from html import escape

import numpy as np
import pandas as pd

#: Panels: title -> [(timeseries column, line label, colour)].
PANELS: dict[str, list[tuple[str, str, str]]] = {
    "Active exchanges": [
        ("utility_exchanges", "utility", "#4e79a7"),
        ("byproduct_exchanges", "by-product", "#f28e2b"),
    ],
    "Cooperation rate": [("cooperation_rate", "honoured actions", "#59a14f")],
    "Mean trust": [("mean_trust", "between partners", "#b07aa1")],
    "Tonnes diverted per year": [("tonnes_diverted_per_year", "kept from landfill", "#9c755f")],
}
#: Panels whose values are shares in [0, 1].
SHARES = ("Cooperation rate", "Mean trust")
PANEL_W, PANEL_H = 300, 170
LEFT, RIGHT, TOP, BOTTOM = 46, 12, 24, 28


def _tick(value: float) -> str:
    """A short tick label: 0.5, 12, 3.4k, 1.2M."""
    if abs(value) >= 1e6:
        return f"{value / 1e6:.1f}M"
    if abs(value) >= 1e4:
        return f"{value / 1e3:.0f}k"
    if abs(value) >= 1e3:
        return f"{value / 1e3:.1f}k"
    return f"{value:g}" if value == int(value) else f"{value:.2f}"


def panel_svg(
    title: str, x: np.ndarray, lines: list[tuple[np.ndarray, str, str]], *, share: bool = False
) -> str:
    """One line chart as an SVG ``<g>`` of size PANEL_W x PANEL_H.

    Args:
        title: panel title.
        x: x values (years), shared by the lines.
        lines: (y values, label, colour) per line; NaN breaks a line.
        share: fix the y axis to [0, 1].
    """
    w, h = PANEL_W - LEFT - RIGHT, PANEL_H - TOP - BOTTOM
    finite = [v for y, _, _ in lines for v in y.tolist() if math.isfinite(v)]
    y_hi = 1.0 if share else max([*finite, 0.0]) or 1.0
    x_lo, x_hi = (float(x[0]), float(x[-1])) if len(x) else (0.0, 1.0)
    x_span = (x_hi - x_lo) or 1.0

    def px(xv: float, yv: float) -> str:
        return f"{LEFT + (xv - x_lo) / x_span * w:.1f},{TOP + h - yv / y_hi * h:.1f}"

    parts = [
        f'<text x="{PANEL_W / 2}" y="17" text-anchor="middle" font-size="14" '
        f'font-weight="bold">{escape(title)}</text>',
        f'<rect x="{LEFT}" y="{TOP}" width="{w}" height="{h}" fill="white" stroke="#bbb"/>',
        f'<text x="{LEFT - 4}" y="{TOP + 4}" text-anchor="end" font-size="12">{_tick(y_hi)}</text>',
        f'<text x="{LEFT - 4}" y="{TOP + h}" text-anchor="end" font-size="12">0</text>',
        f'<text x="{LEFT}" y="{PANEL_H - 10}" font-size="12">{x_lo:.0f}</text>',
        f'<text x="{PANEL_W - RIGHT}" y="{PANEL_H - 10}" text-anchor="end" '
        f'font-size="12">{x_hi:.1f}</text>',
    ]
    for k, (y, label, colour) in enumerate(lines):
        runs, run = [], []
        for xv, yv in zip(x.tolist(), y.tolist(), strict=True):
            if math.isfinite(yv):
                run.append(px(xv, yv))
            elif run:
                runs, run = [*runs, run], []
        runs = [*runs, run] if run else runs
        for points in runs:
            if len(points) == 1:
                cx, cy = points[0].split(",")
                parts.append(f'<circle cx="{cx}" cy="{cy}" r="2" fill="{colour}"/>')
            else:
                parts.append(
                    f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" '
                    f'stroke-width="1.8"/>'
                )
        parts.append(
            f'<text x="{LEFT + 6}" y="{TOP + 16 + 14 * k}" font-size="12" fill="{colour}">'
            f"{escape(label)}</text>"
        )
    return "".join(parts)


def series_svg(ts: pd.DataFrame) -> str:
    """Return the four live plots of a park's time series as one 2 x 2 SVG document."""
    x = ts["year"].to_numpy(dtype=float) if "year" in ts else np.arange(len(ts), dtype=float)
    panels = []
    for k, (title, columns) in enumerate(PANELS.items()):
        lines = [
            (ts[col].to_numpy(dtype=float), label, colour)
            for col, label, colour in columns
            if col in ts
        ]
        dx, dy = (k % 2) * PANEL_W, (k // 2) * PANEL_H
        panels.append(
            f'<g class="panel" transform="translate({dx},{dy})">'
            f"{panel_svg(title, x, lines, share=title in SHARES)}</g>"
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {2 * PANEL_W} {2 * PANEL_H}" '
        f'class="trustsim-series" role="img" aria-label="plots over time" '
        f'style="width:100%;max-width:{2 * PANEL_W}px;font-family:sans-serif">'
        f"{''.join(panels)}</svg>"
    )
