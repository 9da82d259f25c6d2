"""The user's filesystem and input at the command line: one or two lines, exit 2, nothing lost.

One case per report of issue 17 (and ``run --out`` of issue 16): each must end in a message
that names the path or option, without a traceback, and before any work is done.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from trustsim.cli import main

SPEC = """
[experiment]
name = "edges"
scenario = "minimal"
years = 2
replicates = 1
seed = 5
[sweep]
patience = [0.3, 0.9]
"""

#: A directory even root cannot write in (sysfs), for "read-only --out".
READ_ONLY = Path("/sys/trustsim-out")


def read_only_available() -> bool:
    return Path("/sys").is_dir() and not READ_ONLY.exists()


def fails_cleanly(capsys, argv, message):
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, (argv, err)
    assert "Traceback" not in err and 1 <= err.count("\n") <= 2, err
    assert message in err, err
    return err


@pytest.fixture
def spec(tmp_path):
    path = tmp_path / "spec.toml"
    path.write_text(SPEC)
    return path


@pytest.fixture
def finished(tmp_path, spec, capsys):
    out = tmp_path / "done"
    assert main(["sweep", str(spec), "--out", str(out), "--workers", "1"]) == 0
    capsys.readouterr()
    return out


def test_run_refuses_a_negative_seed(capsys, tmp_path):
    fails_cleanly(capsys, ["run", "minimal", "--seed", "-1", "--out", str(tmp_path / "o")],
                  "--seed must be in [0, 2**63 - 1], got -1")


def test_validate_refuses_a_negative_root_seed(capsys):
    fails_cleanly(capsys, ["validate", "--root-seed", "-1", "--seeds", "1"],
                  "--root-seed must be in [0, 2**63 - 1], got -1")


@pytest.mark.skipif(not read_only_available(), reason="needs a read-only /sys")
def test_run_checks_a_read_only_out_before_running(capsys, monkeypatch):
    import trustsim.park.model

    def no_model(*args, **kwargs):
        raise AssertionError("the model ran before --out was checked")

    monkeypatch.setattr(trustsim.park.model, "SymbiosisPark", no_model)
    fails_cleanly(capsys, ["run", "minimal", "--out", str(READ_ONLY / "o")], "cannot write in /sys")


@pytest.mark.skipif(not read_only_available(), reason="needs a read-only /sys")
def test_sweep_refuses_a_read_only_out(capsys, spec):
    fails_cleanly(capsys, ["sweep", str(spec), "--out", str(READ_ONLY / "o")], "cannot write in")


def test_out_under_a_file(capsys, tmp_path, spec):
    (tmp_path / "file").write_text("x")
    under = str(tmp_path / "file" / "o")
    fails_cleanly(capsys, ["run", "minimal", "--out", under], "is a file, not a directory")
    fails_cleanly(capsys, ["sweep", str(spec), "--out", under], "is not a directory")


def test_run_refuses_a_non_empty_out_unless_forced(capsys, tmp_path):
    out = tmp_path / "o"
    assert main(["run", "minimal", "--years", "1", "--out", str(out)]) == 0
    fails_cleanly(capsys, ["run", "minimal", "--years", "1", "--out", str(out)],
                  "directory is not empty; add --force")
    assert main(["run", "minimal", "--years", "1", "--out", str(out), "--force"]) == 0


def test_runs_being_a_file(capsys, finished, spec):
    shutil.rmtree(finished / "runs")
    (finished / "runs").write_text("x")
    fails_cleanly(capsys, ["sweep", str(spec), "--out", str(finished), "--resume"],
                  "runs: is not a directory")


@pytest.mark.parametrize("text", ["{broken", "[]"])
def test_a_corrupt_metadata_file_on_resume(capsys, finished, spec, text):
    (finished / "metadata.json").write_text(text)
    fails_cleanly(capsys, ["sweep", str(spec), "--out", str(finished), "--resume"],
                  "metadata.json: ")


def test_a_spec_that_is_not_utf8(capsys, tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes(SPEC.replace('"edges"', '"\xe9t\xe9"').encode("latin-1"))
    fails_cleanly(capsys, ["sweep", str(path), "--out", str(tmp_path / "o")],
                  "not UTF-8 text (byte")


def test_a_spec_that_is_a_directory(capsys, tmp_path):
    fails_cleanly(capsys, ["sweep", str(tmp_path), "--out", str(tmp_path / "o")],
                  "no such spec file")


def test_demo_refuses_an_unknown_format_and_a_path_under_a_file(capsys, tmp_path):
    fails_cleanly(capsys, ["demo", "--out", str(tmp_path / "f.xyz")],
                  "unknown image format 'xyz'; allowed:")
    (tmp_path / "file").write_text("x")
    fails_cleanly(capsys, ["demo", "--out", str(tmp_path / "file" / "f.png")],
                  "is a file, not a directory")


def test_the_lock_being_a_directory(capsys, finished, spec):
    (finished / "sweep.lock").unlink()
    (finished / "sweep.lock").mkdir()
    fails_cleanly(capsys, ["sweep", str(spec), "--out", str(finished), "--resume"],
                  "sweep.lock: cannot open the sweep's lock file")


def test_figures_only_empty_builds_nothing(capsys):
    fails_cleanly(capsys, ["figures", "--only", ""], "--only names no experiment")
    fails_cleanly(capsys, ["figures", "--only", " , "], "--only names no experiment")


def test_match_refuses_a_parameter_given_twice(capsys):
    fails_cleanly(
        capsys,
        ["match", "generous_tit_for_tat:generosity=0.1,generosity=0.3", "tit_for_tat"],
        "parameter 'generosity' is given twice",
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("years = 100000", "[experiment] years = 100,000 is too large; allowed: 1 to 1,000"),
        ("replicates = 1000000000", "replicates = 1,000,000,000 is too large"),
    ],
)
def test_sizes_are_refused_before_the_first_run(capsys, tmp_path, line, message):
    key = line.split(" ")[0]
    text = "\n".join(
        line if row.startswith(f"{key} =") else row for row in SPEC.splitlines()
    )
    path = tmp_path / "big.toml"
    path.write_text(text)
    fails_cleanly(capsys, ["sweep", str(path), "--out", str(tmp_path / "o")], message)
    assert not (tmp_path / "o").exists()


def test_a_park_too_large_for_memory_is_refused_before_it_is_built(capsys, tmp_path):
    err = fails_cleanly(
        capsys,
        ["run", "region", "--set", "n_facilities=100000", "--out", str(tmp_path / "o")],
        "--set n_facilities = 100,000 needs about",
    )
    assert "GiB are available; allowed here: up to" in err


def test_sweep_stopped_by_the_cluster_is_one_line_with_resume(capsys, monkeypatch, spec, tmp_path):
    from trustsim.errors import SweepStopped
    from trustsim.sweep import runner

    def stopped(*args, **kwargs):
        raise SweepStopped("the Dask scheduler was lost; the finished parts are kept")

    monkeypatch.setattr(runner, "run_sweep", stopped)
    code = main(["sweep", str(spec), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 3 and err.count("\n") == 1 and "Traceback" not in err
    assert err.endswith(f"continue with trustsim sweep {spec} --out {tmp_path / 'o'} --resume\n")


def test_load_results_on_a_copied_part_names_it(finished):
    from trustsim import load_results
    from trustsim.errors import UserError

    part = sorted((finished / "runs").glob("part-*.parquet"))[0]
    shutil.copy(part, finished / "runs" / "part-00050.parquet")
    with pytest.raises(UserError, match="part-00050.parquet: holds runs that"):
        load_results(finished)
    assert json.loads((finished / "metadata.json").read_text())["status"] == "complete"
