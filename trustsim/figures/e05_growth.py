"""E5 growth paths: organic (Kalundborg), planned park and facilitated region over decades.

Three scenarios, one runner spec each, run for the same number of years: (a) active
exchanges per operating facility over the years since the start (median and 10th-90th
percentile band over replicates); (b) the share of exchanges formed that ended, and
the share of parks with no exchange left at the end (means with 95% intervals); (c) the share
of runs that have struck a by-product exchange, against the years since the start.
"""

from __future__ import annotations

import numpy as np

from trustsim.figures.common import contrast
from trustsim.figures.core import Context, Finding, experiment, fmt

#: Scenario label per spec, in the order of the experiment's spec files.
LABELS = ("organic (Kalundborg)", "planned park", "facilitated region")


@experiment(
    "E5",
    ("E05_growth_organic.toml", "E05_growth_planned.toml", "E05_growth_facilitated.toml"),
    "Growth paths: organic, planned and facilitated",
    ("P1", "P10", "P13"),
)
def build(ctx: Context) -> list[Finding]:
    """Run the three scenarios and draw growth, failures and time to a by-product exchange."""
    import matplotlib.pyplot as plt
    import pandas as pd

    from trustsim.figures import plotting
    from trustsim.figures.common import means

    runs, series = [], []
    for which, label in enumerate(LABELS):
        r = ctx.sweep("E5", which)
        r = r[r.status == "ok"].copy()
        ts = ctx.timeseries("E5", which)
        start = ts.groupby(["point", "replicate"]).year.transform("min")
        ts = ts.assign(path=label, since=np.floor(ts.year - start + 1e-9).astype(int))
        ts["per_facility"] = ts.active_exchanges / ts.facilities.clip(lower=1)
        first = ts.groupby(["point", "replicate"]).year.min().rename("start_year")
        r = r.join(first, on=["point", "replicate"])
        r["path"] = label
        r["ended_share"] = r.exchanges_ended / r.exchanges_formed.where(r.exchanges_formed > 0)
        r["no_exchange"] = (r.active_exchanges == 0).astype(float)
        r["years_to_byproduct"] = r.first_byproduct_year - r.start_year
        r["per_facility"] = r.active_exchanges / r.facilities.clip(lower=1)
        runs.append(r)
        series.append(ts)
    runs = pd.concat(runs, ignore_index=True)
    series = pd.concat(series, ignore_index=True)

    fig, (ax_a, ax_b, ax_c) = plt.subplots(1, 3, figsize=(7.2, 2.6))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, label in enumerate(LABELS):
        part = series[series.path == label]
        last = part.sort_values("year").groupby(["point", "replicate", "since"]).tail(1)
        band = last.groupby("since").per_facility.quantile([0.1, 0.5, 0.9]).unstack()
        band.columns = ["lo", "mid", "hi"]
        plotting.plot_band(
            band.reset_index(),
            x="since",
            mid="mid",
            lo="lo",
            hi="hi",
            label=label,
            color=colors[i],
            ax=ax_a,
        )
    ax_a.set(
        xlabel="years since the start",
        ylabel="active exchanges per facility",
        title="(a) growth",
    )
    ax_a.legend(loc="upper left", fontsize=6)

    table = means(runs, ["ended_share", "no_exchange"], by=["path"])
    table["metric"] = table.metric.map(
        {"ended_share": "ended / formed", "no_exchange": "none left"}
    )
    plotting.plot_bars(
        table,
        x="metric",
        y="mean",
        hue="path",
        lo="ci_low",
        hi="ci_high",
        hue_order=list(LABELS),
        ax=ax_b,
    )
    ax_b.set(xlabel="", ylabel="share of exchanges / of runs", ylim=(0, 1.05), title="(b) failures")
    ax_b.get_legend().remove()

    horizon = int(series.since.max())
    grid = np.arange(0, horizon + 1)
    for i, label in enumerate(LABELS):
        wait = runs[runs.path == label].years_to_byproduct.to_numpy(dtype=float)
        share = [(np.nan_to_num(wait, nan=np.inf) <= t).mean() for t in grid]
        ax_c.step(grid, share, where="post", color=colors[i], label=label)
    ax_c.set(
        xlabel="years since the start",
        ylabel="share of runs with a by-product exchange",
        ylim=(0, 1.02),
        title="(c) first by-product exchange",
    )
    ctx.save(fig, "E05_growth_paths")

    notes = []
    for label in LABELS:
        r = runs[runs.path == label]
        wait = r.years_to_byproduct
        notes.append(
            f"{label}: {fmt(r.per_facility.mean(), 3)} active exchanges per facility at year "
            f"{horizon} ({fmt(r.active_exchanges.mean(), 3)} in all), "
            f"{fmt(100 * r.ended_share.mean(), 3)}% of exchanges formed ended, "
            f"{fmt(100 * r.no_exchange.mean(), 3)}% of runs end with none, "
            f"{fmt(100 * wait.notna().mean(), 3)}% reach a by-product exchange"
            + (f" (median after {fmt(wait.median(), 3)} years)" if wait.notna().any() else "")
        )
    organic, planned, facilitated = LABELS
    grp = runs.assign(code=runs.path.map({lab: i for i, lab in enumerate(LABELS)}).astype(float))
    planned_vs_org = contrast(grp, "per_facility", {"code": 0.0}, {"code": 1.0})
    planned_vs_fac = contrast(grp, "per_facility", {"code": 2.0}, {"code": 1.0})
    bp = {lab: runs[runs.path == lab].years_to_byproduct.notna().mean() for lab in LABELS}
    holds = (
        planned_vs_org.significant
        and planned_vs_org.diff < 0
        and planned_vs_fac.significant
        and planned_vs_fac.diff < 0
        and bp[planned] <= min(bp[organic], bp[facilitated])
    )
    text = (
        f"{len(runs)} runs over {horizon} years. " + "; ".join(notes) + ". "
        f"Planned minus organic exchanges per facility: {fmt(planned_vs_org.diff, 3)} "
        f"(95% CI [{fmt(planned_vs_org.low, 3)}, {fmt(planned_vs_org.high, 3)}]); planned minus "
        f"facilitated: {fmt(planned_vs_fac.diff, 3)} (95% CI [{fmt(planned_vs_fac.low, 3)}, "
        f"{fmt(planned_vs_fac.high, 3)}]). "
        + (
            "The planned park does worst, as P10 predicts; organic growth and facilitation do "
            "better."
            if holds
            else "The prediction (the planned park fewest exchanges per facility and least "
            "often a by-product exchange, beyond the 95% interval) does not hold in full at "
            "this size."
        )
    )
    return [ctx.finding("E5", "E05_growth_paths", text, holds)]
