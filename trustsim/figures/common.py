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
    """Mean and 95% t-interval of each metric per group (``trustsim.analysis.aggregate``).

    Returns a long table: the ``by`` columns, ``metric``, ``n``, ``mean``, ``ci_low``,
    ``ci_high``. A group with one run gets its value as a zero-width interval.
    """
    from trustsim.analysis import aggregate

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

    @property
    def significant(self) -> bool:
        """Whether the interval excludes zero."""
        return bool(self.low > 0 or self.high < 0)

    def describe(self, unit: str = "") -> str:
        """``'a -> b (difference d, 95% CI [l, h])'``."""
        return (
            f"{fmt(self.a)} -> {fmt(self.b)}{unit} (difference {fmt(self.diff)}, 95% CI "
            f"[{fmt(self.low)}, {fmt(self.high)}])"
        )


def contrast(
    runs: pd.DataFrame, metric: str, a: Mapping[str, Any], b: Mapping[str, Any]
) -> Contrast:
    """Contrast ``metric`` between runs matching ``b`` and runs matching ``a`` (b minus a)."""
    from scipy import stats

    def pick(where: Mapping[str, Any]) -> np.ndarray:
        mask = np.ones(len(runs), dtype=bool)
        for key, value in where.items():
            mask &= np.isclose(runs[key].to_numpy(dtype=float), float(value))
        return runs.loc[mask, metric].dropna().to_numpy(dtype=float)

    x, y = pick(a), pick(b)
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
    from trustsim import plotting

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


#: Said of experiments on generated regions, whose intervals are wide for a known reason.
REGION_NOTE = (
    "Each run generates its own region (firms, streams and places drawn from the run's seed), "
    "so differences between regions widen every interval here; a sweep over one fixed region "
    "would need a region-seed parameter, which the model does not have yet."
)
