"""The live plots as inline SVG: active exchanges by kind, cooperation, mean trust, tonnes.

Plain SVG polylines cost microseconds per redraw (a matplotlib figure costs a large part of a
second of text layout), which keeps many classroom sessions responsive on one small server.
"""

from __future__ import annotations

import math
from html import escape

import numpy as np
import pandas as pd

#: Panels: title -> (y-axis title with unit, [(timeseries column, line label, colour)]).
PANELS: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "Active exchanges": (
        "exchanges",
        [("utility_exchanges", "utility", "#0072B2"), ("byproduct_exchanges", "by-product",
                                                       "#E69F00")],
    ),
    "Cooperation rate": ("share of actions honoured", [("cooperation_rate", "honoured",
                                                         "#009E73")]),
    "Mean trust": ("trust (0 to 1)", [("mean_trust", "between partners", "#CC79A7")]),
    "Tonnes diverted per year": ("tonnes per year", [("tonnes_diverted_per_year",
                                                      "kept from landfill", "#8B5A2B")]),
}
#: Panels whose values are shares in [0, 1].
SHARES = ("Cooperation rate", "Mean trust")
PANEL_W, PANEL_H = 360, 210
LEFT, RIGHT, TOP, BOTTOM = 62, 14, 26, 42


def _tick(value: float) -> str:
    """A short tick label: 0.5, 12, 3.4k, 1.2M."""
    if abs(value) >= 1e6:
        return f"{value / 1e6:.1f}M"
    if abs(value) >= 1e4:
        return f"{value / 1e3:.0f}k"
    if abs(value) >= 1e3:
        return f"{value / 1e3:.1f}k"
    return f"{value:g}" if value == int(value) else f"{value:.2f}"


def nice_ticks(low: float, high: float, most: int = 5) -> list[float]:
    """Round tick values (steps of 1, 2, 2.5 or 5 times a power of ten) within [low, high]."""
    span = high - low
    if span <= 0:
        return [low]
    raw = span / max(most - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.ceil(low / step - 1e-9) * step
    ticks, t = [], first
    while t <= high + 1e-9 * step:
        ticks.append(round(t, 10))
        t += step
    return ticks


def panel_svg(
    title: str,
    x: np.ndarray,
    lines: list[tuple[np.ndarray, str, str]],
    *,
    share: bool = False,
    y_title: str = "",
) -> str:
    """One line chart as an SVG ``<g>`` of size PANEL_W x PANEL_H, with axes in years.

    Args:
        title: panel title.
        x: x values (years), shared by the lines.
        lines: (y values, label, colour) per line; NaN breaks a line.
        share: fix the y axis to [0, 1].
        y_title: the y axis's title, with its unit.
    """
    w, h = PANEL_W - LEFT - RIGHT, PANEL_H - TOP - BOTTOM
    finite = [v for y, _, _ in lines for v in y.tolist() if math.isfinite(v)]
    y_ticks = nice_ticks(0.0, 1.0 if share else max([*finite, 0.0]) or 1.0, 5)
    y_hi = 1.0 if share else max(y_ticks[-1], max([*finite, 0.0])) or 1.0
    x_lo, x_hi = (float(x[0]), float(x[-1])) if len(x) else (0.0, 1.0)
    if x_hi - x_lo < 1.0:
        x_hi = x_lo + 1.0
    x_span = x_hi - x_lo

    def px(xv: float, yv: float) -> str:
        return f"{LEFT + (xv - x_lo) / x_span * w:.1f},{TOP + h - yv / y_hi * h:.1f}"

    parts = [
        f'<text x="{PANEL_W / 2}" y="17" text-anchor="middle" font-size="14" '
        f'font-weight="bold">{escape(title)}</text>',
        f'<rect x="{LEFT}" y="{TOP}" width="{w}" height="{h}" fill="white" stroke="#bbb"/>',
        f'<text transform="translate(13,{TOP + h / 2}) rotate(-90)" text-anchor="middle" '
        f'font-size="11" fill="#444">{escape(y_title)}</text>',
        f'<text x="{LEFT + w / 2}" y="{PANEL_H - 6}" text-anchor="middle" font-size="11" '
        f'fill="#444">year</text>',
    ]
    for t in y_ticks:
        y = TOP + h - t / y_hi * h
        parts.append(f'<line x1="{LEFT}" x2="{LEFT + w}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#eee"/><text class="ytick" x="{LEFT - 4}" y="{y + 4:.1f}" '
                     f'text-anchor="end" font-size="11">{_tick(t)}</text>')
    for t in nice_ticks(x_lo, x_hi, 6):
        if t == int(t):
            xp = LEFT + (t - x_lo) / x_span * w
            parts.append(f'<line x1="{xp:.1f}" x2="{xp:.1f}" y1="{TOP + h}" y2="{TOP + h + 4}" '
                         f'stroke="#888"/><text class="xtick" x="{xp:.1f}" y="{TOP + h + 16}" '
                         f'text-anchor="middle" font-size="11">{t:.0f}</text>')
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
                    f'stroke-width="2"/>'
                )
        last = next((v for v in reversed(y.tolist()) if math.isfinite(v)), None)
        now = f": {_tick(round(last, 2))}" if last is not None else ""
        parts.append(
            f'<text x="{LEFT + 6}" y="{TOP + 15 + 14 * k}" font-size="12" fill="{colour}" '
            f'font-weight="bold">{escape(label)}{now}</text>'
        )
    return "".join(parts)


def series_svg(ts: pd.DataFrame, start: float = 0.0) -> str:
    """Return the four live plots of a park's time series as one 2 x 2 SVG document.

    Args:
        ts: the park's time series (one row per round played).
        start: the first year, where the x axis starts before any round is played.
    """
    x = ts["year"].to_numpy(dtype=float) if "year" in ts else np.arange(len(ts), dtype=float)
    if not len(x):
        x = np.array([start])
        ts = pd.DataFrame({col: [np.nan] for _, cols in PANELS.values() for col, _, _ in cols})
    panels = []
    for k, (title, (y_title, columns)) in enumerate(PANELS.items()):
        lines = [
            (ts[col].to_numpy(dtype=float), label, colour)
            for col, label, colour in columns
            if col in ts
        ]
        dx, dy = (k % 2) * PANEL_W, (k // 2) * PANEL_H
        panels.append(
            f'<g class="panel" transform="translate({dx},{dy})">'
            f"{panel_svg(title, x, lines, share=title in SHARES, y_title=y_title)}</g>"
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {2 * PANEL_W} {2 * PANEL_H}" '
        f'class="trustsim-series" role="img" aria-label="plots over time" '
        f'style="width:100%;font-family:sans-serif">'
        f"{''.join(panels)}</svg>"
    )
