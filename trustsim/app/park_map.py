"""The park map as inline SVG: facilities, exchanges and social ties, with hover tooltips.

SVG drawn here (not a chart library) renders without any JavaScript from the internet, stays
small, and gives every facility a native browser tooltip (an SVG ``<title>``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

import matplotlib as mpl
import numpy as np
from matplotlib.colors import to_hex

#: Colours for sectors, in order of first appearance by sorted sector name.
SECTOR_COLOURS = (
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#b07aa1",
    "#edc948",
    "#76b7b2",
    "#ff9da7",
    "#9c755f",
    "#e15759",
    "#bab0ac",
)
NO_TRUST_COLOUR = "#7f7f7f"
WIDTH, HEIGHT, MARGIN = 640, 440, 46


@dataclass(frozen=True, slots=True)
class Node:
    """A facility on the map.

    Attributes:
        id: facility id.
        name: short display name.
        sector: sector name (sets the colour).
        x_km: east coordinate.
        y_km: north coordinate.
        volume: yearly output volume (sets the size).
        tooltip: hover text (lines separated by newlines).
        active: whether the facility operates now (closed or not yet open ones are faint).
    """

    id: str
    name: str
    sector: str
    x_km: float
    y_km: float
    volume: float
    tooltip: str
    active: bool = True


@dataclass(frozen=True, slots=True)
class Link:
    """An active exchange (or, for ties, a friendship) between two facilities.

    Attributes:
        source: supplier facility id.
        target: receiver facility id.
        byproduct: True for a by-product exchange (dashed), False for a utility (solid).
        volume: yearly volume (sets the thickness).
        trust: mutual trust in [0, 1] (sets the colour), or None when unknown.
        tooltip: hover text.
    """

    source: str
    target: str
    byproduct: bool = False
    volume: float = 0.0
    trust: float | None = None
    tooltip: str = ""


def short_name(name: str) -> str:
    """A facility's label on the map: its name without the bracketed details."""
    return name.split(" (")[0]


def sector_colours(sectors: list[str]) -> dict[str, str]:
    """Return a stable colour for each sector name."""
    return {s: SECTOR_COLOURS[i % len(SECTOR_COLOURS)] for i, s in enumerate(sorted(set(sectors)))}


def trust_colour(trust: float | None) -> str:
    """Return the colour of a trust level: red (0) through yellow to green (1)."""
    if trust is None or not math.isfinite(trust):
        return NO_TRUST_COLOUR
    return to_hex(mpl.colormaps["RdYlGn"](min(max(trust, 0.0), 1.0)))


def _compress(nodes: list[Node]) -> dict[str, tuple[float, float]]:
    """Node positions with far outliers pulled in (logarithmically beyond the bulk's radius).

    A park with one facility far away (an off-site buyer) would otherwise shrink the rest to
    a dot; distances up to the 75th percentile from the median centre stay true.
    """
    if not nodes:
        return {}
    xs = np.array([n.x_km for n in nodes])
    ys = np.array([n.y_km for n in nodes])
    cx, cy = float(np.median(xs)), float(np.median(ys))
    r = np.hypot(xs - cx, ys - cy)
    bulk = float(np.percentile(r, 75))
    if bulk > 0 and r.max() > 3 * bulk:
        far = r > bulk
        scale = np.ones_like(r)
        scale[far] = bulk * (1 + np.log(r[far] / bulk)) / r[far]
        xs, ys = cx + (xs - cx) * scale, cy + (ys - cy) * scale
    return {n.id: (float(x), float(y)) for n, x, y in zip(nodes, xs, ys, strict=True)}


def _projector(points: list[tuple[float, float]]):
    """Return a function mapping km coordinates to SVG pixels, keeping the aspect ratio."""
    xs = [p[0] for p in points] or [0.0]
    ys = [p[1] for p in points] or [0.0]
    span_x = max(max(xs) - min(xs), 1e-9)
    span_y = max(max(ys) - min(ys), 1e-9)
    scale = min((WIDTH - 2 * MARGIN) / span_x, (HEIGHT - 2 * MARGIN) / span_y)
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2

    def project(x: float, y: float) -> tuple[float, float]:
        return WIDTH / 2 + (x - cx) * scale, HEIGHT / 2 - (y - cy) * scale

    return project


@dataclass(frozen=True, slots=True)
class Spot:
    """Where a facility is drawn, in SVG pixels: centre and radius."""

    id: str
    x: float
    y: float
    r: float


def facility_spots(nodes: list[Node]) -> list[Spot]:
    """Pixel centre and radius of each facility (radius grows with the square root of volume)."""
    km = _compress(nodes)
    project = _projector(list(km.values()))
    top_volume = max([n.volume for n in nodes if n.volume > 0] or [1.0])
    return [
        Spot(n.id, *project(*km[n.id]), 6 + 16 * math.sqrt(max(n.volume, 0.0) / top_volume))
        for n in nodes
    ]


def park_svg(nodes: list[Node], exchanges: list[Link], ties: list[Link] = ()) -> str:
    """Return the park map as an SVG document string.

    Args:
        nodes: facilities to draw.
        exchanges: active exchanges (several between one pair are drawn as separate arcs).
        ties: social ties to draw as thin grey lines (empty to hide them).
    """
    spots = {s.id: s for s in facility_spots(nodes)}
    pos = {k: (s.x, s.y) for k, s in spots.items()}
    colours = sector_colours([n.sector for n in nodes])
    top_flow = max([e.volume for e in exchanges if e.volume > 0] or [1.0])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'class="trustsim-map" role="img" aria-label="map of the park" '
        f'style="display:block;width:100%;max-width:{WIDTH}px;background:#fbfbf8">'
    ]
    for tie in ties:
        if tie.source in pos and tie.target in pos:
            (x1, y1), (x2, y2) = pos[tie.source], pos[tie.target]
            parts.append(
                f'<line class="tie" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                f'stroke="#9a9a9a" stroke-width="1" stroke-opacity="0.7">'
                f"<title>{escape(tie.tooltip)}</title></line>"
            )
    seen: dict[frozenset[str], int] = {}
    for link in exchanges:
        if link.source not in pos or link.target not in pos:
            continue
        pair = frozenset((link.source, link.target))
        k = seen.get(pair, 0)
        seen[pair] = k + 1
        parts.append(_exchange_path(link, pos, k, top_flow))
    for node in nodes:
        x, y, r = spots[node.id].x, spots[node.id].y, spots[node.id].r
        opacity = 1.0 if node.active else 0.3
        parts.append(
            f'<g class="facility" data-id="{escape(node.id)}" opacity="{opacity}">'
            f"<title>{escape(node.tooltip)}</title>"
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{colours[node.sector]}" '
            f'stroke="#333" stroke-width="1"/>'
            f'<text x="{x:.1f}" y="{y + r + 12:.1f}" font-size="11" text-anchor="middle" '
            f'font-family="sans-serif" fill="#222">{escape(short_name(node.name))}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _exchange_path(link: Link, pos: dict, k: int, top_flow: float) -> str:
    """SVG path of one exchange: the k-th between its pair bends further from the straight line."""
    (x1, y1), (x2, y2) = pos[link.source], pos[link.target]
    length = math.hypot(x2 - x1, y2 - y1) or 1.0
    bend = (0 if k == 0 else (k + 1) // 2 * 18 * (1 if k % 2 else -1)) if length > 1 else 0
    mx, my = (x1 + x2) / 2 - bend * (y2 - y1) / length, (y1 + y2) / 2 + bend * (x2 - x1) / length
    width = 1.5 + 5 * math.sqrt(max(link.volume, 0.0) / top_flow)
    dash = ' stroke-dasharray="7 4"' if link.byproduct else ""
    kind = "byproduct" if link.byproduct else "utility"
    d = f"M{x1:.1f},{y1:.1f} Q{mx:.1f},{my:.1f} {x2:.1f},{y2:.1f}"
    return (
        f'<path class="exchange {kind}" d="{d}" '
        f'fill="none" stroke="{trust_colour(link.trust)}" stroke-width="{width:.1f}"{dash} '
        f'stroke-linecap="round"><title>{escape(link.tooltip)}</title></path>'
    )


def legend_html(sectors: list[str]) -> str:
    """Return a small HTML legend: sector colours, line styles and the trust scale."""
    colours = sector_colours(sectors)
    swatches = "".join(
        f'<span style="margin-right:10px"><span style="display:inline-block;width:10px;'
        f'height:10px;border-radius:5px;background:{c}"></span> {escape(s)}</span>'
        for s, c in colours.items()
    )
    ramp = ", ".join(trust_colour(t / 4) for t in range(5))
    return (
        f'<div style="font-size:12px;line-height:1.8">{swatches}<br>'
        "<b>&#8212;</b> utility &nbsp; <b>- - -</b> by-product &nbsp; thicker = more volume "
        f'&nbsp; trust: low <span style="display:inline-block;width:80px;height:8px;'
        f'background:linear-gradient(to right, {ramp})"></span> high</div>'
    )
