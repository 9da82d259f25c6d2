"""The exchange's stage game, the self-enforcement threshold, and the choice of contract.

Stage game (docs/ODD.md, Contracts and the stage game), per period and per side, from the
exchange's economics:
R = the side's share of the joint surplus; T = R + g, where the one-shot gain from opportunism
g is ``utility_temptation`` or ``byproduct_temptation`` times the period's gross value (skimped
quality or a held-up price is worth more, and hides better, in a by-product [Williamson1985;
Klein1978]); S = -g (the victim loses what the cheat gains); P = 0, the value once the
relationship has broken down (both back to virgin inputs and disposal), so reverting to P for
ever and ending the exchange coincide. Whenever g > 0 this is a prisoner's dilemma
(T > R > P > S, 2R > T + S); g = 0 gives a harmony game.

Against a grim partner (exit after one seen cheat, no noise) honouring is self-enforcing iff
delta >= (T' - R)/(T' - P) with T' = T - p F [Friedman1971], p F the expected penalty of an
enforced formal contract (``enforcement`` x ``formal_penalty`` x value); the same condition,
with the reneging gain g, is the self-enforcement condition of a relational contract
[BakerGibbonsMurphy2002; Levin2003]. The model's managers do not use this formula
(the closed forms live in :mod:`trustsim.game.theory`, for the tests that compare with them): they
value each action under the model's actual response rules (:mod:`trustsim.park.decisions`),
and the tests check that their choices land on the closed form where its assumptions hold.

Contract choice: relational when both sides trust each other at least ``relational_trust``
and both would honour it (cheapest, covers everything, allows the long payback);
otherwise formal when enforcement is possible and the surplus covers ``formal_cost``;
otherwise spot, which accepts only a short payback (no one sinks a pipeline on a handshake
with a stranger [Williamson1985]).
"""

from __future__ import annotations

__all__ = [
    "CONTRACT_NAMES",
    "FORMAL",
    "RELATIONAL",
    "SPOT",
    "choose_contract",
    "stage_game",
]

SPOT, FORMAL, RELATIONAL = 0, 1, 2

#: Contract names by code.
CONTRACT_NAMES = ("spot", "formal", "relational")


def stage_game(
    value: float, surplus: float, split: float, byproduct: bool, params: dict, steps_per_year: int
) -> tuple[tuple[float, float], float]:
    """Return ``((R_supplier, R_receiver), g)`` per period for one exchange."""
    per = surplus / steps_per_year
    reward = (split * per, (1.0 - split) * per)
    key = "byproduct_temptation" if byproduct else "utility_temptation"
    return reward, params[key] * value


def choose_contract(
    *,
    honours_relational: tuple[bool, bool],
    trust: tuple[float, float],
    surplus: float,
    gross: float,
    payback: float,
    params: dict,
) -> int | None:
    """Return the contract code both sides agree on, or None if no contract works.

    ``honours_relational`` says whether each side's manager, reckoning with the model's
    response rules, would honour the exchange under a relational contract
    (:func:`trustsim.park.decisions.would_honour`).
    """
    if surplus <= 0.0:
        return None
    long_ok = payback <= params["max_payback_years"]
    if (
        long_ok
        and min(trust) >= params["relational_trust"]
        and honours_relational[0]
        and honours_relational[1]
    ):
        return RELATIONAL
    if long_ok and params["enforcement"] > 0.0 and surplus - params["formal_cost"] * gross > 0.0:
        return FORMAL
    if payback <= params["spot_payback_years"]:
        return SPOT
    return None
