import numpy as np
import pytest

from trustsim.errors import UserError
from trustsim.game.match import play_batch, play_match
from trustsim.game.strategies import get_strategy
from trustsim.game.strategies.classic import (
    AllC,
    AllD,
    Alternator,
    GenerousTitForTat,
    GoByMajority,
    GrimTrigger,
    RandomStrategy,
    SuspiciousTitForTat,
    TitForTat,
    TitForTwoTats,
    TwoTitsForTat,
    WinStayLoseShift,
)

from .case import C, D, Scripted, StrategyCase


def cls(memory_depth, stochastic=False):
    return {
        "memory_depth": memory_depth,
        "stochastic": stochastic,
        "uses_trust": False,
        "uses_reputation": False,
    }


class TestAllC(StrategyCase):
    strategy = AllC
    expected_classifier = cls(0)

    def test_vs_all_d(self):
        self.versus("all_d", [(C, D)] * 4)


class TestAllD(StrategyCase):
    strategy = AllD
    expected_classifier = cls(0)

    def test_vs_tit_for_tat(self):
        self.versus("tit_for_tat", [(D, C), (D, D), (D, D)])


class TestTitForTat(StrategyCase):
    strategy = TitForTat
    expected_classifier = cls(1)

    def test_vs_alternating(self):
        self.versus(Scripted("CD"), [(C, C), (C, D), (D, C), (C, D)])

    def test_noise_is_seen_as_played(self):
        # With noise 1 every action flips: TFT intends C, plays D; then intends D (the partner's
        # flipped D), plays C.
        self.versus("all_c", [(D, D), (C, D), (C, D)], noise=1.0)


class TestSuspiciousTitForTat(StrategyCase):
    strategy = SuspiciousTitForTat
    expected_classifier = cls(1)

    def test_vs_all_c(self):
        self.versus("all_c", [(D, C), (C, C), (C, C)])

    def test_vs_tit_for_tat_alternates(self):
        self.versus("tit_for_tat", [(D, C), (C, D), (D, C), (C, D)])


class TestGenerousTitForTat(StrategyCase):
    strategy = GenerousTitForTat
    expected_classifier = cls(1, stochastic=True)

    def test_default_generosity_is_one_third(self):
        assert self.make().params["generosity"] == pytest.approx(1 / 3)

    def test_no_generosity_is_tit_for_tat(self):
        m = play_match(GenerousTitForTat(generosity=0.0), "all_d", turns=5, rng=1)
        assert m.history_string("a") == "CDDDD"

    def test_full_generosity_always_cooperates(self):
        m = play_match(GenerousTitForTat(generosity=1.0), "all_d", turns=5, rng=1)
        assert m.history_string("a") == "CCCCC"

    def test_forgives_at_the_generosity_rate(self):
        res = play_batch(self.make(), "all_d", 2000, turns=51, rng=3)
        share = (res.cooperations_a - 1).sum() / (2000 * 50)  # after the first move
        assert share == pytest.approx(1 / 3, abs=4 * np.sqrt(2 / 9 / 1e5))

    def test_generosity_range(self):
        with pytest.raises(UserError, match=r"generosity must be in \[0, 1\]"):
            get_strategy("generous_tit_for_tat", generosity=1.5)


class TestTitForTwoTats(StrategyCase):
    strategy = TitForTwoTats
    expected_classifier = cls(2)

    def test_defects_after_two_defections_only(self):
        self.versus(Scripted("DDCDC"), [(C, D), (C, D), (D, C), (C, D), (C, C)])


class TestTwoTitsForTat(StrategyCase):
    strategy = TwoTitsForTat
    expected_classifier = cls(2)

    def test_punishes_twice(self):
        self.versus(Scripted("DCCCC"), [(C, D), (D, C), (D, C), (C, C)])


class TestGrimTrigger(StrategyCase):
    strategy = GrimTrigger
    expected_classifier = cls(float("inf"))

    def test_never_forgives(self):
        self.versus(Scripted("CDCC"), [(C, C), (C, D), (D, C), (D, C), (D, C)])


class TestWinStayLoseShift(StrategyCase):
    strategy = WinStayLoseShift
    expected_classifier = cls(1)

    def test_stays_after_win_shifts_after_loss(self):
        self.versus(Scripted("CDDCC"), [(C, C), (C, D), (D, D), (C, C), (C, C)])

    def test_vs_all_d(self):
        self.versus("all_d", [(C, D), (D, D), (C, D), (D, D)])


class TestAlternator(StrategyCase):
    strategy = Alternator
    expected_classifier = cls(1)

    def test_alternates(self):
        self.versus("all_c", [(C, C), (D, C), (C, C), (D, C)])

    def test_remembers_its_flipped_action(self):
        # noise 1: intends C, plays D; then (own last D) intends C again, plays D...
        self.versus("all_c", [(D, D)] * 4, noise=1.0)


class TestRandom(StrategyCase):
    strategy = RandomStrategy
    expected_classifier = cls(0, stochastic=True)

    @pytest.mark.parametrize("p, expected", [(0.0, "DDDD"), (1.0, "CCCC")])
    def test_extremes(self, p, expected):
        assert play_match(RandomStrategy(p=p), "all_c", turns=4, rng=0).history_string() == (
            expected
        )

    def test_cooperation_rate(self):
        res = play_batch(RandomStrategy(p=0.3), "all_c", 1000, turns=100, rng=4)
        share = res.cooperations_a.sum() / 1e5
        assert share == pytest.approx(0.3, abs=4 * np.sqrt(0.21 / 1e5))

    def test_p_range(self):
        with pytest.raises(UserError, match=r"random p must be in \[0, 1\], got -0.1"):
            get_strategy("random", p=-0.1)


class TestGoByMajority(StrategyCase):
    strategy = GoByMajority
    expected_classifier = cls(float("inf"))

    def test_majority_with_ties_cooperating(self):
        self.versus(Scripted("DDCCC"), [(C, D), (D, D), (D, C), (D, C), (C, C)])
