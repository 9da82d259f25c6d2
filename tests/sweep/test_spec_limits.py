"""Spec sizes are bounded before any point is listed; the parser only ever says UserError."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trustsim.errors import UserError
from trustsim.sweep import limits
from trustsim.sweep.spec import parse_spec

BASE = {
    "experiment": {"name": "l", "scenario": "minimal", "replicates": 2, "seed": 1},
    "sweep": {"patience": [0.2, 0.8]},
}


def spec(experiment=None, sweep=None, fixed=None):
    raw = {
        "experiment": {**BASE["experiment"], **(experiment or {})},
        "sweep": sweep if sweep is not None else BASE["sweep"],
    }
    if fixed:
        raw["fixed"] = fixed
    return raw


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (spec({"years": 100000}), r"years = 100,000 is too large; allowed: 1 to 1,000"),
        (spec({"replicates": 10**9}), r"replicates = 1,000,000,000 is too large"),
        (
            spec({"design": "sobol", "n": 2**40}, {"patience": {"low": 0.1, "high": 0.9}}),
            r"n = 1,099,511,627,776 is too large; allowed: 1 to 1,048,576",
        ),
        (
            spec(sweep={"patience": {"low": 0.1, "high": 0.9, "num": 10**8}}),
            r"num = 100,000,000 is too large; allowed: 1 to 100,000",
        ),
        (
            spec(sweep={
                "patience": {"low": 0.1, "high": 0.9, "num": 2000},
                "noise": {"low": 0.0, "high": 0.4, "num": 2000},
            }),
            r"has 4,000,000 points; allowed: up to 1,000,000",
        ),
        (
            spec({"replicates": 20}, {
                "patience": {"low": 0.1, "high": 0.9, "num": 1000},
                "noise": {"low": 0.0, "high": 0.4, "num": 1000},
            }),
            r"1,000,000 points x 20 replicates = 20,000,000 runs; allowed: up to 10,000,000",
        ),
        (
            spec({"scenario": "region"}, fixed={"n_facilities": 100000}),
            r"\[fixed\] n_facilities = 100,000 needs about",
        ),
    ],
)
def test_sizes_are_refused_at_once(raw, message):
    with pytest.raises(UserError, match=message):
        parse_spec(raw)


def test_a_swept_park_size_is_bounded_by_its_largest_value():
    raw = spec({"scenario": "region"}, {"n_facilities": [50, 90000]})
    with pytest.raises(UserError, match=r"\[sweep\] n_facilities = 90,000 needs about"):
        parse_spec(raw)
    assert parse_spec(spec({"scenario": "region"}, {"n_facilities": [50, 200]})).n_runs == 4


def test_the_memory_estimate_scales_with_pairs():
    assert limits.run_memory(2000) - limits.run_memory(1000) == 40 * 3 * 10**6
    assert limits.largest_park(limits.run_memory(5000)) == 5000
    assert limits.largest_park(2 * limits.run_memory(5000), processes=2) == 5000


def test_workers_times_the_park_must_fit(tmp_path, monkeypatch):
    from trustsim import run_sweep

    monkeypatch.setattr(limits, "available_memory", lambda: 3 * limits.run_memory(1000))
    raw = spec({"scenario": "region", "years": 1}, fixed={"n_facilities": 1000})
    with pytest.raises(UserError, match="for 4 runs at once .* or fewer workers"):
        run_sweep(raw, tmp_path / "o", workers=4, progress=False)
    assert not (tmp_path / "o").exists()


# -- the parser on arbitrary input: a spec or a UserError, never another exception -------------

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=10,
)
keys = st.sampled_from([
    "name", "scenario", "years", "replicates", "seed", "design", "n", "second_order", "patience",
    "noise", "strategy", "n_facilities", "low", "high", "num", "dist", "timeseries", "stride",
    "a", "b", "typo",
])
tables = st.dictionaries(keys, values, max_size=6)


@st.composite
def raw_specs(draw):
    raw = {}
    for section in draw(st.lists(st.sampled_from(["experiment", "fixed", "sweep", "record", "x"]),
                                 unique=True, max_size=5)):
        raw[section] = draw(tables)
    if draw(st.booleans()):  # often a nearly valid experiment table
        raw["experiment"] = {**BASE["experiment"], **raw.get("experiment", {})}
    return raw


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw_specs())
def test_the_parser_gives_a_spec_or_a_user_error(raw):
    try:
        parsed = parse_spec(raw)
    except UserError as err:
        assert str(err).startswith("<dict>: ") and "\n" not in str(err)
        return
    assert parsed.n_runs == len(parsed.points) * parsed.replicates <= limits.MAX_RUNS
    assert len(parsed.hash) == 64


@settings(max_examples=60, deadline=None)
@given(
    levels=st.lists(st.integers(1, 4), min_size=1, max_size=3),
    replicates=st.integers(1, 5),
)
def test_a_grid_has_the_product_of_its_levels(levels, replicates):
    names = ["patience", "noise", "trust_prior"]
    sweep = {
        name: [round(0.1 * (i + 1), 2) for i in range(k)] for name, k in zip(names, levels)
    }
    parsed = parse_spec(spec({"replicates": replicates}, sweep))
    expected = 1
    for k in levels:
        expected *= k
    assert len(parsed.points) == expected and parsed.n_runs == expected * replicates
    assert parsed.points[0] == {name: 0.1 for name in sweep}
