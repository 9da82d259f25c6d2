import math

import numpy as np
import pytest

from trustsim.errors import UserError
from trustsim.game.games import StageGame
from trustsim.game.strategies import get_strategy
from trustsim.game.theory import (
    all_d_vs_grim_value,
    enforced_temptation,
    expected_match_payoffs,
    fold_noise,
    grim_sustains,
    grim_threshold,
    grim_vs_grim_value,
    gtft_max_generosity,
    long_run_payoffs,
    relational_contract_self_enforcing,
    relational_contract_threshold,
    stationary_distribution,
    tft_deviation_threshold,
    transition_matrix,
)

G = StageGame()  # 3, 0, 5, 1
GRIM = (1.0, 0.0, 0.0, 0.0)


def test_grim_threshold_and_sanction():
    assert grim_threshold(G) == pytest.approx(0.5)
    assert grim_threshold(G, sanction=1.0) == pytest.approx((5 - 1 - 3) / (5 - 1 - 1))
    assert grim_threshold(G, sanction=2.0) == 0.0  # T - s <= R: always sustainable
    assert grim_threshold(G, sanction=5.0) == 0.0


def test_formal_enforcement_is_a_lower_temptation():
    t = enforced_temptation(G, probability=0.5, penalty=2.0)
    assert t == 4.0
    lowered = StageGame(reward=3, sucker=0, temptation=t, punishment=1)
    assert grim_threshold(lowered) == pytest.approx(1 / 3)
    assert grim_sustains(G, 0.34, probability=0.5, penalty=2.0)
    assert not grim_sustains(G, 0.32, probability=0.5, penalty=2.0)
    # Sanction and enforcement add up in the temptation.
    assert grim_sustains(G, 0.0, sanction=1.0, probability=0.5, penalty=2.0)


@pytest.mark.parametrize("delta", [0.3, 0.49, 0.5, 0.51, 0.8])
def test_grim_sustains_iff_cooperation_beats_defection(delta):
    # Directly: R/(1-d) >= T + d P/(1-d).
    direct = G.reward / (1 - delta) >= G.temptation + delta * G.punishment / (1 - delta)
    assert grim_sustains(G, delta) == direct


def test_relational_contract_matches_grim_with_stage_values():
    g, v, b = G.temptation - G.reward, G.reward, G.punishment
    thr = relational_contract_threshold(g, v, b)
    assert thr == pytest.approx(grim_threshold(G))
    assert relational_contract_self_enforcing(g, v, b, thr + 1e-9)
    assert not relational_contract_self_enforcing(g, v, b, thr - 1e-9)


def test_relational_contract_condition():
    # gain 10 <= d/(1-d) * (8 - 3): with d = 2/3, 2 * 5 = 10, binding.
    assert relational_contract_threshold(10, 8, 3) == pytest.approx(2 / 3)
    assert relational_contract_self_enforcing(10, 8, 3, 0.7)
    assert not relational_contract_self_enforcing(10, 8, 3, 0.6)
    assert relational_contract_threshold(0, 1, 5) == 0.0
    assert relational_contract_threshold(1, 2, 5) == math.inf


def test_tft_deviation_threshold():
    assert tft_deviation_threshold(G) == pytest.approx(2 / 3)
    assert tft_deviation_threshold(StageGame.trust_game()) == pytest.approx(1 / 3)


def test_gtft_generosity_values():
    assert gtft_max_generosity(G) == pytest.approx(1 / 3)
    g = StageGame(reward=3, sucker=0, temptation=4, punishment=2)
    assert gtft_max_generosity(g) == pytest.approx(min(1 - 1 / 3, 1 / 2))


def test_gtft_generosity_bound_against_all_d():
    # With (R-P)/(T-P) binding, all-defect earns more against GTFT than GTFT against itself
    # exactly when the generosity exceeds it.
    g = StageGame(reward=3, sucker=0, temptation=4, punishment=2)
    gmax = gtft_max_generosity(g)
    alld = get_strategy("all_d")
    for gen, invades in ((gmax - 0.01, False), (gmax + 0.01, True)):
        gtft = get_strategy("generous_tit_for_tat", generosity=gen)
        mutant, _ = long_run_payoffs(alld, gtft, g)
        resident, _ = long_run_payoffs(gtft, gtft, g)
        assert (mutant > resident) == invades


@pytest.mark.parametrize("w", [0.0, 0.5, 0.9])
def test_grim_values_equal_markov_expectations(w):
    assert grim_vs_grim_value(G, w) == pytest.approx(
        expected_match_payoffs(GRIM, GRIM, G, continuation=w)[0]
    )
    assert all_d_vs_grim_value(G, w) == pytest.approx(
        expected_match_payoffs((0, 0, 0, 0), GRIM, G, continuation=w, p0=0.0)[0]
    )


def test_transition_matrix_rows_and_perspective():
    m = transition_matrix(get_strategy("tit_for_tat"), get_strategy("all_d"))
    assert np.allclose(m.sum(axis=1), 1)
    # From CD (TFT cooperated, ALLD defected) TFT defects and ALLD defects: DD.
    assert m[1].tolist() == [0, 0, 0, 1]
    m = transition_matrix(get_strategy("win_stay_lose_shift"), get_strategy("alternator"))
    # From CD: WSLS (lost) defects; the alternator played D so it cooperates: DC.
    assert m[1].tolist() == [0, 0, 1, 0]


def test_fold_noise():
    assert fold_noise(np.array([1.0, 0.0, 0.3]), 0.1).tolist() == pytest.approx([0.9, 0.1, 0.34])


@pytest.mark.parametrize("noise", [1e-4, 0.01, 0.1, 0.3, 0.5])
@pytest.mark.parametrize(
    "game", [G, StageGame.trust_game(), StageGame(reward=2, sucker=-1, temptation=3, punishment=0)]
)
def test_tft_pairs_quarter_sum_any_noise(noise, game):
    tft = get_strategy("tit_for_tat")
    quarter = sum(game.as_tuple()) / 4
    assert long_run_payoffs(tft, tft, game, noise) == pytest.approx((quarter, quarter))


def test_stationary_distribution_is_stationary_and_matches_power_iteration():
    p, q = get_strategy("win_stay_lose_shift"), get_strategy("generous_tit_for_tat")
    v = stationary_distribution(p, q, 0.05)
    m = transition_matrix(p, q, 0.05)
    assert np.allclose(v @ m, v) and v.sum() == pytest.approx(1)
    start = np.array([1.0, 0, 0, 0])
    assert np.allclose(start @ np.linalg.matrix_power(m, 5000), v)


def test_wsls_pair_value_small_noise():
    # WSLS corrects a single error in two rounds: the pair is mostly in CC, so its value
    # tends to R as noise vanishes.
    wsls = get_strategy("win_stay_lose_shift")
    assert long_run_payoffs(wsls, wsls, noise=1e-6)[0] == pytest.approx(3.0, abs=1e-4)


def test_noiseless_non_ergodic_chains_use_the_start():
    tft, stft = get_strategy("tit_for_tat"), get_strategy("suspicious_tit_for_tat")
    assert long_run_payoffs(tft, tft) == pytest.approx((3.0, 3.0))
    assert long_run_payoffs(tft, stft) == pytest.approx((2.5, 2.5))  # CD/DC alternation
    alld = get_strategy("all_d")
    assert long_run_payoffs(tft, alld) == pytest.approx((1.0, 1.0))


@pytest.mark.parametrize("turns", [1, 2, 7])
def test_fixed_turns_expectation_deterministic(turns):
    tft, alt = get_strategy("tit_for_tat"), get_strategy("alternator")
    from trustsim.game.match import play_match

    m = play_match(tft, alt, turns=turns)
    assert expected_match_payoffs(tft, alt, turns=turns) == pytest.approx((m.score_a, m.score_b))


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: grim_threshold(StageGame(reward=1, punishment=1)), "reward > punishment"),
        (lambda: grim_threshold(G, sanction=-1), r"sanction must be in \[0, inf\]"),
        (lambda: enforced_temptation(G, 1.5, 1), r"probability must be in \[0, 1\]"),
        (lambda: enforced_temptation(G, 0.5, -1), r"penalty must be in \[0, inf\]"),
        (lambda: grim_sustains(G, 1.0), r"delta must be in \[0, 1\)"),
        (lambda: grim_vs_grim_value(G, 1.0), r"continuation must be in \[0, 1\)"),
        (lambda: relational_contract_threshold(-1, 2, 1), "reneging_gain must be in"),
        (lambda: tft_deviation_threshold(StageGame(reward=0, sucker=1)), "reward > sucker"),
        (
            lambda: gtft_max_generosity(StageGame(reward=1, sucker=0, temptation=5, punishment=3)),
            "temptation > reward > punishment",
        ),
        (lambda: long_run_payoffs((1, 0, 1), (1, 1, 1, 1)), "p must be four probabilities"),
        (lambda: long_run_payoffs(GRIM, GRIM, noise=2), r"noise must be in \[0, 1\]"),
        (
            lambda: long_run_payoffs(get_strategy("tit_for_two_tats"), GRIM),
            "not a memory-one strategy",
        ),
        (lambda: expected_match_payoffs(GRIM, GRIM), "exactly one of turns or continuation"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(UserError, match=message):
        call()


def test_tft_alld_rest_point_against_replicator_integration():
    """x* = (d - b)/(a - b - c + d) separates the replicator flow of TFT vs ALLD."""
    from scipy.integrate import solve_ivp

    from trustsim.game.theory import replicator_rest_point, tft_alld_payoffs

    game = StageGame(3, 0, 5, 1)
    for w in (0.6, 0.8, 0.95):
        m = tft_alld_payoffs(game, w)
        # per round, times the expected length 1/(1 - w): the matrix of Nowak (2006), ch. 4
        length = 1 / (1 - w)
        np.testing.assert_allclose(m * length, [[3 * length, 0 + (length - 1) * 1],
                                                [5 + (length - 1) * 1, 1 * length]])
        x = replicator_rest_point(m)
        assert x == pytest.approx((1 - w) * 1 / ((1 - w) * 1 + 3 - 1 - (1 - w) * (5 - 1)))

        def flow(_, y, m=m):
            f, g = m @ [y[0], 1 - y[0]]
            return [y[0] * (1 - y[0]) * (f - g)]

        up = solve_ivp(flow, (0, 400), [x + 0.01], rtol=1e-9).y[0, -1]
        down = solve_ivp(flow, (0, 400), [x - 0.01], rtol=1e-9).y[0, -1]
        assert up > 0.99 and down < 0.01
    with pytest.raises(UserError, match="bistable"):
        replicator_rest_point(tft_alld_payoffs(game, 0.3))  # below (T-R)/(T-P): ALLD dominates
