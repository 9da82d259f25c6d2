import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trustsim.errors import UserError
from trustsim.game.games import StageGame
from trustsim.game.match import play_batch, play_match
from trustsim.game.strategies import STRATEGIES, History, Strategy, get_strategy
from trustsim.game.theory import (
    all_d_vs_grim_value,
    expected_match_payoffs,
    grim_threshold,
    grim_vs_grim_value,
    long_run_payoffs,
    tft_deviation_threshold,
)

GAMES = [
    StageGame(),
    StageGame.trust_game(),
    StageGame.donation(benefit=4, cost=1),
    StageGame(reward=3, sucker=-1, temptation=4, punishment=0),
]


class DefectOnce(Strategy):
    """Defect in the first round, then cooperate (a one-shot deviation). Names: [Axelrod1984]"""

    key, name = "defect_once", "Defect Once"
    classifier = {
        "memory_depth": 0,
        "stochastic": False,
        "uses_trust": False,
        "uses_reputation": False,
    }

    def decide(self, history: History, u):
        return history.turn == 0


def within(sample, expected, k=4.0):
    se = sample.std(ddof=1) / np.sqrt(sample.size)
    assert abs(sample.mean() - expected) <= k * se + 1e-12, (sample.mean(), expected, se)


# -- batch == scalar, seeds --------------------------------------------------------------------


@pytest.mark.parametrize(
    "a, b, kw",
    [
        ("tit_for_tat", "win_stay_lose_shift", {"turns": 30, "noise": 0.1}),
        ("generous_tit_for_tat", "all_d", {"turns": 25, "noise": 0.05}),
        ("random", "go_by_majority", {"continuation": 0.9}),
        ("trust_threshold", "two_tits_for_tat", {"continuation": 0.8, "noise": 0.2}),
        ("image_scoring", "random", {"turns": 12}),
    ],
)
def test_batch_equals_scalar_for_each_match_index(a, b, kw):
    batch = play_batch(a, b, 40, rng=2024, **kw)
    for i in range(40):
        one = play_match(a, b, rng=2024, match_index=i, **kw)
        assert one.turns == batch.lengths[i]
        assert np.array_equal(one.history_a, batch.actions_a[i, : one.turns])
        assert np.array_equal(one.history_b, batch.actions_b[i, : one.turns])
        assert (batch.actions_a[i, one.turns :] == -1).all()
        assert one.score_a == batch.score_a[i] and one.score_b == batch.score_b[i]
        assert np.array_equal(one.payoffs_a, batch.payoffs_a[i, : one.turns])
        assert np.isnan(batch.payoffs_a[i, one.turns :]).all()
        assert batch.match(i).history_string("b") == one.history_string("b")


def test_batch_size_does_not_change_a_match():
    small = play_batch("random", "random", 3, turns=20, noise=0.1, rng=9)
    big = play_batch("random", "random", 300, turns=20, noise=0.1, rng=9)
    assert np.array_equal(small.actions_a, big.actions_a[:3])


def test_keep_history_false_same_totals():
    full = play_batch("generous_tit_for_tat", "random", 50, continuation=0.9, rng=4)
    lean = play_batch(
        "generous_tit_for_tat", "random", 50, continuation=0.9, rng=4, keep_history=False
    )
    assert np.array_equal(full.score_a, lean.score_a)
    assert np.array_equal(full.cooperations_b, lean.cooperations_b)
    with pytest.raises(UserError, match="keep_history=False"):
        lean.match(0)


def test_seed_determinism_and_generator_input():
    a = play_match("random", "random", turns=50, rng=1)
    b = play_match("random", "random", turns=50, rng=1)
    c = play_match("random", "random", turns=50, rng=2)
    d = play_match("random", "random", turns=50, rng=np.random.default_rng(1))
    e = play_match("random", "random", turns=50, rng=np.random.SeedSequence(1))
    assert a.history_string() == b.history_string() == d.history_string() == e.history_string()
    assert a.history_string() != c.history_string()


def test_match_result_fields():
    m = play_match("tit_for_tat", "alternator", turns=6)
    assert m.history_string("a") == "CCDCDC" and m.history_string("b") == "CDCDCD"
    assert m.payoffs_a.tolist() == [3, 0, 5, 0, 5, 0] and m.score_a == 13 and m.score_b == 18
    assert m.totals == (13.0, 18.0)
    assert m.turns == 6 and m.cooperation_b == 0.5


# -- lengths and noise -------------------------------------------------------------------------


def test_geometric_lengths():
    w = 0.8
    res = play_batch("all_c", "all_c", 100_000, continuation=w, rng=3, keep_history=False)
    assert res.lengths.min() == 1
    within(res.lengths.astype(float), 1 / (1 - w))
    share_one = (res.lengths == 1).astype(float)
    within(share_one, 1 - w)
    assert (res.score_a == 3 * res.lengths).all()


def test_zero_continuation_plays_one_round():
    res = play_batch("all_c", "all_d", 10, continuation=0.0, rng=0)
    assert (res.lengths == 1).all()


def test_default_length_is_200():
    assert play_match("all_c", "all_c").turns == 200


def test_noise_flips_at_its_rate():
    res = play_batch("all_c", "all_d", 2000, turns=50, noise=0.2, rng=5)
    flipped_a = 1 - res.cooperations_a / 50
    flipped_b = res.cooperations_b / 50
    within(flipped_a, 0.2)
    within(flipped_b, 0.2)


# -- closed forms ------------------------------------------------------------------------------


@pytest.mark.parametrize("game", GAMES)
@pytest.mark.parametrize("w", [0.5, 0.9])
def test_grim_closed_forms(game, w):
    gg = play_batch("grim_trigger", "grim_trigger", 100_000, game, continuation=w, rng=1)
    within(gg.score_a, grim_vs_grim_value(game, w))
    dg = play_batch("all_d", "grim_trigger", 100_000, game, continuation=w, rng=2)
    within(dg.score_a, all_d_vs_grim_value(game, w))


@pytest.mark.parametrize("game", GAMES)
def test_deviating_from_grim_pays_exactly_below_threshold(game):
    thr = grim_threshold(game)
    for w in (thr - 0.1, thr + 0.1):
        if not 0 <= w < 1:
            continue
        # Same seed: same lengths for both, so the difference is per match.
        dev = play_batch("all_d", "grim_trigger", 200_000, game, continuation=w, rng=7)
        coop = play_batch("all_c", "grim_trigger", 200_000, game, continuation=w, rng=7)
        gain = dev.score_a - coop.score_a
        se = gain.std(ddof=1) / np.sqrt(gain.size)
        assert (gain.mean() > 4 * se) == (w < thr)
        assert (gain.mean() < -4 * se) == (w > thr)


@pytest.mark.parametrize(
    "sanction, probability, penalty", [(1.0, 0.0, 0.0), (0.0, 0.5, 3.0), (0.5, 0.25, 2.0)]
)
def test_sanction_and_enforcement_move_the_threshold(sanction, probability, penalty):
    # The defector's one-shot payoff drops to T - pF - s; cooperation pays from the shifted
    # threshold on, and deviation below it, although the base threshold is 1/2.
    base = StageGame()
    t = base.temptation - probability * penalty - sanction
    game = StageGame(reward=base.reward, sucker=base.sucker, temptation=t, punishment=1.0)
    thr = grim_threshold(base, sanction=sanction + probability * penalty)
    assert thr < grim_threshold(base) - 0.1
    for w in (thr - 0.08, thr + 0.08):
        dev = play_batch("all_d", "grim_trigger", 200_000, game, continuation=w, rng=17)
        coop = play_batch("all_c", "grim_trigger", 200_000, game, continuation=w, rng=17)
        gain = dev.score_a - coop.score_a
        se = gain.std(ddof=1) / np.sqrt(gain.size)
        assert abs(gain.mean()) > 4 * se
        assert (gain.mean() > 0) == (w < thr)


@pytest.mark.parametrize("game", GAMES)
def test_one_shot_deviation_against_tft_pays_exactly_below_threshold(game):
    thr = tft_deviation_threshold(game)
    for w in (thr - 0.1, thr + 0.1):
        if not 0 <= w < 1:
            continue
        dev = play_batch(DefectOnce(), "tit_for_tat", 200_000, game, continuation=w, rng=8)
        coop = play_batch("all_c", "tit_for_tat", 200_000, game, continuation=w, rng=8)
        gain = dev.score_a - coop.score_a
        # Exactly (T - R) + (S - R) * 1[a second round]: expectation T - R - w (R - S).
        expected = game.temptation - game.reward - w * (game.reward - game.sucker)
        within(gain, expected)
        se = gain.std(ddof=1) / np.sqrt(gain.size)
        assert abs(gain.mean()) > 4 * se
        assert (gain.mean() > 0) == (w < thr)


@pytest.mark.parametrize("noise", [0.01, 0.1, 0.25])
@pytest.mark.parametrize("game", GAMES[:2])
def test_long_noisy_tft_pairs_average_quarter_sum(noise, game):
    tft = get_strategy("tit_for_tat")
    turns = 2000
    res = play_batch(tft, tft, 1000, game, turns=turns, noise=noise, rng=11)
    per_turn = (res.score_a + res.score_b) / (2 * turns)
    # The finite match starts at CC; its exact expectation carries that transient.
    exact = sum(expected_match_payoffs(tft, tft, game, turns=turns, noise=noise)) / (2 * turns)
    within(per_turn, exact)
    quarter = sum(game.as_tuple()) / 4
    assert long_run_payoffs(tft, tft, game, noise) == pytest.approx((quarter, quarter))
    assert abs(exact - quarter) < 0.03
    se = per_turn.std(ddof=1) / np.sqrt(per_turn.size)
    assert abs(per_turn.mean() - quarter) <= 4 * se + abs(exact - quarter)


@pytest.mark.parametrize("noise", [0.01, 0.1])
def test_long_noisy_wsls_pairs_match_markov_value(noise):
    wsls = get_strategy("win_stay_lose_shift")
    turns = 2000
    res = play_batch(wsls, wsls, 1000, turns=turns, noise=noise, rng=12)
    value, _ = long_run_payoffs(wsls, wsls, noise=noise)
    within(
        res.score_a / turns, expected_match_payoffs(wsls, wsls, turns=turns, noise=noise)[0] / turns
    )
    assert abs(res.score_a.mean() / turns - value) < 0.02


@pytest.mark.parametrize(
    "a, b, kw",
    [
        ("generous_tit_for_tat", "all_d", {"turns": 50, "noise": 0.05}),
        ("win_stay_lose_shift", "tit_for_tat", {"continuation": 0.95, "noise": 0.02}),
        ("random", "alternator", {"continuation": 0.7, "noise": 0.1}),
        ("suspicious_tit_for_tat", "generous_tit_for_tat", {"turns": 20}),
    ],
)
def test_memory_one_matches_reproduce_exact_expectations(a, b, kw):
    sa, sb = get_strategy(a), get_strategy(b)
    res = play_batch(sa, sb, 50_000, rng=13, keep_history=False, **kw)
    ea, eb = expected_match_payoffs(sa, sb, **kw)
    within(res.score_a, ea)
    within(res.score_b, eb)


# -- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"turns": 0}, r"turns must be in \[1, "),
        ({"turns": 2.5}, "turns must be an integer"),
        ({"turns": 5, "continuation": 0.5}, "either turns or continuation"),
        ({"continuation": 1.0}, r"continuation must be in \[0, 1\)"),
        ({"continuation": -0.1}, r"continuation must be in \[0, 1\)"),
        ({"noise": 1.5}, r"noise must be in \[0, 1\]"),
        ({"noise": float("nan")}, "noise must be a number"),
        ({"rng": -3}, "seed must be >= 0"),
        ({"rng": "seed"}, "rng must be an int seed"),
    ],
)
def test_bad_input(kw, message):
    with pytest.raises(UserError, match=message):
        play_match("tit_for_tat", "all_d", **kw)
    with pytest.raises(UserError, match=message):
        play_batch("tit_for_tat", "all_d", 3, **kw)


def test_bad_batch_size_and_strategy():
    with pytest.raises(UserError, match="n_matches must be >= 1"):
        play_batch("all_c", "all_d", 0)
    with pytest.raises(UserError, match="unknown strategy 'nice'"):
        play_match("nice", "all_d")
    with pytest.raises(UserError, match="player b must be a Strategy"):
        play_match("all_c", 3)


# -- property: batch == scalar for any strategies, lengths, noise and seed -----------------------


@settings(max_examples=40, deadline=None)
@given(
    a=st.sampled_from(sorted(STRATEGIES)),
    b=st.sampled_from(sorted(STRATEGIES)),
    w=st.one_of(st.none(), st.floats(0.0, 0.95)),
    noise=st.sampled_from([0.0, 0.01, 0.3, 1.0]),
    seed=st.integers(0, 2**40),
    index=st.integers(0, 5),
)
def test_property_batch_equals_scalar(a, b, w, noise, seed, index):
    kw = {"turns": 15} if w is None else {"continuation": w}
    batch = play_batch(a, b, 6, noise=noise, rng=seed, **kw)
    one = play_match(a, b, noise=noise, rng=seed, match_index=index, **kw)
    n = one.turns
    assert batch.lengths[index] == n
    assert np.array_equal(batch.actions_a[index, :n], one.history_a)
    assert np.array_equal(batch.actions_b[index, :n], one.history_b)
    assert batch.score_a[index] == one.score_a and batch.score_b[index] == one.score_b
