import json

from trustsim.cli import main
from trustsim.park.params import PARAMETERS


def test_params_lists_every_parameter_with_unit_default_and_range(capsys):
    assert main(["params"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:4] == ["name", "unit", "default", "allowed"]
    names = [line.split()[0] for line in lines[1:]]
    assert names == list(PARAMETERS)
    patience = next(line for line in lines if line.startswith("patience "))
    assert PARAMETERS["patience"].allowed() in patience


def test_params_json_filter_and_scenario_defaults(capsys):
    assert main(["params", "trust", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and all("trust" in r["name"] for r in rows)
    assert main(["params", "--scenario", "nope"]) == 2
    assert "nope" in capsys.readouterr().err


def test_a_parameter_typo_points_to_trustsim_params(capsys):
    assert main(["run", "minimal", "--set", "patiense=0.5", "--out", "x"]) == 2
    assert "trustsim params" in capsys.readouterr().err
