"""Nash equilibria of classic 2x2 games agree with nashpy [KnightCampbell2018]."""

import numpy as np
import pytest

from trustsim.game.games import StageGame, nash_equilibria

nash = pytest.importorskip("nashpy")

SYMMETRIC = {
    "prisoners_dilemma": StageGame(),
    "trust_game": StageGame.trust_game(),
    "donation": StageGame.donation(benefit=3, cost=1),
    "stag_hunt": StageGame(reward=4, sucker=0, temptation=3, punishment=1),
    "snowdrift": StageGame(reward=3, sucker=1, temptation=5, punishment=0),
    "harmony": StageGame(reward=5, sucker=3, temptation=4, punishment=0),
    "irrational_mixed": StageGame(reward=2.7, sucker=0.3, temptation=4.1, punishment=0),
}
BIMATRIX = {
    "matching_pennies": (np.array([[1, -1], [-1, 1]]), np.array([[-1, 1], [1, -1]])),
    "shifted_pennies": (np.array([[3, 0], [1, 2]]), np.array([[0, 2], [3, 1]])),
    "battle_of_sexes": (np.array([[3, 0], [0, 2]]), np.array([[2, 0], [0, 3]])),
}


def canonical(eqs):
    return sorted((round(float(r[0]), 9), round(float(c[0]), 9)) for r, c in eqs)


@pytest.mark.parametrize("name", SYMMETRIC)
def test_symmetric_games(name):
    game = SYMMETRIC[name]
    a, b = game.bimatrix()
    theirs = canonical(nash.Game(a, b).support_enumeration())
    assert canonical(game.nash_equilibria()) == theirs
    assert canonical(nash.Game(a, b).vertex_enumeration()) == theirs


@pytest.mark.parametrize("name", BIMATRIX)
def test_bimatrix_games(name):
    a, b = BIMATRIX[name]
    theirs = canonical(nash.Game(a, b).support_enumeration())
    assert canonical(nash_equilibria(a, b)) == theirs


def test_stage_game_bimatrix_is_symmetric():
    a, b = StageGame().bimatrix()
    assert np.array_equal(b, a.T)
