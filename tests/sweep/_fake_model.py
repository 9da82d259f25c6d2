"""A stand-in for trustsim.simulate with the same signature, for runner tests.

Its outputs depend only on the seed and the overrides, as the real model's do, so tables can be
compared across workers and backends; a run with noise above 0.4 raises, like a model bug would.
"""

from __future__ import annotations

import gc
import os
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd


def fake_simulate(scenario, *, seed, years=None, overrides=None, timeseries_stride=None):
    overrides = overrides or {}
    if overrides.get("noise", 0.0) > 0.4:
        raise ValueError(f"noise {overrides['noise']} breaks the fake model")
    rng = np.random.default_rng(seed)
    steps = 4 * (years or 10)
    draws = rng.random(steps)
    summary = {
        "scenario_length": len(scenario),
        "cooperation_rate": float(overrides.get("patience", 0.95) * draws.mean()),
        "first_draw": float(draws[0]),
        "n_good": int((draws > 0.5).sum()),
        "hub": f"f{int(draws[1] * 10)}",
    }
    timeseries = None
    if timeseries_stride is not None:
        timeseries = pd.DataFrame({"step": np.arange(steps), "draw": draws}).iloc[
            ::timeseries_stride
        ]
    return SimpleNamespace(summary=summary, timeseries=timeseries)


def interrupting_simulate(scenario, *, seed, **kwargs):
    """The fake model, except that point 2 is interrupted as by Ctrl-C."""
    if seed.spawn_key[0] == 2:
        raise KeyboardInterrupt
    return fake_simulate(scenario, seed=seed, **kwargs)


#: Ranges of the three parameters the Ishigami stand-in reads, each mapped onto [-pi, pi].
ISHIGAMI_RANGES = {"patience": (0.0, 0.9), "noise": (0.0, 0.5), "trust_prior": (0.0, 1.0)}


def ishigami_simulate(scenario, *, seed, years=None, overrides=None, timeseries_stride=None):
    """The Ishigami function (a = 7, b = 0.1) of three parameters, as a model output."""
    x = [
        -np.pi + 2 * np.pi * (overrides[name] - low) / (high - low)
        for name, (low, high) in ISHIGAMI_RANGES.items()
    ]
    y = np.sin(x[0]) + 7 * np.sin(x[1]) ** 2 + 0.1 * x[2] ** 4 * np.sin(x[0])
    return SimpleNamespace(summary={"y": float(y)}, timeseries=None)


def _share_with_pool(parent: int, marker: Path) -> None:
    """Wait until two pool processes have each started a run, so both show in the table.

    Each process says it is there with a file ``marker.<pid>``; the calling process (pid
    ``parent``) never runs runs when a pool does, and fails the run if it gets one.
    """
    if os.getpid() == parent:
        raise RuntimeError("the calling process ran a run of a pooled sweep")
    Path(f"{marker}.{os.getpid()}").touch()
    deadline = time.monotonic() + 300
    while len(list(marker.parent.glob(f"{marker.name}.*"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)


def pid_simulate(scenario, *, seed, parent, marker, **kwargs):
    """Report the process a run ran in (see :func:`_share_with_pool`)."""
    _share_with_pool(parent, marker)
    return SimpleNamespace(summary={"pid": os.getpid()}, timeseries=None)


def pid_real_simulate(scenario, *, seed, parent, marker, **kwargs):
    """The real model, plus the process it ran in (see :func:`_share_with_pool`)."""
    from trustsim import simulate

    _share_with_pool(parent, marker)
    output = simulate(scenario, seed=seed, **kwargs)
    return SimpleNamespace(summary={**output.summary, "pid": os.getpid()}, timeseries=None)


def worker_facts_simulate(scenario, *, seed, parent, marker, **kwargs):
    """The fake model, plus facts about the process it ran in and the one that started it.

    The calling process waits for a pool worker's first run (see :func:`_share_with_pool`).
    """
    _share_with_pool(parent, marker)
    output = fake_simulate(scenario, seed=seed, **kwargs)
    parent_threads = len(os.listdir(f"/proc/{os.getppid()}/task"))
    output.summary.update(
        pid=os.getpid(),
        parent_threads=parent_threads,
        openblas_threads=os.environ.get("OPENBLAS_NUM_THREADS"),
        frozen_objects=gc.get_freeze_count(),
    )
    return output
