"""Experiment specs: parsing, designs, reproducibility, and every bad-input case."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from trustsim.errors import UserError
from trustsim.sweep.seeding import design_rng, run_seed
from trustsim.sweep.spec import load_spec, parse_spec, saltelli_layout, unit_design

EXAMPLE = Path(__file__).parents[2] / "trustsim/experiments/example_shadow_of_the_future.toml"


def spec_dict(design="grid", sweep=None, fixed=None, record=None, **experiment):
    exp = {"name": "t", "scenario": "minimal", "years": 5, "replicates": 2, "seed": 11}
    exp["design"] = design
    exp.update(experiment)
    raw = {"experiment": exp, "sweep": sweep if sweep is not None else {"patience": [0.5, 0.9]}}
    if fixed is not None:
        raw["fixed"] = fixed
    if record is not None:
        raw["record"] = record
    return raw


def write(tmp_path, text, name="spec.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_example_spec_is_the_issue_example():
    spec = load_spec(EXAMPLE)
    assert (spec.name, spec.scenario, spec.years, spec.replicates, spec.seed) == (
        "shadow_of_the_future",
        "minimal",
        25,
        20,
        20261128,
    )
    assert spec.fixed == {"noise": 0.02}
    assert spec.points == [{"patience": p} for p in (0.3, 0.5, 0.7, 0.9)]
    assert spec.n_runs == 80
    assert spec.design == "grid" and not spec.timeseries


def test_hash_ignores_layout_but_not_content(tmp_path):
    a = write(tmp_path, EXAMPLE.read_text(), "a.toml")
    b = write(tmp_path, "# a comment\n" + EXAMPLE.read_text().replace(" = ", "="), "b.toml")
    c = write(tmp_path, EXAMPLE.read_text().replace("0.02", "0.03"), "c.toml")
    assert load_spec(a).hash == load_spec(b).hash
    assert load_spec(a).hash != load_spec(c).hash


def test_grid_is_full_factorial_first_key_slowest():
    spec = parse_spec(spec_dict(sweep={"patience": [0.3, 0.9], "gossip_reach": [0, 1, 2]}))
    expected = [
        {"patience": p, "gossip_reach": g} for p, g in itertools.product([0.3, 0.9], [0, 1, 2])
    ]
    assert spec.points == expected
    assert spec.n_runs == 12


def test_grid_range_with_num_and_types_coerced():
    spec = parse_spec(
        spec_dict(
            sweep={"patience": {"low": 0.1, "high": 0.9, "num": 5}, "gossip_reach": [1.0, 3]},
            fixed={"broker_year": "none", "strategy": "tit_for_tat"},
        )
    )
    assert [p["patience"] for p in spec.points[::2]] == pytest.approx([0.1, 0.3, 0.5, 0.7, 0.9])
    assert {type(p["gossip_reach"]) for p in spec.points} == {int}
    assert spec.fixed == {"broker_year": None, "strategy": "tit_for_tat"}


def test_grid_without_sweep_is_one_point():
    spec = parse_spec(spec_dict(sweep={}, replicates=3))
    assert spec.points == [{}] and spec.n_runs == 3


@pytest.mark.parametrize("design", ["random", "lhs", "sobol"])
def test_sampled_designs_are_reproducible_and_seeded(design):
    sweep = {"patience": {"low": 0.2, "high": 0.8}, "noise": {"low": 0.0, "high": 0.1}}
    a = parse_spec(spec_dict(design, sweep, n=16))
    b = parse_spec(spec_dict(design, sweep, n=16))
    c = parse_spec(spec_dict(design, sweep, n=16, seed=12))
    assert a.points == b.points
    assert a.points != c.points
    values = np.array([[p["patience"], p["noise"]] for p in a.points])
    assert values[:, 0].min() >= 0.2 and values[:, 0].max() <= 0.8
    assert values[:, 1].min() >= 0.0 and values[:, 1].max() <= 0.1
    assert len(a.points) == (16 * 4 if design == "sobol" else 16)


def test_lhs_hits_every_stratum_once():
    spec = parse_spec(spec_dict("lhs", {"patience": {"low": 0.0, "high": 0.8}}, n=20))
    strata = np.floor(np.array([p["patience"] for p in spec.points]) / 0.8 * 20)
    assert sorted(strata) == list(range(20))


@pytest.mark.parametrize("second_order", [False, True])
def test_sobol_design_matches_salib_sampler(second_order):
    from SALib.sample import sobol as salib_sobol

    sweep = {"patience": {"low": 0.0, "high": 0.5}, "noise": {"low": 0.1, "high": 0.3}}
    spec = parse_spec(spec_dict("sobol", sweep, n=8, second_order=second_order))
    problem = {"num_vars": 2, "names": ["patience", "noise"], "bounds": [[0, 0.5], [0.1, 0.3]]}
    expected = salib_sobol.sample(
        problem, 8, calc_second_order=second_order, seed=design_rng(spec.seed)
    )
    got = np.array([[p["patience"], p["noise"]] for p in spec.points])
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-15)


def test_saltelli_layout_rows():
    a = np.array([[1.0, 2.0]])
    b = np.array([[10.0, 20.0]])
    np.testing.assert_array_equal(
        saltelli_layout(a, b, second_order=False), [[1, 2], [10, 2], [1, 20], [10, 20]]
    )
    np.testing.assert_array_equal(
        saltelli_layout(a, b, second_order=True),
        [[1, 2], [10, 2], [1, 20], [1, 20], [10, 2], [10, 20]],
    )


def test_distribution_axis_is_its_inverse_cdf():
    sweep = {"patience": {"dist": "beta", "a": 2, "b": 5}}
    spec = parse_spec(spec_dict("random", sweep, n=50))
    expected = stats.beta(a=2, b=5).ppf(unit_design(spec)[:, 0])
    np.testing.assert_allclose([p["patience"] for p in spec.points], expected)


def test_integer_range_and_choices_in_samplers():
    sweep = {
        "gossip_reach": {"low": 0, "high": 5},
        "strategy": ["tit_for_tat", "forward_looking"],
        "broker_year": ["none", 1990],
    }
    spec = parse_spec(spec_dict("random", sweep, n=200))
    reach = [p["gossip_reach"] for p in spec.points]
    assert {type(r) for r in reach} == {int}
    assert set(reach) == set(range(6))
    assert {p["strategy"] for p in spec.points} == {"tit_for_tat", "forward_looking"}
    assert {p["broker_year"] for p in spec.points} == {None, 1990}


def test_run_seed_is_keyed_by_point_and_replicate():
    seq = run_seed(5, 3, 2)
    assert seq.entropy == 5 and seq.spawn_key == (3, 2)
    draws = {run_seed(5, p, r).generate_state(2).tobytes() for p in range(3) for r in range(3)}
    assert len(draws) == 9


def test_record_table():
    spec = parse_spec(spec_dict(record={"timeseries": True, "stride": 4}))
    assert spec.timeseries and spec.stride == 4


BAD_SPECS = [
    # (spec changes, words the message must contain)
    ({"sweep": {"patiense": [0.5]}}, ["[sweep]", "patiense", "did you mean 'patience'"]),
    ({"fixed": {"nosie": 0.1}}, ["[fixed]", "nosie", "did you mean 'noise'"]),
    ({"sweep": {"patience": [0.5, 1.5]}}, ["[sweep] patience", "[0, 0.999]"]),
    ({"fixed": {"noise": 0.9}}, ["[fixed] noise", "[0, 0.5]"]),
    ({"sweep": {"patience": ["high"]}}, ["[sweep] patience", "'high'", "[0, 0.999]"]),
    ({"fixed": {"broker_registry": 1}}, ["[fixed] broker_registry", "true or false"]),
    ({"sweep": {"patience": []}}, ["[sweep] patience", "empty"]),
    ({"sweep": {"patience": 0.5}}, ["[sweep] patience", "single value", "[fixed]"]),
    ({"sweep": {"patience": [0.5]}, "fixed": {"patience": 0.5}}, ["patience", "both"]),
    ({"design": "lhs", "n": 8, "sweep": {}}, ["[sweep]", "empty"]),
    ({"design": "latin"}, ["design", "'latin'", "grid, random, lhs, sobol"]),
    ({"design": "random"}, ["needs n"]),
    ({"n": 4}, ["n is for sampled designs"]),
    ({"design": "sobol", "n": 10}, ["power of 2", "16"]),
    ({"second_order": True}, ["second_order", "sobol"]),
    ({"design": "random", "n": 4, "sweep": {"patience": {"low": 0.9, "high": 0.1}}}, ["low"]),
    (
        {"design": "random", "n": 4, "sweep": {"patience": {"low": 0.1, "high": 2.0}}},
        ["[0, 0.999]"],
    ),
    ({"design": "random", "n": 4, "sweep": {"patience": {"low": 0.1}}}, ["needs {low=, high=}"]),
    ({"design": "random", "n": 4, "sweep": {"patience": {"dist": "betta", "a": 2}}}, ["'beta'"]),
    (
        {"design": "random", "n": 4, "sweep": {"patience": {"dist": "beta", "a": -1, "b": 2}}},
        ["patience", "beta"],
    ),
    (
        {"design": "random", "n": 64, "sweep": {"patience": {"dist": "norm", "loc": 0.9}}},
        ["patience", "dist 'norm' gave", "[0, 0.999]"],
    ),
    (
        {"design": "random", "n": 4, "sweep": {"strategy": {"low": 0, "high": 1}}},
        ["strategy", "one of", "list the values"],
    ),
    ({"sweep": {"strategy": ["tit_for_tatt"]}}, ["strategy", "did you mean 'tit_for_tat'"]),
    ({"sweep": {"patience": {"low": 0.1, "high": 0.5}}}, ["num"]),
    ({"seed": "abc"}, ["seed", "integer"]),
    ({"seed": -1}, ["seed", "at least 0"]),
    ({"years": 0}, ["years", "at least 1"]),
    ({"replicates": 2.5}, ["replicates", "integer"]),
    ({"scenario": "kalundborgg"}, ["scenario", "did you mean 'kalundborg'"]),
    ({"replicatess": 2}, ["[experiment]", "replicatess", "did you mean 'replicates'"]),
    ({"record": {"stride": 0}}, ["[record] stride", "at least 1"]),
    ({"record": {"timeseries": "yes"}}, ["[record] timeseries", "true or false"]),
    ({"record": {"every": 2}}, ["[record]", "every", "allowed: timeseries, stride"]),
]


@pytest.mark.parametrize(("change", "words"), BAD_SPECS)
def test_bad_spec_is_one_clear_line(change, words):
    raw = spec_dict()
    for key in ("sweep", "fixed", "record"):
        if key in change:
            raw[key] = change.pop(key)
    raw["experiment"].update(change)
    with pytest.raises(UserError) as info:
        parse_spec(raw, source="bad.toml")
    message = str(info.value)
    assert message.startswith("bad.toml: ")
    assert "\n" not in message
    for word in words:
        assert word in message


def test_missing_name_table_and_section(tmp_path):
    with pytest.raises(UserError, match="missing .experiment. table"):
        parse_spec({"sweep": {}}, source="x.toml")
    with pytest.raises(UserError, match="is missing 'seed'"):
        parse_spec({"experiment": {"name": "a", "scenario": "minimal"}}, source="x.toml")
    with pytest.raises(UserError, match="unknown key 'swep'.*did you mean 'sweep'"):
        parse_spec({**spec_dict(), "swep": {}}, source="x.toml")


def test_dates_are_not_spec_values(tmp_path):
    spec = write(tmp_path, EXAMPLE.read_text().replace("seed = 20261128", "seed = 2026-11-28"))
    with pytest.raises(UserError, match=r"spec\.toml: values must be numbers, strings"):
        load_spec(spec)


def test_missing_file_and_bad_toml(tmp_path):
    with pytest.raises(UserError, match=r"nope\.toml: no such spec file"):
        load_spec(tmp_path / "nope.toml")
    bad = write(tmp_path, "[experiment\nname = 1")
    with pytest.raises(UserError, match=r"spec\.toml: not valid TOML.*line 1"):
        load_spec(bad)
