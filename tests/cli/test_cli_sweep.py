"""`trustsim sweep` end to end on the minimal scenario: kill -9 and resume, errors, backends."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import trustsim
from trustsim import load_results
from trustsim.cli import main
from trustsim.sweep.results import ResultStore

SMALL = """
[experiment]
name = "cli_small"
scenario = "minimal"
years = 3
replicates = 2
seed = 5
[fixed]
noise = 0.02
[sweep]
patience = [0.3, 0.9]
"""

LONG = """
[experiment]
name = "cli_long"
scenario = "minimal"
years = 150
replicates = 5
seed = 17
[sweep]
patience = [0.2, 0.5, 0.8, 0.95]
noise = [0.0, 0.05]
[record]
timeseries = true
stride = 8
"""


def write(tmp_path, text, name="spec.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def cli(*args, **kwargs):
    """Run the CLI in a fresh process, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "trustsim", "sweep", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=600,
        **kwargs,
    )


def test_small_sweep(tmp_path, capsys):
    spec = write(tmp_path, SMALL)
    assert main(["sweep", str(spec), "--out", str(tmp_path / "o"), "--workers", "1"]) == 0
    assert "4 runs in" in capsys.readouterr().out
    df = load_results(tmp_path / "o")
    assert len(df) == 4 and (df.status == "ok").all()
    assert {"cooperation_rate", "active_exchanges", "mean_trust"} <= set(df.columns)
    assert df.patience.tolist() == [0.3, 0.3, 0.9, 0.9] and (df.noise == 0.02).all()


def test_one_and_two_workers_and_a_dask_scheduler_give_the_same_table(tmp_path):
    distributed = pytest.importorskip("distributed")
    spec = write(tmp_path, SMALL)
    trustsim.run_sweep(spec, tmp_path / "w1", workers=1, progress=False)
    two = cli(spec, "--out", tmp_path / "w2", "--workers", 2, "--chunk-size", 1)
    assert two.returncode == 0, two.stderr
    assert "run/s" not in two.stderr  # no progress bar without a terminal
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, protocol="tcp", dashboard_address=None
    ) as cluster:
        dask = cli(
            spec,
            "--out",
            tmp_path / "dask",
            "--backend",
            "dask",
            "--scheduler",
            cluster.scheduler_address,
        )
    assert dask.returncode == 0, dask.stderr
    reference = load_results(tmp_path / "w1")
    pd.testing.assert_frame_equal(load_results(tmp_path / "w2"), reference)
    pd.testing.assert_frame_equal(load_results(tmp_path / "dask"), reference)


def test_dask_local_cluster_of_processes(tmp_path):
    pytest.importorskip("distributed")
    spec = write(tmp_path, SMALL)
    done = cli(spec, "--out", tmp_path / "dask", "--backend", "dask", "--workers", 1)
    assert done.returncode == 0, done.stderr
    trustsim.run_sweep(spec, tmp_path / "w1", workers=1, progress=False)
    pd.testing.assert_frame_equal(load_results(tmp_path / "dask"), load_results(tmp_path / "w1"))


def wait_for_parts(folder: Path, count: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 300
    while len(list(folder.glob("part-*.parquet"))) < count:
        assert proc.poll() is None, "the sweep ended before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.05)


@pytest.mark.parametrize("how", ["kill", "ctrl-c"])
def test_interrupted_sweep_resumes_to_the_uninterrupted_table(tmp_path, how):
    # 160 runs in 80 parts: a busy machine must not finish them before the signal lands
    spec = write(tmp_path, LONG.replace("replicates = 5", "replicates = 20"))
    out = tmp_path / "o"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "trustsim",
            "sweep",
            str(spec),
            "--out",
            str(out),
            "--workers",
            "2",
            "--chunk-size",
            "2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # as typed in a terminal: a runner started in the background (`cmd &` in a script)
        # has Ctrl-C ignored, and the sweep would inherit that and never see the signal
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    wait_for_parts(out / "runs", 3, proc)
    os.killpg(proc.pid, signal.SIGKILL if how == "kill" else signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    kept = len(list((out / "runs").glob("part-*.parquet")))
    if how == "ctrl-c":
        assert proc.returncode == 130 and "Traceback" not in err
        assert err.strip().endswith(
            f"interrupted; finished runs are kept in {out}, continue with --resume"
        )
    assert 3 <= kept < 80
    resumed = cli(spec, "--out", out, "--resume", "--workers", 1)
    assert resumed.returncode == 0, resumed.stderr
    assert "already there" in resumed.stdout
    reference = tmp_path / "ref"
    trustsim.run_sweep(spec, reference, workers=1, progress=False)
    pd.testing.assert_frame_equal(load_results(out), load_results(reference))
    pd.testing.assert_frame_equal(
        trustsim.load_timeseries(out), trustsim.load_timeseries(reference)
    )


BAD = [
    ("patiense = [0.5]", "[sweep] patiense: unknown parameter; did you mean 'patience'?"),
    ("patience = [0.5, 2.0]", "[sweep] patience: must be in [0, 0.999]"),
    ('patience = ["high"]', "[sweep] patience: got the string 'high'; allowed: [0, 0.999]"),
    ("patience = []", "[sweep] patience = [] is empty"),
]


@pytest.mark.parametrize(("line", "message"), BAD)
def test_bad_spec_is_one_line_exit_2(tmp_path, capsys, line, message):
    spec = write(tmp_path, SMALL.replace("patience = [0.3, 0.9]", line))
    assert main(["sweep", str(spec), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"trustsim sweep: error: {spec}: ") and message in err
    assert not (tmp_path / "o").exists()


def test_missing_spec_file_in_a_real_process(tmp_path):
    done = cli(tmp_path / "nope.toml", "--out", tmp_path / "o")
    assert done.returncode == 2
    assert done.stderr == f"trustsim sweep: error: {tmp_path / 'nope.toml'}: no such spec file\n"


def test_unreachable_scheduler(tmp_path):
    done = cli(
        write(tmp_path, SMALL),
        "--out",
        tmp_path / "o",
        "--backend",
        "dask",
        "--scheduler",
        "tcp://127.0.0.1:9",
    )
    assert done.returncode == 2, done.stderr
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in done.stderr
    assert "Traceback" not in done.stderr
    # the folder was locked before the client started (issue 17): it holds no results
    assert ResultStore(tmp_path / "o").holds_only_its_own_layout()


def test_non_empty_out_and_other_spec_are_refused(tmp_path, capsys):
    spec = write(tmp_path, SMALL)
    out = tmp_path / "o"
    assert main(["sweep", str(spec), "--out", str(out), "--workers", "1"]) == 0
    capsys.readouterr()
    assert main(["sweep", str(spec), "--out", str(out)]) == 2
    assert "not empty; use --resume" in capsys.readouterr().err
    other = write(tmp_path, SMALL.replace("seed = 5", "seed = 6"), "other.toml")
    assert main(["sweep", str(other), "--out", str(out), "--resume"]) == 2
    err = capsys.readouterr().err
    assert "holds results of a different spec" in err and err.count("\n") == 1
    assert main(["sweep", str(spec), "--out", str(out), "--resume"]) == 0
    assert "0 computed now, 4 already there" in capsys.readouterr().out


def failing_simulate(scenario, *, seed, **kwargs):
    if seed.spawn_key == (1, 0):
        raise RuntimeError("model broke")
    return REAL_SIMULATE(scenario, seed=seed, **kwargs)


REAL_SIMULATE = trustsim.simulate


def test_failed_runs_are_recorded_and_exit_non_zero(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(trustsim, "simulate", failing_simulate)
    spec = write(tmp_path, SMALL)
    out = tmp_path / "o"
    assert main(["sweep", str(spec), "--out", str(out), "--workers", "1"]) == 1
    err = capsys.readouterr().err
    assert "1 of 4 runs failed" in err
    df = load_results(out)
    failed = df[df.status == "error"]
    assert failed[["point", "replicate", "patience"]].values.tolist() == [[1, 0, 0.9]]
    assert failed.error.tolist() == ["RuntimeError: model broke"]
    assert (df.status == "ok").sum() == 3


def single_threaded_vars_unset() -> dict[str, str]:
    """The environment without the thread limits, so the command must set them itself."""
    from trustsim.sweep.workers import SINGLE_THREADED

    return {k: v for k, v in os.environ.items() if k not in SINGLE_THREADED}


def test_the_command_forks_its_workers_from_a_single_thread(tmp_path):
    spec = write(tmp_path, SMALL)
    done = subprocess.run(
        [sys.executable, "-W", "error:This process:DeprecationWarning", "-m", "trustsim"]
        + ["sweep", str(spec), "--out", str(tmp_path / "w2"), "--workers", "2"]
        + ["--chunk-size", "1"],
        capture_output=True,
        text=True,
        timeout=600,
        env=single_threaded_vars_unset(),
    )
    assert done.returncode == 0, done.stderr
    metadata = json.loads((tmp_path / "w2" / "metadata.json").read_text())
    assert metadata["sessions"][-1]["start_method"] == "fork"
    trustsim.run_sweep(spec, tmp_path / "w1", workers=1, progress=False)
    pd.testing.assert_frame_equal(load_results(tmp_path / "w2"), load_results(tmp_path / "w1"))


def children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found.update(int(c) for c in (task / "children").read_text().split())
    return found


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


@pytest.mark.skipif(sys.platform != "linux", reason="workers die with their parent on Linux")
def test_a_sweep_killed_alone_leaves_no_worker_behind(tmp_path):
    """Killed mid-chunk, the workers go at once (not at their chunk's end): resume can start."""
    spec = write(tmp_path, LONG.replace("replicates = 5", "replicates = 100"))
    out = tmp_path / "o"
    proc = subprocess.Popen(
        [sys.executable, "-m", "trustsim", "sweep", str(spec), "--out", str(out)]
        + ["--workers", "2", "--chunk-size", "200"],  # a chunk takes several seconds
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not (workers := children(proc.pid)) and time.monotonic() < deadline:
            assert proc.poll() is None
            time.sleep(0.05)
        assert workers, "the sweep has no worker process"
        time.sleep(1.0)  # the worker is inside its first chunk
        os.kill(proc.pid, signal.SIGKILL)  # the sweep's process only, not its group
        proc.wait(timeout=60)
        deadline = time.monotonic() + 1.0
        while any(running(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not any(running(pid) for pid in workers)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert not list((out / "runs").glob("part-*.parquet"))  # killed before any chunk ended
    resumed = cli(spec, "--out", out, "--resume", "--workers", 2)
    assert resumed.returncode == 0, resumed.stderr
    assert len(load_results(out)) == 800
