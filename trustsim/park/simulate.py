"""One run as the runner sees it: :func:`simulate` returns a summary and a time series."""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from trustsim.errors import UserError
from trustsim.park.model import MAX_YEARS, SymbiosisPark

__all__ = ["RunOutput", "simulate"]


@dataclass(frozen=True, slots=True)
class RunOutput:
    """What :func:`simulate` returns: the summary and (if asked for) the time series."""

    summary: dict[str, Any]
    timeseries: pd.DataFrame | None


def simulate(
    scenario: str,
    *,
    seed: Any,
    years: float | None = None,
    overrides: dict[str, Any] | None = None,
    timeseries_stride: int | None = None,
) -> RunOutput:
    """Run one scenario and return its summary (and every ``timeseries_stride``-th step).

    Args:
        scenario: registered scenario name.
        seed: int or ``numpy.random.SeedSequence`` of the run.
        years: run length (default: the scenario's).
        overrides: parameters by name.
        timeseries_stride: keep every k-th time-series row (always the last); None for none.

    Raises:
        UserError: for a bad scenario, parameter or stride.
    """
    if timeseries_stride is not None and (
        isinstance(timeseries_stride, bool) or not isinstance(timeseries_stride, int)
        or timeseries_stride < 1
    ):
        raise UserError(f"timeseries_stride must be an integer >= 1, got {timeseries_stride!r}")
    if years is not None and (isinstance(years, bool) or not isinstance(years, numbers.Real)
                              or not 0 <= years <= MAX_YEARS):
        raise UserError(f"years must be in [0, {MAX_YEARS}], got {years!r}")
    model = SymbiosisPark(scenario, rng=seed, **(overrides or {}))
    model.run_years(model.default_years if years is None else years)
    ts = None
    if timeseries_stride is not None:
        full = model.timeseries()
        keep = np.zeros(len(full), dtype=np.bool_)
        keep[::timeseries_stride] = True
        if len(full):
            keep[-1] = True
        ts = full[keep].reset_index(drop=True)
    return RunOutput(model.summary(), ts)
