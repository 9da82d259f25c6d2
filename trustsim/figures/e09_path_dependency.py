"""E9 path dependency: infrastructure reuse and the lock-in it brings.

A generated ``region`` is run with the share of infrastructure cost saved on a connection that
already carries a pipeline swept from 0 (every exchange pays its own) to 0.9. Panels, with
95% intervals over replicates: (a) active exchanges at the end (later exchanges are cheaper
along existing connections), (b) exchanges abandoned for a better alternative (switches: lock-in
shows as fewer of them), (c) the yearly savings of the network. When the spec sweeps
``region_seed`` (regions as a blocking factor), runs are averaged within each region first:
intervals are over regions and the contrasts compare reuse levels within each region.
"""

from __future__ import annotations

from trustsim.figures.common import (
    contrast,
    lines,
    means,
    per_region,
    region_blocks,
    region_note,
    why_not,
)
from trustsim.figures.core import Context, Finding, experiment, fmt


@experiment(
    "E9",
    "E09_path_dependency.toml",
    "Path dependency: infrastructure reuse and lock-in",
    ("P4", "P14"),
)
def build(ctx: Context) -> list[Finding]:
    """Run the reuse sweep; draw switches, corridor bundling and savings."""
    import matplotlib.pyplot as plt

    runs = ctx.sweep("E9")
    runs = runs[runs.status == "ok"].copy()
    runs["savings_m"] = runs.savings_eur_per_year / 1e6
    metrics = ["active_exchanges", "ended_better_alternative", "savings_m"]
    table = means(per_region(runs, metrics, ["infrastructure_reuse"]), metrics,
                  by=["infrastructure_reuse"])
    block = region_blocks(runs)
    fig, axes = plt.subplots(1, 3, figsize=(7.2, 2.5))
    labels = (
        ("active_exchanges", "active exchanges at the end", "(a) exchanges"),
        ("ended_better_alternative", "exchanges left for a better one", "(b) switches"),
        ("savings_m", "savings (million EUR / yr)", "(c) network savings"),
    )
    for ax, (metric, ylabel, title) in zip(axes, labels, strict=True):
        lines(
            table,
            metric,
            x="infrastructure_reuse",
            hue=None,
            ax=ax,
            ylabel=ylabel,
            xlabel="infrastructure reuse",
            title=title,
        )
    ctx.save(fig, "E09_path_dependency")

    lo, hi = runs.infrastructure_reuse.min(), runs.infrastructure_reuse.max()
    a, b = {"infrastructure_reuse": lo}, {"infrastructure_reuse": hi}
    grow = contrast(runs, "active_exchanges", a, b, block=block)
    switch = contrast(runs, "ended_better_alternative", a, b, block=block)
    save = contrast(runs, "savings_m", a, b, block=block)
    any_switch = bool((runs.ended_better_alternative > 0).any())
    text = (
        f"{len(runs)} runs. From reuse {fmt(lo)} to {fmt(hi)}: active exchanges "
        f"{grow.describe()}; exchanges abandoned for a better alternative {switch.describe()}; "
        f"network savings {save.describe(' M EUR/yr')}."
    )
    cheaper = grow.significant and grow.diff > 0
    locked = switch.significant and switch.diff < 0
    holds = cheaper and locked
    text += (
        " Reuse makes later exchanges along existing pipelines pay"
        if cheaper
        else " Reuse does not raise the number of exchanges beyond the 95% interval ("
        + why_not(grow, +1, "exchanges", ctx.size).rstrip(".")
        + ")"
    )
    if not any_switch:
        text += (
            "; no receiver ever left an exchange for a better alternative in these runs, so "
            "the foreclosure half of P4 cannot show here (a model-side limit, not a finding "
            "against it)."
        )
    elif locked:
        text += "; and it locks receivers in: fewer switch to better alternatives, as P4 predicts."
    else:
        text += "; switching to better alternatives does not fall beyond the 95% interval."
    text += " " + region_note(
        runs, "active_exchanges", ["infrastructure_reuse"], "active exchanges"
    )
    return [ctx.finding("E9", "E09_path_dependency", text, holds)]
