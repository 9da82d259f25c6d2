"""Strategies that decide on trust or reputation, supplied in the :class:`History`.

In the symbiosis model ``History.trust`` is the manager's dyadic trust and
``History.partner_reputation`` the partner's reputation, both in [0, 1]. In a plain match the
kernel fills both with the partner's cooperation share under a uniform prior (0.5 at first).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from trustsim.game.strategies.base import History, Param, Strategy, register

__all__ = ["ImageScoring", "TrustThreshold"]


@register
class TrustThreshold(Strategy):
    """Cooperate iff trust in the partner reaches ``threshold``.

    Trust is the subjective probability that the partner will cooperate; cooperating pays when
    it exceeds a threshold set by the stakes [Gambetta1988].

    Names:
        - Trust threshold: [Gambetta1988]
    """

    key, name = "trust_threshold", "Trust Threshold"
    classifier = {
        "memory_depth": math.inf,
        "stochastic": False,
        "uses_trust": True,
        "uses_reputation": False,
    }
    parameters = {"threshold": Param(0.5, 0.0, 1.0, "trust needed to cooperate")}

    def decide(self, history: History, u: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Defect iff ``trust < threshold``."""
        return history.trust < self.params["threshold"]


@register
class ImageScoring(Strategy):
    """Discriminator: cooperate iff the partner's reputation (image) is at least ``k``.

    The image-scoring discriminator of [NowakSigmund1998], with the image score rescaled to
    [0, 1] (0.5 = neutral, the score of a newcomer).

    Names:
        - Image scoring discriminator: [NowakSigmund1998]
    """

    key, name = "image_scoring", "Image Scoring Discriminator"
    classifier = {
        "memory_depth": math.inf,
        "stochastic": False,
        "uses_trust": False,
        "uses_reputation": True,
    }
    parameters = {"k": Param(0.5, 0.0, 1.0, "reputation needed to receive cooperation")}

    def decide(self, history: History, u: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Defect iff ``partner_reputation < k``."""
        return history.partner_reputation < self.params["k"]
