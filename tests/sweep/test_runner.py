"""The runner: same table for any workers and backend, errors recorded, interruption and resume."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import partial

import numpy as np
import pandas as pd
import pytest

from tests.sweep._fake_model import (
    fake_simulate,
    interrupting_simulate,
    pid_real_simulate,
    pid_simulate,
    worker_facts_simulate,
)
from trustsim import load_results, load_timeseries, run_sweep
from trustsim.errors import UserError
from trustsim.sweep.results import IncompleteResultsWarning
from trustsim.sweep.spec import parse_spec

SPEC = {
    "experiment": {"name": "r", "scenario": "minimal", "years": 4, "replicates": 3, "seed": 99},
    "fixed": {"strategy": "tit_for_tat"},
    "sweep": {"patience": [0.2, 0.5, 0.8], "noise": [0.0, 0.1]},
    "record": {"timeseries": True, "stride": 5},
}


def sweep(out, spec=SPEC, **kwargs):
    kwargs.setdefault("run_fn", fake_simulate)
    kwargs.setdefault("progress", False)
    kwargs.setdefault("workers", 1)
    return run_sweep(spec, out, **kwargs)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("ref") / "out"
    sweep(out)
    return load_results(out), load_timeseries(out)


def test_every_run_once_with_its_seed(reference):
    df, _ = reference
    assert len(df) == 18
    assert not df.duplicated(["point", "replicate"]).any()
    spec = parse_spec(SPEC)
    for r in df.itertuples():
        assert {"patience": r.patience, "noise": r.noise} == spec.points[r.point]
        seed = np.random.SeedSequence(r.root_seed, spawn_key=(r.point, r.replicate))
        again = fake_simulate("minimal", seed=seed, years=4, overrides={"patience": r.patience})
        assert again.summary["first_draw"] == r.first_draw


def test_two_workers_give_the_same_tables(tmp_path, reference):
    report = sweep(tmp_path / "out", workers=2, chunk_size=4)
    assert (report.n_runs, report.n_new, report.n_failed) == (18, 18, 0)
    pd.testing.assert_frame_equal(load_results(tmp_path / "out"), reference[0])
    pd.testing.assert_frame_equal(load_timeseries(tmp_path / "out"), reference[1])


def test_two_pool_processes_share_the_runs_and_the_caller_runs_none(tmp_path):
    """The caller only writes parts, so a run that kills its process cannot end the sweep."""
    spec = {**SPEC, "record": {}}
    run_fn = partial(pid_simulate, parent=os.getpid(), marker=tmp_path / "marker")
    sweep(tmp_path / "out", spec, workers=2, chunk_size=1, run_fn=run_fn)
    df = load_results(tmp_path / "out")
    assert (df.status == "ok").all(), df.error.dropna().tolist()
    assert len(set(df.pid)) == 2 and os.getpid() not in set(df.pid)


def test_real_model_in_two_workers_gives_the_in_process_table(tmp_path):
    spec = {**SPEC, "fixed": {"noise": 0.02}, "sweep": {"patience": [0.5, 0.95]}, "record": {}}
    run_fn = partial(pid_real_simulate, parent=os.getpid(), marker=tmp_path / "marker")
    sweep(tmp_path / "two", spec, workers=2, chunk_size=1, run_fn=run_fn)
    two = load_results(tmp_path / "two")
    assert len(set(two.pid)) == 2
    sweep(tmp_path / "one", spec, run_fn=None)
    pd.testing.assert_frame_equal(two.drop(columns="pid"), load_results(tmp_path / "one"))


def session(out):
    return json.loads((out / "metadata.json").read_text())["sessions"][-1]


@pytest.mark.parametrize("method", ["forkserver", "spawn"])
def test_every_start_method_gives_the_same_tables(tmp_path, reference, method):
    sweep(tmp_path / "out", workers=2, chunk_size=2, start_method=method)
    assert session(tmp_path / "out")["start_method"] == method
    pd.testing.assert_frame_equal(load_results(tmp_path / "out"), reference[0])
    pd.testing.assert_frame_equal(load_timeseries(tmp_path / "out"), reference[1])


def test_forkserver_workers_come_from_a_single_threaded_server(tmp_path):
    """numpy has started BLAS threads here; the forkserver limits its own before loading it."""
    sweep(
        tmp_path / "out",
        workers=2,
        chunk_size=1,
        run_fn=partial(worker_facts_simulate, parent=os.getpid(), marker=tmp_path / "marker"),
        start_method="forkserver",
    )
    pool = load_results(tmp_path / "out")
    assert (pool.status == "ok").all() and len(set(pool.pid)) == 2
    assert (pool.parent_threads == 1).all()
    assert (pool.openblas_threads == "1").all()
    assert (pool.frozen_objects > 0).all()  # the inherited heap is out of the collector's walk


def test_guided_chunks_shrink_to_single_runs(tmp_path):
    spec = {**SPEC, "experiment": {**SPEC["experiment"], "replicates": 100}, "record": {}}
    sweep(tmp_path / "out", spec, workers=2)
    parts = sorted((tmp_path / "out" / "runs").glob("part-*.parquet"))
    sizes = [len(pd.read_parquet(path)) for path in parts]
    expected, left = [], 600  # each chunk: the runs left over 4 x 2 workers, at most 50
    while left:
        expected.append(min(50, -(-left // 8)))
        left -= expected[-1]
    assert sorted(sizes, reverse=True) == expected
    assert expected[:4] == [50] * 4 and expected[-3:] == [1, 1, 1]


def test_dask_local_cluster_gives_the_same_tables(tmp_path, reference):
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        sweep(tmp_path / "out", backend="dask", scheduler=client, workers=2, chunk_size=5)
    pd.testing.assert_frame_equal(load_results(tmp_path / "out"), reference[0])
    pd.testing.assert_frame_equal(load_timeseries(tmp_path / "out"), reference[1])


def test_failed_runs_are_recorded_and_the_sweep_goes_on(tmp_path):
    spec = {**SPEC, "sweep": {"patience": [0.2, 0.5], "noise": [0.0, 0.45]}}
    report = sweep(tmp_path / "out", spec, chunk_size=5)
    assert report.n_failed == 6
    df = load_results(tmp_path / "out")
    failed = df[df.status == "error"]
    assert len(failed) == 6 and (failed.noise == 0.45).all()
    assert set(failed.patience) == {0.2, 0.5}
    assert failed.error.str.fullmatch(r"ValueError: noise 0.45 breaks the fake model").all()
    assert failed.cooperation_rate.isna().all()
    assert df[df.status == "ok"].cooperation_rate.notna().all()
    ts = load_timeseries(tmp_path / "out")
    assert set(ts.noise) == {0.0}  # failed runs have no time series
    again = sweep(tmp_path / "out", spec, resume=True)
    assert (again.n_new, again.n_failed, again.removed) == (0, 6, ())


def test_a_chunk_of_failed_runs_only_is_done_too(tmp_path):
    spec = {**SPEC, "sweep": {"patience": [0.2], "noise": [0.45]}}
    report = sweep(tmp_path / "out", spec, chunk_size=1)
    assert report.n_failed == 3
    assert len(load_timeseries(tmp_path / "out")) == 0
    assert sweep(tmp_path / "out", spec, resume=True).n_new == 0


def test_interrupted_sweep_keeps_parts_and_resumes_to_the_same_table(tmp_path, reference):
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        sweep(out, run_fn=interrupting_simulate, chunk_size=2)
    with pytest.warns(IncompleteResultsWarning, match="6 of 18 runs .*interrupted.*resume=True"):
        kept = load_results(out)
    assert len(kept) == 6  # points 0 and 1 finished before point 2 was interrupted
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["status"] == "interrupted" and meta["sessions"][0]["new_runs"] == 6
    report = sweep(out, resume=True, chunk_size=3)
    assert report.n_new == 12
    pd.testing.assert_frame_equal(load_results(out), reference[0])
    pd.testing.assert_frame_equal(load_timeseries(out), reference[1])
    meta = json.loads((out / "metadata.json").read_text())
    assert [s["status"] for s in meta["sessions"]] == ["interrupted", "complete"]
    assert sweep(out, resume=True).n_new == 0


def test_truncated_part_is_redone(tmp_path, reference):
    out = tmp_path / "out"
    sweep(out, chunk_size=4)
    part = out / "runs" / "part-00002.parquet"
    part.write_bytes(part.read_bytes()[: part.stat().st_size // 2])
    report = sweep(out, resume=True)
    assert report.n_new == 4
    assert [(q[0], q[1].name) for q in report.quarantined] == [
        (part, "runs-part-00002.parquet"),
        (out / "timeseries" / "part-00002.parquet", "timeseries-part-00002.parquet"),
    ]
    assert "unreadable" in report.quarantined[0][2]
    pd.testing.assert_frame_equal(load_results(out), reference[0])
    pd.testing.assert_frame_equal(load_timeseries(out), reference[1])


def test_non_empty_directory_needs_resume(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("mine")
    with pytest.raises(UserError, match="not empty; use --resume .* or choose another --out"):
        sweep(tmp_path / "out")
    with pytest.raises(UserError, match="not a trustsim results directory"):
        sweep(tmp_path / "out", resume=True)


def test_resume_with_another_spec_is_refused(tmp_path):
    sweep(tmp_path / "out")
    other = {**SPEC, "fixed": {"strategy": "grim_trigger"}}
    with pytest.raises(UserError, match="different spec"):
        sweep(tmp_path / "out", other, resume=True)


def test_two_sweeps_never_write_one_directory(tmp_path):
    from trustsim.sweep.results import ResultStore

    sweep(tmp_path / "out", chunk_size=6)
    with ResultStore(tmp_path / "out").lock():  # as another sweep would hold it
        with pytest.raises(UserError, match="another sweep is writing there"):
            sweep(tmp_path / "out", resume=True)
    assert sweep(tmp_path / "out", resume=True).n_new == 0


def test_resume_into_a_new_directory_runs_everything(tmp_path):
    assert sweep(tmp_path / "new", resume=True).n_new == 18


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"workers": 0}, r"workers = 0 must be in \[1, 1024\]"),
        ({"workers": 2.5}, "workers = 2.5 must be a whole number"),
        ({"chunk_size": "4"}, "chunk size = '4' must be a whole number"),
        ({"progress": "yes"}, "progress = 'yes' must be True, False or None"),
        ({"backend": "slurm"}, "backend 'slurm' is unknown; allowed: local, dask"),
        ({"scheduler": "tcp://x:1"}, "scheduler is for backend 'dask'"),
        ({"chunk_size": 0}, "chunk size = 0"),
        ({"start_method": "thread"}, "start method 'thread' is unknown; allowed: auto, fork"),
    ],
)
def test_bad_options(tmp_path, options, message):
    with pytest.raises(UserError, match=message):
        sweep(tmp_path / "out", **options)
    assert not (tmp_path / "out").exists()


def test_short_sweeps_from_a_threaded_process_leave_no_worker_errors(tmp_path):
    """Sweeps that end before the forkserver is up, then the interpreter's exit: all quiet."""
    script = tmp_path / "short_sweeps.py"
    script.write_text(
        "import sys\n"
        "import numpy  # BLAS threads: the workers come from a forkserver\n"
        "from trustsim import run_sweep\n"
        "spec = {'experiment': {'name': 's', 'scenario': 'minimal', 'years': 1,\n"
        "                       'replicates': 2, 'seed': 1}, 'sweep': {'patience': [0.3, 0.9]}}\n"
        "if __name__ == '__main__':\n"
        "    for i in range(4):\n"
        "        run_sweep(spec, sys.argv[1] + f'/o{i}', workers=2, progress=False)\n"
    )
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert all(len(load_results(tmp_path / f"o{i}")) == 4 for i in range(4))
