"""Negotiation (ODD submodel "Negotiation"): which known matches become exchanges, and how.

Once a year receivers review their suppliers first (:mod:`trustsim.park.switching`). Then
known, live, unused matches with spare supply and unmet need, mutual trust above the kind's
threshold (effective trust: ties and the registry count towards strangers) and a positive
surplus within the payback limits are concluded in order of surplus (largest first, ties by
candidate index), capacities updated after each, as long as both managers have the attention
for another deal or the broker can prepare it for them. :func:`form_exchange` sets the stage
game and chooses the contract (:func:`trustsim.park.contracts.choose_contract`).
"""

from __future__ import annotations

import numpy as np

from trustsim.park.contracts import FORMAL, choose_contract, stage_game
from trustsim.park.corridors import lay
from trustsim.park.decisions import would_honour
from trustsim.park.negotiation import match_economics, replenish_attention
from trustsim.park.state import ParkState
from trustsim.park.switching import review_suppliers

__all__ = ["form_exchange", "negotiate"]


def negotiate(s: ParkState, t: int, year: float) -> None:
    """Negotiation at step ``t``: review suppliers (yearly), then conclude new deals."""
    c, fac, p, cache = s.cand, s.fac, s.params, s.caches
    replenish_attention(s.attention, p["deals_per_manager_per_year"], s.steps_per_year)
    broker_on = s.broker_active(year) and p["broker_deals_per_year"] > 0.0
    if broker_on:
        replenish_attention(s.broker_attention, p["broker_deals_per_year"], s.steps_per_year)
    if len(c) == 0:
        return
    pool = c.known & ~c.active & cache.live_now
    if not (cache.market_dirty or t % s.steps_per_year == 0 or s.registry_open(year)):
        pool &= _worth_a_new_look(s)
    cache.market_dirty = False
    cache.new_managers = np.zeros(0, dtype=np.int64)
    cache.fresh = np.zeros(0, dtype=np.int64)
    idx = np.flatnonzero(pool)
    if idx.size == 0:
        return
    if t % s.steps_per_year == 0:  # suppliers are reviewed once a year
        review_suppliers(s, idx, t, year)  # only ends exchanges: the pool stays inactive
    sup_rem = fac.out_volume - fac.out_committed
    need_rem = fac.need_volume - fac.need_met
    q = np.minimum(sup_rem[c.out[idx]], need_rem[c.need[idx]])
    ok = (q > 0.0) & (q >= s.cand_smallest[idx])
    idx, q = idx[ok], q[ok]
    if idx.size == 0:
        return
    need_trust = s.cand_need_trust[idx]
    trusting = ((s.effective_trust(s.cand_pair[idx]) >= need_trust)
                & (s.effective_trust(s.cand_pair_rev[idx]) >= need_trust))
    idx, q = idx[trusting], q[trusting]
    if idx.size == 0:
        return
    eco = match_economics(s, idx, q, year)
    feasible = (eco.surplus > 0.0) & (
        eco.payback <= max(p["max_payback_years"], p["spot_payback_years"]))
    idx, order_key = idx[feasible], -eco.surplus[feasible]
    attention, broker = s.attention, s.broker_attention
    for cidx in idx[np.lexsort((idx, order_key))].tolist():
        o, nd = c.out[cidx], c.need[cidx]
        vol = min(fac.out_volume[o] - fac.out_committed[o],
                  fac.need_volume[nd] - fac.need_met[nd])
        if vol <= 0.0 or vol < p["min_volume_share"] * min(fac.out_volume[o],
                                                           fac.need_volume[nd]):
            continue
        a, b = c.sup[cidx], c.rec[cidx]
        if attention[a] >= 1.0 and attention[b] >= 1.0:
            if form_exchange(s, cidx, vol, t, year):
                attention[a] -= 1.0
                attention[b] -= 1.0
        elif broker_on and broker[0] >= 1.0:  # the broker prepares it for busy managers
            if form_exchange(s, cidx, vol, t, year):
                broker[0] -= 1.0
        else:  # both busy with other deals: look at it again next period
            cache.market_dirty = True


def _worth_a_new_look(s: ParkState) -> np.ndarray:
    """Matches whose prospects may have improved since the last full look (see caches)."""
    c, cache = s.cand, s.caches
    # since the last full look only trust inside relationships moved (up or down),
    # successors drew a new patience and new matches were found; elsewhere trust only
    # fell and offers only shrank
    look = s.met.flat[s.cand_pair]
    look[cache.fresh] = True
    if cache.new_managers.size:
        new = np.zeros(s.fac.n, dtype=np.bool_)
        new[cache.new_managers] = True
        look |= new[c.sup] | new[c.rec]
    return look


def form_exchange(s: ParkState, cidx: int, volume: float, t: int, year: float) -> bool:
    """Conclude match ``cidx`` at ``volume`` if a contract works; whether it was formed."""
    c, p, spy = s.cand, s.params, s.steps_per_year
    idx = np.array([cidx])
    eco = match_economics(s, idx, np.array([volume]), year)
    surplus, gross, payback = float(eco.surplus[0]), float(eco.gross[0]), float(eco.payback[0])
    if surplus <= 0.0:
        return False
    a, b = int(c.sup[cidx]), int(c.rec[cidx])
    byp = bool(s.rs["byproduct"][c.res[cidx]])
    value = gross / spy
    split = p["surplus_split"]
    reward, g = stage_game(value, surplus, split, byp, p, spy)
    temptation = (reward[0] + g, reward[1] + g)
    trust_ab = float(s.effective_trust(s.cand_pair[idx])[0])  # a's trust in b
    trust_ba = float(s.effective_trust(s.cand_pair_rev[idx])[0])
    honours = would_honour(s, np.array([a, b]), np.array([b, a]), np.array(reward), -g,
                           np.array(temptation), value, byp, False, np.array([trust_ba, trust_ab]))
    contract = choose_contract(
        honours_relational=(bool(honours[0]), bool(honours[1])),
        trust=(trust_ab, trust_ba), surplus=surplus, gross=gross, payback=payback, params=p,
    )
    if contract is None:
        return False
    s.ex.add(
        cand=cidx, out=c.out[cidx], need=c.need[cidx], sup=a, rec=b, res=c.res[cidx],
        byproduct=byp, volume=volume, dist=c.dist[cidx], brokered=c.broker_share[cidx],
        contract=contract, split=split,
        capex=eco.capex[0], annuity=eco.annuity[0], value=value, surplus=surplus,
        contract_cost=p["formal_cost"] * gross if contract == FORMAL else 0.0,
        start=t, active=True, reward=reward, temptation=temptation, sucker=(-g, -g),
        punishment=(0.0, 0.0),
    )
    c.active[cidx] = True
    s.caches.exchanges_changed()
    s.fac.out_committed[c.out[cidx]] += volume
    s.fac.need_met[c.need[cidx]] += volume
    s.met[a, b] = s.met[b, a] = True
    if eco.capex[0] > 0.0:
        if not s.infra[a, b]:
            s.infra_km += float(c.dist[cidx])
        s.infra[a, b] = s.infra[b, a] = True
        lay(s.corridors, s.near, a, b)
    return True
