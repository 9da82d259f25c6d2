"""E8 regulation: the year by-products stop being regulated as waste, in Kalundborg.

Before the reform a by-product exchange pays a permit and loses ``liability_share`` of its
value to waste liability; after it, neither. Panel (a): by-product exchanges in operation at
the end against the reform year ("never" at the right), one line per pre-reform burden, 95%
intervals over replicates; panel (b): by-product exchanges over time (median over replicates)
for each reform year at the heaviest burden, the reform marked; (c) the ablation of the spec's
``[claim]`` (the reform's effect at the scenario's own burden and across the sweep, with the
regulatory cost and the landfill tax switched off in turn); (d) the P3 ablation: the lag from
the first exchange to the first by-product exchange, with the by-products' higher trust
threshold, waste regulation and their coordination cost switched off in turn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from trustsim.figures import ablation
from trustsim.figures.common import contrast, lines, means
from trustsim.figures.core import Context, Finding, experiment, fmt

if TYPE_CHECKING:
    import pandas as pd


def lag(runs: pd.DataFrame) -> pd.DataFrame:
    """Add ``byproduct_lag``: years from the first exchange to the first by-product exchange.

    A run without a by-product exchange counts to its end (a lower bound on its lag).
    """
    first = runs.first_byproduct_year.fillna(runs.year)
    return runs.assign(byproduct_lag=first - runs.first_exchange_year)


@experiment(
    "E8",
    "E08_regulation.toml",
    "Regulation: reform year against by-product exchanges",
    ("P3", "P12"),
)
def build(ctx: Context) -> list[Finding]:
    """Run the reform-year sweep; draw end-state by-products and by-product growth over time."""
    import matplotlib.pyplot as plt

    runs = lag(ctx.sweep("E8"))
    runs = runs[runs.status == "ok"].copy()
    ts = ctx.timeseries("E8")
    years = sorted(int(y) for y in runs.regulatory_reform_year.dropna().unique())
    never = (years[-1] + 10) if years else 2030
    has_never = bool(runs.regulatory_reform_year.isna().any())
    runs["reform"] = runs.regulatory_reform_year.fillna(never).astype(float)
    ts["reform"] = ts.regulatory_reform_year.fillna(never).astype(float)
    table = means(
        runs, ["byproduct_exchanges", "utility_exchanges"], by=["liability_share", "reform"]
    )
    fig, (ax_a, ax_b, ax_c, ax_d) = plt.subplots(1, 4, figsize=(13.2, 2.9))
    lines(
        table,
        "byproduct_exchanges",
        x="reform",
        hue="liability_share",
        ax=ax_a,
        xlabel="reform year",
        ylabel="active by-product exchanges at the end",
        title="(a) by-products by reform year",
        legend_title="liability share",
    )
    ticks = [*years, never] if has_never else years
    ax_a.set_xticks(ticks, [str(y) for y in years] + (["never"] if has_never else []), rotation=45)
    heavy = runs.liability_share.max()
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    part_h = ts[np.isclose(ts.liability_share, heavy)]
    for i, reform in enumerate(sorted(part_h.reform.unique())):
        part = part_h[part_h.reform == reform]
        year = np.floor(part.year + 1e-9).astype(int)
        med = part.assign(y=year).groupby("y").byproduct_exchanges.median()
        color = colors[i % len(colors)]
        ax_b.plot(
            med.index,
            med.values,
            color=color,
            ls="-",
            label="never" if reform == never else str(int(reform)),
        )
        if reform != never:
            ax_b.axvline(reform, color=color, lw=0.6, ls=":")
    ax_b.set(
        xlabel="year",
        ylabel="by-product exchanges (median)",
        title=f"(b) over time, liability share {fmt(heavy)}",
    )
    ax_b.legend(title="reform", fontsize=6, ncol=2)
    result = ablation.ablate(ctx, "E8", runs)
    ablation.draw(result, ax_c, "(c) ablation: effect of the reform (P12)")
    order = ablation.ablate(ctx, "E8", runs, derive=lag, index=1)
    ablation.draw(order, ax_d, "(d) ablation: by-products later (P3)")
    ctx.save(fig, "E08_regulation")

    early, late = min(runs.reform), max(runs.reform)
    label_late = "never" if late == never else str(int(late))
    notes, effects = [], []
    for burden in sorted(runs.liability_share.unique()):
        byp = contrast(
            runs,
            "byproduct_exchanges",
            {"liability_share": burden, "reform": late},
            {"liability_share": burden, "reform": early},
        )
        effects.append(byp)
        notes.append(f"liability share {fmt(burden)}: {byp.describe()}")
    util = contrast(runs, "utility_exchanges", {"reform": late}, {"reform": early})
    text = (
        f"{len(runs)} runs. By-product exchanges at the end, reform {label_late} -> reform in "
        f"{int(early)}: " + "; ".join(notes) + f". Utility exchanges over the same change: "
        f"{util.describe()}."
    )
    heavy_shows = effects[-1].significant and effects[-1].diff > 0
    own_shows = effects[0].significant and effects[0].diff > 0
    text += (
        f" At the scenario's own burden (liability share {fmt(min(runs.liability_share))}) the "
        "reform " + ("raises" if own_shows else "does not raise beyond the 95% interval")
        + " by-product exchanges; under the heaviest burden "
        f"({fmt(heavy)}) it " + ("does" if heavy_shows else "does not") + ". "
    )
    text += "P12. " + result.describe() + " P3. " + order.describe()
    verdicts = [result.verdict(), order.verdict()]
    holds = False if False in verdicts else (None if None in verdicts else True)
    return [ctx.finding("E8", "E08_regulation", text, holds)]
