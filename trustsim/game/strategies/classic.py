"""Classic iterated prisoner's dilemma strategies, with the Axelrod library's semantics.

Each deterministic strategy plays exactly the action sequence of the Axelrod library's class of
the same name [Knight2016] (checked by ``tests/test_axelrod_agreement.py``).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from trustsim.game.strategies.base import History, Param, Strategy, register

__all__ = [
    "Alternator",
    "AllC",
    "AllD",
    "GenerousTitForTat",
    "GoByMajority",
    "GrimTrigger",
    "RandomStrategy",
    "SuspiciousTitForTat",
    "TitForTat",
    "TitForTwoTats",
    "TwoTitsForTat",
    "WinStayLoseShift",
]

_C, _D = 0, 1
MemoryOne = tuple[float, tuple[float, float, float, float]]


def _classifier(memory_depth: float, stochastic: bool = False) -> dict[str, object]:
    return {
        "memory_depth": memory_depth,
        "stochastic": stochastic,
        "uses_trust": False,
        "uses_reputation": False,
    }


@register
class AllC(Strategy):
    """Always cooperate.

    Names:
        - Cooperator: [Axelrod1984]
    """

    key, name = "all_c", "Always Cooperate"
    classifier = _classifier(0)

    def decide(self, history: History, u: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Cooperate at every decision."""
        return np.zeros(len(history), dtype=np.bool_)

    def memory_one(self) -> MemoryOne:
        """Cooperate first and after every outcome."""
        return 1.0, (1.0, 1.0, 1.0, 1.0)


@register
class AllD(Strategy):
    """Always defect.

    Names:
        - Defector: [Axelrod1984]
    """

    key, name = "all_d", "Always Defect"
    classifier = _classifier(0)

    def decide(self, history: History, u: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Defect at every decision."""
        return np.ones(len(history), dtype=np.bool_)

    def memory_one(self) -> MemoryOne:
        """Defect first and after every outcome."""
        return 0.0, (0.0, 0.0, 0.0, 0.0)


@register
class TitForTat(Strategy):
    """Cooperate first, then copy the partner's previous action.

    Names:
        - Tit For Tat: [Axelrod1984]
    """

    key, name = "tit_for_tat", "Tit For Tat"
    classifier = _classifier(1)

    def decide(self, history: History, u: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Defect iff the partner defected last round."""
        return history.their_last == _D

    def memory_one(self) -> MemoryOne:
        """Cooperate first and after the partner's C."""
        return 1.0, (1.0, 0.0, 1.0, 0.0)


@register
class SuspiciousTitForTat(Strategy):
    """Defect first, then copy the partner's previous action.

    Names:
        - Suspicious Tit For Tat: [Beaufils1997], [Hilbe2013]
    """

    key, name = "suspicious_tit_for_tat", "Suspicious Tit For Tat"
    classifier = _classifier(1)

    def decide(self, history: History, u: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Cooperate iff the partner cooperated last round."""
        return history.their_last != _C

    def memory_one(self) -> MemoryOne:
        """Defect first, then cooperate after the partner's C."""
        return 0.0, (1.0, 0.0, 1.0, 0.0)


@register
class GenerousTitForTat(Strategy):
    """Tit for tat that forgives a defection with probability ``generosity``.

    The default generosity 1/3 is the maximal generosity of [NowakSigmund1992] for the default
    game (R, S, T, P) = (3, 0, 5, 1): min(1 - (T - R)/(R - S), (R - P)/(T - P)), which is also
    the Axelrod library's default; :func:`trustsim.game.theory.gtft_max_generosity` gives it for any
    game. Cooperates iff the partner cooperated last round, or ``u < generosity``.

    Names:
        - Generous Tit For Tat: [NowakSigmund1992]
    """

    key, name = "generous_tit_for_tat", "Generous Tit For Tat"
    classifier = _classifier(1, stochastic=True)
    parameters = {
        "generosity": Param(1 / 3, 0.0, 1.0, "probability of cooperating after a defection")
    }

    def decide(self, history: History, u: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Defect iff the partner defected last round and ``u >= generosity``."""
        return (history.their_last == _D) & (u >= self.params["generosity"])

    def memory_one(self) -> MemoryOne:
        """Cooperate first, after the partner's C, and with probability g after its D."""
        g = self.params["generosity"]
        return 1.0, (1.0, g, 1.0, g)


@register
class TitForTwoTats(Strategy):
    """Cooperate unless the partner defected in both of the last two rounds.

    Names:
        - Tit For Two Tats: [Axelrod1984]
    """

    key, name = "tit_for_two_tats", "Tit For Two Tats"
    classifier = _classifier(2)

    def decide(self, history: History, u: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Defect iff the partner's last two actions were D, D."""
        return (history.their_last == _D) & (history.their_last2 == _D)


@register
class TwoTitsForTat(Strategy):
    """Defect twice after each defection: defect iff the partner defected in the last 2 rounds.

    Names:
        - Two Tits For Tat: [Axelrod1984]
    """

    key, name = "two_tits_for_tat", "Two Tits For Tat"
    classifier = _classifier(2)

    def decide(self, history: History, u: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Defect iff either of the partner's last two actions was D."""
        return (history.their_last == _D) | (history.their_last2 == _D)


@register
class GrimTrigger(Strategy):
    """Cooperate until the partner defects once, then defect for ever (Axelrod's Grudger).

    Names:
        - Grim Trigger: [Friedman1971]
        - Grudger: [Axelrod1984], [Knight2016]
    """

    key, name = "grim_trigger", "Grim Trigger"
    classifier = _classifier(math.inf)

    def decide(self, history: History, u: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Defect iff the partner has ever defected."""
        return history.their_ever_defected.copy()


@register
class WinStayLoseShift(Strategy):
    """Cooperate first, then cooperate iff both played the same action last round (Pavlov).

    Names:
        - Win Stay Lose Shift: [Nowak1993]
        - Pavlov: [Kraines1989]
    """

    key, name = "win_stay_lose_shift", "Win-Stay Lose-Shift"
    classifier = _classifier(1)

    def decide(self, history: History, u: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Defect iff last round's actions differed (CD or DC)."""
        return history.my_last != history.their_last

    def memory_one(self) -> MemoryOne:
        """Cooperate first and after CC or DD."""
        return 1.0, (1.0, 0.0, 0.0, 1.0)


@register
class Alternator(Strategy):
    """Cooperate first, then alternate: play the opposite of one's own previous action.

    Names:
        - Alternator: [Axelrod1984]
    """

    key, name = "alternator", "Alternator"
    classifier = _classifier(1)

    def decide(self, history: History, u: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Defect iff this player cooperated last round."""
        return history.my_last == _C

    def memory_one(self) -> MemoryOne:
        """Cooperate first and after one's own D."""
        return 1.0, (0.0, 0.0, 1.0, 1.0)


@register
class RandomStrategy(Strategy):
    """Cooperate with probability ``p`` at every decision, independently.

    Names:
        - Random: [Axelrod1980a]
    """

    key, name = "random", "Random"
    classifier = _classifier(0, stochastic=True)
    parameters = {"p": Param(0.5, 0.0, 1.0, "probability of cooperating")}

    def decide(self, history: History, u: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Defect iff ``u >= p``."""
        return u >= self.params["p"]

    def memory_one(self) -> MemoryOne:
        """Cooperate with probability p whatever happened."""
        p = self.params["p"]
        return p, (p, p, p, p)


@register
class GoByMajority(Strategy):
    """Cooperate iff the partner has cooperated at least as often as it defected (so first).

    The Axelrod library's default (soft, infinite memory) Go By Majority.

    Names:
        - Go By Majority: [Axelrod1984]
        - Soft Majority: [Mittal2009]
    """

    key, name = "go_by_majority", "Go By Majority"
    classifier = _classifier(math.inf)

    def decide(self, history: History, u: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Defect iff the partner's defections outnumber its cooperations."""
        return history.their_d > history.their_c
