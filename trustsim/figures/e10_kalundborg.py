"""E10 Kalundborg replay: the model's band against the historical timeline and milestones.

The ``kalundborg`` scenario is run many times (no exchange is scheduled: they emerge). Panel
(a) shows the band (10th-90th percentile over replicates) and median of active exchanges with
the published counts (contracts, streams, projects, agreements) as points; panel (b) the
cumulative exchanges formed against the documented exchange starts (data/kalundborg
exchanges.csv); panel (c) degree centralization against the 0.5-0.6 derived for 1995.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import numpy as np

from trustsim.figures.core import Context, Finding, experiment, fmt

#: Published count metrics shown as milestones (their definitions differ: a band, not a line).
COUNT_METRICS = ("active_exchanges", "contracts", "streams", "projects", "resource_agreements")

#: Band of the figure: these quantiles over replicates.
LOW_Q, HIGH_Q = 0.1, 0.9


def historical() -> tuple[Any, Any]:
    """Return (documented exchange starts, count milestones) from the packaged Kalundborg data."""
    import pandas as pd

    base = resources.files("trustsim.history.data").joinpath("kalundborg")
    with base.joinpath("exchanges.csv").open(encoding="utf-8") as fh:
        starts = pd.read_csv(fh)
    with base.joinpath("milestones.csv").open(encoding="utf-8") as fh:
        miles = pd.read_csv(fh)
    miles = miles[miles.year.astype(str).str.isdigit() & miles.metric.isin(COUNT_METRICS)].copy()
    miles["year"] = miles.year.astype(int)
    miles["value"] = miles.value.astype(float)
    return starts, miles.reset_index(drop=True)


def yearly_band(ts: Any, column: str) -> Any:
    """Median and band of ``column`` over replicates, one row per whole year."""
    ts = ts.assign(year_int=np.floor(ts.year + 1e-9).astype(int))
    last = ts.sort_values("year").groupby(["point", "replicate", "year_int"]).tail(1)
    grouped = last.groupby("year_int")[column]
    out = grouped.quantile([LOW_Q, 0.5, HIGH_Q]).unstack()
    out.columns = ["lo", "mid", "hi"]
    return out.reset_index().rename(columns={"year_int": "year"})


@experiment(
    "E10",
    "E10_kalundborg_replay.toml",
    "Kalundborg replay: model band against the historical timeline",
    ("P1", "P2", "P3", "P14"),
)
def build(ctx: Context) -> list[Finding]:
    """Run the replicates, draw the three panels, compare with the timeline."""
    import matplotlib.pyplot as plt

    from trustsim.figures import plotting

    runs = ctx.sweep("E10")
    ts = ctx.timeseries("E10")
    starts, miles = historical()
    fig, (ax_a, ax_b, ax_c) = plt.subplots(1, 3, figsize=(7.2, 2.5))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]

    active = yearly_band(ts, "active_exchanges")
    plotting.plot_band(active, x="year", mid="mid", lo="lo", hi="hi", label="model", ax=ax_a)
    markers = dict(zip(COUNT_METRICS, "osD^v", strict=True))
    for metric, part in miles.groupby("metric"):
        ax_a.plot(
            part.year,
            part.value,
            ls="none",
            marker=markers[metric],
            color=colors[3],
            label=metric.replace("_", " "),
        )
    ax_a.set(xlabel="year", ylabel="active exchanges", title="(a) exchanges in operation")
    ax_a.legend(fontsize=5.5, loc="upper left")

    formed = yearly_band(ts, "exchanges_formed")
    plotting.plot_band(formed, x="year", mid="mid", lo="lo", hi="hi", label="model", ax=ax_b)
    years = np.arange(int(starts.year.min()), int(active.year.max()) + 1)
    documented = np.array([(starts.year <= y).sum() for y in years])
    ax_b.step(years, documented, where="post", color=colors[3], label="documented starts")
    ax_b.set(xlabel="year", ylabel="exchanges formed (cumulative)", title="(b) one deal at a time")
    ax_b.legend(loc="upper left")

    central = yearly_band(ts, "degree_centralization")
    plotting.plot_band(central, x="year", mid="mid", lo="lo", hi="hi", label="model", ax=ax_c)
    ax_c.axhspan(0.5, 0.6, xmin=0, xmax=1, color="0.85", zorder=0, label="derived, 1995")
    ax_c.set(xlabel="year", ylabel="degree centralization", ylim=(0, 1), title="(c) hub and spoke")
    ax_c.legend(loc="upper left")
    ctx.save(fig, "E10_kalundborg_replay")

    # Findings, computed.
    band = active.set_index("year")
    inside = []
    for m in miles.itertuples():
        if m.year in band.index:
            lo, hi = band.loc[m.year, "lo"], band.loc[m.year, "hi"]
            inside.append((m.year, m.metric, m.value, lo, hi, lo <= m.value <= hi))
    n_in = sum(r[-1] for r in inside)
    span = float(runs.year.median() - 1961.0)
    rate = runs.exchanges_formed / span
    doc_rate = len(starts) / (int(starts.year.max()) - 1961 + 1)
    c95 = central.set_index("year").loc[1995] if 1995 in central.year.values else None
    first = runs.first_exchange_year.median()
    first_bp = runs.first_byproduct_year.median()
    util10 = runs.utility_share_first10.mean()
    doc_util10 = float((starts.sort_values("year").kind.head(10) == "utility").mean())
    misses = [
        f"{metric.replace('_', ' ')} {v:g} in {y} (band {fmt(lo, 2)}-{fmt(hi, 2)})"
        for y, metric, v, lo, hi, ok in inside
        if not ok
    ]
    text = (
        f"Over {len(runs)} replicates: {n_in} of {len(inside)} published counts lie inside the "
        f"model's {int(LOW_Q * 100)}-{int(HIGH_Q * 100)}% band of active exchanges"
        + (f"; outside: {'; '.join(misses)}" if misses else "")
        + f". The model forms {fmt(rate.median(), 2)} exchanges a year (median; documented "
        f"starts: {fmt(doc_rate, 2)} a year, the seed: 0.5-1). Median first exchange "
        f"{fmt(first, 5)} (historical 1961), first by-product exchange {fmt(first_bp, 5)} "
        f"(historical 1972); utilities are {fmt(100 * util10, 3)}% of the first ten exchanges "
        f"(documented {fmt(100 * doc_util10, 3)}%). Active exchanges in the last year: median "
        f"{fmt(runs.active_exchanges.median(), 3)} (published: over 30 streams by 2022)."
    )
    hub = runs.hub.mode().iloc[0]
    if c95 is not None:
        text += (
            f" Degree centralization in 1995: median {fmt(c95['mid'], 2)} "
            f"(band {fmt(c95['lo'], 2)}-{fmt(c95['hi'], 2)}; derived 0.5-0.6); the hub is "
            f"{hub} in {fmt(100 * (runs.hub == hub).mean(), 3)}% "
            "of runs."
        )
    holds = bool(inside) and n_in >= len(inside) / 2 and 0.5 <= rate.median() <= 1.0
    return [ctx.finding("E10", "E10_kalundborg_replay", text, holds)]
