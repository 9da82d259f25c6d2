"""Exploration: Morris screening, [outcomes], scenario discovery (PRIM), the Sobol warning."""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import matplotlib
import numpy as np
import pytest

from tests.sweep._fake_model import ISHIGAMI_RANGES
from trustsim import load_results, run_sweep
from trustsim.errors import UserError
from trustsim.sweep.analysis import morris_indices, sobol_indices
from trustsim.sweep.spec import parse_spec

matplotlib.use("Agg")


def unit(overrides):
    return [(overrides[n] - lo) / (hi - lo) for n, (lo, hi) in ISHIGAMI_RANGES.items()]


def linear_quadratic(scenario, *, seed, years=None, overrides=None, timeseries_stride=None):
    """y = 3 u1 + 2 u2^2 on the unit scale of each range; u3 has no effect."""
    u = unit(overrides)
    return SimpleNamespace(summary={"y": 3 * u[0] + 2 * u[1] ** 2}, timeseries=None)


def collapse(scenario, *, seed, years=None, overrides=None, timeseries_stride=None):
    """Few exchanges where patience is low and noise high, many elsewhere."""
    u = unit(overrides)
    collapsed = u[0] < 0.3 and u[1] > 0.5
    return SimpleNamespace(
        summary={"active_exchanges": 2 if collapsed else 12, "byproduct_exchanges": 1},
        timeseries=None,
    )


def spec(design, n, **extra):
    exp = {"name": "x", "scenario": "minimal", "seed": 11, "design": design, "n": n}
    return {
        "experiment": {**exp, **extra.pop("experiment", {})},
        "sweep": {k: {"low": lo, "high": hi} for k, (lo, hi) in ISHIGAMI_RANGES.items()},
        **extra,
    }


def test_morris_design_moves_one_parameter_per_step_on_the_level_grid():
    s = parse_spec(spec("morris", 6))
    assert len(s.points) == 6 * (3 + 1)
    x = np.array([unit(p) for p in s.points])
    levels = np.linspace(0, 1, 4)
    assert np.allclose(np.min(np.abs(x[..., None] - levels), axis=-1), 0)
    for t in range(6):
        steps = np.diff(x[4 * t: 4 * t + 4], axis=0)
        assert (np.count_nonzero(np.abs(steps) > 1e-12, axis=1) == 1).all()
        assert np.allclose(np.abs(steps[np.abs(steps) > 1e-12]), 2 / 3)
    assert parse_spec(spec("morris", 6)).points == s.points  # same seed, same design


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"experiment": {"levels": 5}}, "levels = 5 must be even"),
        ({"experiment": {"n": 1}}, "n >= 2 trajectories"),
    ],
)
def test_morris_spec_errors(extra, message):
    with pytest.raises(UserError, match=message):
        parse_spec(spec("morris", 6, **extra))
    with pytest.raises(UserError, match="levels applies to design = 'morris' only"):
        parse_spec(spec("lhs", 8, experiment={"levels": 4}))


def test_morris_indices_recover_known_elementary_effects(tmp_path):
    run_sweep(spec("morris", 20), tmp_path / "o", workers=1, run_fn=linear_quadratic,
              progress=False)
    got = morris_indices(load_results(tmp_path / "o"), "y")
    assert list(got.index) == ["patience", "noise", "trust_prior"]
    # linear: every effect is exactly 3; quadratic: 2 (2u + 2/3) for u in {0, 1/3}
    assert got.loc["patience", "mu_star"] == pytest.approx(3.0)
    assert got.loc["patience", "sigma"] == pytest.approx(0.0, abs=1e-9)
    assert 4 / 3 - 1e-9 <= got.loc["noise", "mu_star"] <= 8 / 3 + 1e-9
    assert got.loc["noise", "sigma"] > 0
    assert got.loc["trust_prior", "mu_star"] == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(UserError, match="design = 'morris' sweep"):
        df = load_results(tmp_path / "o")
        df.attrs["design"] = "lhs"
        morris_indices(df, "y")


def test_outcomes_are_columns_computed_from_each_runs_summary(tmp_path):
    raw = spec("lhs", 12, outcomes={"collapsed": "active_exchanges < 5",
                                    "share": "byproduct_exchanges / active_exchanges",
                                    "shifted": "patience + 1"})
    run_sweep(raw, tmp_path / "o", workers=1, run_fn=collapse, progress=False)
    df = load_results(tmp_path / "o")
    assert (df["collapsed"] == (df["active_exchanges"] < 5)).all()
    np.testing.assert_allclose(df["share"], df["byproduct_exchanges"] / df["active_exchanges"])
    np.testing.assert_allclose(df["shifted"], df["patience"] + 1)


def test_outcomes_with_the_real_model(tmp_path):
    raw = {"experiment": {"name": "o", "scenario": "minimal", "seed": 2, "years": 5,
                          "replicates": 2},
           "sweep": {"patience": [0.3, 0.95]},
           "outcomes": {"none_active": "active_exchanges == 0",
                        "trust_gap": "1 - mean_trust"}}
    run_sweep(raw, tmp_path / "o", workers=1, progress=False)
    df = load_results(tmp_path / "o")
    assert (df["none_active"] == (df["active_exchanges"] == 0)).all()
    np.testing.assert_allclose(df["trust_gap"], 1 - df["mean_trust"])


@pytest.mark.parametrize(
    ("outcomes", "message"),
    [
        ({"c": "active_exchange < 5"}, "did you mean 'active_exchanges'"),
        ({"c": "__import__('os')"}, r"__import__\(\) is not allowed"),
        ({"c": "active_exchanges.real"}, "Attribute is not allowed"),
        ({"c": "active_exchanges <"}, "is not an expression"),
        ({"c": 5}, "must be a string expression"),
        ({"active_exchanges": "1"}, "already a summary key"),
    ],
)
def test_outcome_errors_name_the_problem(outcomes, message):
    with pytest.raises(UserError, match=message):
        parse_spec(spec("lhs", 4, outcomes=outcomes))


def test_small_sobol_samples_warn_and_plot_sobol_takes_the_indices(tmp_path):
    from trustsim.figures.plotting import plot_sobol

    run_sweep(spec("sobol", 4), tmp_path / "small", workers=1, run_fn=linear_quadratic,
              progress=False)
    with pytest.warns(UserWarning, match="from 4 base samples are uncertain"):
        indices = sobol_indices(load_results(tmp_path / "small"), "y")
    ax = plot_sobol(indices)
    assert [t.get_text() for t in ax.get_yticklabels()] != []
    run_sweep(spec("sobol", 1024), tmp_path / "large", workers=1, chunk_size=6000,
              run_fn=linear_quadratic, progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # ours; old SALib adds FutureWarnings
        sobol_indices(load_results(tmp_path / "large"), "y")


def test_discover_finds_the_collapse_region(tmp_path):
    pytest.importorskip("ema_workbench")
    from trustsim.sweep.discovery import discover

    run_sweep(spec("lhs", 400), tmp_path / "o", workers=1, chunk_size=400, run_fn=collapse,
              progress=False)
    found = discover(load_results(tmp_path / "o"), "active_exchanges < 5")
    assert found.n_runs == 400 and 0.1 * 400 < found.n_hits < 0.2 * 400
    box = found.boxes[0]
    assert box.coverage >= 0.8 and box.density >= 0.8
    assert set(box.limits.index) == {"patience", "noise"}
    assert box.limits.loc["patience", "high"] == pytest.approx(0.3 * 0.9, abs=0.05)
    assert box.limits.loc["noise", "low"] == pytest.approx(0.5 * 0.5, abs=0.05)
    assert list(found.scores.index[:2]) == ["patience", "noise"] or list(
        found.scores.index[:2]) == ["noise", "patience"]
    with pytest.raises(UserError, match="not a condition"):
        discover(load_results(tmp_path / "o"), "active_exchanges + 1")
    with pytest.raises(UserError, match="holds in no one"):
        discover(load_results(tmp_path / "o"), "active_exchanges < 0")


def test_discover_command_prints_the_boxes_and_writes_the_plot(tmp_path, capsys):
    pytest.importorskip("ema_workbench")
    from trustsim.cli import main

    run_sweep(spec("lhs", 200), tmp_path / "o", workers=1, run_fn=collapse, progress=False)
    plot = tmp_path / "d.png"
    code = main(["discover", str(tmp_path / "o"), "--outcome", "active_exchanges < 5",
                 "--plot", str(plot)])
    out = capsys.readouterr().out
    assert code == 0
    assert "box 1: coverage" in out and "<= patience <=" in out and "feature scores" in out
    assert plot.stat().st_size > 10_000
    assert main(["discover", str(tmp_path / "o"), "--outcome", "nonsense <"]) == 2
    assert "is not an expression" in capsys.readouterr().err
