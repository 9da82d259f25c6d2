"""Helpers the model experiments share: replicate means with intervals, contrasts, line panels."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from trustsim.figures.core import fmt

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes


def means(runs: pd.DataFrame, metrics: Sequence[str], by: Sequence[str]) -> pd.DataFrame:
    """Mean and 95% t-interval of each metric per group (``trustsim.sweep.analysis.aggregate``).

    Returns a long table: the ``by`` columns, ``metric``, ``n``, ``mean``, ``ci_low``,
    ``ci_high``. A group with one run gets its value as a zero-width interval.
    """
    from trustsim.sweep.analysis import aggregate

    table = aggregate(runs, list(metrics), by=list(by))
    one = table["n"] < 2
    table.loc[one, "ci_low"] = table.loc[one, "mean"]
    table.loc[one, "ci_high"] = table.loc[one, "mean"]
    return table


@dataclass(frozen=True)
class Contrast:
    """Difference of a metric's mean between two sets of runs, with a 95% Welch interval."""

    a: float
    b: float
    diff: float
    low: float
    high: float
    note: str = ""

    @property
    def significant(self) -> bool:
        """Whether the interval excludes zero."""
        return bool(self.low > 0 or self.high < 0)

    def describe(self, unit: str = "") -> str:
        """``'a -> b (difference d, 95% CI [l, h])'``."""
        return (
            f"{fmt(self.a)} -> {fmt(self.b)}{unit} (difference {fmt(self.diff)}, 95% CI "
            f"[{fmt(self.low)}, {fmt(self.high)}]{self.note})"
        )


def is_none(value: Any) -> bool:
    """Whether a spec value means "none" (a year that never comes, say): None or "none"."""
    return value is None or (isinstance(value, str) and value.lower() == "none")


def contrast(
    runs: pd.DataFrame,
    metric: str,
    a: Mapping[str, Any],
    b: Mapping[str, Any],
    *,
    block: str | None = None,
) -> Contrast:
    """Contrast ``metric`` between runs matching ``b`` and runs matching ``a`` (b minus a).

    A value of None or ``"none"`` matches the runs where the column is missing (a parameter
    set to none, such as a reform that never comes).

    Without ``block`` (or when the runs hold a single level of it) the interval is Welch's
    over runs. With ``block`` (such as ``region_seed`` swept over a few regions) the runs are
    averaged within each block first and the contrast is the mean of the within-block
    differences, with a Student t interval over blocks (a randomized complete block design):
    differences between blocks in the metric's level cancel, the block-by-treatment
    interaction stays in the interval. Blocks lacking either side are left out.
    """
    from scipy import stats

    def mask(where: Mapping[str, Any]) -> np.ndarray:
        keep = np.ones(len(runs), dtype=bool)
        for key, value in where.items():
            column = runs[key].to_numpy(dtype=float)
            keep &= np.isnan(column) if is_none(value) else np.isclose(column, float(value))
        return keep & runs[metric].notna().to_numpy()

    if block is not None and block in runs.columns and runs[block].nunique() > 1:
        ya = runs.loc[mask(a)].groupby(block)[metric].mean()
        yb = runs.loc[mask(b)].groupby(block)[metric].mean()
        ya, yb = ya.align(yb, join="inner")
        d = (yb - ya).to_numpy(dtype=float)
        total = runs[block].nunique()
        note = f", {d.size} of {total} {block} blocks" if d.size < total else ""
        if d.size < 2:
            return Contrast(float(ya.mean()), float(yb.mean()), float(d.mean()) if d.size
                            else float("nan"), np.nan, np.nan, note)
        diff = float(d.mean())
        se = float(d.std(ddof=1) / np.sqrt(d.size))
        half = float(stats.t.ppf(0.975, d.size - 1) * se)
        return Contrast(float(ya.mean()), float(yb.mean()), diff, diff - half, diff + half, note)

    x = runs.loc[mask(a), metric].to_numpy(dtype=float)
    y = runs.loc[mask(b), metric].to_numpy(dtype=float)
    diff = float(y.mean() - x.mean()) if x.size and y.size else float("nan")
    if x.size < 2 or y.size < 2:
        return Contrast(
            float(np.mean(x)) if x.size else np.nan,
            float(np.mean(y)) if y.size else np.nan,
            diff,
            np.nan,
            np.nan,
        )
    vx, vy = x.var(ddof=1) / x.size, y.var(ddof=1) / y.size
    se = float(np.sqrt(vx + vy))
    if se == 0:
        return Contrast(float(x.mean()), float(y.mean()), diff, diff, diff)
    dof = (vx + vy) ** 2 / (vx**2 / (x.size - 1) + vy**2 / (y.size - 1))
    half = float(stats.t.ppf(0.975, dof) * se)
    return Contrast(float(x.mean()), float(y.mean()), diff, diff - half, diff + half)


def lines(
    table: pd.DataFrame,
    metric: str,
    *,
    x: str,
    hue: str | None,
    ax: Axes,
    ylabel: str,
    xlabel: str,
    title: str,
    labels: Mapping[Any, str] | None = None,
    legend_title: str | None = None,
) -> Axes:
    """Draw one metric of a :func:`means` table as lines with 95% bands."""
    from trustsim.figures import plotting

    part = table[table.metric == metric]
    plotting.plot_lines(
        part, x=x, y="mean", hue=hue, lo="ci_low", hi="ci_high", labels=labels, ax=ax
    )
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    if hue is not None:
        ax.legend(title=legend_title)
    return ax


def why_not(effect: Contrast, expected: int, what: str, size: str = "full") -> str:
    """Say why an effect does not support a prediction of sign ``expected`` (+1 or -1).

    Distinguishes an interval that includes zero with the estimate on the predicted side
    (too few runs to tell) from an estimate on the wrong side (the model disagrees). ``size``
    is the build's size (a smaller build points to the full spec).
    """
    if effect.significant and np.sign(effect.diff) == expected:
        return ""
    if np.isnan(effect.diff) or effect.diff == 0:
        return f"{what}: no difference at all between the two ends."
    if np.sign(effect.diff) == expected:
        more = "; the full spec runs more" if size != "full" else ""
        return (
            f"{what}: the estimate has the predicted sign but its 95% interval includes zero "
            f"(too few runs to tell{more})."
        )
    if effect.significant:
        return f"{what}: the model shows the opposite of the prediction, beyond the 95% interval."
    return f"{what}: the estimate has the opposite sign, within noise."


#: The parameter that names a generated region (a blocking factor when swept).
REGION = "region_seed"


def region_blocks(runs: pd.DataFrame) -> str | None:
    """Return ``"region_seed"`` if the runs span several fixed regions (a block), else None."""
    if REGION in runs.columns and runs[REGION].nunique() > 1 and (runs[REGION] >= 0).all():
        return REGION
    return None


def per_region(runs: pd.DataFrame, metrics: Sequence[str], by: Sequence[str]) -> pd.DataFrame:
    """Average the runs within each region of each group, if the runs are blocked by region.

    Returns one row per group and region (the group columns, ``region_seed`` and the metrics),
    so that :func:`means` over it gives intervals over regions; unblocked runs come back as
    they are.
    """
    block = region_blocks(runs)
    if block is None:
        return runs
    return runs.groupby([*by, block], as_index=False)[list(metrics)].mean()


@dataclass(frozen=True)
class VarianceSplit:
    """Run-to-run variance of a metric split into between-region and within-region parts."""

    between: float
    within: float

    @property
    def region_share(self) -> float:
        """Share of the run-to-run variance that is region-to-region variation."""
        total = self.between + self.within
        return self.between / total if total > 0 else float("nan")


def variance_split(runs: pd.DataFrame, metric: str, by: Sequence[str]) -> VarianceSplit | None:
    """One-way random-effects split of ``metric`` by region, pooled over the groups ``by``.

    Within each group, the within-region variance is the mean of the replicate variances
    (behavioural noise: same region, different run seeds) and the between-region variance is
    (variance of region means - within / replicates), floored at zero (ANOVA estimator).
    Returns None when the runs are not blocked by region or have one replicate per region.
    """
    block = region_blocks(runs)
    if block is None:
        return None
    between, within = [], []
    for _, group in runs.groupby(list(by)):
        cells = group.groupby(block)[metric]
        reps = float(cells.size().mean())
        if reps < 2 or cells.ngroups < 2:
            continue
        w = float(cells.var(ddof=1).mean())
        between.append(max(0.0, float(cells.mean().var(ddof=1)) - w / reps))
        within.append(w)
    if not within:
        return None
    return VarianceSplit(float(np.mean(between)), float(np.mean(within)))


def region_note(runs: pd.DataFrame, metric: str | None = None, by: Sequence[str] = (),
                what: str = "") -> str:
    """Say how the runs treat the generated region, and how much variation it accounts for.

    Blocked runs (several ``region_seed`` values): intervals are over regions, after
    averaging within each. One fixed region: intervals are behavioural noise only, and the
    finding is about that region. No ``region_seed``: every run draws its own region.
    """
    block = region_blocks(runs)
    if block is not None:
        seeds = sorted(int(v) for v in runs[block].unique())
        span = (f"{seeds[0]}-{seeds[-1]}" if seeds == list(range(seeds[0], seeds[-1] + 1))
                else ", ".join(map(str, seeds)))
        reps = int(runs.groupby([*by, block]).size().min()) if by else 0
        text = (
            f"Runs are blocked by region: {len(seeds)} generated regions (region_seed {span})"
            + (f", {reps} run seed{'s' if reps > 1 else ''} each per cell" if reps else "")
            + "; each contrast is the mean of the within-region differences with a t interval "
            "over regions, so differences between regions in the level cancel."
        )
        split = variance_split(runs, metric, by) if metric else None
        if split is not None:
            text += (
                f" Of the run-to-run variance in {what or metric}, region-to-region "
                f"variation is {100 * split.region_share:.0f}% (standard deviation "
                f"{fmt(np.sqrt(split.between))} between regions, {fmt(np.sqrt(split.within))} "
                "between run seeds of one region)."
            )
        return text
    if REGION in runs.columns and (runs[REGION] >= 0).all():
        return (
            f"Every run is on one generated region (region_seed = {int(runs[REGION].iloc[0])}): "
            "intervals reflect behaviour alone, and the finding is about this region."
        )
    return (
        "Each run generates its own region (firms, streams and places drawn from the run's "
        "seed), so differences between regions widen every interval here; region_seed holds a "
        "region fixed or blocks the runs by region."
    )
