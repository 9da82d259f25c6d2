"""ODD.md against the ODD 2020 checklist items the model can be checked on mechanically."""

import tomllib
from importlib import resources

import trustsim
from trustsim.park.model import SymbiosisPark
from trustsim.park.scenarios import SCENARIOS


def odd():
    return resources.files("trustsim").joinpath("docs", "ODD.md").read_text(encoding="utf-8")


def test_every_time_series_column_is_documented():
    text = odd().split("**Time series**")[1].split("## Initialization")[0]
    for column in SymbiosisPark("minimal", rng=0).timeseries().columns:
        assert f"`{column}`" in text, column
    learners = SymbiosisPark("minimal", rng=0, adaptation="reinforcement").timeseries()
    assert "`mean_cheat_propensity`" in text and "mean_cheat_propensity" in learners


def test_every_registered_scenario_is_described():
    text = odd().split("Scenarios shipped with the model")[1].split("## Input data")[0]
    for name in SCENARIOS:
        assert f"- `{name}`:" in text, name


def test_the_calibrated_values_and_the_model_version_are_stated():
    text = odd()
    path = resources.files("trustsim").joinpath("park", "scenarios", "kalundborg_calibration.toml")
    fitted = tomllib.loads(path.read_text(encoding="utf-8"))["parameters"]
    table = text.split("**Calibrated values**")[1]
    for name, value in fitted.items():
        assert f"| `{name}` | {value} |" in table, name
    assert f"trustsim {trustsim.__version__} (`trustsim.__version__`" in text


def test_no_reference_to_files_outside_the_repository():
    root = resources.files("trustsim")
    for path in [*root.joinpath("docs").iterdir(), root.joinpath("park", "contracts.py")]:
        if path.name.endswith((".md", ".py")):
            body = path.read_text(encoding="utf-8")
            assert "DESIGN.md" not in body and "STYLE.md" not in body, path.name
