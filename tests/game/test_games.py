import itertools
import math

import numpy as np
import pytest

from trustsim.errors import UserError
from trustsim.game.games import GAME_CLASSES, C, D, StageGame, classify, nash_equilibria, payoffs


def eq_set(eqs):
    return sorted((round(float(r[0]), 9), round(float(c[0]), 9)) for r, c in eqs)


def test_actions_index_the_matrix():
    assert (int(C), int(D)) == (0, 1)
    assert C.flip() is D and D.flip() is C
    assert str(C) == "C"


@pytest.mark.parametrize("a, b", list(itertools.product([C, D], repeat=2)))
def test_payoffs_exhaustive(a, b):
    g = StageGame(reward=3, sucker=0, temptation=5, punishment=1)
    table = {(C, C): (3, 3), (C, D): (0, 5), (D, C): (5, 0), (D, D): (1, 1)}
    assert payoffs(a, b, g) == table[(a, b)]
    assert g.matrix()[a, b] == table[(a, b)][0]


def test_payoffs_on_arrays():
    pa, pb = payoffs(np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1]), StageGame())
    assert pa.tolist() == [3, 0, 5, 1] and pb.tolist() == [3, 5, 0, 1]


def test_default_is_a_dilemma():
    g = StageGame()
    assert g.as_tuple() == (3.0, 0.0, 5.0, 1.0)
    assert g.temptation > g.reward > g.punishment > g.sucker
    assert 2 * g.reward > g.temptation + g.sucker
    assert g.is_dilemma() and g.classify() == "prisoners_dilemma"


def test_frozen_and_hashable():
    g = StageGame()
    with pytest.raises(AttributeError):
        g.reward = 4
    assert hash(g) == hash(StageGame(3, 0, 5, 1))


@pytest.mark.parametrize("field", ["reward", "sucker", "temptation", "punishment"])
@pytest.mark.parametrize("bad", [math.nan, math.inf, "3", None, True])
def test_validation_names_the_field(field, bad):
    with pytest.raises(UserError, match=f"{field} must be a finite number"):
        StageGame(**{field: bad})


def test_numpy_numbers_accepted():
    assert StageGame(reward=np.float32(3), sucker=np.int64(0)).reward == 3.0


def test_donation_game():
    g = StageGame.donation(benefit=3, cost=1)
    assert g.as_tuple() == (2.0, -1.0, 3.0, 0.0)
    assert g.is_dilemma()
    with pytest.raises(UserError, match="cost must be >= 0"):
        StageGame.donation(benefit=3, cost=-1)
    with pytest.raises(UserError, match="benefit must be a finite number"):
        StageGame.donation(benefit=math.nan)


def test_stag_hunt():
    g = StageGame.stag_hunt(stag=4, hare=3, failure=0)
    assert g.as_tuple() == (4.0, 0.0, 3.0, 3.0)
    assert g.classify() == "stag_hunt"


def test_trust_game_reduction():
    g = StageGame.trust_game(endowment=2, multiplier=3)
    assert g.as_tuple() == (4.0, 1.0, 5.0, 2.0)
    assert g.is_dilemma()
    # The reduction is a dilemma exactly when investing creates value (m > 1).
    assert StageGame.trust_game(endowment=1, multiplier=1.5).is_dilemma()
    assert StageGame.trust_game(endowment=1, multiplier=0.5).classify() != "prisoners_dilemma"
    # Role-averaged: a CC pair shares one sequential game's total, the trustee's endowment
    # plus the multiplied investment, whatever the return share.
    e, m = 1.5, 2.5
    g = StageGame.trust_game(e, m)
    assert 2 * g.reward == pytest.approx(e + m * e)
    with pytest.raises(UserError, match="endowment must be > 0"):
        StageGame.trust_game(endowment=0)


@pytest.mark.parametrize(
    "rstp, expected",
    [
        ((3, 0, 5, 1), "prisoners_dilemma"),
        ((4, 0, 3, 1), "stag_hunt"),
        ((4, 0, 3, 3), "stag_hunt"),
        ((3, 1, 5, 0), "snowdrift"),
        ((5, 3, 4, 0), "harmony"),
        ((5, 4, 3, 0), "harmony"),
        ((3, 3, 3, 3), "other"),
        ((1, 0, 5, 3), "other"),  # deadlock
        ((3, 0, 3 + 1e-12, 1), "other"),  # T == R within tolerance: no strict dilemma
    ],
)
def test_classify(rstp, expected):
    r, s, t, p = rstp
    assert classify(StageGame(reward=r, sucker=s, temptation=t, punishment=p)) == expected


def test_classify_all_strict_orders():
    # Every ordering of four distinct payoffs gets exactly the class its inequalities say.
    for r, s, t, p in itertools.permutations([0.0, 1.0, 2.0, 3.0]):
        got = classify(StageGame(reward=r, sucker=s, temptation=t, punishment=p))
        assert got in GAME_CLASSES
        want = (
            "prisoners_dilemma"
            if t > r > p > s
            else "stag_hunt"
            if r > t > p > s
            else "snowdrift"
            if t > r > s > p
            else "harmony"
            if r > t and s > p
            else "other"
        )
        assert got == want, (r, s, t, p)


def test_nash_prisoners_dilemma():
    assert eq_set(StageGame().nash_equilibria()) == [(0.0, 0.0)]


def test_nash_stag_hunt_has_mixed():
    eqs = StageGame(reward=4, sucker=0, temptation=3, punishment=1).nash_equilibria()
    # Indifference: 4q = 3q + (1 - q)  ->  q = 1/2.
    assert eq_set(eqs) == [(0.0, 0.0), (0.5, 0.5), (1.0, 1.0)]


def test_nash_snowdrift_asymmetric_pure_and_mixed():
    eqs = StageGame(reward=3, sucker=1, temptation=5, punishment=0).nash_equilibria()
    # 3q + (1 - q) = 5q  ->  q = 1/3.
    third = round(1 / 3, 9)
    assert eq_set(eqs) == [(0.0, 1.0), (third, third), (1.0, 0.0)]


def test_nash_harmony():
    assert eq_set(StageGame(reward=5, sucker=3, temptation=4, punishment=0).nash_equilibria()) == [
        (1.0, 1.0)
    ]


def test_nash_matching_pennies_bimatrix():
    a = np.array([[1, -1], [-1, 1]])
    eqs = nash_equilibria(a, -a)
    assert eq_set(eqs) == [(0.5, 0.5)]
    for r, c in eqs:
        assert r.sum() == pytest.approx(1) and c.sum() == pytest.approx(1)


def test_nash_degenerate_includes_extreme_points():
    # Row indifferent when the column plays D; column indifferent everywhere.
    eqs = nash_equilibria(np.array([[1, 0], [0, 0]]), np.zeros((2, 2)))
    assert (1.0, 1.0) in eq_set(eqs) and (1.0, 0.0) in eq_set(eqs)


def test_nash_bad_matrix():
    with pytest.raises(UserError, match="row payoff matrix must be 2x2"):
        nash_equilibria(np.ones((3, 2)))
