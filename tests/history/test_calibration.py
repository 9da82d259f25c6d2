import math
import tomllib

import pytest

from trustsim.cli import main
from trustsim.errors import UserError
from trustsim.history.calibration import (
    FITTED,
    MARGINS,
    calibrate,
    load_calibration,
    milestone_error,
    objective,
    write_calibration,
)
from trustsim.history.validation import Milestone, MilestoneResult, milestones
from trustsim.park.params import PARAMETERS

MARK = Milestone("x", 1994, "active_exchanges", 16, 14, 19, "IISD")


def result(mark, mean):
    return MilestoneResult(mark.key, mark.year, mark.metric, mark.observed, mark.low,
                           mark.high, mean, mean, mean, mark.low <= mean <= mark.high, False,
                           mark.source, mark.weight)


def test_error_is_the_relative_distance_to_the_band():
    assert milestone_error(MARK, 15.0) == 0.0
    assert milestone_error(MARK, 10.0) == pytest.approx(4 / 16)
    assert milestone_error(MARK, 23.0) == pytest.approx(4 / 16)
    assert milestone_error(MARK, math.nan) == 1.0


def test_objective_is_the_weighted_mean_of_squared_errors_and_ignores_weight_zero():
    other = Milestone("y", 2000, "active_exchanges", 20, 19, 22, "SAIKKU", weight=3.0)
    alt = Milestone("z", 2022, "co2_avoided_t_per_year", 1.0, 0.9, 1.1, "alt", weight=0.0)
    marks = (MARK, other, alt)
    res = [result(MARK, 10.0), result(other, 20.0), result(alt, 100.0)]
    assert objective(res, marks) == pytest.approx((1.0 * (4 / 16) ** 2 + 0.0) / 4.0)
    inside = [result(MARK, 16.0), result(other, 21.0), result(alt, 100.0)]
    assert objective(inside, marks) == 0.0


def test_only_behavioural_parameters_are_fitted():
    historical = {"broker_year", "regulatory_reform_year", "landfill_tax", "landfill_tax_year",
                  "n_facilities", "region_km", "steps_per_year", "fragility_scale"}
    assert not (set(FITTED) | set(MARGINS)) & historical
    for name, (lo, hi) in FITTED.items():
        p = PARAMETERS[name]
        assert p.low <= lo < hi <= p.high
    for name, (base, (lo, hi)) in MARGINS.items():
        assert base in FITTED and name in PARAMETERS and 0.0 < lo < hi


def test_tiny_calibration_runs_and_writes_a_file_the_loader_reads(tmp_path):
    res = calibrate(seeds=1, budget=3)
    assert res.evaluations == 3 and len(res.trace) == 3
    assert res.objective_best == min(res.trace) <= res.objective_start == res.trace[0]
    path = write_calibration(res, tmp_path / "cal.toml")
    fitted = load_calibration(path)
    assert set(fitted) == set(FITTED) | set(MARGINS)
    for name, (lo, hi) in FITTED.items():
        assert lo <= fitted[name] <= hi
    for name, (base, (lo, hi)) in MARGINS.items():
        assert lo - 1e-3 <= fitted[name] - fitted[base] <= hi + 1e-3
    doc = tomllib.loads(path.read_text())
    assert doc["fit"]["evaluations"] == 3 and doc["fit"]["seeds"] == 1
    assert {m["key"] for m in doc["milestone"]} == {m.key for m in milestones()}


def test_cli_calibrate_writes_the_out_file(tmp_path, capsys):
    out = tmp_path / "fit.toml"
    code = main(["calibrate", "kalundborg", "--seeds", "1", "--budget", "2", "--out", str(out),
                 "--quiet"])
    assert code == 0
    assert set(load_calibration(out)) == set(FITTED) | set(MARGINS)
    assert "wrote" in capsys.readouterr().out


def test_bad_budget_and_file_are_user_errors(tmp_path):
    with pytest.raises(UserError, match="budget"):
        calibrate(seeds=1, budget=1)
    with pytest.raises(UserError, match="calibration file"):
        load_calibration(tmp_path / "missing.toml")


def test_kalundborg_uses_the_shipped_calibration_as_defaults():
    from trustsim.park.model import SymbiosisPark

    fitted = load_calibration()
    assert set(fitted) == set(FITTED) | set(MARGINS)
    model = SymbiosisPark("kalundborg", rng=0)
    for name, value in fitted.items():
        assert model.params[name] == pytest.approx(value)
    overridden = SymbiosisPark("kalundborg", rng=0, trust_prior=0.3)
    assert overridden.params["trust_prior"] == 0.3
