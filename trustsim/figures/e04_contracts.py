"""E4 contracts: which contract forms and survives, from the managers of E1.

Kalundborg with half forward-looking and half always-defecting managers who imitate
better-earning neighbours, a grim partner response (``trust_loss = 1``), swept over the
probability that a formal contract is enforced, patience, and the by-product temptation.
Top row: active contracts of each type at the end (by-product temptation at its highest);
middle row: active utility and by-product exchanges; bottom row: (left) exchanges ended by
breach per exchange formed, one line per patience, (right) the utility share of the first ten
exchanges, one line per by-product temptation (P3's mechanism on and off), then the ablation
of the spec's ``[claim]`` (the patience effect on relational contracts, with the partner's
response and with imitation switched off in turn). 95% intervals over replicates.
"""

from __future__ import annotations

from trustsim.figures import ablation
from trustsim.figures.common import contrast, lines, means
from trustsim.figures.core import Context, Finding, experiment, fmt

CONTRACTS = {
    "relational_contracts": "relational",
    "formal_contracts": "formal",
    "spot_contracts": "spot",
}
KINDS = {"utility_exchanges": "utilities", "byproduct_exchanges": "by-products"}


@experiment(
    "E4",
    "E04_contracts.toml",
    "Contracts: which forms and survives, from adaptive forward-looking managers",
    ("P3", "P9"),
)
def build(ctx: Context) -> list[Finding]:
    """Run the E4 grid, draw contract mix, breaches and first exchanges, test the rules."""
    import matplotlib.pyplot as plt

    from trustsim.figures import plotting

    runs = ctx.sweep("E4")
    runs = runs[runs.status == "ok"].copy()
    runs["breach_share"] = runs.ended_breach / runs.exchanges_formed.where(
        runs.exchanges_formed > 0)
    temps = sorted(runs.byproduct_temptation.unique())
    hot = runs[runs.byproduct_temptation == temps[-1]]
    table = means(hot, [*CONTRACTS, *KINDS, "breach_share"], by=["patience", "enforcement"])
    levels = sorted(runs.patience.unique())
    ncol = max(len(levels), 3)
    fig, axes = plt.subplots(3, ncol, figsize=(2.5 * ncol + 0.6, 6.8), squeeze=False)
    letters = iter("abcdefghijkl")
    for col in range(ncol):
        for row, names in enumerate((CONTRACTS, KINDS)):
            ax = axes[row, col]
            if col >= len(levels):
                ax.set_visible(False)
                continue
            part = table[(table.patience == levels[col]) & table.metric.isin(names)]
            plotting.plot_lines(part, x="enforcement", y="mean", hue="metric", lo="ci_low",
                                hi="ci_high", order=list(names), labels=names, ax=ax)
            ax.set_ylim(bottom=0.0)  # counts: intervals over few replicates pass below 0
            what = "contracts" if row == 0 else "exchanges"
            ax.set(xlabel="enforcement probability p", ylabel=f"active {what}",
                   title=f"({next(letters)}) {what}, delta = {fmt(levels[col])}")
            if col:
                ax.get_legend().remove()
    lines(table, "breach_share", x="enforcement", hue="patience", ax=axes[2, 0],
          ylabel="ended by breach / formed", xlabel="enforcement probability p",
          title=f"({next(letters)}) breaches", legend_title="patience")
    first = means(runs[runs.patience == levels[-1]], ["utility_share_first10"],
                  by=["byproduct_temptation", "enforcement"])
    lines(first, "utility_share_first10", x="enforcement", hue="byproduct_temptation",
          ax=axes[2, 1], ylabel="utility share, first 10", xlabel="enforcement probability p",
          title=f"({next(letters)}) P3, delta = {fmt(levels[-1])}",
          legend_title="by-product T - R")
    result = ablation.ablate(ctx, "E4", runs)
    ablation.draw(result, axes[2, 2], f"({next(letters)}) ablation: relational (P9)")
    for ax in axes[2, :2]:
        ax.set_ylim(0.0, 1.05)  # shares: intervals over few replicates may pass 0 or 1
    for ax in axes[2, 3:]:
        ax.set_visible(False)
    ctx.save(fig, "E04_contracts")

    lo_p, hi_p = levels[0], levels[-1]
    enf = sorted(runs.enforcement.unique())
    lo_e, hi_e = enf[0], enf[-1]
    t_hi = {"byproduct_temptation": temps[-1]}
    relational = contrast(runs, "relational_contracts",
                          {**t_hi, "patience": lo_p, "enforcement": lo_e},
                          {**t_hi, "patience": hi_p, "enforcement": lo_e})
    breach = contrast(runs, "breach_share", {**t_hi, "patience": lo_p, "enforcement": lo_e},
                      {**t_hi, "patience": lo_p, "enforcement": hi_e})
    formal = contrast(runs, "formal_contracts", {**t_hi, "patience": lo_p, "enforcement": lo_e},
                      {**t_hi, "patience": lo_p, "enforcement": hi_e})
    p3 = contrast(runs, "utility_share_first10",
                  {"byproduct_temptation": temps[0], "patience": hi_p, "enforcement": lo_e},
                  {"byproduct_temptation": temps[-1], "patience": hi_p, "enforcement": lo_e})
    runs["byproduct_delay"] = runs.first_byproduct_year - runs.first_exchange_year
    delay = contrast(runs, "byproduct_delay",
                     {"byproduct_temptation": temps[0], "patience": hi_p, "enforcement": lo_e},
                     {"byproduct_temptation": temps[-1], "patience": hi_p, "enforcement": lo_e})
    shows = {
        "relational contracts with patience": relational.significant and relational.diff > 0,
        "fewer breaches with enforcement": breach.significant and breach.diff < 0,
        "utilities first from the by-product hazard": p3.significant and p3.diff > 0,
    }
    text = (
        f"{len(runs)} runs. Without enforcement, relational contracts go "
        f"{relational.describe()} from patience {fmt(lo_p)} to {fmt(hi_p)}. At patience "
        f"{fmt(lo_p)}, enforcement {fmt(lo_e)} -> {fmt(hi_e)} moves exchanges ended by breach "
        f"per exchange formed {breach.describe()}, and formal contracts {formal.describe()} "
        "(formal contracts need enforcement > 0 by the contract rule: that part is by "
        f"construction, not a finding). P3: raising the by-product temptation from "
        f"{fmt(temps[0])} (as utilities) to {fmt(temps[-1])} moves the utility share of the "
        f"first ten exchanges {p3.describe()} and the years from the first exchange to the "
        f"first by-product {delay.describe()} (patience {fmt(hi_p)}, no enforcement). "
    )
    held = [k for k, v in shows.items() if v]
    failed = [k for k, v in shows.items() if not v]
    holds = not failed
    text += (
        "All three verdict rules of the spec hold."
        if holds
        else f"Verdict rules that hold: {', '.join(held) or 'none'}; that do not hold beyond "
        f"the 95% interval: {', '.join(failed)}."
    )
    text += " Ablation. " + result.describe()
    verdict = result.verdict()
    holds = holds if verdict is None else bool(holds and verdict)
    return [ctx.finding("E4", "E04_contracts", text, holds)]
