"""Contract review (ODD submodel "Contracts and the stage game", renegotiation).

Two occasions: a successor renegotiates a relational contract as if it were new
(:func:`recontract`, from turnover), and at the last step of each year contracts follow trust
(:func:`review_contracts`): formal and spot deals become relational once trust makes that
self-enforcing, and a relational contract that trust no longer carries falls back to a formal
or spot contract, or ends.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from trustsim.park.contracts import FORMAL, RELATIONAL, choose_contract
from trustsim.park.decisions import side_terms, would_honour
from trustsim.park.state import ParkState
from trustsim.park.termination import end_exchanges

__all__ = ["recontract", "review_contracts"]


def recontract(s: ParkState, e: int, t: int, reason: str = "manager_left") -> None:
    """The partners renegotiate relational contract ``e`` as if it were new.

    A relational contract rests on personal trust [BakerGibbonsMurphy2002]; if the pair no
    longer supports it (a successor, or trust lost), they fall back to a formal or spot
    contract on the same terms, or the exchange ends for ``reason``.
    """
    ex, p = s.ex, s.params
    a, b = int(ex.sup[e]), int(ex.rec[e])
    gross = float(ex.value[e]) * s.steps_per_year
    operating = float(ex.surplus[e] + ex.annuity[e])
    honours = _honour_relational(s, np.array([e]))[0]
    contract = choose_contract(
        honours_relational=(bool(honours[0]), bool(honours[1])),
        trust=(float(s.trust[a, b]), float(s.trust[b, a])),
        surplus=float(ex.surplus[e]), gross=gross,
        payback=float(ex.capex[e]) / operating if operating > 0 else math.inf, params=p,
    )
    if contract is None:
        end_exchanges(s, np.array([e]), reason, t)
        return
    if contract != RELATIONAL:
        ex.contract[e] = contract
        ex.contract_cost[e] = p["formal_cost"] * gross if contract == FORMAL else 0.0
        s.caches.contracts_changed()


def _honour_relational(s: ParkState, ids: NDArray[np.int64]) -> NDArray[np.bool_]:
    """Whether each side of exchanges ``ids`` would honour them under a relational contract."""
    me, partner, reward, sucker, temptation, value, byp, _ = side_terms(s, ids)
    tau = s.trust[partner, me]
    return would_honour(s, me.ravel(), partner.ravel(), reward.ravel(), sucker.ravel(),
                        temptation.ravel(), value.ravel(), byp.ravel(),
                        np.zeros(me.size, dtype=np.bool_), tau.ravel()).reshape(-1, 2)


def review_contracts(s: ParkState, ids: NDArray[np.int64], t: int) -> None:
    """Contracts among ``ids`` follow trust, with the check used at formation.

    Trust built in operation lets partners drop the costly formal contract
    [PoppoZenger2002]; a relational contract whose partners no longer trust each other
    enough, or one of whom would no longer honour it, is renegotiated (:func:`recontract`):
    it falls back to a formal or spot contract, or ends for ``low_trust``.
    """
    p, ex = s.params, s.ex
    relational = ids[ex.contract[ids] == RELATIONAL]
    if relational.size:
        a, b = ex.sup[relational], ex.rec[relational]
        carried = np.minimum(s.trust[a, b], s.trust[b, a]) >= p["relational_trust"]
        if carried.any():
            carried[carried] = _honour_relational(s, relational[carried]).all(axis=1)
        for e in relational[~carried].tolist():
            recontract(s, e, t, "low_trust")
    cand = ids[ex.contract[ids] != RELATIONAL]
    cand = cand[ex.active[cand]]
    if cand.size == 0:
        return
    a, b = ex.sup[cand], ex.rec[cand]
    trusting = np.minimum(s.trust[a, b], s.trust[b, a]) >= p["relational_trust"]
    cand = cand[trusting]
    if cand.size == 0:
        return
    up = cand[_honour_relational(s, cand).all(axis=1)]
    if up.size:
        ex.contract[up] = RELATIONAL
        ex.contract_cost[up] = 0.0
        s.caches.contracts_changed()
