"""``trustsim calibrate kalundborg``: the posterior and a calibration file, written to a directory.

:func:`calibrate` runs the ABC-SMC fit (:mod:`trustsim.history.posterior`) and writes, to the
directory given (never into the installed package):

- ``kalundborg_calibration.toml``: ``[parameters]`` (each parameter's weighted posterior
  median, what a run uses), ``[posterior]`` (the final population: one list per parameter and
  ``weights``), ``[summary]`` (median and 90% interval per parameter), ``[fit]`` (method,
  sizes, seeds, cost, the fitted and the held-out milestones). Any run, validation or sweep
  takes it with ``--calibration PATH``; the packaged default is a copy of such a file
  (``make refit`` makes one and copies it).
- ``posterior.csv``: the same particles and weights as a table.
- ``diagnostics.json``: per generation epsilon, simulations, acceptance rate and effective
  sample size; total simulations and wall time.
- ``abc.db``: pyabc's own history database (every generation).

Only parameters the historical record cannot fix are fitted; the historical inputs
(facilities, streams and their availability, prices, regulation, broker year) are never touched.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import trustsim
from trustsim.errors import UserError
from trustsim.history.posterior import (
    FIT_UNTIL,
    PRIORS,
    ABCResult,
    particle_parameters,
    run_abc,
    weighted_quantiles,
)

__all__ = ["CALIBRATION_FILE", "QUICK", "CalibrationRun", "calibrate", "write_calibration"]

#: Name of the calibration file written to the output directory.
CALIBRATION_FILE = "kalundborg_calibration.toml"

#: The quick mode's sizes (tests, a first look): a tiny population and two generations.
QUICK = {"population": 8, "generations": 2}


@dataclass(slots=True)
class CalibrationRun:
    """What :func:`calibrate` wrote: the fit and the files."""

    result: ABCResult
    parameters: dict[str, float]
    calibration: Path
    posterior: Path
    diagnostics: Path


def _check_out(out: Path) -> Path:
    """``out`` resolved; refused inside the installed trustsim package."""
    out = Path(out).resolve()
    package = Path(trustsim.__file__).resolve().parent
    if out == package or package in out.parents:
        raise UserError(f"--out {str(out)!r} is inside the installed trustsim package; "
                        "choose a directory of your own (the packaged calibration is read-only)")
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {str(out)!r} exists and is not a directory")
    return out


def calibrate(
    out: Path,
    *,
    population: int = 200,
    generations: int = 8,
    root_seed: int = 1961,
    workers: int = 1,
    scheduler: Any = None,
    scenario: str = "kalundborg",
    progress: bool = False,
) -> CalibrationRun:
    """Fit the posterior and write the calibration, posterior and diagnostics to ``out``.

    Args:
        out: output directory (created; refused inside the installed package).
        population: particles per generation.
        generations: most generations.
        root_seed: root of every seed of the fit.
        workers: local worker processes.
        scheduler: a Dask scheduler address instead of local workers.
        scenario: the scenario fitted.
        progress: print a line per generation.

    Raises:
        UserError: for a bad output directory or size, or without pyabc.
    """
    out = _check_out(out)
    result = run_abc(out, population=population, generations=generations,
                     root_seed=root_seed, workers=workers, scheduler=scheduler,
                     scenario=scenario, progress=print if progress else None)
    return write_calibration(result, out)


def _toml(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else repr(v)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_toml(x) for x in v) + "]"
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_calibration(result: ABCResult, out: Path) -> CalibrationRun:
    """Write the calibration file, ``posterior.csv`` and ``diagnostics.json`` to ``out``.

    Raises:
        UserError: if a file cannot be written.
    """
    out = _check_out(out)
    df = result.particles
    w = df["weight"].to_numpy()
    # particles as model parameters (margins turned into values), one row each
    rows = [particle_parameters({k: float(df[k].iloc[i]) for k in PRIORS})
            for i in range(len(df))]
    names = list(rows[0])
    summary = {k: weighted_quantiles([r[k] for r in rows], w, (0.5, 0.05, 0.95)) for k in names}
    parameters = {k: round(summary[k][0], 4) for k in names}
    last = result.generations[-1]
    fit = {
        "date": dt.date.today().isoformat(),
        "trustsim": trustsim.__version__,
        "method": f"ABC-SMC (pyabc {_pyabc_version()}), uniform priors, median epsilon, "
                  "distance: weighted RMS of each run's relative distance to the milestone bands",
        "fitted_until": FIT_UNTIL,
        "fitted": result.fitted,
        "held_out": result.held_out,
        "population": result.population,
        "max_generations": result.max_generations,
        "generations": len(result.generations),
        "final_epsilon": last["epsilon"],
        "effective_sample_size": last["effective_sample_size"],
        "simulations": result.simulations,
        "seconds": round(result.seconds, 1),
        "workers": result.workers,
        "root_seed": result.root_seed,
        "priors": "; ".join(f"{k} U({lo:g}, {hi:g})" for k, (lo, hi) in PRIORS.items()),
        "parameters_are": "weighted posterior medians",
    }
    lines = [
        "# Behavioural parameters of the kalundborg scenario: an ABC-SMC posterior fitted on the",
        f"# historical milestones up to {FIT_UNTIL} (trustsim.history.posterior). Written by",
        "# `trustsim calibrate kalundborg --out DIR`; use it with --calibration PATH.",
        "",
        "[parameters]",
        *(f"{k} = {_toml(v)}" for k, v in parameters.items()),
        "",
        "[fit]",
        *(f"{k} = {_toml(v)}" for k, v in fit.items()),
        "",
        "[summary]",
        "# weighted median, 5% and 95% quantile of each parameter over the posterior",
        *(f"{k} = {_toml([round(x, 4) for x in q])}" for k, q in summary.items()),
        "",
        "[posterior]",
        f"weights = {_toml([round(float(x), 8) for x in w])}",
        *(f"{k} = {_toml([r[k] for r in rows])}" for k in names),
    ]
    cal = out / CALIBRATION_FILE
    post = out / "posterior.csv"
    diag = out / "diagnostics.json"
    try:
        cal.write_text("\n".join(lines) + "\n", encoding="utf-8")
        table = df.copy()
        for k in names:
            table[f"param_{k}"] = [r[k] for r in rows]
        table.to_csv(post, index=False)
        diag.write_text(json.dumps({**fit, "per_generation": result.generations}, indent=2)
                        + "\n", encoding="utf-8")
    except OSError as err:
        raise UserError(f"cannot write to --out {str(out)!r}: {err.strerror}") from None
    return CalibrationRun(result, parameters, cal, post, diag)


def _pyabc_version() -> str:
    import pyabc

    return pyabc.__version__
