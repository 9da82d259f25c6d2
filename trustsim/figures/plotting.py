"""Figure functions: tidy data in, a matplotlib ``Axes`` out.

Every function takes the data it draws and an optional ``ax``; without one it makes a new
figure. None of them runs a simulation or computes a statistic beyond what it is given, so a
notebook user can restyle any panel (``with trustsim.figures.styles.paper(): plot_...(df, ax=ax)``).
:func:`save_figure` writes PNG and PDF with metadata stripped, so the same data give
byte-identical files.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from trustsim.figures.styles import save_metadata

if TYPE_CHECKING:
    import networkx as nx
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "plot_band",
    "plot_bars",
    "plot_box_limits",
    "plot_degree_distribution",
    "plot_effects",
    "plot_lines",
    "plot_morris",
    "plot_network",
    "plot_peeling_trajectory",
    "plot_phase_diagram",
    "plot_reference",
    "plot_sobol",
    "save_figure",
]

#: Resolution of the PNGs (committed in figures/, so kept small); PDFs are vector.
PNG_DPI = 150


def _axes(ax: Axes | None) -> Axes:
    """Return ``ax``, or the Axes of a new figure when it is None."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.figure().add_subplot()


def _colors(ax: Axes) -> list[str]:
    """Return the colour cycle of the current style."""
    import matplotlib.pyplot as plt

    return list(plt.rcParams["axes.prop_cycle"].by_key().get("color", ["k"]))


def _edges(centres: np.ndarray) -> np.ndarray:
    """Return cell edges for sorted cell centres (midpoints, extended half a step outward)."""
    c = np.asarray(centres, dtype=float)
    if c.size == 1:
        return np.array([c[0] - 0.5, c[0] + 0.5])
    mid = (c[1:] + c[:-1]) / 2
    return np.concatenate([[c[0] - (mid[0] - c[0])], mid, [c[-1] + (c[-1] - mid[-1])]])


def plot_phase_diagram(
    grid: pd.DataFrame,
    *,
    x: str,
    y: str,
    value: str,
    boundary: Callable[[np.ndarray], np.ndarray] | pd.DataFrame | None = None,
    boundary_label: str = "closed form",
    vmin: float = 0.0,
    vmax: float = 1.0,
    cmap: str | None = None,
    colorbar_label: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw ``value`` over the ``x`` by ``y`` grid as coloured cells, with a boundary on top.

    Args:
        grid: one row per grid point (already averaged over replicates).
        x: column on the horizontal axis.
        y: column on the vertical axis.
        value: column shown by colour.
        boundary: a function y = f(x), or a frame with columns ``x`` and ``y``, drawn as a line.
        boundary_label: legend label of the boundary.
        vmin: lower end of the colour scale.
        vmax: upper end of the colour scale.
        cmap: colour map (the style's default when None).
        colorbar_label: label of the colour bar (``value`` when None).
        ax: Axes to draw on.

    Returns:
        The Axes.
    """
    ax = _axes(ax)
    table = grid.pivot_table(index=y, columns=x, values=value, aggfunc="mean").sort_index()
    table = table.reindex(sorted(table.columns), axis=1)
    xs = table.columns.to_numpy(dtype=float)
    ys = table.index.to_numpy(dtype=float)
    mesh = ax.pcolormesh(
        _edges(xs), _edges(ys), table.to_numpy(dtype=float), vmin=vmin, vmax=vmax, cmap=cmap
    )
    ax.figure.colorbar(mesh, ax=ax, label=colorbar_label or value)
    if boundary is not None:
        if callable(boundary):
            bx = np.linspace(_edges(xs)[0], _edges(xs)[-1], 200)
            by = np.asarray(boundary(bx), dtype=float)
        else:
            bx = boundary["x"].to_numpy(dtype=float)
            by = boundary["y"].to_numpy(dtype=float)
        ax.plot(bx, by, color="white", lw=2.4)
        ax.plot(bx, by, color="black", lw=1.0, ls="--", label=boundary_label)
        ax.set_ylim(_edges(ys)[0], _edges(ys)[-1])
        ax.legend(loc="lower right", frameon=True, facecolor="white", framealpha=0.85)
    ax.set_xlim(_edges(xs)[0], _edges(xs)[-1])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    return ax


def plot_lines(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    hue: str | None = None,
    lo: str | None = None,
    hi: str | None = None,
    markers: bool = True,
    order: Sequence[Any] | None = None,
    labels: Mapping[Any, str] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw ``y`` against ``x``, one line per ``hue`` group, with a shaded ``lo``-``hi`` band.

    Args:
        data: one row per (group, x), already aggregated.
        x: column on the horizontal axis.
        y: column of the central estimate.
        hue: column that splits the lines (one line when None).
        lo: column of the band's lower edge (no band when None).
        hi: column of the band's upper edge.
        markers: mark the data points.
        order: order of the hue groups (sorted when None).
        labels: legend label per hue value.
        ax: Axes to draw on.

    Returns:
        The Axes.
    """
    ax = _axes(ax)
    colors = _colors(ax)
    groups: Iterable[Any] = [None] if hue is None else (order or sorted(data[hue].unique()))
    for i, group in enumerate(groups):
        part = data if group is None else data[data[hue] == group]
        part = part.sort_values(x)
        label = None if group is None else (labels or {}).get(group, str(group))
        color = colors[i % len(colors)]
        ax.plot(part[x], part[y], marker="o" if markers else None, color=color, label=label)
        if lo is not None and hi is not None:
            ax.fill_between(part[x], part[lo], part[hi], color=color, alpha=0.2, lw=0)
    if hue is not None:
        ax.legend(title=None)
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    return ax


def plot_bars(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    hue: str | None = None,
    lo: str | None = None,
    hi: str | None = None,
    order: Sequence[Any] | None = None,
    hue_order: Sequence[Any] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw grouped bars of ``y`` per ``x`` category, split by ``hue``, with error bars.

    Args:
        data: one row per (x, hue), already aggregated.
        x: column of the categories on the horizontal axis.
        y: column of the bar heights.
        hue: column that splits each category into side-by-side bars.
        lo: column of the interval's lower end (no error bars when None).
        hi: column of the interval's upper end.
        order: order of the categories.
        hue_order: order of the hue groups.
        ax: Axes to draw on.

    Returns:
        The Axes.
    """
    ax = _axes(ax)
    colors = _colors(ax)
    cats = list(order or sorted(data[x].unique()))
    hues: list[Any] = [None] if hue is None else list(hue_order or sorted(data[hue].unique()))
    width = 0.8 / len(hues)
    for j, group in enumerate(hues):
        part = data if group is None else data[data[hue] == group]
        part = part.set_index(x).reindex(cats)
        pos = np.arange(len(cats)) - 0.4 + width * (j + 0.5)
        heights = part[y].to_numpy(dtype=float)
        err = None
        if lo is not None and hi is not None:
            err = np.vstack(
                [heights - part[lo].to_numpy(float), part[hi].to_numpy(float) - heights]
            )
        ax.bar(
            pos,
            heights,
            width,
            color=colors[j % len(colors)],
            label=group,
            yerr=err,
            error_kw={"elinewidth": 0.7, "capsize": 1.5},
        )
    ax.set_xticks(np.arange(len(cats)), [str(c) for c in cats])
    if hue is not None:
        ax.legend()
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    return ax


def plot_band(
    band: pd.DataFrame,
    *,
    x: str,
    mid: str,
    lo: str,
    hi: str,
    observed: pd.DataFrame | None = None,
    observed_x: str = "year",
    observed_y: str = "value",
    label: str = "model",
    observed_label: str = "observed",
    color: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw a model band (``lo``-``hi`` around ``mid``) over ``x``, with observed points on top.

    Args:
        band: one row per x with the central line and the band's edges.
        x: column on the horizontal axis.
        mid: column of the central line (e.g. the median over replicates).
        lo: column of the band's lower edge.
        hi: column of the band's upper edge.
        observed: optional observations drawn as points.
        observed_x: column of the observations' x.
        observed_y: column of the observed values.
        label: legend label of the model line.
        observed_label: legend label of the observations.
        color: colour of the band and line (the style's first colour when None).
        ax: Axes to draw on.

    Returns:
        The Axes.
    """
    ax = _axes(ax)
    colors = _colors(ax)
    color = colors[0] if color is None else color
    band = band.sort_values(x)
    ax.fill_between(band[x], band[lo], band[hi], color=color, alpha=0.25, lw=0)
    ax.plot(band[x], band[mid], color=color, label=label)
    if observed is not None and len(observed):
        ax.plot(
            observed[observed_x],
            observed[observed_y],
            ls="none",
            marker="D",
            color=colors[3 % len(colors)],
            label=observed_label,
        )
    ax.legend()
    ax.set_xlabel(x)
    ax.set_ylabel(mid)
    return ax


def plot_reference(
    x: np.ndarray | Sequence[float],
    y: np.ndarray | Sequence[float],
    *,
    estimate: np.ndarray | Sequence[float],
    error: np.ndarray | Sequence[float] | None = None,
    reference_x: np.ndarray | Sequence[float] | None = None,
    reference_label: str = "theory",
    estimate_label: str = "simulation",
    ax: Axes | None = None,
) -> Axes:
    """Draw a reference curve (theory) and simulated estimates with error bars against ``x``.

    Args:
        x: positions of the estimates.
        y: reference values; at ``reference_x`` when given, else at ``x``.
        estimate: simulated values at ``x``.
        error: half-widths of the estimates' intervals.
        reference_x: where the reference is evaluated (a finer grid for a smooth curve).
        reference_label: legend label of the reference.
        estimate_label: legend label of the estimates.
        ax: Axes to draw on.

    Returns:
        The Axes.
    """
    ax = _axes(ax)
    colors = _colors(ax)
    rx = x if reference_x is None else reference_x
    ax.plot(rx, y, color="black", lw=1.0, ls="--", label=reference_label)
    ax.errorbar(
        x,
        estimate,
        yerr=error,
        ls="none",
        marker="o",
        color=colors[0],
        label=estimate_label,
        elinewidth=0.8,
        capsize=1.5,
    )
    ax.legend()
    return ax


def plot_sobol(
    indices: pd.DataFrame,
    *,
    parameter: str = "parameter",
    first: str = "S1",
    total: str = "ST",
    first_conf: str | None = "S1_conf",
    total_conf: str | None = "ST_conf",
    ax: Axes | None = None,
) -> Axes:
    """Draw first-order and total Sobol indices per parameter as horizontal bars.

    Args:
        indices: one row per parameter, as :func:`trustsim.sweep.analysis.sobol_indices`
            returns it (parameter names as the index or as a column).
        parameter: column (or index name) of the parameter names.
        first: column of the first-order indices.
        total: column of the total-order indices.
        first_conf: column of the first-order confidence half-widths (none when None).
        total_conf: column of the total-order confidence half-widths (none when None).
        ax: Axes to draw on.

    Returns:
        The Axes.
    """
    ax = _axes(ax)
    colors = _colors(ax)
    if parameter not in indices.columns:
        indices = indices.rename_axis(parameter).reset_index()
    data = indices.sort_values(total, ascending=True)
    pos = np.arange(len(data))
    for k, (col, conf, lab) in enumerate(
        [(first, first_conf, "first order"), (total, total_conf, "total")]
    ):
        err = None if conf is None or conf not in data else data[conf].to_numpy(float)
        ax.barh(
            pos + (k - 0.5) * 0.4,
            data[col].to_numpy(float),
            0.4,
            xerr=err,
            color=colors[k],
            label=lab,
            error_kw={"elinewidth": 0.7, "capsize": 1.5},
        )
    ax.set_yticks(pos, data[parameter].astype(str).tolist())
    ax.axvline(0, color="black", lw=0.5)
    ax.set_xlabel("Sobol index")
    ax.legend()
    return ax


def plot_morris(indices: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Draw Morris screening: mu* (mean absolute effect) against sigma, one labelled point each.

    Args:
        indices: :func:`trustsim.sweep.analysis.morris_indices` (index: parameter; columns
            ``mu_star``, ``mu_star_conf``, ``sigma``).
        ax: Axes to draw on.

    Returns:
        The Axes.
    """
    ax = _axes(ax)
    ax.errorbar(indices["mu_star"], indices["sigma"], xerr=indices["mu_star_conf"], fmt="o",
                ms=4, color=_colors(ax)[0], elinewidth=0.7, capsize=1.5)
    for name, row in indices.iterrows():
        ax.annotate(str(name), (row["mu_star"], row["sigma"]), xytext=(3, 3),
                    textcoords="offset points", fontsize="small")
    ax.set_xlabel("mu* (mean |elementary effect|)")
    ax.set_ylabel("sigma (interactions, non-linearity)")
    return ax


def plot_peeling_trajectory(
    trajectory: pd.DataFrame, *, chosen: int | None = None, ax: Axes | None = None
) -> Axes:
    """Draw a PRIM peeling trajectory: density against coverage, coloured by restricted dims.

    Args:
        trajectory: ``coverage``, ``density``, ``res_dim`` per peeling step
            (:attr:`trustsim.sweep.discovery.Box.trajectory`).
        chosen: Step of the chosen box, circled.
        ax: Axes to draw on.

    Returns:
        The Axes.
    """
    ax = _axes(ax)
    points = ax.scatter(trajectory["coverage"], trajectory["density"], c=trajectory["res_dim"],
                        s=12, cmap="viridis")
    ax.figure.colorbar(points, ax=ax, label="restricted parameters")
    if chosen is not None:
        ax.scatter([trajectory.loc[chosen, "coverage"]], [trajectory.loc[chosen, "density"]],
                   s=80, facecolors="none", edgecolors="black", label="chosen box")
        ax.legend(loc="lower left")
    ax.set_xlabel("coverage")
    ax.set_ylabel("density")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    return ax


def plot_box_limits(limits: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Draw a PRIM box: each restricted parameter's kept interval within its swept range.

    Args:
        limits: :attr:`trustsim.sweep.discovery.Box.limits` (index: parameter; ``low``,
            ``high``, ``range_low``, ``range_high``); parameters of choices are left out.
        ax: Axes to draw on.

    Returns:
        The Axes.
    """
    ax = _axes(ax)
    data = limits.dropna(subset=["low", "high"])
    span = (data["range_high"] - data["range_low"]).replace(0.0, 1.0)
    low = (data["low"] - data["range_low"]) / span
    high = (data["high"] - data["range_low"]) / span
    pos = np.arange(len(data))
    ax.barh(pos, 1.0, color="0.9", edgecolor="0.6", lw=0.5)
    ax.barh(pos, high - low, left=low, color=_colors(ax)[0], label="box")
    for k, (_, row) in enumerate(data.iterrows()):
        ax.text(1.02, k, f"[{row['low']:.3g}, {row['high']:.3g}] of "
                f"[{row['range_low']:.3g}, {row['range_high']:.3g}]", va="center",
                fontsize="small")
    ax.set_yticks(pos, [str(n) for n in data.index])
    ax.set_xlim(0, 1.6)
    ax.set_xticks([0, 0.5, 1.0])
    ax.set_xlabel("share of the swept range")
    return ax


def plot_degree_distribution(
    degrees: Mapping[str, Sequence[int]],
    *,
    ax: Axes | None = None,
) -> Axes:
    """Draw the share of nodes with degree >= k (complementary CDF), one line per group.

    Args:
        degrees: group label -> node degrees pooled over replicates.
        ax: Axes to draw on.

    Returns:
        The Axes.
    """
    ax = _axes(ax)
    colors = _colors(ax)
    for i, (label, values) in enumerate(degrees.items()):
        d = np.sort(np.asarray(values, dtype=int))
        if d.size == 0:
            continue
        ks = np.arange(0, d.max() + 1)
        ccdf = np.array([(d >= k).mean() for k in ks])
        ax.step(ks, ccdf, where="post", color=colors[i % len(colors)], label=label)
    ax.set_xlabel("degree k")
    ax.set_ylabel("share of facilities with degree >= k")
    ax.legend()
    return ax


def plot_network(
    graph: nx.Graph,
    *,
    pos: Mapping[Any, Sequence[float]] | None = None,
    edge_attr: str | None = None,
    edge_colors: Mapping[Any, str] | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw an exchange network: nodes sized by degree, edges coloured by an attribute.

    Args:
        graph: the network (a MultiGraph draws each exchange as its own line).
        pos: node -> (x, y) position; the nodes' ``pos``/``x``,``y`` attributes, else a seeded
            spring layout.
        edge_attr: edge attribute that picks the colour (e.g. ``kind``).
        edge_colors: attribute value -> colour (the style's cycle when None).
        title: Axes title.
        ax: Axes to draw on.

    Returns:
        The Axes.
    """
    import networkx as nx

    ax = _axes(ax)
    colors = _colors(ax)
    nodes = sorted(graph.nodes, key=str)
    if pos is None:
        pos = _node_positions(graph)
    if pos is None:
        pos = nx.spring_layout(nx.Graph(graph), seed=0)
    values = (
        sorted({str(d.get(edge_attr)) for *_, d in graph.edges(data=True)}) if edge_attr else []
    )
    palette = dict(edge_colors or {v: colors[i % len(colors)] for i, v in enumerate(values)})
    for u, v, data in sorted(graph.edges(data=True), key=lambda e: (str(e[0]), str(e[1]))):
        key = str(data.get(edge_attr)) if edge_attr else None
        (x0, y0), (x1, y1) = pos[u], pos[v]
        ax.plot(
            [x0, x1], [y0, y1], color=palette.get(key, "0.4"), ls="-", lw=0.9, alpha=0.8, zorder=1
        )
    deg = dict(graph.degree())
    xy = np.array([pos[n] for n in nodes], dtype=float).reshape(-1, 2)
    sizes = np.array([8 + 10 * deg[n] for n in nodes], dtype=float)
    ax.scatter(xy[:, 0], xy[:, 1], s=sizes, color="white", edgecolor="black", lw=0.6, zorder=2)
    for value in values:
        ax.plot([], [], color=palette[value], ls="-", label=value)
    if values:
        ax.legend(loc="best")
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    if title:
        ax.set_title(title)
    return ax


def plot_effects(
    table: pd.DataFrame,
    *,
    threshold: float = 0.0,
    ax: Axes | None = None,
) -> Axes:
    """Draw effects with 95% intervals, one row per condition, two markers per row.

    Args:
        table: Tidy table with ``condition``, ``where`` (two levels, e.g. at the defaults and
            across the sweep), ``estimate``, ``lo`` and ``hi``; rows in drawing order.
        threshold: Smallest effect that counts (a dotted line; none when 0).
        ax: Axes to draw on.

    Returns:
        The Axes.
    """
    ax = _axes(ax)
    colors = _colors(ax)
    conditions = list(dict.fromkeys(table["condition"]))
    wheres = list(dict.fromkeys(table["where"]))
    y = {c: len(conditions) - 1 - i for i, c in enumerate(conditions)}
    for k, where in enumerate(wheres):
        part = table[table["where"] == where]
        ys = np.array([y[c] for c in part["condition"]]) + (0.15 if k == 0 else -0.15)
        est = part["estimate"].to_numpy(dtype=float)
        err = np.vstack([est - part["lo"].to_numpy(dtype=float),
                         part["hi"].to_numpy(dtype=float) - est])
        ax.errorbar(est, ys, xerr=np.nan_to_num(err), fmt="o" if k == 0 else "s",
                    color=colors[k % len(colors)], mfc="white" if k else None, ms=3.5,
                    lw=0.9, capsize=1.5, ls="none", label=where)
    ax.axvline(0.0, color="0.4", lw=0.6)
    if threshold:
        ax.axvline(threshold, color="0.4", lw=0.6, ls=":")
    ax.set_yticks(list(y.values()), [textwrap.fill(c, 26) for c in y])
    ax.set_ylim(-0.5, len(conditions) - 0.5 + 0.6)  # a band above the rows for the legend
    ax.legend(fontsize=6, loc="upper center", ncol=2, frameon=False)
    return ax


def _node_positions(graph: nx.Graph) -> dict[Any, tuple[float, float]] | None:
    """Return positions from node attributes ``pos`` or ``x``/``y``, or None if any is missing."""
    out: dict[Any, tuple[float, float]] = {}
    for node, data in graph.nodes(data=True):
        if "pos" in data:
            out[node] = (float(data["pos"][0]), float(data["pos"][1]))
        elif "x" in data and "y" in data:
            out[node] = (float(data["x"]), float(data["y"]))
        else:
            return None
    return out


def save_figure(
    fig: Figure, stem: str | Path, formats: Sequence[str] = ("png", "pdf")
) -> list[Path]:
    """Write ``fig`` as ``stem.<fmt>`` for each format, with run-dependent metadata removed.

    Args:
        fig: the figure.
        stem: output path without the extension.
        formats: file formats to write.

    Returns:
        The written paths.
    """
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        path = stem.with_suffix(f".{fmt}")
        dpi = PNG_DPI if fmt == "png" else "figure"
        fig.savefig(path, format=fmt, metadata=save_metadata(fmt), dpi=dpi)
        paths.append(path)
    return paths
