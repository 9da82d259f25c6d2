"""E5 growth paths: organic (Kalundborg), planned park and facilitated region over decades.

Three scenarios, one runner spec each, run for the same number of years. The planned spec is
a 2^6 factorial over the six causes the literature gives for the failure of planned parks
(simultaneity, dispersion, weak ties, size, fragility, no broker), with vacated plots re-let;
its first cell (every handicap on) is the planned park of the comparison. The outcome is
exchanges per tenant-year: exchange-years over tenant-years, from the yearly time series, so
a park whose tenants closed still has a defined value. Panels: (a) exchanges per tenant-year
up to each year (median and 10th-90th percentile band over replicates); (b) the share of
exchanges formed that ended and the share of runs with no exchange left at the end (means
with 95% intervals); (c) the share of runs that have struck a by-product exchange, against
the years since the start; (d) the contribution of each cause: the main effect of removing
it (averaged over the other factors), and of removing all six, with 95% intervals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from trustsim.figures.ablation import Ablation, Claim, Effect
from trustsim.figures.common import contrast
from trustsim.figures.core import Context, Finding, experiment, fmt

if TYPE_CHECKING:
    import pandas as pd

#: Scenario label per spec, in the order of the experiment's spec files.
LABELS = ("organic (Kalundborg)", "planned park", "facilitated region")

#: The planned park's handicaps: the swept parameter of each cause.
CAUSES = {
    "simultaneity": "entry_spread_years",
    "dispersion": "region_km",
    "weak ties": "social_cohesion",
    "small tenants": "tenant_scale",
    "fragility": "fragility_scale",
    "no broker": "broker_year",
}

METRIC = "exchanges_per_tenant_year"


def per_tenant_year(ts: pd.DataFrame) -> pd.DataFrame:
    """Exchange-years over tenant-years of each run (``point``, ``replicate``, the metric)."""
    sums = ts.groupby(["point", "replicate"])[["active_exchanges", "facilities"]].sum()
    out = (sums.active_exchanges / sums.facilities.where(sums.facilities > 0)).rename(METRIC)
    return out.reset_index()


def _cumulative(ts: pd.DataFrame) -> pd.DataFrame:
    """Exchanges per tenant-year up to each year since the start, per run."""
    ts = ts.sort_values(["point", "replicate", "year"])
    g = ts.groupby(["point", "replicate"])
    ex, fac = g.active_exchanges.cumsum(), g.facilities.cumsum()
    return ts.assign(cum=ex / fac.where(fac > 0))


def _levels(raw: dict[str, Any], param: str) -> tuple[Any, Any]:
    """The (present, removed) levels of a cause in the planned spec (none -> NaN)."""
    present, removed = raw["sweep"][param]
    return tuple(np.nan if v in ("none", None) else float(v) for v in (present, removed))


def _match(runs: pd.DataFrame, param: str, value: float) -> np.ndarray:
    col = runs[param].to_numpy(dtype=float)
    return np.isnan(col) if np.isnan(value) else np.isclose(col, value)


@experiment(
    "E5",
    ("E05_growth_organic.toml", "E05_growth_planned.toml", "E05_growth_facilitated.toml"),
    "Growth paths: organic, planned and facilitated",
    ("P1", "P10", "P13"),
)
def build(ctx: Context) -> list[Finding]:
    """Run the three scenarios; draw growth, failures, by-products and the causes' shares."""
    import matplotlib.pyplot as plt
    import pandas as pd

    from trustsim.figures import plotting
    from trustsim.figures.common import means

    planned_raw = ctx.raw_spec("E5", 1)
    levels = {cause: _levels(planned_raw, p) for cause, p in CAUSES.items()}
    runs, series, factorial = [], [], None
    for which, label in enumerate(LABELS):
        r = ctx.sweep("E5", which)
        r = r[r.status == "ok"].copy()
        ts = ctx.timeseries("E5", which)
        r = r.merge(per_tenant_year(ts), on=["point", "replicate"], how="left")
        start = ts.groupby(["point", "replicate"]).year.transform("min")
        ts = ts.assign(since=np.floor(ts.year - start + 1e-9).astype(int))
        first = ts.groupby(["point", "replicate"]).year.min().rename("start_year")
        r = r.join(first, on=["point", "replicate"])
        if which == 1:
            factorial = r
            base = np.ones(len(r), dtype=bool)
            for cause, p in CAUSES.items():
                base &= _match(r, p, levels[cause][0])
            cell = r.loc[base, "point"].unique()
            r, ts = r[r.point.isin(cell)].copy(), ts[ts.point.isin(cell)]
        r["path"] = label
        r["spec"] = float(which)
        r["ended_share"] = r.exchanges_ended / r.exchanges_formed.where(r.exchanges_formed > 0)
        r["no_exchange"] = (r.active_exchanges == 0).astype(float)
        r["years_to_byproduct"] = r.first_byproduct_year - r.start_year
        runs.append(r)
        series.append(ts.assign(path=label))
    runs = pd.concat(runs, ignore_index=True)
    series = pd.concat(series, ignore_index=True)

    fig, axes = plt.subplots(1, 4, figsize=(11.0, 2.8))
    ax_a, ax_b, ax_c, ax_d = axes
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, label in enumerate(LABELS):
        part = _cumulative(series[series.path == label])
        last = part.groupby(["point", "replicate", "since"]).tail(1)
        band = last.groupby("since").cum.quantile([0.1, 0.5, 0.9]).unstack()
        band.columns = ["lo", "mid", "hi"]
        plotting.plot_band(band.reset_index(), x="since", mid="mid", lo="lo", hi="hi",
                           label=label, color=colors[i], ax=ax_a)
    ax_a.set(xlabel="years since the start", ylabel="exchanges per tenant-year so far",
             title="(a) growth")
    ax_a.legend(loc="upper left", fontsize=6)

    table = means(runs, ["ended_share", "no_exchange"], by=["path"])
    table["metric"] = table.metric.map(
        {"ended_share": "ended / formed", "no_exchange": "none left"}
    )
    plotting.plot_bars(table, x="metric", y="mean", hue="path", lo="ci_low", hi="ci_high",
                       hue_order=list(LABELS), ax=ax_b)
    ax_b.set(xlabel="", ylabel="share of exchanges / of runs", ylim=(0, 1.05), title="(b) failures")
    ax_b.get_legend().remove()

    horizon = int(series.since.max())
    grid = np.arange(0, horizon + 1)
    for i, label in enumerate(LABELS):
        wait = runs[runs.path == label].years_to_byproduct.to_numpy(dtype=float)
        share = [(np.nan_to_num(wait, nan=np.inf) <= t).mean() for t in grid]
        ax_c.step(grid, share, where="post", color=colors[i], label=label)
    ax_c.set(xlabel="years since the start", ylabel="share of runs with a by-product exchange",
             ylim=(0, 1.02), title="(c) first by-product exchange")

    # (d) contributions: main effects in the factorial, and all six removed together
    rows, effects = [], {}
    for cause, p in CAUSES.items():
        present, removed = levels[cause]
        fac = factorial.assign(_on=_match(factorial, p, removed).astype(float))
        c = contrast(fac, METRIC, {"_on": 0.0}, {"_on": 1.0})
        effects[cause] = c
        rows.append({"condition": cause, "where": "main effect", "estimate": c.diff,
                     "lo": c.low, "hi": c.high})
    none_on = np.ones(len(factorial), dtype=bool)
    for cause, p in CAUSES.items():
        none_on &= _match(factorial, p, levels[cause][1])
    removed_all = factorial[none_on].assign(path="planned, all six removed", spec=1.0)
    planned_cell = runs[runs.spec == 1.0]
    both = pd.concat([planned_cell.assign(_all=0.0), removed_all.assign(_all=1.0)])
    lift = contrast(both, METRIC, {"_all": 0.0}, {"_all": 1.0})
    rows.append({"condition": "all six", "where": "main effect", "estimate": lift.diff,
                 "lo": lift.low, "hi": lift.high})
    plotting.plot_effects(pd.DataFrame(rows), ax=ax_d)
    ax_d.get_legend().remove()
    ax_d.set(xlabel="change in exchanges per tenant-year", title="(d) gain from removing a cause")
    ctx.save(fig, "E05_growth_paths")

    claim = Claim.from_table(ctx.claims("E5", 1)[0], ctx.source("E5", 1))
    organic = runs[runs.spec == 0.0]
    on = contrast(runs, METRIC, {"spec": 0.0}, {"spec": 1.0})
    versus_fac = contrast(runs, METRIC, {"spec": 2.0}, {"spec": 1.0})
    off = contrast(pd.concat([organic, removed_all]), METRIC, {"spec": 0.0}, {"spec": 1.0})
    # the factorial sweeps the causes themselves, so "across the sweep" is the planned cell
    result = Ablation(claim, Effect("everything on", on, on, False),
                      (Effect(claim.mechanism.name, off, off, False),))

    notes = []
    for label in LABELS:
        r = runs[runs.path == label]
        wait = r.years_to_byproduct
        notes.append(
            f"{label}: {fmt(r[METRIC].mean(), 3)} exchanges per tenant-year over {horizon} years "
            f"({fmt(r.active_exchanges.mean(), 3)} active at the end, {fmt(r.facilities.mean(), 3)}"
            f" facilities), {fmt(100 * r.ended_share.mean(), 3)}% of exchanges formed ended, "
            f"{fmt(100 * r.no_exchange.mean(), 3)}% of runs end with none, "
            f"{fmt(100 * wait.notna().mean(), 3)}% reach a by-product exchange"
            + (f" (median after {fmt(wait.median(), 3)} years)" if wait.notna().any() else "")
        )
    total = sum(max(c.diff, 0.0) for c in effects.values())
    ranked = sorted(effects.items(), key=lambda kv: -kv[1].diff)
    shares = "; ".join(
        f"{cause} {fmt(c.diff, 2)} (95% CI [{fmt(c.low, 2)}, {fmt(c.high, 2)}]"
        + (f", {100 * max(c.diff, 0.0) / total:.0f}% of the positive main effects" if total > 0
           else "")
        + ")"
        for cause, c in ranked
    )
    text = (
        f"{len(runs)} runs in the comparison, {len(factorial)} in the planned park's factorial; "
        f"vacated plots re-let at {fmt(planned_raw.get('fixed', {}).get('relet_rate', 0.0))} a "
        "year. " + "; ".join(notes) + ". "
        f"Planned minus facilitated: {versus_fac.describe()}. Contribution of each cause "
        f"(exchanges per tenant-year gained by removing it, averaged over the other five): "
        f"{shares}. Removing all six: {lift.describe()}. "
    )
    text += result.describe()
    holds = result.verdict()
    if holds and not (claim.shows(versus_fac)):
        text += " The planned park is not below the facilitated region, though."
    return [ctx.finding("E5", "E05_growth_paths", text, holds)]
