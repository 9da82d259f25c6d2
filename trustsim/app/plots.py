"""The live plots: active exchanges by kind, cooperation rate, mean trust, tonnes diverted."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

#: Panels: title -> [(timeseries column, line label, colour)].
PANELS: dict[str, list[tuple[str, str, str]]] = {
    "Active exchanges": [
        ("utility_exchanges", "utility", "#4e79a7"),
        ("byproduct_exchanges", "by-product", "#f28e2b"),
    ],
    "Cooperation rate": [("cooperation_rate", "honoured actions", "#59a14f")],
    "Mean trust": [("mean_trust", "between partners", "#b07aa1")],
    "Tonnes diverted (per year)": [("tonnes_diverted_per_year", "kept out of landfill", "#9c755f")],
}


def series_figure(ts: pd.DataFrame, time_column: str = "year") -> Figure:
    """Return a 2 x 2 figure of the park's time series (columns missing from ``ts`` are skipped).

    Args:
        ts: the park's time series, one row per step.
        time_column: the column for the x axis (falls back to the row number).
    """
    fig = Figure(figsize=(7.2, 4.6), dpi=80, layout="constrained")
    axes = fig.subplots(2, 2, sharex=True)
    x = ts[time_column] if time_column in ts else pd.Series(range(len(ts)))
    for ax, (title, lines) in zip(axes.flat, PANELS.items(), strict=True):
        ax.set_title(title, fontsize=10)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
        for column, label, colour in lines:
            if column in ts:
                ax.plot(x, ts[column], label=label, color=colour, lw=1.6)
        if len(lines) > 1:
            ax.legend(fontsize=8, loc="upper left", frameon=False)
        if title in ("Cooperation rate", "Mean trust"):
            ax.set_ylim(-0.02, 1.02)
    for ax in axes[1]:
        ax.set_xlabel(time_column if time_column in ts else "round", fontsize=9)
    return fig
