"""Adaptive managers against the replicator rest point, the Fermi fixation closed form and
published properties of Roth-Erev learning."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import sparse, stats

from trustsim.errors import UserError
from trustsim.game.evolution import fermi_fixation_probability, type_payoffs
from trustsim.game.games import StageGame
from trustsim.game.theory import replicator_rest_point, tft_alld_payoffs
from trustsim.park.adaptation import cheat_probability, imitate, reinforce, revising

GAME = StageGame(3, 0, 5, 1)
TFT, ALLD = 0, 1


def well_mixed_run(matrix, n, tft, rng, *, beta, rate=0.1, steps=3000) -> float:
    """Share of TFT after imitation in a well-mixed population (everyone sees everyone)."""
    strategy = np.where(np.arange(n) < tft, TFT, ALLD)
    everyone = ~np.eye(n, dtype=np.bool_)
    for _ in range(steps):
        i = int(np.count_nonzero(strategy == TFT))
        if i in (0, n):
            break
        f, g = type_payoffs(matrix, n, i)
        payoff = np.where(strategy == TFT, f, g)
        revise = revising(rate, 1.0, rng.random(n))
        strategy = imitate(strategy, payoff, everyone, revise, rng.random((4, n)),
                           beta=beta, exploration=0.0, n_strategies=2)
    return float(np.mean(strategy == TFT))


@pytest.mark.parametrize("w", [0.7, 0.8, 0.9])
def test_imitation_separates_at_the_replicator_rest_point(w):
    """TFT takes over above x* = (d - b)/(a - b - c + d) and dies out below it [Nowak2006]."""
    matrix = tft_alld_payoffs(GAME, w)
    x = replicator_rest_point(matrix)
    n, reps = 200, 8
    rng = np.random.default_rng(12)
    for offset, takeover in ((0.07, True), (-0.07, False)):
        start = round((x + offset) * n)
        ends = [well_mixed_run(matrix, n, start, rng, beta=20.0) for _ in range(reps)]
        wins = sum(e > 0.5 for e in ends)
        assert (wins >= reps - 1) if takeover else (wins <= 1), (w, x, offset, ends)


@pytest.mark.slow
@pytest.mark.parametrize(("w", "beta"), [(0.9, 1.0), (0.6, 2.0)])
def test_one_cooperator_fixes_as_the_fermi_closed_form(w, beta):
    """One focal revises per step against one other drawn uniformly: Traulsen's process."""
    matrix = tft_alld_payoffs(GAME, w)
    n, runs = 8, 800
    rng = np.random.default_rng(int(100 * w + beta))
    everyone = ~np.eye(n, dtype=np.bool_)
    fixed = 0
    for _ in range(runs):
        strategy = np.array([TFT] + [ALLD] * (n - 1))
        i = 1
        while 0 < i < n:
            f, g = type_payoffs(matrix, n, i)
            revise = np.zeros(n, dtype=np.bool_)
            revise[int(rng.random() * n)] = True
            strategy = imitate(strategy, np.where(strategy == TFT, f, g), everyone, revise,
                               rng.random((4, n)), beta=beta, exploration=0.0, n_strategies=2)
            i = int(np.count_nonzero(strategy == TFT))
        fixed += i == n
    want = fermi_fixation_probability(matrix, n, beta)
    se = math.sqrt(want * (1 - want) / runs)
    assert fixed / runs == pytest.approx(want, abs=4 * se)


def test_exploration_draws_uniformly_and_isolated_managers_only_explore():
    n = 4000
    rng = np.random.default_rng(3)
    alone = np.zeros((n, n), dtype=np.bool_)
    new = imitate(np.zeros(n, dtype=np.int64), np.zeros(n), alone, np.ones(n, dtype=np.bool_),
                  rng.random((4, n)), beta=1.0, exploration=0.3, n_strategies=3)
    counts = np.bincount(new, minlength=3)
    # 70% keep strategy 0, the explorers split evenly over the three strategies
    expected = n * np.array([0.7 + 0.1, 0.1, 0.1])
    assert stats.chisquare(counts, expected).pvalue > 1e-3


def test_sparse_neighbours_give_the_dense_result():
    """The model passes neighbours as CSR (memory grows with relationships, not n squared):
    duplicates and stored zeros do not count, and every draw picks the same model."""
    n = 300
    rng = np.random.default_rng(11)
    dense = rng.random((n, n)) < 0.03
    dense[:20] = False  # some managers without neighbours
    row, col = np.nonzero(dense)
    # the same pattern with every entry stored twice, in shuffled order, plus stored zeros
    order = rng.permutation(2 * row.size)
    zeros = rng.integers(0, n, size=(2, 50))
    rows = np.concatenate([np.concatenate([row, row])[order], zeros[0]])
    cols = np.concatenate([np.concatenate([col, col])[order], zeros[1]])
    data = np.concatenate([np.ones(2 * row.size), np.zeros(50)])
    coo = sparse.coo_array((data, (rows, cols)), shape=(n, n))
    strategy = rng.integers(0, 3, size=n)
    payoff = rng.random(n)
    revise = np.ones(n, dtype=np.bool_)
    for _ in range(5):
        u = rng.random((4, n))
        want = imitate(strategy, payoff, dense, revise, u, beta=2.0, exploration=0.1,
                       n_strategies=3)
        for form in (coo, coo.tocsr(), sparse.csr_matrix(coo)):
            got = imitate(strategy, payoff, form, revise, u, beta=2.0, exploration=0.1,
                          n_strategies=3)
            np.testing.assert_array_equal(got, want)
        assert np.any(want != strategy)
        strategy = want


@pytest.mark.parametrize(("honour", "cheat"), [(1.0, 1.0), (2.0, 1.0)])
def test_basic_roth_erev_with_equal_payoffs_is_a_polya_urn(honour, cheat):
    """Unit reinforcement of whatever is played: the cheat share converges to
    Beta(cheat, honour) [Pemantle2007], not to a fixed point."""
    n, rounds = 3000, 1500
    rng = np.random.default_rng(5)
    q = np.tile([honour, cheat], (n, 1))
    for _ in range(rounds):
        cheated = rng.random(n) < cheat_probability(q)
        q = reinforce(q, cheated, np.ones(n), minimum_payoff=0.0)
    p = cheat_probability(q)
    assert stats.kstest(p, stats.beta(cheat, honour).cdf).pvalue > 1e-3


@pytest.mark.slow
def test_roth_erev_learns_the_dominant_action_on_its_known_curve():
    """One-shot PD against a partner who honours: cheating (T) dominates honouring (R).

    The basic model is a two-colour urn with reinforcements a_C = R - S and a_D = T - S: the
    cheat propensity grows like a_D t, so dq_C/dt = a_C q_C / (a_D t) and q_C grows like
    t**(a_C/a_D), the lesser colour of an urn with unequal reinforcement [Pemantle2007]. The
    honour probability q_C / q_D therefore falls to 0 as t**(a_C/a_D - 1) = t**-0.4 in each
    run (its log-mean over runs: the plain mean is dominated by the few slow runs)."""
    n, rounds = 1000, 10000
    rng = np.random.default_rng(8)
    q = np.ones((n, 2))
    r, s, t, _ = GAME.as_tuple()
    marks = {100: 0.0, 1000: 0.0, 10000: 0.0}
    for k in range(1, rounds + 1):
        cheated = rng.random(n) < cheat_probability(q)
        q = reinforce(q, cheated, np.where(cheated, t, r), minimum_payoff=s)
        if k in marks:
            marks[k] = float(np.mean(np.log(1 - cheat_probability(q))))
    assert np.exp(marks[10000]) < 0.02
    slope = np.polyfit(np.log(list(marks)), list(marks.values()), 1)[0]
    assert slope == pytest.approx((r - s) / (t - s) - 1, abs=0.05)


def test_forgetting_and_experimentation_follow_erev_roth():
    q = reinforce(np.array([[2.0, 4.0]]), np.array([True]), np.array([3.0]),
                  minimum_payoff=-1.0, forgetting=0.25, experimentation=0.1)
    np.testing.assert_allclose(q, [[0.75 * 2 + 0.1 * 4, 0.75 * 4 + 0.9 * 4]])


def test_bad_input_names_the_parameter():
    with pytest.raises(UserError, match="exploration must be in"):
        imitate([0], [0.0], [[False]], [True], np.zeros((4, 1)), beta=1.0, exploration=2.0,
                n_strategies=2)
    with pytest.raises(UserError, match="minimum_payoff"):
        reinforce(np.ones((1, 2)), [False], [-5.0], minimum_payoff=0.0)
    with pytest.raises(UserError, match="revision rate"):
        revising(-1.0, 1.0, [0.5])
