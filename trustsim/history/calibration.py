"""Fit the Kalundborg scenario's behavioural parameters to its historical milestones.

Only parameters that the historical record cannot fix are fitted (:data:`FITTED`: trust
prior and learning, search and discovery rates, the broker's match rate, gossip, managerial
attention (new deals a manager, or the broker for busy managers, can negotiate a year); and, in
:data:`MARGINS`, the trust a by-product deal needs, fitted as a margin above the trust prior
so that by-products always need trust built in dealings or ties, the mechanism of P3 and P6:
a fit that lets strangers trade by-products on first sight turns manager turnover into an
amnesty that restores broken links). The historical inputs (facilities, streams, entry
years, broker year, reform and tax years) are never touched.

Objective (documented in the fit report): for each milestone with weight w > 0
(:func:`trustsim.history.validation.milestones`), the ensemble mean m over a fixed set of seeds
(common random numbers: every parameter set sees the same seeds) is compared with the milestone band
[low, high]; the error is the relative distance to the band, ``d = max(low - m, 0, m - high) /
observed`` (0 inside the band; 1 when the mean is undefined), and the objective is the weighted
mean of d squared. Minimisation runs in the unit cube of the bounds: a scrambled Sobol stage
(about half the budget, with the current defaults as the first point) then bounded
Nelder-Mead from the best point found, until the evaluation budget is spent.
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from scipy import optimize
from scipy.stats import qmc

from trustsim.errors import UserError
from trustsim.history.validation import Milestone, MilestoneResult, ensemble, milestones, summarize
from trustsim.sweep.seeding import design_rng

__all__ = [
    "CALIBRATION_FILE",
    "FITTED",
    "MARGINS",
    "CalibrationResult",
    "calibrate",
    "load_calibration",
    "objective",
    "write_calibration",
]

#: The fitted parameters and their search bounds (behavioural only; see module docstring).
FITTED: dict[str, tuple[float, float]] = {
    "trust_prior": (0.2, 0.8),
    "trust_gain": (0.02, 0.4),
    "search_rate": (0.02, 1.0),
    "search_distance_cost": (0.0, 1.0),
    "tie_discovery_rate": (0.05, 3.0),
    "gossip_weight": (0.0, 1.0),
    "broker_rate": (0.1, 5.0),
    "deals_per_manager_per_year": (0.25, 4.0),
    "broker_deals_per_year": (0.0, 8.0),
}

#: Parameters fitted as a margin above another fitted one: name -> (base, margin bounds).
MARGINS: dict[str, tuple[str, tuple[float, float]]] = {
    "byproduct_trust": ("trust_prior", (0.05, 0.4)),
}

#: File name of the fitted values, inside the ``trustsim.park.scenarios`` package.
CALIBRATION_FILE = "kalundborg_calibration.toml"


def milestone_error(m: Milestone, mean: float) -> float:
    """Relative distance of ``mean`` to the milestone band (0 inside, 1 if undefined)."""
    if math.isnan(mean):
        return 1.0
    scale = abs(m.observed) if m.observed else 1.0
    return max(m.low - mean, 0.0, mean - m.high) / scale


def objective(results: list[MilestoneResult], marks: tuple[Milestone, ...]) -> float:
    """Weighted mean squared relative distance of the ensemble means to the milestone bands."""
    by_key = {m.key: m for m in marks}
    num = den = 0.0
    for r in results:
        m = by_key[r.key]
        if m.weight > 0:
            num += m.weight * milestone_error(m, r.model_mean) ** 2
            den += m.weight
    return num / den


@dataclass(slots=True)
class CalibrationResult:
    """Fitted values, the fit's trace and the milestone report at the optimum."""

    parameters: dict[str, float]
    start: dict[str, float]
    objective_start: float
    objective_best: float
    evaluations: int
    seeds: int
    root_seed: int
    budget: int
    milestones: list[MilestoneResult]
    method: str
    trace: list[float] = field(default_factory=list)


def _start_point() -> dict[str, float]:
    """The uncalibrated values: the kalundborg TOML's own defaults, else the registry's."""
    from trustsim.park.params import PARAMETERS

    text = resources.files("trustsim.park.scenarios").joinpath("kalundborg.toml").read_text("utf-8")
    own = tomllib.loads(text).get("defaults", {})
    return {k: float(own.get(k, PARAMETERS[k].default)) for k in (*FITTED, *MARGINS)}


def calibrate(
    *,
    seeds: int = 8,
    budget: int = 120,
    root_seed: int = 1961,
    scenario: str = "kalundborg",
    progress: bool = False,
) -> CalibrationResult:
    """Fit :data:`FITTED` and :data:`MARGINS` to the milestones (see the module docstring).

    Args:
        seeds: replicate runs per parameter set (the same seeds for every set).
        budget: parameter sets evaluated in total (each costs ``seeds`` runs), at least 2.
        root_seed: root of the replicate seeds and of the Sobol scrambling.
        scenario: the scenario fitted.
        progress: print one line per improvement.

    Raises:
        UserError: for a budget below 2 or fewer than 1 seed.
    """
    if isinstance(budget, bool) or not isinstance(budget, int) or budget < 2:
        raise UserError(f"budget must be an integer >= 2, got {budget!r}")
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise UserError(f"seeds must be an integer >= 1, got {seeds!r}")
    from trustsim.park.params import PARAMETERS

    bounds = {**FITTED, **{k: b for k, (_, b) in MARGINS.items()}}
    names = list(bounds)
    lo = np.array([bounds[k][0] for k in names])
    hi = np.array([bounds[k][1] for k in names])
    marks = milestones()
    trace: list[float] = []
    best: dict[str, Any] = {"f": math.inf, "x": None, "results": None}

    def values(u: np.ndarray) -> dict[str, float]:
        x = dict(zip(names, (lo + np.clip(u, 0.0, 1.0) * (hi - lo)).tolist(), strict=True))
        for k, (base, _) in MARGINS.items():
            x[k] = min(PARAMETERS[k].high, x[base] + x[k])
        return {k: round(float(v), 4) for k, v in x.items()}

    def f(u: np.ndarray) -> float:
        if len(trace) >= budget:
            return best["f"]
        runs = ensemble(scenario, seeds, root_seed, values(u))
        results = summarize(runs, marks)
        val = objective(results, marks)
        trace.append(val)
        if val < best["f"]:
            best.update(f=val, x=np.clip(u, 0.0, 1.0), results=results)
            if progress:
                print(f"  eval {len(trace):>4}: objective {val:.4f} {values(u)}", flush=True)
        return val

    start = _start_point()
    coords = {**start, **{k: start[k] - start[base] for k, (base, _) in MARGINS.items()}}
    u0 = np.clip((np.array([coords[k] for k in names]) - lo) / (hi - lo), 0.0, 1.0)
    f0 = f(u0)
    n_sobol = 2 ** int(math.log2(max(1, (budget - 1) // 2)))
    sample = qmc.Sobol(len(names), scramble=True, seed=design_rng(root_seed)).random(n_sobol)
    for u in sample:
        f(u)
    remaining = budget - len(trace)
    if remaining > 0:
        x0 = best["x"]
        simplex = np.vstack([x0] + [np.clip(x0 + 0.15 * np.eye(len(names))[i]
                                            * (1 if x0[i] < 0.85 else -1), 0, 1)
                                    for i in range(len(names))])
        optimize.minimize(f, x0, method="Nelder-Mead", bounds=[(0.0, 1.0)] * len(names),
                          options={"maxfev": remaining, "initial_simplex": simplex,
                                   "xatol": 1e-3, "fatol": 1e-6})
    return CalibrationResult(
        parameters=values(best["x"]), start=start, objective_start=f0,
        objective_best=best["f"], evaluations=len(trace), seeds=seeds, root_seed=root_seed,
        budget=budget, milestones=best["results"],
        method=f"scrambled Sobol ({n_sobol} points) + bounded Nelder-Mead (scipy "
               f"{_scipy_version()})",
        trace=trace,
    )


def _scipy_version() -> str:
    import scipy

    return scipy.__version__


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v == math.inf else repr(v))
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_calibration(result: CalibrationResult, path: Path | None = None) -> Path:
    """Write the fitted values and their fit report as TOML; return the path written.

    Args:
        result: what :func:`calibrate` returned.
        path: output file (default: the packaged ``scenarios/kalundborg_calibration.toml``).

    Raises:
        UserError: if the file cannot be written.
    """
    from trustsim import __version__

    if path is None:
        path = Path(str(resources.files("trustsim.park.scenarios").joinpath(CALIBRATION_FILE)))
    lines = [
        "# Behavioural parameters of the kalundborg scenario fitted to its historical",
        "# milestones by `trustsim calibrate kalundborg` (trustsim.history.calibration).",
        "# The scenario loads [parameters] as its defaults. Generated file: rerun the command",
        "# to refit.",
        "",
        "[parameters]",
        *(f"{k} = {_toml_value(v)}" for k, v in result.parameters.items()),
        "",
        "[fit]",
        f"date = {_toml_value(dt.date.today().isoformat())}",
        f"trustsim = {_toml_value(__version__)}",
        f"method = {_toml_value(result.method)}",
        'objective = "weighted mean over milestones of (relative distance of the ensemble '
        'mean to the milestone band)^2, common random numbers"',
        f"seeds = {result.seeds}",
        f"root_seed = {result.root_seed}",
        f"budget = {result.budget}",
        f"evaluations = {result.evaluations}",
        f"objective_start = {_toml_value(result.objective_start)}",
        f"objective_best = {_toml_value(result.objective_best)}",
        "",
        "[start]",
        *(f"{k} = {_toml_value(v)}" for k, v in result.start.items()),
        "",
        "[bounds]",
        *(f"{k} = {_toml_value(list(b))}" for k, b in FITTED.items()),
        *(f"{k}_minus_{base} = {_toml_value(list(b))}" for k, (base, b) in MARGINS.items()),
    ]
    for m in result.milestones:
        lines += [
            "",
            "[[milestone]]",
            f"key = {_toml_value(m.key)}",
            f"year = {m.year}",
            f"metric = {_toml_value(m.metric)}",
            f"observed = {_toml_value(m.observed)}",
            f"band = {_toml_value([m.low, m.high])}",
            f"model_mean = {_toml_value(m.model_mean)}",
            f"model_band = {_toml_value([m.model_low, m.model_high])}",
            f"held = {_toml_value(m.held)}",
            f"weight = {_toml_value(m.weight)}",
        ]
    try:
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    except OSError as err:
        raise UserError(f"cannot write --out {str(path)!r}: {err.strerror}") from None
    return path


def load_calibration(path: Path | None = None) -> dict[str, float]:
    """The fitted ``[parameters]`` of a calibration file ({} if the packaged one is absent).

    Raises:
        UserError: if an explicitly given file is missing or not valid TOML.
    """
    if path is None:
        res = resources.files("trustsim.park.scenarios").joinpath(CALIBRATION_FILE)
        if not res.is_file():
            return {}
        return dict(tomllib.loads(res.read_text("utf-8")).get("parameters", {}))
    try:
        return dict(tomllib.loads(Path(path).read_text("utf-8")).get("parameters", {}))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise UserError(f"cannot read calibration file {str(path)!r}: {err}") from None
