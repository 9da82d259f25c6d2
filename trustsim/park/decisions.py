"""Decide (ODD submodel "Operation", decide): what forward-looking managers and learners do.

Forward-looking managers best-respond to what the model will do to them
(:mod:`trustsim.park.foresight`): on each exchange they compare the discounted value of
honouring and of cheating under the model's own response rules, with the partner's trust in
them as the state. The rules a manager reckons with are exactly the model's:

- the partner sees a cheat with probability ``byproduct_detection`` in a by-product (1 in a
  utility) and misreads any action with probability ``misperception``;
- the partner's trust moves by ``trust_gain`` and ``trust_loss`` (:mod:`trustsim.park.operation`);
- the partner reciprocates (cheats) while its trust is below ``trust_threshold`` and ends the
  exchange when its trust is below ``trust_exit`` (:mod:`trustsim.park.termination`);
- the partner demands safeguards in proportion to its distrust: ``safeguard_cost`` x value x
  (1 - its trust) a round, so a trust lost costs the manager until it is earned back;
- an enforced formal contract fines a seen cheat ``enforcement`` x ``formal_penalty`` x value;
- third parties: a seen cheat lowers the trust of the manager's other partners, through gossip
  over ties within ``gossip_reach`` hops (by ``trust_loss`` x ``gossip_weight`` per hop) and,
  while the broker publishes its registry, through the registry (by ``trust_loss`` x
  ``registry_weight``); what that costs on its other exchanges (their value lost, or the
  exchange ended) is the reputation cost of a cheat, K (:func:`reputation_costs`).

V is solved once per exchange side and cached (:class:`trustsim.park.caches.ValuationStore`)
until its terms, the manager's patience or the contract change; K moves every round with the
other exchanges' state and enters as the cost of this round's cheat (a one-shot deviation), so
a forced single cheat never pays where the manager honours. Every kernel partner (tit for tat,
...) is reckoned with by the same trust rules; a partner played by a student too. One response
is left out: V takes the contract as it stands, though the yearly review may move a relational
contract to formal or spot, or end it, once trust falls (:mod:`trustsim.park.renegotiation`).
A fall to spot changes no payoff (spot and relational differ only in the payback accepted at
formation); a fall to formal or an end does, and is not valued. It can only follow a fall
of trust on a relational contract, which forms where both sides would honour it: in the
default kalundborg and region runs no review moves a contract, and where partners misread
each other in ``minimal`` the reviews move relational contracts to spot only
(tests/park/test_model_theory.py tests the consistency law there as a mean over seeds).

Reinforcement learners (``adaptation = reinforcement``) cheat with their Roth-Erev propensity
[ErevRoth1998] (:mod:`trustsim.park.adaptation`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from trustsim.park import foresight
from trustsim.park.contracts import FORMAL
from trustsim.park.state import ParkState
from trustsim.park.trust import tie_distances

__all__ = ["forward_looking_defects", "reputation_costs", "rules_for", "side_terms",
           "would_honour"]



def rules_for(s: ParkState, me: NDArray[np.int64], partner: NDArray[np.int64],
              reward, sucker, temptation, value, byproduct, formal) -> foresight.Rules:
    """The response rules the managers ``me`` face from ``partner`` on exchange sides."""
    p = s.params
    fine = np.where(formal, p["enforcement"] * p["formal_penalty"] * value, 0.0)
    fine = fine + p["sanction_strength"] * value * s.exposed()[me]
    return foresight.Rules(
        reward=reward, sucker=sucker, temptation=temptation,
        gain=p["trust_gain"], loss=p["trust_loss"],
        detection=np.where(byproduct, p["byproduct_detection"], 1.0),
        misperception=p["misperception"], partner_cheats_below=p["trust_threshold"],
        exit_below=p["trust_exit"],
        fine=fine, reputation=0.0, patience=s.patience[me],
        safeguard=p["safeguard_cost"] * value,
    )


def reputation_costs(s: ParkState, me: NDArray[np.int64], partner: NDArray[np.int64],
                     valuation: foresight.Valuation, tau: NDArray[np.float64],
                     tempted: NDArray[np.bool_] | None = None,
                     now: NDArray[np.float64] | None = None) -> NDArray:
    """K per side: what a seen cheat costs the manager on its other exchanges.

    ``me``, ``partner`` and ``tau`` (the partner's trust in the manager) describe the
    forward-looking sides, ``valuation`` their values. A seen cheat on side e lowers the
    trust of the partner q of each other side k of the same manager: by ``trust_loss`` when q is
    e's partner itself (one dyad, two exchanges), by ``trust_loss x gossip_weight**h`` when q
    is h <= ``gossip_reach`` tie hops from e's partner, and by ``trust_loss x
    registry_weight`` through an open registry; K_e adds the value each such side loses
    (:func:`trustsim.park.foresight.value_loss`). Only the sides in ``tempted`` (default: all)
    get their K; the others get 0. ``now`` is V at ``tau`` if the caller has it.
    """
    p = s.params
    n = me.shape[0]
    k_cost = np.zeros(n)
    count = np.bincount(me, minlength=s.fac.n)
    multi = count[me] > 1
    wanted = multi if tempted is None else multi & tempted
    if not wanted.any():
        return k_cost
    # every ordered pair (e, k) of distinct sides of one manager, e wanted
    e_all, k_all = np.flatnonzero(wanted), np.flatnonzero(multi)
    e_idx, k_idx = np.nonzero((me[e_all][:, None] == me[k_all][None, :])
                              & (e_all[:, None] != k_all[None, :]))
    e_side, k_side = e_all[e_idx], k_all[k_idx]
    j, q = partner[e_side], partner[k_side]
    loss, reach = p["trust_loss"], p["gossip_reach"]
    same = q == j
    keep = np.where(same, 1.0 - loss, 1.0)
    if reach > 0:
        hops = np.full(e_side.shape[0], np.inf)
        for src in np.unique(j[~same]).tolist():
            for i in np.unique(me[e_side][(j == src) & ~same]).tolist():
                rows = (j == src) & ~same & (me[e_side] == i)
                hops[rows] = tie_distances(s.ties, s.fac.active, src, i, reach)[q[rows]]
        heard = np.isfinite(hops)
        keep = keep * np.where(heard, 1.0 - loss * p["gossip_weight"] ** np.where(heard, hops, 0),
                               1.0)
    if s.registry_open():
        keep = keep * np.where(same, 1.0, 1.0 - loss * p["registry_weight"])
    hearing = 1.0 - keep
    if not hearing.any():
        return k_cost
    # the value each side k loses, evaluated for all its pairs at once: states (sides, pairs)
    width = int(np.bincount(k_side, minlength=n).max())
    slot = np.zeros(e_side.shape[0], dtype=np.int64)
    order = np.lexsort((e_side, k_side))
    starts = np.r_[0, np.flatnonzero(np.diff(k_side[order])) + 1]
    run = np.arange(order.size) - np.repeat(starts, np.diff(np.r_[starts, order.size]))
    slot[order] = run
    after = np.repeat(tau[:, None], width, axis=1)
    after[k_side, slot] = tau[k_side] * keep
    later = valuation.value_at(after)
    later = np.where(after >= valuation.rules.exit_below[:, None], later, 0.0)
    if now is None:
        now = valuation.value_at(tau)
    lost = np.where(hearing > 0.0, now[k_side] - later[k_side, slot], 0.0)  # no news, no loss
    np.add.at(k_cost, e_side, lost)
    return k_cost


def forward_looking_defects(
    s: ParkState, me: NDArray[np.int64], partner: NDArray[np.int64],
    valuation: foresight.Valuation, tau: NDArray[np.float64], my_trust: NDArray[np.float64],
) -> NDArray[np.bool_]:
    """Whether each forward-looking side cheats this round.

    It cheats when cheating is worth more than honouring once this round's reputation cost K
    is counted (:func:`reputation_costs`, per seen cheat), or when it no longer trusts its
    partner (``my_trust`` below ``trust_threshold``: it reciprocates until the partner earns
    its trust back). K only ever favours honouring (a cheat is at least as likely to be seen
    as an honour to be misread, for ``misperception`` <= 0.5), so it is computed only for the
    sides that would cheat without it.
    """
    q_honour, q_cheat = valuation.values(tau)
    tempted = q_cheat > q_honour
    if tempted.any():
        k_cost = reputation_costs(s, me, partner, valuation, tau, tempted,
                                  np.maximum(q_honour, q_cheat))
        seen_if_honour, seen_if_cheat = valuation.rules.seen_cheat()
        tempted = q_cheat - seen_if_cheat * k_cost > q_honour - seen_if_honour * k_cost
    return tempted | (my_trust < s.params["trust_threshold"])


def would_honour(s: ParkState, me: NDArray[np.int64], partner: NDArray[np.int64], reward,
                 sucker, temptation, value, byproduct, formal,
                 tau: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Whether managers ``me`` would honour new or renegotiated terms at partner trust ``tau``.

    Used by contract choice: a relational contract is self-enforcing for a side when its
    manager, reckoning with the model's rules, would honour it [BakerGibbonsMurphy2002].
    """
    rules = rules_for(s, me, partner, reward, sucker, temptation, value, byproduct, formal)
    return s.caches.valuations.get(rules).honours(np.clip(tau, 0.0, 1.0))


def side_terms(s: ParkState, ids: NDArray[np.int64]):
    """(me, partner, R, S, T, value, byproduct, formal) of both sides of exchanges ``ids``."""
    ex = s.ex
    me = np.column_stack([ex.sup[ids], ex.rec[ids]])
    value = np.repeat(ex.value[ids], 2).reshape(-1, 2)
    byp = np.repeat(ex.byproduct[ids], 2).reshape(-1, 2)
    formal = np.repeat(ex.contract[ids] == FORMAL, 2).reshape(-1, 2)
    return me, me[:, ::-1], ex.reward[ids], ex.sucker[ids], ex.temptation[ids], value, byp, formal
