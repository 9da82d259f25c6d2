"""E2 social embeddedness: social cohesion against manager turnover in Kalundborg.

Cohesion sets how likely neighbouring managers share a social tie (gossip and sanctions travel
over ties, trusted ties reveal matches); turnover replaces managers, whose successors inherit
only part of the trust and ties. Panels: active exchanges at the end and the share of rounds
honoured, against turnover, one line per cohesion level, with 95% intervals over replicates;
(c) the ablation: the cohesion effect with gossip, tie discovery and tie trust switched off in
turn (the spec's ``[claim]``, :mod:`trustsim.figures.ablation`).
"""

from __future__ import annotations

from trustsim.figures import ablation
from trustsim.figures.common import contrast, lines, means, why_not
from trustsim.figures.core import Context, Finding, experiment, fmt


@experiment(
    "E2",
    "E02_social_embeddedness.toml",
    "Social embeddedness: cohesion against turnover",
    ("P6", "P7", "P14"),
)
def build(ctx: Context) -> list[Finding]:
    """Run the E2 grid and draw exchanges and cooperation against turnover by cohesion."""
    import matplotlib.pyplot as plt

    runs = ctx.sweep("E2")
    runs = runs[runs.status == "ok"]
    metrics = ["active_exchanges", "cooperation_rate", "ended_turnover"]
    metrics = [m for m in metrics if m in runs]
    table = means(runs, metrics, by=["social_cohesion", "turnover_rate"])
    fig, (ax_a, ax_b, ax_c) = plt.subplots(1, 3, figsize=(9.6, 2.8))
    common = {
        "x": "turnover_rate",
        "hue": "social_cohesion",
        "legend_title": "cohesion",
        "xlabel": "manager turnover (per year)",
    }
    lines(
        table,
        "active_exchanges",
        ax=ax_a,
        ylabel="active exchanges at the end",
        title="(a) surviving exchanges",
        **common,
    )
    lines(
        table,
        "cooperation_rate",
        ax=ax_b,
        ylabel="share of rounds honoured",
        title="(b) cooperation",
        **common,
    )
    result = ablation.ablate(ctx, "E2", runs)
    ablation.draw(result, ax_c, "(c) ablation: effect of cohesion")
    ctx.save(fig, "E02_social_embeddedness")

    coh = sorted(runs.social_cohesion.unique())
    tur = sorted(runs.turnover_rate.unique())
    lo_c, hi_c, lo_t, hi_t = coh[0], coh[-1], tur[0], tur[-1]
    by_cohesion = contrast(
        runs,
        "active_exchanges",
        {"social_cohesion": lo_c, "turnover_rate": lo_t},
        {"social_cohesion": hi_c, "turnover_rate": lo_t},
    )
    by_turnover = contrast(
        runs,
        "active_exchanges",
        {"social_cohesion": hi_c, "turnover_rate": lo_t},
        {"social_cohesion": hi_c, "turnover_rate": hi_t},
    )
    coop = contrast(
        runs,
        "cooperation_rate",
        {"social_cohesion": lo_c, "turnover_rate": hi_t},
        {"social_cohesion": hi_c, "turnover_rate": lo_t},
    )
    text = (
        f"{len(runs)} runs, {int(runs.groupby(['social_cohesion', 'turnover_rate']).size().min())} "
        f"per cell. Raising cohesion from {fmt(lo_c)} to {fmt(hi_c)} at turnover {fmt(lo_t)} "
        f"changes the active exchanges {by_cohesion.describe()}; raising turnover from "
        f"{fmt(lo_t)} to {fmt(hi_t)} a year at cohesion {fmt(hi_c)} changes them "
        f"{by_turnover.describe()}. The share of rounds honoured goes {coop.describe()} from "
        "the least to the most embedded corner"
    )
    shown = (
        by_cohesion.significant
        and by_cohesion.diff > 0
        and (by_turnover.significant and by_turnover.diff < 0)
    )
    text += (
        ": more exchanges with cohesion, fewer with turnover."
        if shown
        else ". The pattern (more exchanges with cohesion, fewer with turnover) does not show "
        "in full. "
        + " ".join(
            r
            for r in (
                why_not(by_cohesion, +1, "Cohesion", ctx.size),
                why_not(by_turnover, -1, "Turnover", ctx.size),
            )
            if r
        )
    )
    text += " " + result.describe()
    holds = result.verdict()
    return [ctx.finding("E2", "E02_social_embeddedness", text, holds)]
