"""Analysis of sweep results: means with intervals over replicates, Sobol and Morris indices.

Each takes the table of :func:`trustsim.load_results` and uses its ``attrs`` (the swept
parameters, the design and the spec), so figure code and notebooks share one way to summarise a
sweep. Scenario discovery (PRIM) is in :mod:`trustsim.sweep.discovery`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from trustsim.errors import UserError

#: A Sobol estimate whose bootstrap half-width exceeds this gets a warning (indices are in
#: [0, 1], so a half-width of 0.1 already blurs most rankings).
SOBOL_WARN_HALF_WIDTH = 0.1


def aggregate(
    results: pd.DataFrame,
    metrics: str | Sequence[str] | None = None,
    *,
    by: Sequence[str] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Mean of each metric over replicates, with a Student-t confidence interval.

    Failed runs (``status != "ok"``) and missing values are left out; ``n`` counts the rest.
    The interval is ``mean +/- t_{(1+confidence)/2, n-1} * std / sqrt(n)`` with the sample
    standard deviation (``ddof=1``); it is NaN when ``n < 2``.

    Args:
        results: A run table from :func:`trustsim.load_results`.
        metrics: Metric column(s); default: every numeric metric in ``results.attrs``.
        by: Columns that identify a group; default: ``point`` and the swept parameters.
        confidence: Confidence level of the interval, in (0, 1).

    Returns:
        A long table, one row per group and metric: the ``by`` columns, ``metric``, ``n``,
        ``mean``, ``std``, ``sem``, ``ci_low``, ``ci_high``.

    Raises:
        UserError: An unknown column or a confidence level outside (0, 1).
    """
    from scipy import stats

    if not 0 < confidence < 1:
        raise UserError(f"confidence = {confidence} must be in (0, 1)")
    if by is None:
        by = ["point", *results.attrs.get("parameters", [])]
    by = list(by)
    if metrics is None:
        candidates = results.attrs.get("metrics", [])
        metrics = [m for m in candidates if pd.api.types.is_numeric_dtype(results[m])]
    elif isinstance(metrics, str):
        metrics = [metrics]
    _check_columns(results, [*by, *metrics])
    ok = results[results["status"] == "ok"] if "status" in results else results
    long = ok.melt(id_vars=by, value_vars=list(metrics), var_name="metric")
    long["value"] = pd.to_numeric(long["value"], errors="raise")
    grouped = long.dropna(subset=["value"]).groupby([*by, "metric"], sort=True, dropna=False)
    grouped = grouped["value"]
    table = grouped.agg(n="count", mean="mean", std="std").reset_index()
    n = table["n"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        sem = table["std"].to_numpy() / np.sqrt(n)
        half = stats.t.ppf((1 + confidence) / 2, n - 1) * sem
    table["sem"] = sem
    table["ci_low"] = table["mean"] - half
    table["ci_high"] = table["mean"] + half
    return table


def sobol_indices(
    results: pd.DataFrame,
    metric: str,
    *,
    confidence: float = 0.95,
    num_resamples: int = 1000,
    seed: int = 1,
) -> pd.DataFrame:
    """First-order and total Sobol indices of a metric from a Sobol design (SALib).

    The metric is averaged over each point's replicates, and the point order (Saltelli's
    layout, see :func:`trustsim.sweep.spec.unit_design`) is what
    ``SALib.analyze.sobol.analyze`` reads. Confidence half-widths come from SALib's bootstrap.

    Args:
        results: A run table from :func:`trustsim.load_results` of a ``design = "sobol"`` sweep.
        metric: The output to decompose.
        confidence: Confidence level of the bootstrap intervals.
        num_resamples: Bootstrap resamples.
        seed: Seed of the bootstrap, for reproducible intervals; not 0, which SALib 1.x
            takes as "unseeded".

    Returns:
        One row per swept parameter (index ``parameter``) with ``S1``, ``S1_conf``, ``ST``,
        ``ST_conf``. For a second-order design, ``attrs["S2"]`` and ``attrs["S2_conf"]`` hold
        the pairwise indices as square tables.

    Raises:
        UserError: Not a Sobol design, an unknown metric, or points without a finished run.
    """
    if results.attrs.get("design") != "sobol":
        raise UserError(
            f"Sobol indices need a design = 'sobol' sweep, not {results.attrs.get('design')!r}"
        )
    try:
        from SALib.analyze import sobol
    except ImportError:
        raise UserError("Sobol indices need SALib: pip install 'trustsim[sensitivity]'") from None
    if seed == 0:
        raise UserError("seed = 0 would leave SALib's bootstrap unseeded; use another seed")
    _check_columns(results, [metric])
    names = list(results.attrs["parameters"])
    second_order = bool(results.attrs.get("second_order", False))
    ok = results[results["status"] == "ok"]
    y = pd.to_numeric(ok[metric]).groupby(ok["point"]).mean()
    n_points = int(results["point"].max()) + 1 if len(results) else 0
    missing = sorted(set(range(n_points)) - set(y.dropna().index))
    if missing:
        raise UserError(
            f"{metric}: {len(missing)} design point(s) have no value (first: point "
            f"{missing[0]}; failed runs or NaN); Sobol indices need every point"
        )
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    indices = sobol.analyze(
        problem,
        y.to_numpy(dtype=float),
        calc_second_order=second_order,
        num_resamples=num_resamples,
        conf_level=confidence,
        seed=seed,
    )
    table = pd.DataFrame(
        {key: indices[key] for key in ("S1", "S1_conf", "ST", "ST_conf")},
        index=pd.Index(names, name="parameter"),
    )
    widest = float(np.nanmax(table[["S1_conf", "ST_conf"]].to_numpy()))
    if widest > SOBOL_WARN_HALF_WIDTH:
        base = len(y) // (len(names) * (2 if second_order else 1) + 2)
        warnings.warn(
            f"{metric}: Sobol indices from {base} base samples are uncertain (widest "
            f"{confidence:.0%} half-width {widest:.2f}); differences below that are noise: "
            "raise [experiment] n",
            UserWarning,
            stacklevel=2,
        )
    if second_order:
        table.attrs["S2"] = pd.DataFrame(indices["S2"], index=names, columns=names)
        table.attrs["S2_conf"] = pd.DataFrame(indices["S2_conf"], index=names, columns=names)
    return table


def morris_indices(
    results: pd.DataFrame,
    metric: str,
    *,
    confidence: float = 0.95,
    num_resamples: int = 1000,
    seed: int = 1,
) -> pd.DataFrame:
    """Morris elementary effects of a metric from a ``design = "morris"`` sweep (SALib).

    The metric is averaged over each point's replicates; the design on the unit hypercube is
    rebuilt from the spec in ``results.attrs`` (:func:`trustsim.sweep.spec.unit_design`), so an
    effect is the change of the metric per unit of a parameter's whole range.
    ``SALib.analyze.morris.analyze`` computes mu (mean effect), mu_star (mean absolute effect,
    the screening measure of Campolongo et al. 2007), its bootstrap confidence half-width and
    sigma (spread: interactions or non-linearity).

    Args:
        results: A run table from :func:`trustsim.load_results`.
        metric: The output to screen.
        confidence: Confidence level of the bootstrap interval of mu_star.
        num_resamples: Bootstrap resamples.
        seed: Seed of the bootstrap.

    Returns:
        One row per swept parameter (index ``parameter``), sorted by ``mu_star`` (largest
        first), with ``mu``, ``mu_star``, ``mu_star_conf``, ``sigma``.

    Raises:
        UserError: Not a Morris design, an unknown metric, or points without a finished run.
    """
    from trustsim.sweep.spec import parse_spec, unit_design, unit_problem

    if results.attrs.get("design") != "morris":
        raise UserError(
            f"Morris indices need a design = 'morris' sweep, not {results.attrs.get('design')!r}"
        )
    try:
        from SALib.analyze import morris
    except ImportError:
        raise UserError("Morris indices need SALib: pip install 'trustsim[sensitivity]'") from None
    _check_columns(results, [metric])
    spec = parse_spec(results.attrs["spec"])
    y = _point_means(results, metric, len(spec.points), "Morris indices")
    indices = morris.analyze(
        unit_problem(spec),
        unit_design(spec),
        y,
        num_resamples=num_resamples,
        conf_level=confidence,
        num_levels=spec.levels,
        seed=seed,
    )
    table = pd.DataFrame(
        {key: np.asarray(indices[key], dtype=float)
         for key in ("mu", "mu_star", "mu_star_conf", "sigma")},
        index=pd.Index(spec.parameters, name="parameter"),
    )
    return table.sort_values("mu_star", ascending=False, kind="stable")


def _point_means(results: pd.DataFrame, metric: str, n_points: int, what: str):
    ok = results[results["status"] == "ok"]
    y = pd.to_numeric(ok[metric]).groupby(ok["point"]).mean()
    missing = sorted(set(range(n_points)) - set(y.dropna().index))
    if missing:
        raise UserError(
            f"{metric}: {len(missing)} design point(s) have no value (first: point "
            f"{missing[0]}; failed runs or NaN); {what} need every point"
        )
    return y.sort_index().to_numpy(dtype=float)


def _check_columns(results: pd.DataFrame, columns: Sequence[str]) -> None:
    import difflib

    for column in columns:
        if column not in results.columns:
            hint = difflib.get_close_matches(column, [str(c) for c in results.columns], n=1)
            did = f"; did you mean {hint[0]!r}?" if hint else ""
            raise UserError(f"no column {column!r} in the results{did}")
