"""E7 scale and density: dispersion of the park against the number of firms in it.

A generated ``region`` of ``n_facilities`` firms spread over a square of side ``region_km``:
transport and pipelines cost more with distance, so the exchanges per firm should fall with
dispersion and rise with density (firms per square km) until a minimum viable density. Panel
(a): mean active exchanges per facility over the grid; panel (b): the same against density,
one line per number of firms, 95% intervals over replicates (over regions, after averaging
within each, when the spec sweeps ``region_seed`` as a blocking factor; the dispersion
contrast then compares each region with itself spread wider). The model has no
facility-size parameter (volumes come with the sector), so the number of firms stands for
scale. Panel (c): the ablation of the spec's ``[claim]`` (the dispersion effect with distance
costs, distance-limited search and social ties switched off in turn).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from trustsim.figures import ablation
from trustsim.figures.common import (
    contrast,
    means,
    per_region,
    region_blocks,
    region_note,
    why_not,
)
from trustsim.figures.core import Context, Finding, experiment, fmt

if TYPE_CHECKING:
    import pandas as pd

#: Exchanges per facility from which a cell counts as symbiosis (one exchange per ten firms).
VIABLE = 0.1


def derive(runs: pd.DataFrame) -> pd.DataFrame:
    """Add exchanges per firm and density (firms per square km) to a table of runs."""
    return runs.assign(per_facility=runs.active_exchanges / runs.n_facilities,
                       density=runs.n_facilities / runs.region_km**2)


@experiment(
    "E7",
    "E07_scale_density.toml",
    "Scale and density: dispersion against the number of firms",
    ("P11",),
)
def build(ctx: Context) -> list[Finding]:
    """Run the E7 grid; draw exchanges per firm over the grid and against density."""
    import matplotlib.pyplot as plt

    from trustsim.figures import plotting

    runs = derive(ctx.sweep("E7"))
    runs = runs[runs.status == "ok"].copy()
    keys = ["n_facilities", "region_km"]
    table = means(per_region(runs, ["per_facility"], keys), ["per_facility"], by=keys)
    block = region_blocks(runs)
    table["density"] = table.n_facilities / table.region_km**2
    fig, (ax_a, ax_b, ax_c) = plt.subplots(1, 3, figsize=(10.2, 2.8))
    cells = table.assign(log_km=np.log2(table.region_km), log_n=np.log2(table.n_facilities))
    vmax = max(float(cells["mean"].max()), VIABLE)
    plotting.plot_phase_diagram(
        cells,
        x="log_km",
        y="log_n",
        value="mean",
        vmin=0.0,
        vmax=vmax,
        colorbar_label="active exchanges per firm",
        ax=ax_a,
    )
    kms, ns = sorted(table.region_km.unique()), sorted(table.n_facilities.unique())
    ax_a.set_xticks(np.log2(kms), [fmt(k) for k in kms])
    ax_a.set_yticks(np.log2(ns), [str(int(n)) for n in ns])
    ax_a.set(xlabel="side of the park (km)", ylabel="firms", title="(a) exchanges per firm")
    plotting.plot_lines(
        table, x="density", y="mean", hue="n_facilities", lo="ci_low", hi="ci_high", ax=ax_b
    )
    ax_b.axhline(VIABLE, color="0.5", lw=0.6, ls=":")
    ax_b.set_xscale("log")
    ax_b.set_ylim(bottom=0.0)  # a count per firm: intervals over few regions may pass below 0
    ax_b.set(
        xlabel="density (firms per square km)",
        ylabel="active exchanges per firm",
        title="(b) against density",
    )
    ax_b.legend(title="firms", fontsize=6)
    result = ablation.ablate(ctx, "E7", runs, derive=derive)
    ablation.draw(result, ax_c, "(c) ablation: effect of dispersion")
    ctx.save(fig, "E07_scale_density")

    notes, rises, reasons, thresholds = [], [], [], []
    for n in ns:
        sparse = contrast(
            runs,
            "per_facility",
            {"n_facilities": n, "region_km": kms[-1]},
            {"n_facilities": n, "region_km": kms[0]},
            block=block,
        )
        rises.append(sparse.significant and sparse.diff > 0)
        reasons.append(why_not(sparse, +1, f"{int(n)} firms", ctx.size))
        part = table[table.n_facilities == n].sort_values("density")
        viable = part[part["mean"] >= VIABLE]
        threshold = (
            f"first at {fmt(viable.density.min(), 2)} firms per square km"
            if len(viable)
            else "at no density on the grid"
        )
        if len(viable) and viable.density.min() > part.density.min():
            thresholds.append(f"{int(n)} firms")
        notes.append(
            f"{int(n)} firms: {fmt(sparse.a, 2)} exchanges per firm over {fmt(kms[-1])} km, "
            f"{fmt(sparse.b, 2)} over {fmt(kms[0])} km (difference {fmt(sparse.diff, 2)}, 95% "
            f"CI [{fmt(sparse.low, 2)}, {fmt(sparse.high, 2)}]); at least {VIABLE} per firm "
            f"{threshold}"
        )
    rho = float(runs[["density", "per_facility"]].corr(method="spearman").iloc[0, 1])
    shown = all(rises)
    text = (
        f"{len(runs)} runs. " + "; ".join(notes) + f". Spearman correlation of exchanges per "
        f"firm with density: {fmt(rho, 2)}. "
        + (
            "Exchanges per firm fall with dispersion at every scale, as P11 predicts. "
            + (
                f"A minimum viable density (at least {VIABLE} exchanges per firm only above "
                f"some density on the grid) shows for {', '.join(thresholds)} only."
                if thresholds
                else f"No minimum viable density shows on the grid: every density reaches "
                f"{VIABLE} exchanges per firm or none does."
            )
            if shown
            else "Exchanges per firm do not fall with dispersion beyond the 95% interval at "
            "every scale. " + " ".join(r for r in reasons if r)
        )
    )
    text += " " + region_note(runs, "per_facility", keys, "exchanges per firm")
    text += " " + result.describe()
    holds = result.verdict()
    return [ctx.finding("E7", "E07_scale_density", text, holds)]
