import json

import pandas as pd

from trustsim.cli import main


def test_run_writes_outputs_and_prints_summary(tmp_path, capsys):
    assert main(["run", "minimal", "--years", "3", "--seed", "2", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "minimal" in out and "exchanges active 1" in out
    ts = pd.read_parquet(tmp_path / "timeseries.parquet")
    assert len(ts) == 12 and "cooperation_rate" in ts.columns
    ex = pd.read_parquet(tmp_path / "exchanges.parquet")
    assert len(ex) == 1 and ex.supplier[0] == "plant"
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["seed"] == 2 and summary["parameters"]["strategy"] == "forward_looking"


def test_run_json_and_set(tmp_path, capsys):
    args = ["run", "minimal", "--years", "2", "--json", "--out", str(tmp_path),
            "--set", "patience=0.1", "--set", "utility_temptation=1.0"]
    assert main(args) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["parameters"]["patience"] == 0.1
    assert summary["cooperation_rate"] < 1.0 and summary["active_exchanges"] == 0
    assert summary["ended_breach"] == 1


def test_default_scenario_is_kalundborg(tmp_path, capsys):
    assert main(["run", "--years", "5", "--json", "--out", str(tmp_path)]) == 0
    assert json.loads(capsys.readouterr().out)["scenario"] == "kalundborg"


def test_bad_input_is_one_line_exit_2(tmp_path, capsys):
    cases = [
        (["--set", "patiense=0.5"], "did you mean 'patience'"),
        (["--set", "noise=2"], "noise must be in [0, 0.5]"),
        (["--set", "noise"], "--set expects NAME=VALUE"),
        (["--years", "-1"], "--years must be in [0, 1000]"),
    ]
    for extra, message in cases:
        code = main(["run", "minimal", "--out", str(tmp_path), *extra])
        err = capsys.readouterr().err
        assert code == 2 and message in err and err.count("\n") == 1, (extra, err)
    assert main(["run", "minimall", "--out", str(tmp_path)]) == 2
    assert "did you mean 'minimal'" in capsys.readouterr().err
