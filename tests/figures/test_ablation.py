"""The ablation framework: claim tables, ablation specs and verdicts on runs with known effects."""

import numpy as np
import pandas as pd
import pytest

from trustsim.errors import UserError
from trustsim.figures import EXPERIMENTS, ablation, load_experiment_spec
from trustsim.figures.ablation import Ablation, Claim, ablation_spec

TABLE = {
    "statement": "x raises y.",
    "metric": "y",
    "factor": "x",
    "low": 0.0,
    "high": 1.0,
    "sign": 1,
    "min_effect": 1.0,
    "at": {"z": 0.0},
    "mechanism": {"name": "gossip", "set": {"gossip_reach": 0}},
    "rivals": [{"name": "tie trust", "set": {"tie_trust": 0.0}}],
}


def runs(effect, *, z_effect=None, n=12, seed=0, zero=False):
    """Runs over x in {0, 1} and z in {0, 1}: y rises by ``effect`` with x (at z = 0)."""
    rng = np.random.default_rng(seed)
    rows = []
    for x in (0.0, 1.0):
        for z in (0.0, 1.0):
            d = effect if z == 0.0 or z_effect is None else z_effect
            for _ in range(n):
                y = 0.0 if zero else 10.0 + d * x + rng.normal(0.0, 0.5)
                rows.append({"x": x, "z": z, "y": y})
    return pd.DataFrame(rows)


def verdict(on, mech_off, rival_off, **table):
    claim = Claim.from_table({**TABLE, **table}, "spec.toml")
    effects = [claim.effect(r, "") for r in (mech_off, rival_off)]
    return Ablation(claim, claim.effect(on, "on"), tuple(effects))


def test_claim_holds_when_the_mechanism_removes_the_pattern_and_no_rival_does():
    result = verdict(runs(3.0), runs(0.0, seed=1), runs(3.0, seed=2))
    assert result.verdict() is True
    assert [s.name for s in result.carriers] == ["gossip"]
    assert "Verdict: the claim holds" in result.describe()


def test_claim_fails_when_a_rival_carries_the_pattern():
    result = verdict(runs(3.0), runs(3.0, seed=1), runs(0.0, seed=2))
    assert result.verdict() is False
    assert [s.name for s in result.carriers] == ["tie trust"]
    text = result.describe()
    assert "survives without gossip" in text and "needs tie trust, a rival" in text


def test_claim_fails_when_the_pattern_is_too_small_or_absent():
    assert verdict(runs(0.5), runs(0.0, seed=1), runs(0.5, seed=2)).verdict() is False
    assert verdict(runs(-3.0), runs(0.0, seed=1), runs(-3.0, seed=2)).verdict() is False


def test_a_wider_interval_alone_does_not_remove_the_pattern():
    noisy = runs(2.9, n=2, seed=3)  # most of the effect is left, the interval is wide
    result = verdict(runs(3.0), noisy, runs(3.0, seed=2))
    assert not result.claim.shows(result.off[0].default)
    assert result.carriers == [] and result.verdict() is False


def test_defaults_and_sweep_are_judged_apart():
    on = runs(3.0, z_effect=-3.0)  # shows at z = 0 (the defaults), cancels across z
    result = verdict(on, runs(0.0, seed=1), runs(3.0, z_effect=-3.0, seed=2))
    assert result.claim.shows(result.on.default) and not result.claim.shows(result.on.across)
    assert result.verdict() is False


def test_a_rule_that_holds_by_construction_is_not_a_verdict():
    stated = verdict(runs(3.0), runs(0.0, seed=1), runs(3.0, seed=2),
                     by_construction="formal contracts need enforcement > 0 by code")
    assert stated.verdict() is None and "Not a verdict" in stated.describe()
    detected = verdict(runs(3.0), runs(0.0, zero=True), runs(3.0, seed=2))
    assert detected.verdict() is None and "needs that parameter, by code" in detected.describe()


def test_a_pattern_that_does_not_show_fails_even_where_the_rule_would_hold_by_construction():
    flat = verdict(runs(0.0), runs(0.0, zero=True), runs(0.0, seed=2),
                   by_construction="formal contracts need enforcement > 0 by code")
    assert flat.verdict() is False
    text = flat.describe()
    assert "Not a verdict" not in text and "does not show with everything on" in text


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"sign": 2}, "sign must be 1 or -1"),
        ({"colour": "red"}, "unknown key 'colour'"),
        ({"mechanism": {"name": "m", "set": {"gosip_reach": 0}}}, "gosip_reach"),
        ({"mechanism": {"name": "m", "set": {"x": 0}}}, "unknown parameter"),
        ({"rivals": [{"name": "r"}]}, "give name"),
        ({"min_effect": -1}, "min_effect must be"),
    ],
)
def test_bad_claim_tables_are_user_errors_naming_the_key(change, match):
    with pytest.raises(UserError, match=match):
        Claim.from_table({**TABLE, **change}, "spec.toml")


def test_a_level_claim_tests_the_mean_against_zero():
    table = {k: v for k, v in TABLE.items() if k not in ("factor", "low", "high")}
    claim = Claim.from_table(table, "spec.toml")
    on = claim.effect(runs(3.0), "on")
    assert on.default.diff == pytest.approx(10.0 + 1.5, abs=0.5)  # mean of y at z = 0
    assert claim.shows(on.default) and "the mean of y must be above zero" in claim.rule()
    assert not claim.shows(claim.effect(runs(0.0, zero=True), "zero").default)


def test_a_switch_may_not_switch_off_the_factor_itself():
    table = {**TABLE, "factor": "tie_trust"}
    with pytest.raises(UserError, match="switches off the factor"):
        Claim.from_table(table, "spec.toml")


def test_ablation_spec_fixes_the_switch_and_keeps_the_factor_ends():
    raw = {
        "experiment": {"name": "e", "scenario": "kalundborg", "replicates": 3, "seed": 1},
        "fixed": {"noise": 0.01},
        "sweep": {"x": [0.0, 0.5, 1.0], "gossip_reach": [0, 1, 3], "z": [0.0, 1.0]},
        "record": {"timeseries": True},
    }
    claim = Claim.from_table(TABLE, "spec.toml")
    out = ablation_spec(raw, claim, claim.mechanism)
    assert out["experiment"]["name"] == "e-without-gossip"
    assert out["fixed"] == {"noise": 0.01, "gossip_reach": 0}
    assert out["sweep"] == {"x": [0.0, 1.0], "z": [0.0, 1.0]}
    assert "record" not in out and raw["sweep"]["x"] == [0.0, 0.5, 1.0]


def claimed_spec(key):
    """Index of experiment ``key``'s spec file that holds its [claim] (None: none does)."""
    return next((i for i in range(len(EXPERIMENTS[key].specs))
                 if load_experiment_spec(key, which=i).get("claim")), None)


def same_level(a, b):
    """Whether two sweep levels are the same (numbers up to rounding, else equal)."""
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (a, b))
    return bool(np.isclose(a, b)) if numbers else a == b


CLAIMED = [k for k in EXPERIMENTS if claimed_spec(k) is not None]


def test_the_experiments_of_this_issue_state_their_claim():
    assert {"E1", "E2", "E3", "E4", "E5", "E6", "E7", "E8", "E9", "E10"} <= set(CLAIMED)


def test_ablation_spec_thins_a_grid_axis_to_its_two_ends_nearest_the_claim():
    raw = {
        "experiment": {"name": "e", "scenario": "region", "replicates": 1, "seed": 1},
        "sweep": {"x": {"low": 0.1, "high": 0.9, "num": 5}, "gossip_reach": [0, 3]},
    }
    claim = Claim.from_table({**TABLE, "low": 0.25, "high": 0.9}, "spec.toml")
    assert ablation.axis_levels(raw["sweep"]["x"]) == pytest.approx([0.1, 0.3, 0.5, 0.7, 0.9])
    out = ablation_spec(raw, claim, claim.rivals[0])
    assert out["sweep"]["x"] == pytest.approx([0.3, 0.9])
    assert out["fixed"] == {"tie_trust": 0.0} and out["sweep"]["gossip_reach"] == [0, 3]
    assert ablation.axis_levels("none") == []


@pytest.mark.parametrize("key", CLAIMED)
def test_every_claim_parses_and_names_swept_levels(key):
    exp = EXPERIMENTS[key]
    which = claimed_spec(key)
    raw = load_experiment_spec(key, which=which)
    tables = raw["claim"] if isinstance(raw["claim"], list) else [raw["claim"]]
    for table in tables:
        claim = Claim.from_table(table, exp.specs[which])
        if claim.factor == ablation.SPEC_FACTOR:
            assert {claim.low, claim.high} <= set(range(len(exp.specs)))
        elif claim.factor:
            levels = ablation.axis_levels(raw["sweep"][claim.factor])
            for end in (claim.low, claim.high):
                assert any(same_level(end, x) for x in levels), (key, end, levels)
        for name, value in claim.at.items():
            assert value in ablation.axis_levels(raw["sweep"][name]), (key, name)
