"""Strategies as population types: Nowak et al. 2004's tit-for-tat against always-defect."""

import math

import numpy as np
import pytest

from trustsim.errors import UserError
from trustsim.game.evolution import match_payoff_matrix, moran_fixation_probability, simulate_moran
from trustsim.game.games import StageGame

R, S, T, P = 3.0, 0.0, 5.0, 1.0
M = 10  # rounds per match


def test_fixed_length_matrix_is_exact():
    # TFT vs TFT: m R; TFT vs ALLD: S + (m-1) P; ALLD vs TFT: T + (m-1) P; ALLD vs ALLD: m P.
    matrix = match_payoff_matrix(
        "tit_for_tat", "all_d", game=StageGame(R, S, T, P), turns=M, n_matches=1, rng=0
    )
    expected = [[M * R, S + (M - 1) * P], [T + (M - 1) * P, M * P]]
    np.testing.assert_allclose(matrix, expected)


def test_geometric_length_matrix_matches_expectation():
    # Continuation probability 0.9: mean length 1/(1 - 0.9) = 10, the same expected matrix.
    matrix = match_payoff_matrix("tit_for_tat", "all_d", continuation=0.9, n_matches=40_000, rng=1)
    expected = np.array([[M * R, S + (M - 1) * P], [T + (M - 1) * P, M * P]])
    # Total payoffs are L*x + const with L geometric: sd(L) = sqrt(0.9)/0.1 ~ 9.5 rounds.
    sd = np.sqrt(0.9) / 0.1 * np.array([[R, P], [P, P]])
    assert np.all(np.abs(matrix - expected) <= 3 * sd / math.sqrt(40_000))


@pytest.mark.parametrize("n", [3, 4, 10, 30])
def test_tit_for_tat_invades_always_defect_by_nowak_2004_condition(n):
    # Nowak et al. 2004: under weak selection TFT replaces ALLD with probability > 1/N iff
    # a(N - 2) + b(2N - 1) > c(N + 1) + d(2N - 4); for m = 10 this holds for N >= 4 only.
    matrix = match_payoff_matrix("tit_for_tat", "all_d", turns=M, n_matches=1, rng=0)
    (a, b), (c, d) = matrix
    favoured = a * (n - 2) + b * (2 * n - 1) > c * (n + 1) + d * (2 * n - 4)
    assert favoured == (n >= 4)
    assert (moran_fixation_probability(matrix, n, 1e-4) > 1 / n) == favoured


def test_moran_simulation_with_strategy_matrix():
    matrix = match_payoff_matrix("tit_for_tat", "all_d", turns=M, n_matches=1, rng=0)
    expected = moran_fixation_probability(matrix, 10, 0.02)
    estimate = simulate_moran(matrix, 10, w=0.02, runs=20_000, rng=2)
    assert abs(estimate.probability - expected) <= 3 * math.sqrt(expected * (1 - expected) / 20_000)


def test_bad_arguments():
    with pytest.raises(UserError, match="^n_matches must"):
        match_payoff_matrix("tit_for_tat", "all_d", turns=5, n_matches=0, rng=0)
    with pytest.raises(UserError):
        match_payoff_matrix("tit_for_tatt", "all_d", turns=5, rng=0)
