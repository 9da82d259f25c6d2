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

#: Sector groups and their colours (Okabe-Ito, readable by colour-blind viewers), fixed across
#: parks so that a sector keeps its colour whatever enters when.
GROUP_COLOURS = {
    "energy": "#E69F00",
    "water": "#56B4E9",
    "oil and chemicals": "#CC79A7",
    "materials": "#999933",
    "pharma and bio": "#009E73",
    "food and farming": "#F0E442",
    "waste and soil": "#8B5A2B",
    "other": "#BBBBBB",
}
#: Every scenario's sectors: sector id -> (readable name, group).
SECTORS = {
    "power": ("power station", "energy"),
    "district_heating": ("district heating", "energy"),
    "gas_grid": ("gas grid", "energy"),
    "biogas": ("biogas plant", "energy"),
    "water_utility": ("water utility", "water"),
    "refinery": ("oil refinery", "oil and chemicals"),
    "refinery_chemicals": ("refinery and chemicals", "oil and chemicals"),
    "chemicals": ("chemicals", "oil and chemicals"),
    "building_materials": ("building materials", "materials"),
    "cement": ("cement", "materials"),
    "manufacturing": ("manufacturing", "materials"),
    "pharma_biotech": ("pharma and biotech", "pharma and bio"),
    "biorefinery": ("biorefinery", "pharma and bio"),
    "agriculture": ("farming", "food and farming"),
    "farm": ("farm", "food and farming"),
    "food": ("food processing", "food and farming"),
    "horticulture": ("greenhouse growing", "food and farming"),
    "aquaculture": ("fish farming", "food and farming"),
    "greenhouse_aquaculture": ("greenhouses and fish farms", "food and farming"),
    "soil_remediation": ("soil cleaning", "waste and soil"),
    "producer": ("producer", "materials"),
    "consumer": ("consumer", "food and farming"),
}
NO_TRUST_COLOUR = "#7f7f7f"
WIDTH, HEIGHT, MARGIN = 960, 600, 56


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
        label: what flows, written on the line ("" for none).
    """

    source: str
    target: str
    byproduct: bool = False
    volume: float = 0.0
    trust: float | None = None
    tooltip: str = ""
    label: str = ""


def short_name(name: str) -> str:
    """A facility's label on the map: its name without the bracketed details."""
    return name.split(" (")[0]


def sector_name(sector: str) -> str:
    """A sector's readable name ("water utility" for ``water_utility``)."""
    return SECTORS.get(sector, (sector.replace("_", " "), "other"))[0]


def sector_colour(sector: str) -> str:
    """A sector's fixed colour: the colour of its group."""
    return GROUP_COLOURS[SECTORS.get(sector, ("", "other"))[1]]


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

    Facility labels and the name of what flows on each exchange are placed so that they do
    not overlap (a label that fits nowhere is left to the hover text).

    Args:
        nodes: facilities to draw.
        exchanges: active exchanges (several between one pair are drawn as separate arcs).
        ties: social ties to draw as thin grey lines (empty to hide them).
    """
    spots = {s.id: s for s in facility_spots(nodes)}
    pos = {k: (s.x, s.y) for k, s in spots.items()}
    top_flow = max([e.volume for e in exchanges if e.volume > 0] or [1.0])
    boxes = [(s.x - s.r, s.y - s.r, s.x + s.r, s.y + s.r) for s in spots.values()]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'class="trustsim-map" role="img" aria-label="map of the park" '
        f'style="display:block;width:100%;background:#fbfbf8">'
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
    flow_labels = []
    for link in exchanges:
        if link.source not in pos or link.target not in pos:
            continue
        pair = frozenset((link.source, link.target))
        k = seen.get(pair, 0)
        seen[pair] = k + 1
        path, middle = _exchange_path(link, pos, k, top_flow)
        parts.append(path)
        if link.label:
            flow_labels.append((middle, link.label))
    labels = []
    for node in nodes:
        spot = spots[node.id]
        text = short_name(node.name)
        w = 6.6 * len(text) + 4
        for dx, dy in ((0, spot.r + 13), (0, -spot.r - 5), (spot.r + 4 + w / 2, 4),
                       (-spot.r - 4 - w / 2, 4), (0, spot.r + 27), (0, -spot.r - 19)):
            box = (spot.x + dx - w / 2, spot.y + dy - 11, spot.x + dx + w / 2, spot.y + dy + 4)
            if _inside(box) and not any(_overlap(box, b) for b in boxes):
                boxes.append(box)
                labels.append(
                    f'<text class="label" x="{spot.x + dx:.1f}" y="{spot.y + dy:.1f}" '
                    f'font-size="13" text-anchor="middle" font-family="sans-serif" fill="#222" '
                    f'paint-order="stroke" stroke="#fbfbf8" stroke-width="3">{escape(text)}</text>'
                )
                break
    for (mx, my), text in flow_labels:
        w = 5.6 * len(text) + 2
        box = (mx - w / 2, my - 9, mx + w / 2, my + 2)
        if _inside(box) and not any(_overlap(box, b) for b in boxes):
            boxes.append(box)
            labels.append(
                f'<text class="flow" x="{mx:.1f}" y="{my:.1f}" font-size="11" '
                f'text-anchor="middle" font-family="sans-serif" fill="#444" font-style="italic" '
                f'paint-order="stroke" stroke="#fbfbf8" stroke-width="3">{escape(text)}</text>'
            )
    for node in nodes:
        x, y, r = spots[node.id].x, spots[node.id].y, spots[node.id].r
        opacity = 1.0 if node.active else 0.3
        parts.append(
            f'<g class="facility" data-id="{escape(node.id)}" opacity="{opacity}">'
            f"<title>{escape(node.tooltip)}</title>"
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{sector_colour(node.sector)}" '
            f'stroke="#333" stroke-width="1"/></g>'
        )
    parts.extend(labels)
    parts.append("</svg>")
    return "".join(parts)


def _inside(box: tuple[float, float, float, float]) -> bool:
    """Whether a label box lies inside the map."""
    return box[0] >= 2 and box[1] >= 2 and box[2] <= WIDTH - 2 and box[3] <= HEIGHT - 2


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    """Whether two boxes (x0, y0, x1, y1) overlap."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _exchange_path(link: Link, pos: dict, k: int, top_flow: float) -> tuple[str, tuple]:
    """SVG path of one exchange (the k-th of a pair bends further out) and its middle point."""
    (x1, y1), (x2, y2) = pos[link.source], pos[link.target]
    length = math.hypot(x2 - x1, y2 - y1) or 1.0
    bend = (0 if k == 0 else (k + 1) // 2 * 22 * (1 if k % 2 else -1)) if length > 1 else 0
    mx, my = (x1 + x2) / 2 - bend * (y2 - y1) / length, (y1 + y2) / 2 + bend * (x2 - x1) / length
    width = 1.5 + 5 * math.sqrt(max(link.volume, 0.0) / top_flow)
    dash = ' stroke-dasharray="7 4"' if link.byproduct else ""
    kind = "byproduct" if link.byproduct else "utility"
    d = f"M{x1:.1f},{y1:.1f} Q{mx:.1f},{my:.1f} {x2:.1f},{y2:.1f}"
    path = (
        f'<path class="exchange {kind}" d="{d}" '
        f'fill="none" stroke="{trust_colour(link.trust)}" stroke-width="{width:.1f}"{dash} '
        f'stroke-linecap="round"><title>{escape(link.tooltip)}</title></path>'
    )
    # the middle of the quadratic curve is halfway between the chord's middle and the control
    return path, ((x1 + x2) / 4 + mx / 2, (y1 + y2) / 4 + my / 2)


def legend_html(nodes: list[Node]) -> str:
    """Return the map's HTML legend: sectors by colour, closed plants, lines and trust scale."""
    groups: dict[str, list[str]] = {}
    for sector in sorted({n.sector for n in nodes}, key=sector_name):
        group = SECTORS.get(sector, ("", "other"))[1]
        groups.setdefault(group, []).append(sector_name(sector))
    swatches = "".join(
        f'<span class="sector" style="margin-right:14px;white-space:nowrap">'
        f'<span style="display:inline-block;width:12px;height:12px;border-radius:6px;'
        f'border:1px solid #333;background:{GROUP_COLOURS[g]}"></span> '
        f"{escape(', '.join(names))}</span> "
        for g, names in sorted(groups.items(), key=lambda kv: list(GROUP_COLOURS).index(kv[0]))
    )
    closed = sorted(short_name(n.name) for n in nodes if not n.active)
    faint = (
        f"<br><span style=\"opacity:.45\">&#9679;</span> faint: closed or not open yet "
        f"({escape(', '.join(closed))})" if closed else ""
    )
    ramp = ", ".join(trust_colour(t / 4) for t in range(5))
    return (
        f'<div class="trustsim-legend" style="font-size:13px;line-height:1.9">{swatches}{faint}'
        "<br><b>&#8212;</b> utility (heat, steam, water) &nbsp; <b>- - -</b> by-product "
        "(gypsum, sludge, ash...) &nbsp; thicker = more volume, <i>italic</i> = what flows "
        f'&nbsp; trust between partners: low <span style="display:inline-block;width:90px;'
        f'height:9px;background:linear-gradient(to right, {ramp})"></span> high</div>'
    )
