import numpy as np
import pytest

from trustsim.errors import UserError
from trustsim.game.strategies import History, get_strategy
from trustsim.game.strategies.trust_based import ImageScoring, TrustThreshold

from .case import C, D, Scripted, StrategyCase


class TestTrustThreshold(StrategyCase):
    strategy = TrustThreshold
    expected_classifier = {
        "memory_depth": float("inf"),
        "stochastic": False,
        "uses_trust": True,
        "uses_reputation": False,
    }

    def test_threshold_on_supplied_trust(self):
        h = History.empty(4)
        h.trust[:] = [0.2, 0.49, 0.5, 0.9]
        got = TrustThreshold(threshold=0.5).decide(h, np.zeros(4))
        assert got.tolist() == [True, True, False, False]

    def test_plain_match_trust_is_cooperation_share(self):
        # trust 1/2 at first (cooperate), then (0 + 1)/(1 + 2) = 1/3 after a defection.
        self.versus("all_d", [(C, D), (D, D), (D, D)])
        # (c + 1)/(n + 2) after "DC": 2/4 = 0.5 -> cooperate again.
        self.versus(Scripted("DCD"), [(C, D), (D, C), (C, D)])

    def test_threshold_range(self):
        with pytest.raises(UserError, match=r"threshold must be in \[0, 1\]"):
            get_strategy("trust_threshold", threshold=2)


class TestImageScoring(StrategyCase):
    strategy = ImageScoring
    expected_classifier = {
        "memory_depth": float("inf"),
        "stochastic": False,
        "uses_trust": False,
        "uses_reputation": True,
    }

    def test_discriminates_on_reputation(self):
        h = History.from_actions("", "", partner_reputation=0.7)
        assert ImageScoring(k=0.7).act(h, 0.5) == C
        assert ImageScoring(k=0.71).act(h, 0.5) == D

    def test_unknown_parameter(self):
        with pytest.raises(UserError, match="no parameter 'threshold'.*parameters: k"):
            get_strategy("image_scoring", threshold=0.5)
