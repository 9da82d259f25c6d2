"""Progress: a line now and then in a log (batch jobs), a bar on request, completion names."""

from __future__ import annotations

import re
import sys

import trustsim
from tests.sweep._fake_model import fake_simulate
from trustsim import run_sweep
from trustsim.sweep import runner

SPEC = {
    "experiment": {"name": "p", "scenario": "minimal", "years": 2, "replicates": 4, "seed": 1},
    "sweep": {"patience": [0.2, 0.8]},
}


def test_a_log_gets_one_line_per_interval(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(runner, "LOG_EVERY", 0.0)  # every chunk
    # A notebook test earlier in the session may have imported ipykernel (which means a bar).
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    run_sweep(SPEC, tmp_path / "o", workers=1, chunk_size=2, run_fn=fake_simulate)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 4
    assert re.fullmatch(
        r"trustsim sweep p: 2 of 8 runs \(25\.0 %\), 0 failed, [\d.]+ runs a second, "
        r"about \d+ min left",
        lines[0],
    )
    assert lines[-1].startswith("trustsim sweep p: 8 of 8 runs (100.0 %)")


def test_no_lines_when_progress_is_off_and_a_bar_when_on(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(runner, "LOG_EVERY", 0.0)
    run_sweep(SPEC, tmp_path / "o", workers=1, progress=False, run_fn=fake_simulate)
    assert capsys.readouterr().err == ""
    run_sweep(SPEC, tmp_path / "b", workers=1, progress=True, run_fn=fake_simulate)
    assert "8/8" in capsys.readouterr().err


def test_dir_lists_the_lazy_exports():
    names = dir(trustsim)
    assert {"run_sweep", "load_results", "SymbiosisPark", "simulate", "__version__"} <= set(names)
