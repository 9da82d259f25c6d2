"""Adaptive managers in the park: imitation and reinforcement change what managers do."""

import numpy as np
import pytest

from trustsim.errors import UserError
from trustsim.park.model import SymbiosisPark
from trustsim.park.operation import draw_round, play_round, play_round_reference
from trustsim.park.revision import _reinforce

MIXED = {"adaptation": "imitation", "rival_strategy": "all_d", "rival_share": 0.5,
         "n_facilities": 120, "imitation_rate": 2.0}


def shares(model):
    ts = model.timeseries()
    return ts.share_forward_looking.to_numpy(), ts.share_all_d.to_numpy()


def test_a_mixed_population_starts_near_its_rival_share_and_records_shares():
    model = SymbiosisPark("region", rng=3, **MIXED)
    model.run_years(1)
    fl, alld = shares(model)
    assert np.allclose(fl + alld, 1.0)
    assert 0.35 < alld[0] < 0.65
    s = model.summary()
    assert s["share_forward_looking"] + s["share_all_d"] == pytest.approx(1.0)


def test_imitation_spreads_the_strategy_that_earns_more():
    """Exchanges with all_d managers end at once; forward-looking managers keep theirs."""
    model = SymbiosisPark("region", rng=3, patience=0.95, **MIXED)
    model.run_years(25)
    fl, _ = shares(model)
    assert fl[-1] > fl[0] + 0.1


#: A facilitated region without enforcement, gossip or registry: only the partners' own trust,
#: its exit rule and the safeguards it demands make a cheat cost anything.
BARE = {"n_facilities": 60, "region_km": 15, "region_seed": 1, "enforcement": 0.0,
        "liability_share": 1.0, "utility_temptation": 0.5, "gossip_reach": 0,
        "broker_registry": False, "adaptation": "imitation", "rival_strategy": "all_d",
        "rival_share": 0.2, "safeguard_cost": 0.5}


def test_cooperation_rises_at_high_patience_and_collapses_at_low():
    """No rule encodes a threshold: managers value their choices and imitate what earns more."""
    end = {}
    for patience in (0.3, 0.9):
        model = SymbiosisPark("region", rng=1, patience=patience, **BARE)
        model.run_years(25)
        fl, _ = shares(model)
        end[patience] = (model.summary(), fl[0], fl[-1])
    low, high = end[0.3][0], end[0.9][0]
    assert low["cooperation_rate"] < 0.1 < 0.8 < high["cooperation_rate"]
    assert high["active_exchanges"] >= 3 > low["active_exchanges"]
    assert end[0.3][2] < end[0.3][1] - 0.05  # impatient: cheats earn more, all_d spreads
    assert end[0.9][2] > end[0.3][2] + 0.05


def test_without_imitation_every_manager_keeps_its_strategy():
    model = SymbiosisPark("region", rng=3, **{**MIXED, "adaptation": "none"})
    start = model.state.strategy_code.copy()
    model.run_years(10)
    assert np.array_equal(model.state.strategy_code, start)
    assert len(set(start.tolist())) == 2


def test_exploration_alone_drifts_to_an_even_mix():
    over = {**MIXED, "rival_share": 0.0, "exploration": 1.0, "selection_intensity": 0.0}
    model = SymbiosisPark("region", rng=4, **over)
    assert (model.state.strategy_code == model.state.strategy_set[0]).all()
    model.run_years(10)
    _, alld = shares(model)
    assert 0.3 < alld[-1] < 0.7


def test_reinforcement_learners_learn_to_cheat_in_a_one_shot_temptation():
    """Cheating pays T > R against an honourer and P > S against a cheat: its propensity grows."""
    model = SymbiosisPark("minimal", rng=1, adaptation="reinforcement", trust_loss=0.0,
                          trust_exit=0.0)
    model.run_years(15)
    ts = model.timeseries()
    assert ts.mean_cheat_propensity.iloc[0] == pytest.approx(0.5, abs=0.1)
    cheat = ts.mean_cheat_propensity
    early, late = cheat.iloc[:8].mean(), cheat.iloc[-8:].mean()
    assert late > 0.6 and late > early + 0.1  # forgetting and experimentation keep it below 1
    assert model.strategy_key(0) == "reinforcement_learner"


def test_reinforcement_over_one_exchange_per_manager_is_the_roth_erev_rule():
    from trustsim.park.adaptation import reinforce

    model = SymbiosisPark("minimal", rng=2, adaptation="reinforcement")
    model.run_years(1)
    s = model.state
    ids = s.ex.active_ids()
    draws = draw_round(np.random.default_rng(5), s.ex.out[ids], s.stream_variability)
    before = s.propensity.copy()
    res = play_round(s, ids, draws)
    from trustsim.park.operation import roster

    ro = roster(s, ids)
    _reinforce(s, ro, res)
    p = s.params
    for side in (0, 1):
        f = int(ro.me[0, side])
        span = ro.temptation[0, side] - ro.sucker[0, side]
        x = np.clip((res.payoffs[0, side] - ro.sucker[0, side]) / span, 0.0, 1.0)
        expected = reinforce(before[f:f + 1], np.array([res.actions[0, side] == 1]),
                             np.array([x]), minimum_payoff=0.0,
                             forgetting=p["reinforcement_forgetting"],
                             experimentation=p["reinforcement_experimentation"])
        assert np.allclose(s.propensity[f], expected[0])


@pytest.mark.parametrize("over", [
    {"adaptation": "reinforcement"},
    {"adaptation": "imitation", "rival_strategy": "tit_for_tat", "rival_share": 0.5},
    {"gossip_reach": 2, "broker_year": 1970, "noise": 0.05},
    {"safeguard_cost": 0.2, "noise": 0.05},
])
def test_array_round_equals_the_reference_with_the_new_rules(over):
    a = SymbiosisPark("kalundborg", rng=6, **over)
    b = SymbiosisPark("kalundborg", rng=6, **over)
    b.use_reference_round = True
    a.run_years(20)
    b.run_years(20)
    assert a.timeseries().equals(b.timeseries())
    assert a.exchanges_table().equals(b.exchanges_table())


def test_bad_adaptation_is_refused_with_its_values():
    with pytest.raises(UserError, match="adaptation must be one of none, imitation"):
        SymbiosisPark("minimal", adaptation="evolution")
    with pytest.raises(UserError, match=r"rival_share must be in \[0, 1\]"):
        SymbiosisPark("minimal", rival_share=1.5)


def test_a_reference_round_of_one_exchange_matches_the_array_round():
    model = SymbiosisPark("minimal", rng=0)
    model.run_years(2)
    s = model.state
    ids = s.ex.active_ids()
    draws = draw_round(np.random.default_rng(9), s.ex.out[ids], s.stream_variability)
    trust = s.trust.copy()
    hist = s.ex.hist.copy()
    res_a = play_round(s, ids, draws)
    s.trust = trust
    s.ex.hist[:] = hist
    res_b = play_round_reference(s, ids, draws)
    assert np.array_equal(res_a.actions, res_b.actions)

