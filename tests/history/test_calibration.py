"""The ABC-SMC calibration: priors, distance, the files it writes, and where calibrations go."""

import json
import math
import tomllib

import pytest

from trustsim.cli import main
from trustsim.errors import UserError
from trustsim.history.posterior import (
    FIT_UNTIL,
    MARGINS,
    PRIORS,
    band_distance,
    fitted_milestones,
    held_out_milestones,
    particle_parameters,
    weighted_quantiles,
)
from trustsim.history.validation import Milestone, milestones
from trustsim.park.params import PARAMETERS
from trustsim.park.scenarios.calibration import load_calibration, parse_calibration

MARK = Milestone("x", 1994, "active_exchanges", 16, 14, 19, "IISD")


def test_only_behavioural_parameters_have_priors_inside_their_ranges():
    historical = {"broker_year", "regulatory_reform_year", "landfill_tax", "landfill_tax_year",
                  "n_facilities", "region_km", "steps_per_year", "fragility_scale"}
    assert not set(PRIORS) & historical
    for name, (lo, hi) in PRIORS.items():
        if name in MARGINS:
            param, base = MARGINS[name]
            assert param in PARAMETERS and base in PRIORS and 0.0 < lo < hi
        else:
            assert PARAMETERS[name].low <= lo < hi <= PARAMETERS[name].high


def test_the_fit_sees_only_the_milestones_up_to_1995():
    fitted = {m.key for m in fitted_milestones()}
    held = {m.key for m in held_out_milestones()}
    assert fitted == {m.key for m in milestones() if m.weight > 0 and m.year <= FIT_UNTIL}
    assert held == {m.key for m in milestones() if m.weight > 0 and m.year > FIT_UNTIL}
    assert {"exchanges_1961", "exchanges_1994", "centralization_1995"} <= fitted
    assert {"exchanges_2000", "exchanges_2022", "savings"} <= held
    assert not fitted & held


def test_band_distance_is_the_weighted_rms_of_relative_distances_to_the_bands():
    other = Milestone("y", 1990, "active_exchanges", 20, 19, 22, "SAIKKU", weight=3.0)
    marks = (MARK, other)
    assert band_distance(marks, {"x": 15.0, "y": 20.0}) == 0.0
    d = band_distance(marks, {"x": 10.0, "y": 20.0})
    assert d == pytest.approx(math.sqrt(1.0 * (4 / 16) ** 2 / 4.0))
    assert band_distance((MARK,), {"x": math.nan}) == 1.0


def test_a_byproduct_always_needs_more_trust_than_the_prior():
    p = particle_parameters({"trust_prior": 0.6, "byproduct_trust_margin": 0.1,
                             "trust_gain": 0.12345678})
    assert p == {"trust_prior": 0.6, "trust_gain": 0.1235, "byproduct_trust": 0.7}
    assert particle_parameters({"trust_prior": 0.8, "byproduct_trust_margin": 0.4})[
        "byproduct_trust"] == 1.0


def test_weighted_quantiles():
    assert weighted_quantiles([3, 1, 2], [1, 1, 2], (0.5,)) == [2.0]
    assert weighted_quantiles([1, 2, 3, 4], [1, 1, 1, 1], (0.05, 0.95)) == [1.0, 4.0]


def test_systematic_resampling_follows_the_weights_without_random_numbers():
    text = ("[parameters]\ntrust_prior = 0.5\n[posterior]\nweights = [0.5, 0.25, 0.25]\n"
            "trust_prior = [0.4, 0.5, 0.6]\n")
    cal = parse_calibration(text, "t")
    assert cal.draw(4) == [0, 0, 1, 2]
    assert cal.particle(2) == {"trust_prior": 0.6}
    assert len(cal.sha256) == 64


@pytest.mark.parametrize("text, match", [
    ("nonsense = [", "not valid TOML"),
    ("[fit]\nx = 1\n", "no \\[parameters\\]"),
    ("[parameters]\ntrust_prio = 0.5\n", "trust_prio"),
    ("[parameters]\ntrust_prior = 2.0\n", "trust_prior"),
    ("[parameters]\ntrust_prior = 0.5\n[posterior]\nweights = [1.0]\ntrust_prior = [0.1, 0.2]\n",
     "differ in length"),
])
def test_a_bad_calibration_file_is_a_user_error(text, match):
    with pytest.raises(UserError, match=match):
        parse_calibration(text, "t")


def test_a_missing_calibration_file_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="cannot read --calibration"):
        load_calibration(tmp_path / "missing.toml")


def test_kalundborg_runs_with_the_packaged_calibration_under_user_overrides():
    from trustsim.park.model import SymbiosisPark

    packaged = load_calibration()
    assert packaged.source == "packaged" and packaged.weights  # a posterior, not a point
    model = SymbiosisPark("kalundborg", rng=0)
    for name, value in packaged.parameters.items():
        assert model.params[name] == pytest.approx(value)
    assert SymbiosisPark("kalundborg", rng=0, trust_prior=0.3).params["trust_prior"] == 0.3


def test_the_packaged_calibration_says_what_it_fitted_and_held_out():
    fit = load_calibration().fit
    assert set(fit["fitted"]) == {m.key for m in fitted_milestones()}
    assert set(fit["held_out"]) == {m.key for m in held_out_milestones()}
    assert fit["simulations"] > 0 and fit["population"] > 0


def _write(tmp_path, name, trust_prior):
    path = tmp_path / name
    path.write_text(f"[parameters]\ntrust_prior = {trust_prior}\n", encoding="utf-8")
    return path


def test_run_takes_a_calibration_and_records_it(tmp_path, capsys):
    cal = _write(tmp_path, "cal.toml", 0.31)
    out = tmp_path / "run"
    assert main(["run", "kalundborg", "--years", "1", "--calibration", str(cal),
                 "--out", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["parameters"]["trust_prior"] == 0.31
    assert summary["calibration"]["sha256"] == load_calibration(cal).sha256
    assert main(["run", "kalundborg", "--years", "1", "--calibration", str(cal), "--set",
                 "trust_prior=0.4", "--out", str(out), "--force", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["parameters"]["trust_prior"] == 0.4


@pytest.mark.parametrize("argv, match", [
    (["run", "minimal", "--years", "1"], "takes no calibration"),
    (["run", "kalundborg", "--years", "1"], "cannot read"),
])
def test_run_rejects_a_calibration_it_cannot_use(tmp_path, capsys, argv, match):
    path = tmp_path / ("missing.toml" if match == "cannot read" else "cal.toml")
    if match != "cannot read":
        _write(tmp_path, "cal.toml", 0.3)
    assert main([*argv, "--calibration", str(path), "--out", str(tmp_path / "o")]) == 2
    assert match in capsys.readouterr().err


def _spec(scenario="kalundborg", **extra):
    return {"experiment": {"name": "t", "scenario": scenario, "seed": 1, "years": 1},
            "sweep": {"patience": [0.8, 0.9]}, **extra}


def test_the_spec_hash_holds_the_calibration_hash_and_its_parameters(tmp_path):
    from trustsim.sweep.spec import parse_spec

    a, b = _write(tmp_path, "a.toml", 0.3), _write(tmp_path, "b.toml", 0.4)
    packaged = parse_spec(_spec())
    spec_a = parse_spec(_spec(calibration={"file": str(a)}))
    spec_b = parse_spec(_spec(calibration={"file": str(b)}))
    assert packaged.raw["calibration"]["sha256"] == load_calibration().sha256
    assert spec_a.raw["calibration"] == {"sha256": load_calibration(a).sha256,
                                         "parameters": {"trust_prior": 0.3}}
    assert spec_a.fixed["trust_prior"] == 0.3 and spec_b.fixed["trust_prior"] == 0.4
    assert len({packaged.hash, spec_a.hash, spec_b.hash}) == 3
    # the resolved table, as stored in metadata.json, parses to the same spec
    assert parse_spec(spec_a.raw).hash == spec_a.hash
    # the spec's own [fixed] wins over the calibration
    own = parse_spec(_spec(calibration={"file": str(a)}, fixed={"trust_prior": 0.5}))
    assert own.fixed["trust_prior"] == 0.5
    # scenarios without a calibration are unchanged and refuse one
    assert "calibration" not in parse_spec(_spec("minimal")).raw
    with pytest.raises(UserError, match="calibration"):
        parse_spec(_spec("minimal", calibration={"file": str(a)}))


def test_sweep_cli_records_the_calibration_in_metadata(tmp_path, capsys):
    cal = _write(tmp_path, "cal.toml", 0.33)
    spec = tmp_path / "s.toml"
    spec.write_text('[experiment]\nname = "t"\nscenario = "kalundborg"\nseed = 1\nyears = 1\n'
                    '[sweep]\npatience = [0.8, 0.9]\n', encoding="utf-8")
    out = tmp_path / "res"
    assert main(["sweep", str(spec), "--out", str(out), "--workers", "1",
                 "--calibration", str(cal)]) == 0
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["spec"]["calibration"]["sha256"] == load_calibration(cal).sha256
    assert meta["spec"]["calibration"]["parameters"] == {"trust_prior": 0.33}
    # resuming without the calibration is a different spec: refused, nothing mixed
    assert main(["sweep", str(spec), "--out", str(out), "--workers", "1", "--resume"]) == 2
    assert "different spec" in capsys.readouterr().err


def test_calibrate_refuses_to_write_into_the_installed_package(capsys):
    from importlib import resources

    inside = resources.files("trustsim.park.scenarios")
    assert main(["calibrate", "kalundborg", "--quick", "--out", str(inside)]) == 2
    assert "inside the installed trustsim package" in capsys.readouterr().err


@pytest.mark.slow
def test_quick_calibration_writes_its_files_and_does_not_depend_on_the_workers(tmp_path):
    pytest.importorskip("pyabc")
    from trustsim.history.calibration import calibrate

    one = calibrate(tmp_path / "one", population=6, generations=2, root_seed=5, workers=1)
    assert main(["calibrate", "kalundborg", "--population", "6", "--generations", "2",
                 "--root-seed", "5", "--workers", "2", "--quiet",
                 "--out", str(tmp_path / "two")]) == 0
    for name in ("kalundborg_calibration.toml", "posterior.csv", "diagnostics.json", "abc.db"):
        assert (tmp_path / "two" / name).is_file()
    assert (tmp_path / "one" / "posterior.csv").read_text() == (
        tmp_path / "two" / "posterior.csv").read_text()
    cal = load_calibration(one.calibration)
    assert len(cal.weights) == 6 and sum(cal.weights) == pytest.approx(1.0)
    for name, (lo, hi) in PRIORS.items():
        if name not in MARGINS:
            assert all(lo <= v <= hi for v in cal.particles[name])
    doc = tomllib.loads(one.calibration.read_text())
    assert doc["fit"]["generations"] == 2 and doc["fit"]["fitted_until"] == FIT_UNTIL
    diag = json.loads(one.diagnostics.read_text())
    assert [g["t"] for g in diag["per_generation"]] == [0, 1]
    assert diag["per_generation"][1]["epsilon"] <= diag["per_generation"][0]["epsilon"]


def _toy_particle(theta, *, scenario, root_seed, marks):
    """A stand-in for the model: a particle's milestone values straight from its values."""
    return {m.key: theta["trust_prior"] * 30 + theta["gossip_weight"] for m in marks}


def _toy_fit(tmp_path, monkeypatch, name, **kw):
    pytest.importorskip("pyabc")
    from trustsim.history import posterior

    monkeypatch.setattr(posterior, "simulate_particle", _toy_particle)
    kw = {"root_seed": 11, **kw}
    return posterior.run_abc(tmp_path / name, population=5, generations=2, **kw)


def test_the_fit_is_reproducible_and_leaves_the_callers_global_random_state_alone(
        tmp_path, monkeypatch):
    import numpy as np

    np.random.seed(0)  # noqa: NPY002, TID251 (the caller's state the fit must not touch)
    before = np.random.get_state()  # noqa: NPY002
    one = _toy_fit(tmp_path, monkeypatch, "one")
    after = np.random.get_state()  # noqa: NPY002
    assert all(np.array_equal(a, b) for a, b in zip(before, after, strict=True))
    np.random.seed(99)  # noqa: NPY002, TID251 (another caller state: the fit must not depend on it)
    two = _toy_fit(tmp_path, monkeypatch, "two")
    assert one.particles.equals(two.particles)
    assert [g["epsilon"] for g in one.generations] == [g["epsilon"] for g in two.generations]
    assert not _toy_fit(tmp_path, monkeypatch, "three", root_seed=12).particles.equals(
        one.particles)


def test_the_fit_is_the_same_on_dask_worker_threads_sharing_the_global_state(
        tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    local = _toy_fit(tmp_path, monkeypatch, "local")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=3, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        threaded = _toy_fit(tmp_path, monkeypatch, "dask", scheduler=client)
    assert threaded.workers == 3
    assert threaded.particles.equals(local.particles)
