"""A run that kills its worker, a bad run_fn, a notebook-defined run_fn, a dying Dask worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from types import SimpleNamespace

import pandas as pd
import pytest

from tests.sweep._fake_model import fake_simulate
from trustsim import load_results, run_sweep
from trustsim.errors import SweepStopped

SPEC = {
    "experiment": {"name": "c", "scenario": "minimal", "years": 3, "replicates": 3, "seed": 21},
    "sweep": {"patience": [0.2, 0.5, 0.8], "noise": [0.0, 0.1]},
    "record": {"timeseries": True, "stride": 4},
}
#: Runs that end their process, and how.
KILLERS = {(1, 2): "segfault", (4, 0): "exit"}


def killing_simulate(scenario, *, seed, **kwargs):
    """The fake model, except two runs that end their process as a native crash would."""
    how = KILLERS.get(tuple(seed.spawn_key))
    if how == "segfault":
        os.kill(os.getpid(), signal.SIGSEGV)
    if how == "exit":
        os._exit(7)
    return fake_simulate(scenario, seed=seed, **kwargs)


def sweep(out, **kwargs):
    kwargs.setdefault("progress", False)
    return run_sweep(SPEC, out, **kwargs)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("ref") / "out"
    sweep(out, workers=1, run_fn=fake_simulate)
    return load_results(out)


@pytest.mark.parametrize("chunk_size", [None, 9])
def test_a_run_that_kills_its_worker_is_recorded_and_the_sweep_goes_on(
    tmp_path, reference, chunk_size
):
    report = sweep(tmp_path / "out", workers=2, chunk_size=chunk_size, run_fn=killing_simulate)
    assert (report.n_runs, report.n_new, report.n_failed) == (18, 18, 2)
    df = load_results(tmp_path / "out")
    failed = df[df.status == "error"].set_index(["point", "replicate"]).error.to_dict()
    assert failed == {
        (1, 2): "WorkerDied: the run ended its worker process (exit code SIGSEGV(-11))",
        (4, 0): "WorkerDied: the run ended its worker process (exit code EXIT(7))",
    }
    ok = df.status == "ok"
    pd.testing.assert_frame_equal(  # ints are floats in a table with failed rows (NaN)
        df[ok].reset_index(drop=True), reference[ok].reset_index(drop=True), check_dtype=False
    )
    again = sweep(tmp_path / "out", workers=2, resume=True, run_fn=killing_simulate)
    assert (again.n_new, again.n_failed) == (0, 2)


class NoSummary:
    pass


def bad_outputs(scenario, *, seed, **kwargs):
    point, replicate = seed.spawn_key
    if replicate == 0:
        return None
    if replicate == 1:
        return SimpleNamespace(summary={"x": [1, 2]}, timeseries=None)
    return SimpleNamespace(summary={"x": 1.0}, timeseries="not a frame")


def test_a_bad_run_fn_return_is_a_recorded_error(tmp_path):
    report = sweep(tmp_path / "out", workers=1, run_fn=bad_outputs)
    assert report.n_failed == 18
    errors = load_results(tmp_path / "out").groupby("replicate").error.first().tolist()
    assert errors[0].startswith("TypeError: run_fn returned NoneType, not an object with .summary")
    assert errors[1] == (
        "TypeError: run_fn summary 'x' is a list; values must be numbers, strings, booleans or None"
    )
    assert errors[2].startswith("TypeError: run_fn timeseries is a str")


NOTEBOOK = textwrap.dedent(
    """
    import sys
    import numpy as np  # BLAS threads, as in a notebook: workers come from a forkserver
    from types import SimpleNamespace
    from trustsim import load_results, run_sweep

    def my_model(scenario, *, seed, years=None, overrides=None, timeseries_stride=None):
        rng = np.random.default_rng(seed)
        return SimpleNamespace(summary={"y": float(rng.random()) + overrides["patience"]},
                               timeseries=None)

    spec = {"experiment": {"name": "nb", "scenario": "minimal", "replicates": 4, "seed": 3},
            "sweep": {"patience": [0.1, 0.9]}}
    report = run_sweep(spec, sys.argv[1] + "/two", workers=2, progress=False, run_fn=my_model)
    run_sweep(spec, sys.argv[1] + "/one", workers=1, progress=False, run_fn=my_model)
    two, one = load_results(sys.argv[1] + "/two"), load_results(sys.argv[1] + "/one")
    assert report.n_failed == 0, two.error.tolist()
    assert two.equals(one)
    print("ok", len(two))
    """
)


def test_a_run_fn_defined_in_a_notebook_works_on_pool_workers(tmp_path):
    """As in a notebook: the function lives in a __main__ with no file, which workers lack."""
    done = subprocess.run(
        [sys.executable, "-c", NOTEBOOK, str(tmp_path)], capture_output=True, text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["ok", "8"]
    assert "Traceback" not in done.stderr


def test_a_lambda_run_fn_works_on_spawned_workers(tmp_path):
    run_fn = lambda scenario, **kw: fake_simulate(scenario, **kw)  # noqa: E731
    report = sweep(tmp_path / "out", workers=2, start_method="spawn", run_fn=run_fn)
    assert report.n_failed == 0


def test_a_dask_worker_dying_on_every_retry_stops_in_one_line(tmp_path):
    distributed = pytest.importorskip("distributed")
    import dask

    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        with pytest.raises(SweepStopped, match="Dask workers died running a chunk on every retry"):
            sweep(
                tmp_path / "out", backend="dask", scheduler=client, chunk_size=1,
                run_fn=killing_simulate,
            )
    meta = (tmp_path / "out" / "metadata.json").read_text()
    assert '"status": "stopped"' in meta


class LostScheduler:
    """A stand-in Dask client whose futures fail as when the scheduler goes away."""

    def map(self, task, chunks, pure):
        return [SimpleNamespace(result=self.lost) for _ in chunks]

    def nthreads(self):
        return {"w": 1}

    def cancel(self, futures):
        raise OSError("no scheduler to cancel on")

    @staticmethod
    def lost():
        raise OSError("Timed out trying to connect to tcp://127.0.0.1:8786 after 30 s")


def test_losing_the_dask_scheduler_stops_in_one_line(tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    from trustsim.sweep import runner

    monkeypatch.setattr(distributed, "as_completed", iter)
    monkeypatch.setattr(runner, "_dask_client", lambda stack, workers, scheduler: LostScheduler())
    with pytest.raises(SweepStopped) as stopped:
        sweep(tmp_path / "out", backend="dask", run_fn=fake_simulate)
    assert str(stopped.value) == (
        "the Dask cluster failed (OSError: Timed out trying to connect to tcp://127.0.0.1:8786 "
        "after 30 s); the finished parts are kept"
    )
    assert '"status": "stopped"' in (tmp_path / "out" / "metadata.json").read_text()
