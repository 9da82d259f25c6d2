"""Theory inside the model: forward-looking managers honour iff patience reaches the threshold."""

import dataclasses

import pytest

from trustsim.game import theory
from trustsim.game.games import StageGame
from trustsim.park.model import SymbiosisPark
from trustsim.park.scenarios import SCENARIOS, get_scenario, register_scenario

EPS = [-0.05, -1e-4, 1e-4, 0.05]


def run_minimal(years=10, **overrides):
    model = SymbiosisPark("minimal", rng=0, **overrides)
    model.run_years(years)
    return model.summary()


def game_of(summary):
    return StageGame(summary["reward"], summary["sucker"], summary["temptation"],
                     summary["punishment"])


def honoured_throughout(summary):
    return (summary["exchanges_formed"] == 1 and summary["exchanges_ended"] == 0
            and summary["cooperation_rate"] == 1.0)


def sweep(threshold, **overrides):
    for eps in EPS:
        delta = threshold + eps
        s = run_minimal(patience=delta, **overrides)
        assert s["exchanges_formed"] >= 1
        assert honoured_throughout(s) == (delta >= threshold), (delta, threshold, s)
        if delta < threshold:
            assert s["ended_breach"] == 1 and s["cooperation_rate"] < 1.0
    return s


def test_minimal_is_a_dilemma_with_breakdown_value_punishment():
    s = run_minimal(patience=0.9)
    game = game_of(s)
    assert game.is_dilemma()
    assert s["punishment"] == 0.0
    assert s["contract"] in ("spot", "relational")


@pytest.mark.parametrize("temptation", [0.2, 0.5, 1.5])
def test_grim_threshold_without_sanction_or_enforcement(temptation):
    s = run_minimal(patience=0.9, utility_temptation=temptation)
    threshold = theory.grim_threshold(game_of(s))
    assert 0.05 < threshold < 0.95
    sweep(threshold, utility_temptation=temptation)


def test_social_sanction_shifts_threshold_as_theory_says():
    base = run_minimal(patience=0.9)
    s = run_minimal(patience=0.9, sanction_strength=0.2)
    assert s["sanction"] > 0.0
    game = game_of(s)
    assert game == game_of(base)
    shifted = theory.grim_threshold(game, sanction=s["sanction"])
    assert shifted < theory.grim_threshold(game) - 0.05
    sweep(shifted, sanction_strength=0.2)


@pytest.fixture
def untied():
    """The minimal scenario without the social tie, registered for one test."""
    minimal = get_scenario("minimal")
    spec = dataclasses.replace(minimal.build({}, None), ties=())
    register_scenario("minimal_untied", "test", lambda p, r: spec, minimal.defaults)
    yield "minimal_untied"
    del SCENARIOS["minimal_untied"]


#: Overrides of the untied-scenario tests: a sanction, and no tie growing during the run.
UNTIED = {"sanction_strength": 0.2, "spot_payback_years": 5.0, "tie_growth": 0.0}


def test_sanction_needs_a_tie(untied):
    """Without ties, a defector pays no social sanction, so the threshold is unshifted."""
    model = SymbiosisPark(untied, rng=0, patience=0.9, **UNTIED)
    model.run_years(10)
    s = model.summary()
    assert s["sanction"] == 0.0
    plain = theory.grim_threshold(game_of(s))
    for eps in EPS:
        m = SymbiosisPark(untied, rng=0, patience=plain + eps, **UNTIED)
        m.run_years(10)
        assert honoured_throughout(m.summary()) == (eps > 0)


def test_sanction_needs_news_to_travel():
    """A tie alone is not enough: with gossip_reach 0 no one hears, so no social sanction.

    With a tie but no gossip the threshold is the dyadic one (a manager just below it breaches);
    the broker's registry publishes the defection to the whole park, so the sanction applies
    again, to a manager with no tie too [Kandori1992; MilgromNorthWeingast1990].
    """
    kw = {"sanction_strength": 0.2}
    silent = run_minimal(patience=0.9, gossip_reach=0, **kw)
    assert silent["sanction"] == 0.0
    plain = theory.grim_threshold(game_of(silent))
    sweep(plain, gossip_reach=0, **kw)
    published = run_minimal(patience=0.9, gossip_reach=0, broker_year=2000,
                            broker_registry=True, **kw)
    assert published["sanction"] > 0.0
    shifted = theory.grim_threshold(game_of(published), sanction=published["sanction"])
    assert shifted < plain - 0.05
    sweep(shifted, gossip_reach=0, broker_year=2000, broker_registry=True, **kw)


def test_a_registry_sanctions_a_manager_without_ties(untied):
    """The broker's published record reaches those gossip cannot: the untied pay it too."""
    off = SymbiosisPark(untied, rng=0, patience=0.9, **UNTIED)
    on = SymbiosisPark(untied, rng=0, patience=0.9, broker_year=2000, broker_registry=True,
                       **UNTIED)
    off.run_years(10)
    on.run_years(10)
    assert off.summary()["sanction"] == 0.0
    assert on.summary()["sanction"] > 0.0


@pytest.mark.parametrize(("probability", "penalty"), [(0.5, 0.5), (0.9, 0.3)])
def test_formal_enforcement_shifts_threshold_as_theory_says(probability, penalty):
    kw = {"enforcement": probability, "formal_penalty": penalty, "formal_cost": 0.0}
    s = run_minimal(patience=0.3, **kw)
    assert s["contract"] == "formal"
    game = game_of(s)
    t_enforced = theory.enforced_temptation(game, s["enforcement"], s["penalty"])
    shifted = theory.grim_threshold(StageGame(game.reward, game.sucker, t_enforced,
                                              game.punishment))
    assert shifted < theory.grim_threshold(game) - 0.05
    for eps in EPS:
        delta = shifted + eps
        s = run_minimal(patience=delta, **kw)
        assert s["exchanges_formed"] >= 1 and s["contract"] == "formal"
        assert honoured_throughout(s) == (delta >= shifted)
        assert theory.grim_sustains(game, delta, probability=probability,
                                    penalty=s["penalty"]) == (delta >= shifted)
