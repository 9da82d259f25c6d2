"""E11 global sensitivity: Sobol indices of the main outcomes over the main parameters.

Kalundborg (fixed geography, so the variance is the parameters', not the map's) over a Sobol
design of the levers the claims name: patience, the temptations of utilities and
by-products, social cohesion, turnover, enforcement, search rate and infrastructure cost.
One panel per outcome: first-order and total indices with SALib's bootstrap 95% intervals.
"""

from __future__ import annotations

from trustsim.figures.core import Context, Finding, experiment, fmt

#: Outcomes decomposed, with their panel labels.
OUTCOMES = {
    "active_exchanges": "active exchanges",
    "byproduct_exchanges": "by-product exchanges",
    "savings_eur_per_year": "yearly savings",
}


@experiment(
    "E11",
    "E11_sensitivity.toml",
    "Global sensitivity: Sobol indices of the main outcomes",
    ("P6", "P7", "P9", "P11"),
)
def build(ctx: Context) -> list[Finding]:
    """Run the Sobol design and draw S1 and ST per outcome."""
    import matplotlib.pyplot as plt

    from trustsim.figures import plotting
    from trustsim.sweep.analysis import sobol_indices

    runs = ctx.sweep("E11")
    n_base = ctx.spec("E11").n
    fig, axes = plt.subplots(1, len(OUTCOMES), figsize=(2.6 * len(OUTCOMES) + 0.6, 3.0))
    notes = []
    for i, (ax, (metric, label)) in enumerate(zip(axes, OUTCOMES.items(), strict=True)):
        table = sobol_indices(runs, metric).reset_index()
        plotting.plot_sobol(table, ax=ax)
        ax.set(title=f"({'abc'[i]}) {label}", xlim=(-0.6, 1.6))
        if i:
            ax.get_legend().remove()
        else:
            ax.legend(loc="lower right")
        top = table.sort_values("ST", ascending=False).head(3)
        notes.append(
            f"{label}: largest total indices "
            + ", ".join(
                f"{r.parameter} {fmt(r.ST, 2)} (S1 {fmt(r.S1, 2)})" for r in top.itertuples()
            )
        )
    ctx.save(fig, "E11_sensitivity")
    text = (
        f"Sobol design with {n_base} base samples ({len(runs)} runs). " + "; ".join(notes) + ". "
        "Total minus first-order index measures interactions (the axis is cut at -0.6 and "
        "1.6)."
        + (
            f" With {n_base} base samples the bootstrap intervals are wide: read the ranking, "
            "not the values."
            if n_base < 128
            else ""
        )
    )
    return [ctx.finding("E11", "E11_sensitivity", text, None)]
