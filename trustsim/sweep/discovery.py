"""Scenario discovery: the parameter regions where an outcome of interest happens (PRIM).

Given a sweep's runs and a condition on their outcomes (``"active_exchanges < 5"``: the network
collapsed), PRIM [Friedman1999] peels the box of swept parameters, step by step, towards the
runs where the condition holds, trading coverage (the share of those runs inside the box)
against density (the share of runs in the box where it holds); the box kept is the most
covering one at least ``threshold`` dense, as in EMA Workbench's scenario discovery
[Kwakkel2017]. Further boxes are peeled from the runs the earlier ones leave out. Feature
scores (extra trees, also EMA Workbench) rank the parameters by how much they tell the outcome.
Both come from ``ema_workbench`` (``pip install 'trustsim[discovery]'``).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from trustsim.errors import UserError
from trustsim.sweep.outcomes import parse_outcome

__all__ = ["Box", "Discovery", "discover"]


@dataclass(frozen=True)
class Box:
    """One PRIM box.

    Attributes:
        coverage: Share of the runs where the outcome holds that lie in the box.
        density: Share of the runs in the box where the outcome holds.
        mass: Share of all runs that lie in the box.
        step: Index of the box in its peeling trajectory.
        limits: One row per restricted parameter (index ``parameter``): ``low``, ``high``
            (numbers; for a parameter of choices, ``values`` lists the kept ones), the swept
            ``range_low``, ``range_high``, and PRIM's quasi-p-value ``qp`` of the restriction.
        trajectory: The peeling trajectory this box was chosen from (``coverage``,
            ``density``, ``mass``, ``res_dim`` per step).
    """

    coverage: float
    density: float
    mass: float
    step: int
    limits: pd.DataFrame
    trajectory: pd.DataFrame


@dataclass(frozen=True)
class Discovery:
    """What :func:`discover` found.

    Attributes:
        outcome: The condition, as written.
        n_runs: Finished runs analysed.
        n_hits: Runs where the condition holds.
        boxes: The boxes, best first.
        scores: Feature score of each swept parameter (sums to 1), largest first.
    """

    outcome: str
    n_runs: int
    n_hits: int
    boxes: tuple[Box, ...]
    scores: pd.Series


def discover(
    results: pd.DataFrame,
    outcome: str,
    *,
    parameters: Sequence[str] | None = None,
    threshold: float = 0.8,
    max_boxes: int = 2,
    peel_alpha: float = 0.05,
    mass_min: float = 0.05,
    seed: int = 1,
) -> Discovery:
    """Find the parameter boxes where ``outcome`` holds (PRIM) and score the parameters.

    Args:
        results: A run table from :func:`trustsim.load_results`.
        outcome: A condition over its columns (:mod:`trustsim.sweep.outcomes` syntax), such
            as ``"active_exchanges < 5"`` or ``"cooperation_rate < 0.5 and year > 2000"``.
        parameters: Inputs to explain it by (default: the swept parameters).
        threshold: Least density of a chosen box, in (0, 1].
        max_boxes: Most boxes to peel, one after the other.
        peel_alpha: Share of the runs peeled off at each step.
        mass_min: Smallest share of all runs a box may keep.
        seed: Seed of the extra-trees feature scoring.

    Raises:
        UserError: EMA Workbench missing, a bad condition, no swept parameter, or a condition
            that holds in no run or in every run.
    """
    if not 0 < threshold <= 1:
        raise UserError(f"threshold = {threshold} must be in (0, 1]")
    if max_boxes < 1:
        raise UserError(f"max_boxes = {max_boxes} must be at least 1")
    with warnings.catch_warnings():  # its __init__ warns about optional parallel back-ends
        warnings.simplefilter("ignore")
        try:
            from ema_workbench.analysis import feature_scoring, prim
        except ImportError:
            raise UserError(
                "scenario discovery needs EMA Workbench: pip install 'trustsim[discovery]'"
            ) from None
    names = list(results.attrs.get("parameters", []) if parameters is None else parameters)
    if not names:
        raise UserError("no swept parameter to explain the outcome by (a sweep with [sweep])")
    ok = results[results["status"] == "ok"].reset_index(drop=True) if "status" in results else (
        results.reset_index(drop=True))
    missing = [n for n in names if n not in ok.columns]
    if missing:
        raise UserError(f"no column {missing[0]!r} in the results")
    hits = _condition(ok, outcome)
    n_hits = int(hits.sum())
    if n_hits == 0 or n_hits == len(ok):
        where = "no" if n_hits == 0 else "every"
        raise UserError(
            f"{outcome!r} holds in {where} one of the {len(ok)} finished runs: nothing to "
            "discover; loosen or tighten the condition"
        )
    x = ok[names].copy()
    for name in names:
        if x[name].dtype == bool:
            x[name] = x[name].astype(int)
        elif x[name].dtype == object:
            x[name] = x[name].astype("category")
    scores = _feature_scores(feature_scoring, x, hits, seed)
    boxes = []
    with warnings.catch_warnings():  # EMA Workbench's own pandas deprecation notices
        warnings.simplefilter("ignore")
        finder = prim.Prim(x, hits, peel_alpha=peel_alpha, mass_min=mass_min)
        for _ in range(max_boxes):
            box = finder.find_box()
            if box is None:
                break
            chosen = _choose(box, x, threshold)
            if chosen.coverage == 0.0:  # no run of interest left outside the earlier boxes
                break
            boxes.append(chosen)
    return Discovery(outcome, len(ok), n_hits, tuple(boxes), scores)


def _condition(table: pd.DataFrame, outcome: str) -> np.ndarray:
    parsed = parse_outcome("outcome", outcome, where="--outcome")
    columns = {c: table[c].to_numpy() for c in table.columns if isinstance(c, str)}
    value = np.asarray(parsed.evaluate(columns))
    if value.dtype != bool:
        raise UserError(
            f"--outcome {outcome!r} is not a condition; write one that is true or false per "
            "run, such as 'active_exchanges < 5'"
        )
    return np.broadcast_to(value, (len(table),)).copy()


def _feature_scores(feature_scoring, x: pd.DataFrame, hits: np.ndarray, seed: int) -> pd.Series:
    coded = x.apply(lambda col: col.cat.codes if col.dtype.name == "category" else col)
    scores, _ = feature_scoring.get_ex_feature_scores(coded, hits, random_state=seed)
    series = scores.iloc[:, 0].rename("score")
    series.index.name = "parameter"
    return series.sort_values(ascending=False)


def _choose(box, x: pd.DataFrame, threshold: float) -> Box:
    trajectory = box.peeling_trajectory[["coverage", "density", "mass", "res_dim"]].copy()
    dense = trajectory[trajectory["density"] >= threshold]
    if len(dense):  # the most covering dense box; of equally covering ones, the densest
        step = int(dense.sort_values(["coverage", "density"], kind="stable").index[-1])
    else:
        step = int(trajectory["density"].idxmax())
    box.select(step)
    stats, table = box.inspect(step, style="data")[0]
    lims = box.box_lims[step]
    rows = []
    for name in table.index:
        column = x[name]
        row = {"parameter": name, "qp": float(np.nanmin(table.loc[name].iloc[2:4].to_numpy(
            dtype=float)))}
        if column.dtype.name == "category":
            row.update(values=sorted(lims[name].iloc[0]), low=np.nan, high=np.nan,
                       range_low=np.nan, range_high=np.nan)
        else:
            row.update(values=None, low=float(lims[name].iloc[0]), high=float(lims[name].iloc[1]),
                       range_low=float(column.min()), range_high=float(column.max()))
        rows.append(row)
    limits = pd.DataFrame(
        rows, columns=["parameter", "low", "high", "range_low", "range_high", "values", "qp"]
    ).set_index("parameter")
    return Box(float(stats["coverage"]), float(stats["density"]), float(stats["mass"]), step,
               limits, trajectory)
