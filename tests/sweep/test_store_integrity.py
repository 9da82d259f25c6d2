"""The results store cannot lie: damage, copies, foreign files and races are found and said.

Every test damages a finished sweep as a crash, a disk or a user would, then checks that resume
yields the uninterrupted table (or refuses with a clear message) and that loading never returns
anything else silently.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import warnings

import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.sweep._fake_model import fake_simulate
from trustsim import load_results, load_timeseries, run_sweep
from trustsim.errors import UserError
from trustsim.sweep import runner
from trustsim.sweep.results import IncompleteResultsWarning, ResultStore

SPEC = {
    "experiment": {"name": "s", "scenario": "minimal", "years": 3, "replicates": 3, "seed": 8},
    "fixed": {"strategy": "tit_for_tat"},
    "sweep": {"patience": [0.2, 0.5, 0.8], "noise": [0.0, 0.1]},
    "record": {"timeseries": True, "stride": 4},
}
OTHER = {**SPEC, "experiment": {**SPEC["experiment"], "seed": 9}}


def sweep(out, spec=SPEC, **kwargs):
    kwargs.setdefault("run_fn", fake_simulate)
    kwargs.setdefault("progress", False)
    kwargs.setdefault("workers", 1)
    return run_sweep(spec, out, **kwargs)


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    out = tmp_path_factory.mktemp("finished") / "out"
    sweep(out, chunk_size=4)
    return out


@pytest.fixture(scope="module")
def reference(finished):
    return load_results(finished), load_timeseries(finished)


@pytest.fixture
def copy(finished, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(finished, out)
    return out


def assert_reference(out, reference):
    pd.testing.assert_frame_equal(load_results(out), reference[0])
    pd.testing.assert_frame_equal(load_timeseries(out), reference[1])


def parts(out, folder="runs"):
    return sorted((out / folder).glob("part-*.parquet"))


# -- byte damage and kill points: property-based ---------------------------------------------


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    folder=st.sampled_from(["runs", "timeseries"]),
    which=st.integers(0, 4),
    where=st.floats(0, 1, exclude_max=True),
    flip=st.integers(1, 255),
)
@example(folder="runs", which=0, where=0.25, flip=128)  # a column name no longer UTF-8
def test_a_flipped_byte_never_changes_the_resumed_table(
    finished, reference, tmp_path_factory, folder, which, where, flip
):
    out = tmp_path_factory.mktemp("flip") / "out"
    shutil.copytree(finished, out)
    target = parts(out, folder)[which]
    data = bytearray(target.read_bytes())
    data[int(where * len(data))] ^= flip
    target.write_bytes(bytes(data))
    report = sweep(out, resume=True)
    assert_reference(out, reference)
    if report.n_new:  # the damage was found: the part said which and went to quarantine
        assert target in [q[0] for q in report.quarantined]
        assert (out / "quarantine").is_dir()


class Stop(Exception):
    pass


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    stop_after=st.integers(0, 17),
    chunk=st.integers(1, 7),
    torn=st.sampled_from(["none", "tmp", "orphan_timeseries", "truncated_last"]),
)
def test_any_kill_point_resumes_to_the_uninterrupted_table(
    reference, tmp_path_factory, stop_after, chunk, torn
):
    """A sweep stopped after any run, with any leftover a crash can leave, resumes exactly."""
    out = tmp_path_factory.mktemp("kill") / "out"
    calls = {"n": 0}

    def stopping(scenario, **kwargs):
        if calls["n"] == stop_after:
            raise KeyboardInterrupt
        calls["n"] += 1
        return fake_simulate(scenario, **kwargs)

    with contextlib.suppress(KeyboardInterrupt):
        sweep(out, run_fn=stopping, chunk_size=chunk)
    written = parts(out)
    if torn == "tmp":
        (out / "runs" / "part-00077.parquet.tmp").write_bytes(b"PAR1 half a part")
    elif torn == "orphan_timeseries" and written:  # time series renamed, runs not yet
        shutil.copy(parts(out, "timeseries")[0], out / "timeseries" / "part-00077.parquet")
    elif torn == "truncated_last" and written:
        written[-1].write_bytes(written[-1].read_bytes()[:-30])
    sweep(out, resume=True, chunk_size=3)
    assert_reference(out, reference)


# -- copies, foreign files, other specs ------------------------------------------------------


def test_a_copied_part_is_refused_never_loaded_twice(copy):
    shutil.copy(parts(copy)[1], copy / "runs" / "part-00099.parquet")
    with pytest.raises(UserError, match=r"part-00099.parquet: holds runs that .*part-00001"):
        sweep(copy, resume=True)
    with pytest.raises(UserError, match="a copy"):
        load_results(copy)


def test_a_file_managers_copy_is_refused_by_name(copy):
    shutil.copy(parts(copy)[1], copy / "runs" / "part-00001 (copy).parquet")
    with pytest.raises(UserError, match=r"part-00001 \(copy\).parquet: not a part-file"):
        sweep(copy, resume=True)
    with pytest.raises(UserError, match="not a part-file trustsim wrote"):
        load_results(copy)


def test_a_part_of_another_spec_is_quarantined_and_redone(copy, reference, tmp_path):
    sweep(tmp_path / "other", OTHER, chunk_size=4)
    for folder in ("runs", "timeseries"):
        shutil.copy(parts(tmp_path / "other", folder)[0], parts(copy, folder)[0])
    with pytest.raises(UserError, match="damaged part .*another spec"):
        load_results(copy)
    report = sweep(copy, resume=True)
    assert report.n_new == 4
    assert "written for another spec" in report.quarantined[0][2]
    assert_reference(copy, reference)


def test_a_silently_changed_value_is_found(copy, reference):
    """Rewrite a part with one value changed but its old header: the content hash differs."""
    path = parts(copy)[2]
    table = pq.read_table(path)
    df = table.to_pandas()
    df.loc[0, "first_draw"] += 1e-9
    import pyarrow as pa

    changed = pa.Table.from_pandas(df, preserve_index=False).replace_schema_metadata(
        table.schema.metadata
    )
    pq.write_table(changed, path)
    with pytest.raises(UserError, match="content does not match its recorded SHA-256"):
        load_results(copy)
    report = sweep(copy, resume=True)
    assert report.n_new == 4 and report.quarantined
    assert_reference(copy, reference)


def test_changed_ids_are_found(copy):
    path = parts(copy)[0]
    table = pq.read_table(path)
    header = json.loads(table.schema.metadata[b"trustsim"])
    header["runs"][0] = [5, 2]  # claims a run it does not hold
    meta = {**table.schema.metadata, b"trustsim": json.dumps(header).encode()}
    pq.write_table(table.replace_schema_metadata(meta), path)
    with pytest.raises(UserError, match="not the runs its header lists"):
        load_results(copy)


# -- metadata and the directory itself --------------------------------------------------------


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", "", '"a string"'])
def test_a_damaged_metadata_file_is_one_clear_error(copy, text):
    (copy / "metadata.json").write_text(text)
    for call in (lambda: sweep(copy, resume=True), lambda: load_results(copy)):
        with pytest.raises(UserError, match="metadata.json: (unreadable|holds a)"):
            call()


def test_the_lock_being_a_directory_is_said(copy):
    (copy / "sweep.lock").unlink()
    (copy / "sweep.lock").mkdir()
    with pytest.raises(UserError, match="sweep.lock: cannot open the sweep's lock file"):
        sweep(copy, resume=True)


def test_runs_being_a_file_is_said(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "runs").write_text("x")
    with pytest.raises(UserError, match="runs: is not a directory"):
        sweep(out, resume=True)


def test_out_under_a_file_is_said(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(UserError, match="is not a directory; choose another --out"):
        sweep(tmp_path / "file" / "out")


def test_the_spec_is_checked_again_under_the_lock(tmp_path, monkeypatch):
    """Another sweep fills the folder between the early check and the lock: refused then."""
    out = tmp_path / "out"
    real_lock = ResultStore.lock

    @contextlib.contextmanager
    def late_lock(store):
        monkeypatch.setattr(ResultStore, "lock", real_lock)
        sweep(out, OTHER)  # the other sweep, start to end, inside the window
        with real_lock(store):
            yield

    monkeypatch.setattr(ResultStore, "lock", late_lock)
    with pytest.raises(UserError, match="directory is not empty"):
        sweep(out)
    monkeypatch.setattr(ResultStore, "lock", late_lock)
    (other := tmp_path / "o2").mkdir()
    out = other / "out"
    with pytest.raises(UserError, match="holds results of a different spec"):
        sweep(out, resume=True)
    assert json.loads((out / "metadata.json").read_text())["spec"] == OTHER


def test_load_results_says_a_sweep_is_incomplete_and_how_to_resume(copy):
    parts(copy)[-1].unlink()
    meta = json.loads((copy / "metadata.json").read_text())
    meta["status"] = "running"  # as a sweep killed outright leaves it
    (copy / "metadata.json").write_text(json.dumps(meta))
    with pytest.warns(IncompleteResultsWarning, match=r"16 of 18 runs \(its sweep was killed\)"):
        df = load_results(copy)
    assert len(df) == 16
    with ResultStore(copy).lock():
        with pytest.warns(IncompleteResultsWarning, match="a sweep is still writing there"):
            load_results(copy)


def test_a_complete_sweep_loads_without_a_warning(finished):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(load_results(finished)) == 18


def test_parts_carry_design_and_provenance_for_polars(finished):
    pl = pytest.importorskip("polars")
    header = json.loads(pl.read_parquet_metadata(parts(finished)[0])["trustsim"])
    meta = json.loads((finished / "metadata.json").read_text())
    assert header["spec_hash"] == meta["spec_hash"]
    assert header["design"] == "grid" and header["parameters"] == ["patience", "noise"]
    assert header["fixed"] == {"strategy": "tit_for_tat"} and header["spec"] == SPEC
    assert header["runs"] == [[0, 0], [0, 1], [0, 2], [1, 0]]
    assert header["trustsim"] == meta["versions"]["trustsim"]
    assert "git_commit" in header and header["table"] == "runs"
    assert pq.ParquetFile(parts(finished)[0]).metadata.row_group(0).num_rows == 4


def test_sigterm_marks_the_session_interrupted(tmp_path):
    """In the main thread SIGTERM becomes an interrupt: the finally block records it."""
    import os
    import signal

    def terminating(scenario, *, seed, **kwargs):
        if seed.spawn_key == (2, 0):
            os.kill(os.getpid(), signal.SIGTERM)
        return fake_simulate(scenario, seed=seed, **kwargs)

    with pytest.raises(runner.Terminated):
        sweep(tmp_path / "out", run_fn=terminating, chunk_size=2)
    meta = json.loads((tmp_path / "out" / "metadata.json").read_text())
    assert meta["status"] == "interrupted" and meta["sessions"][-1]["new_runs"] == 6
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
