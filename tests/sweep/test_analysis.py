"""Analysis helpers: t intervals by hand, Sobol indices of the Ishigami function."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.sweep._fake_model import ISHIGAMI_RANGES, ishigami_simulate
from trustsim import load_results, run_sweep
from trustsim.errors import UserError
from trustsim.sweep.analysis import aggregate, sobol_indices
from trustsim.sweep.spec import parse_spec


def table(values, status=None):
    """Three points of a sweep over patience with the given metric values per replicate."""
    rows = []
    for point, (patience, ys) in enumerate(values.items()):
        for rep, y in enumerate(ys):
            rows.append(
                {
                    "point": point,
                    "replicate": rep,
                    "status": "ok",
                    "patience": patience,
                    "y": y,
                    "z": 10 * y if y is not None else None,
                }
            )
    df = pd.DataFrame(rows)
    if status is not None:
        df["status"] = status
    df.attrs.update(parameters=["patience"], metrics=["y", "z"])
    return df


def test_mean_and_t_interval_by_hand():
    df = table({0.3: [1.0, 2.0, 3.0], 0.9: [4.0, 4.0, 7.0, 5.0]})
    out = aggregate(df, "y")
    assert list(out.columns) == [
        "point",
        "patience",
        "metric",
        "n",
        "mean",
        "std",
        "sem",
        "ci_low",
        "ci_high",
    ]
    first, second = out.iloc[0], out.iloc[1]
    # mean 2, s = 1, t(0.975, 2) = 4.303 (t table): 2 -/+ 4.303 / sqrt(3)
    assert (first.n, first["mean"], first["std"]) == (3, 2.0, 1.0)
    assert first.ci_low == pytest.approx(2 - 4.303 / np.sqrt(3), abs=1e-3)
    assert first.ci_high == pytest.approx(2 + 4.303 / np.sqrt(3), abs=1e-3)
    # mean 5, s^2 = (1 + 1 + 4 + 0) / 3 = 2, t(0.975, 3) = 3.182
    assert second["mean"] == 5.0 and second["std"] == pytest.approx(np.sqrt(2))
    assert second.ci_high - second["mean"] == pytest.approx(3.182 * np.sqrt(2) / 2, abs=1e-3)
    # 90 %: t(0.95, 2) = 2.920
    narrow = aggregate(df, "y", confidence=0.9).iloc[0]
    assert narrow.ci_high == pytest.approx(2 + 2.920 / np.sqrt(3), abs=1e-3)


def test_failed_and_missing_values_are_left_out_and_single_runs_have_no_interval():
    df = table({0.3: [1.0, 2.0, None], 0.9: [4.0, 100.0]}, status=["ok", "ok", "ok", "ok", "error"])
    out = aggregate(df, ["y", "z"])
    assert out.metric.tolist() == ["y", "z", "y", "z"]
    assert out.n.tolist() == [2, 2, 1, 1]
    assert out["mean"].tolist() == [1.5, 15.0, 4.0, 40.0]
    assert out.ci_low.iloc[:2].notna().all() and out.ci_low.iloc[2:].isna().all()


def test_default_metrics_and_custom_grouping():
    df = table({0.3: [1.0, 3.0], 0.9: [5.0, 7.0]})
    assert set(aggregate(df).metric) == {"y", "z"}
    pooled = aggregate(df, "y", by=[])
    assert pooled.n.tolist() == [4] and pooled["mean"].tolist() == [4.0]


def test_a_none_parameter_value_is_a_group_of_its_own():
    df = table({None: [1.0, 3.0], 1990: [5.0, 7.0]})
    out = aggregate(df, "y")
    assert out["mean"].tolist() == [2.0, 6.0] and out.n.tolist() == [2, 2]


def test_aggregate_errors():
    df = table({0.3: [1.0, 2.0]})
    with pytest.raises(UserError, match="no column 'yy' in the results; did you mean 'y'"):
        aggregate(df, "yy")
    with pytest.raises(UserError, match="confidence = 1.5 must be in"):
        aggregate(df, "y", confidence=1.5)


def ishigami_spec(n, second_order=False):
    return {
        "experiment": {
            "name": "ishigami",
            "scenario": "minimal",
            "seed": 3,
            "design": "sobol",
            "n": n,
            "second_order": second_order,
        },
        "sweep": {
            name: {"low": low, "high": high} for name, (low, high) in ISHIGAMI_RANGES.items()
        },
    }


def ishigami_exact(a=7.0, b=0.1):
    """First-order and total indices of the Ishigami function (Sobol' and Levitan 1999)."""
    v1 = 0.5 * (1 + b * np.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * np.pi**8 * (1 / 18 - 1 / 50)
    var = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / var, np.array([v1 + v13, v2, v13]) / var


def test_sobol_indices_of_ishigami_through_the_runner(tmp_path):
    from SALib.analyze import sobol
    from SALib.sample import sobol as sobol_sample

    from trustsim.sweep.seeding import design_rng

    spec = ishigami_spec(1024)
    run_sweep(
        spec, tmp_path / "o", workers=1, chunk_size=2000, run_fn=ishigami_simulate, progress=False
    )
    df = load_results(tmp_path / "o")
    got = sobol_indices(df, "y")
    assert list(got.index) == list(ISHIGAMI_RANGES)
    s1, st = ishigami_exact()
    np.testing.assert_allclose(got.S1, s1, atol=0.05)
    np.testing.assert_allclose(got.ST, st, atol=0.05)
    assert (got.S1_conf > 0).all() and (got.ST_conf < 0.1).all()
    # The same numbers as SALib's own sampler and analyser on the same function and seed.
    problem = {
        "num_vars": 3,
        "names": list(ISHIGAMI_RANGES),
        "bounds": [list(b) for b in ISHIGAMI_RANGES.values()],
    }
    x = sobol_sample.sample(
        problem, 1024, calc_second_order=False, seed=design_rng(parse_spec(spec).seed)
    )
    y = [
        ishigami_simulate("m", seed=None, overrides=dict(zip(problem["names"], row))).summary["y"]
        for row in x
    ]
    ref = sobol.analyze(problem, np.array(y), calc_second_order=False, num_resamples=1000, seed=1)
    np.testing.assert_allclose(got.S1, ref["S1"], rtol=1e-9)
    np.testing.assert_allclose(got.ST_conf, ref["ST_conf"], rtol=1e-9)


def test_second_order_indices_and_errors(tmp_path):
    run_sweep(
        ishigami_spec(64, second_order=True),
        tmp_path / "o",
        workers=1,
        run_fn=ishigami_simulate,
        progress=False,
    )
    df = load_results(tmp_path / "o")
    got = sobol_indices(df, "y")
    assert got.attrs["S2"].shape == (3, 3)
    with pytest.raises(UserError, match="no column 'x'"):
        sobol_indices(df, "x")
    with pytest.raises(UserError, match="1 design point.*no value .first: point 5"):
        sobol_indices(df.assign(status=np.where(df.point == 5, "error", "ok")), "y")
    nan_y = df.assign(y=np.where(df.point == 7, np.nan, df.y))
    with pytest.raises(UserError, match="first: point 7; failed runs or NaN"):
        sobol_indices(nan_y, "y")
    with pytest.raises(UserError, match="seed = 0"):
        sobol_indices(df, "y", seed=0)
    with pytest.raises(UserError, match="need a design = 'sobol' sweep, not 'grid'"):
        sobol_indices(table({0.3: [1.0]}).pipe(lambda t: t.attrs.update(design="grid") or t), "y")
