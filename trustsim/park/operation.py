"""Operation: one round of the stage game on every active exchange, as arrays.

A round is decide, act, score, observe, learn (ODD.md, Process overview), computed at once over all
active exchanges (:func:`play_round`). :func:`play_round_reference` does the same one exchange
at a time in plain Python; it is kept for the tests (the two agree bit for bit) and the
benchmark. All random numbers of a round are drawn up front by :func:`draw_round`, so both
paths consume the same stream.

Per side and exchange: the manager decides (forward-looking managers by foresight, comparing
the value of honouring and cheating under the model's own response rules, and reciprocating
while their trust in the partner is below ``trust_threshold``: :mod:`trustsim.park.decisions`;
learners by their propensity; kernel strategies by their rule; a student's choice where a
student controls the side); execution noise flips the action; the payoff is the stage game's
entry times the period's volume factor, minus the safeguards the partner demands for its
distrust (``safeguard_cost`` x value x (1 - its trust), paid every round), the exogenous
sanction (default 0) and the formal-contract penalty when the partner saw a defection; the
partner observes the action (a by-product defection goes unnoticed with probability
1 - ``byproduct_detection``, any action is misread with probability ``misperception``, and a
delivery short of ``shortfall_tolerance`` of the usual volume is read as the supplier cheating
[GreenPorter1984]); trust moves towards the observation [Slovic1993: trust is built slowly and
lost fast]; mutual cooperation strengthens the tie.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from trustsim.game.strategies import History
from trustsim.park.adaptation import cheat_probability
from trustsim.park.caches import GRID
from trustsim.park.contracts import FORMAL
from trustsim.park.decisions import forward_looking_defects, rules_for
from trustsim.park.foresight import Valuation, solve, value_loss
from trustsim.park.pairs import FlatPairs
from trustsim.park.state import FORWARD_LOOKING_CODE, LEARNER_CODE, ParkState
from trustsim.park.trust import tie_distances

__all__ = ["Roster", "RoundDraws", "RoundResult", "draw_round", "play_round",
           "play_round_reference", "roster"]

# Planes of RoundDraws.u.
_DECIDE, _NOISE, _PERCEIVE, _DETECT, _ENFORCE = range(5)
_ONES = np.ones((1, 2))


@dataclass(slots=True)
class RoundDraws:
    """The round's random numbers: uniforms ``u[plane, exchange, side]`` and volume factors."""

    u: NDArray[np.float64]
    factor: NDArray[np.float64]


@dataclass(slots=True)
class RoundResult:
    """What happened: actions, what each side observed of its partner, and payoffs, (n, 2)."""

    actions: NDArray[np.int8]
    observed: NDArray[np.int8]
    payoffs: NDArray[np.float64]


def draw_round(
    rng: np.random.Generator, out: NDArray[np.int64], stream_variability: NDArray[np.float64]
) -> RoundDraws:
    """Draw a round's uniforms and one volume factor per output stream.

    ``out`` is each active exchange's output stream, ``stream_variability`` the relative
    standard deviation of every stream's volume. Exchanges on the same stream share its
    factor ``max(0, 1 + variability * z)``, z standard normal, so a facility never ships more
    than it produces.
    """
    u = rng.random((5, out.shape[0], 2))
    z = rng.standard_normal(stream_variability.shape[0])
    factor = np.maximum(0.0, 1.0 + stream_variability[out] * z[out])
    return RoundDraws(u, factor)


@dataclass(slots=True)
class Roster:
    """What a round needs of a set of exchanges and that cannot change while they are active.

    Built once per set (:func:`roster`), so a step whose exchanges did not change gathers none
    of it again. ``me`` holds each exchange's (supplier, receiver), ``keys`` the flat index of
    ``trust[me, partner]`` and ``tie_keys`` those of ``ties[lo, hi]`` and ``ties[hi, lo]``;
    where a dyad observes several exchanges, ``dyad`` maps each observation to its distinct
    dyad ``dyads`` (ascending) and ``per_dyad`` counts them (all None when every dyad is seen
    once). The terms that follow from social ties and contracts (sanction, formal contract,
    penalty) are kept for the ``deal`` (embeddedness and contracts) they were computed for, and
    the forward-looking sides' valuation for the patience, contracts, exposure and strategies
    it was gathered for (``valuation_key``).
    """

    ids: NDArray[np.int64]
    me: NDArray[np.int64]
    partner: NDArray[np.int64]
    keys: NDArray[np.int64]
    tie_keys: NDArray[np.int64]
    reward: NDArray[np.float64]
    temptation: NDArray[np.float64]
    sucker: NDArray[np.float64]
    punishment: NDArray[np.float64]
    value: NDArray[np.float64]
    byproduct: NDArray[np.bool_]
    out: NDArray[np.int64]
    dyad: NDArray[np.int64] | None
    dyads: NDArray[np.int64] | None
    per_dyad: NDArray[np.int64] | None
    deal: tuple[bytes, bytes] | None = None
    sanction: NDArray[np.float64] | None = None
    formal: NDArray[np.bool_] | None = None
    penalty: NDArray[np.float64] | None = None
    valuation: Valuation | None = None
    valuation_key: tuple | None = None


def roster(s: ParkState, ids: NDArray[np.int64]) -> Roster:
    """The :class:`Roster` of the exchanges ``ids``, cached while ``ids`` is the same array.

    ``ids`` must not be modified in place (``ExchangeTable.active_ids`` returns a new array
    whenever the active set changes).
    """
    cached = s.caches.roster
    if cached is not None and cached.ids is ids:
        return cached
    ex, nf = s.ex, s.fac.n
    n = ids.shape[0]
    me = np.empty((n, 2), dtype=np.int64)
    me[:, 0], me[:, 1] = ex.sup[ids], ex.rec[ids]
    partner = me[:, ::-1]
    keys = me * nf + partner
    lo, hi = me.min(axis=1), me.max(axis=1)
    flat = keys.ravel()
    order = np.argsort(flat, kind="stable")
    ordered = flat[order]
    first = np.empty(flat.shape[0], dtype=np.bool_)
    first[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    dyad = dyads = per_dyad = None
    if not first.all():
        dyads = ordered[first]
        dyad = np.empty(flat.shape[0], dtype=np.int64)
        dyad[order] = np.cumsum(first) - 1
        per_dyad = np.bincount(dyad, minlength=dyads.shape[0])
    built = Roster(
        ids=ids, me=me, partner=partner, keys=keys,
        tie_keys=np.stack([lo * nf + hi, hi * nf + lo]),
        reward=ex.reward[ids], temptation=ex.temptation[ids], sucker=ex.sucker[ids],
        punishment=ex.punishment[ids], value=ex.value[ids],
        byproduct=ex.byproduct[ids][:, None], out=ex.out[ids],
        dyad=dyad, dyads=dyads, per_dyad=per_dyad,
    )
    s.caches.roster = built
    return built


def _forward_looking(s: ParkState, ro: Roster, sel, flat_trust: FlatPairs,
                     my_trust: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Cheat or honour for the forward-looking sides ``sel`` of the roster (see decisions)."""
    me, partner = ro.me.ravel()[sel], ro.partner.ravel()[sel]
    key = (s.patience[ro.me].tobytes(), s.ex.contract[ro.ids].tobytes(),
           s.exposed()[ro.me].tobytes(), s.strategy_code[ro.me].tobytes())
    if ro.valuation is None or ro.valuation_key != key:
        rules = rules_for(s, me, partner, ro.reward.ravel()[sel], ro.sucker.ravel()[sel],
                          ro.temptation.ravel()[sel], np.repeat(ro.value, 2)[sel],
                          np.repeat(ro.byproduct[:, 0], 2)[sel],
                          np.repeat(s.ex.contract[ro.ids] == FORMAL, 2)[sel])
        ro.valuation = s.caches.valuations.get(rules)
        ro.valuation_key = key
    tau = flat_trust[partner * s.fac.n + me]
    return forward_looking_defects(s, me, partner, ro.valuation, tau, my_trust)


def play_round(s: ParkState, ids: NDArray[np.int64], draws: RoundDraws) -> RoundResult:
    """Play one round on the exchanges ``ids`` (array path); update their state and trust."""
    ex, p = s.ex, s.params
    ro = roster(s, ids)
    n = ids.shape[0]
    u = draws.u
    me, partner = ro.me, ro.partner
    reward, tempt, sucker, punish = ro.reward, ro.temptation, ro.sucker, ro.punishment
    value = ro.value
    embedded = s.exposed()[me]  # who pays a social sanction if caught
    contract = ex.contract[ids]
    deal = (embedded.tobytes(), contract.tobytes())
    if ro.deal != deal:
        ro.deal = deal
        ro.sanction = (p["sanction_strength"] * value)[:, None] * embedded
        ro.formal = contract == FORMAL
        ro.penalty = p["formal_penalty"] * value
    sanction, formal, penalty = ro.sanction, ro.formal, ro.penalty
    h = ex.hist[ids]  # (n, 2, len(HISTORY)): one gather, one scatter below
    flat_trust = s.trust.flat
    trust = flat_trust[ro.keys]

    # decide, per side in row-major (exchange, side) order
    defect = np.zeros(2 * n, dtype=np.bool_)
    if s.uniform_strategy:
        groups = [(int(s.strategy_code[me[0, 0]]), slice(None))]
    else:
        codes = s.strategy_code[me].ravel()
        groups = [(code, codes == code) for code in np.unique(codes).tolist()]
    for code, sel in groups:
        if code == FORWARD_LOOKING_CODE:
            defect[sel] = _forward_looking(s, ro, sel, flat_trust, trust.ravel()[sel])
        elif code == LEARNER_CODE:
            defect[sel] = u[_DECIDE].ravel()[sel] < cheat_probability(
                s.propensity[me.ravel()[sel]])
        else:
            hs = h.reshape(2 * n, -1)[sel]
            ts = trust.ravel()[sel]
            hist = History(
                turn=hs[:, 0],
                my_last=hs[:, 1].astype(np.int8),
                their_last=hs[:, 2].astype(np.int8),
                their_last2=hs[:, 3].astype(np.int8),
                their_c=hs[:, 4],
                their_d=hs[:, 5],
                their_ever_defected=hs[:, 6].astype(np.bool_),
                trust=ts,
                partner_reputation=s.reputation_of(partner.ravel()[sel], ts),
            )
            defect[sel] = s.strategies[code].decide(hist, u[_DECIDE].ravel()[sel])
    defect = defect.reshape(n, 2)
    if s.choices or s.controlled.any():
        ctrl = s.controlled[me]
        if ctrl.any():
            wish = np.array([[not s.choices.get((e, 0), True),
                              not s.choices.get((e, 1), True)] for e in ids.tolist()])
            defect = np.where(ctrl, wish, defect)

    # act, score, observe (as booleans: True is a defection)
    if p["noise"] > 0.0:  # uniforms are below 1, so a zero probability flips nothing
        defect = defect ^ (u[_NOISE] < p["noise"])
    act = defect.astype(np.int8)
    seen = defect & ~(ro.byproduct & (u[_DETECT] >= p["byproduct_detection"]))
    if p["misperception"] > 0.0:
        seen = seen ^ (u[_PERCEIVE] < p["misperception"])
    if p["shortfall_tolerance"] > 0.0:  # a short delivery looks like cheating
        seen[:, 0] |= draws.factor < p["shortfall_tolerance"]
    honour = ~defect
    other = honour[:, ::-1]
    base = np.where(honour, np.where(other, reward, sucker), np.where(other, tempt, punish))
    pay = base * draws.factor[:, None]
    if p["safeguard_cost"] > 0.0:  # what each side pays for its partner's distrust
        pay = pay - (p["safeguard_cost"] * value)[:, None] * (1.0 - trust[:, ::-1])
    pay = pay - np.where(seen & embedded, sanction, 0.0)
    fined = seen & formal[:, None] & (u[_ENFORCE] < p["enforcement"])
    pay = pay - np.where(fined, penalty[:, None], 0.0)
    defected = seen[:, ::-1]  # what each side observed of its partner
    observed = defected.astype(np.int8)

    # record histories
    h[..., 3] = h[..., 2]
    h[..., 2] = defected
    h[..., 1] = defect
    h[..., 0] += 1
    h[..., 4] += ~defected
    h[..., 5] += defected
    h[..., 6] |= defected
    ex.hist[ids] = h
    ex.payoff[ids] += pay
    ex.rounds[ids] += 1
    ex.coop_s[ids] += honour[:, 0]
    ex.coop_r[ids] += honour[:, 1]

    # learn: trust per dyad (all of this round's observations), ties on mutual cooperation
    if ro.dyad is None:  # one observation per dyad: no counting
        t = trust.ravel()
        t = np.where(~defected.ravel(), t + p["trust_gain"] * (1.0 - t),
                     t - p["trust_loss"] * t)
        flat_trust[ro.keys.ravel()] = t
    else:
        n_d = np.bincount(ro.dyad, weights=defected.ravel(),
                          minlength=ro.dyads.shape[0]).astype(np.int64)
        n_c = ro.per_dyad - n_d
        t = flat_trust[ro.dyads]
        gain, loss = p["trust_gain"], p["trust_loss"]
        for k in range(int(n_c.max(initial=0))):
            sel = n_c > k
            t[sel] = t[sel] + gain * (1.0 - t[sel])
        for k in range(int(n_d.max(initial=0))):
            sel = n_d > k
            t[sel] = t[sel] - loss * t[sel]
        flat_trust[ro.dyads] = t
    mutual = ~(defected[:, 0] | defected[:, 1])
    if mutual.any():
        flat_ties = s.ties.flat
        ij, ji = ro.tie_keys[0][mutual], ro.tie_keys[1][mutual]
        grown = np.minimum(1.0, flat_ties[ij] + p["tie_growth"])
        flat_ties[ij] = grown
        flat_ties[ji] = grown
        tied = grown > 0.0
        s.embedded[ij[tied] // s.fac.n] = True
        s.embedded[ji[tied] // s.fac.n] = True
    return RoundResult(act, observed, pay)


def _side_valuation(state: ParkState, e: int, side: int) -> Valuation:
    """Solve one forward-looking side's valuation on its own (reference path)."""
    ex = state.ex
    me, other = int((ex.sup[e], ex.rec[e])[side]), int((ex.rec[e], ex.sup[e])[side])
    rules = rules_for(state, np.array([me]), np.array([other]), ex.reward[e, side],
                      ex.sucker[e, side], ex.temptation[e, side], ex.value[e],
                      bool(ex.byproduct[e]), int(ex.contract[e]) == FORMAL)
    return solve(rules, GRID)


def _forward_looking_reference(state: ParkState, ids: NDArray[np.int64], e: int,
                               side: int) -> bool:
    """One forward-looking side's decision, exchange by exchange (reference path)."""
    ex, p = state.ex, state.params
    me, other = int((ex.sup[e], ex.rec[e])[side]), int((ex.rec[e], ex.sup[e])[side])
    val = _side_valuation(state, e, side)
    tau = float(state.trust[other, me])
    loss, reach = p["trust_loss"], p["gossip_reach"]
    hops = tie_distances(state.ties, state.fac.active, other, me, reach) if reach else None
    k_cost = 0.0
    for f in ids.tolist():
        if f == e or me not in (int(ex.sup[f]), int(ex.rec[f])):
            continue
        f_side = 0 if int(ex.sup[f]) == me else 1
        q = int(ex.rec[f]) if f_side == 0 else int(ex.sup[f])
        keep = 1.0
        if q == other:
            keep *= 1.0 - loss
        else:
            if hops is not None and np.isfinite(hops[q]):
                keep *= 1.0 - loss * p["gossip_weight"] ** hops[q]
            if state.registry_open():
                keep *= 1.0 - loss * p["registry_weight"]
        if keep < 1.0:
            k_cost += float(value_loss(_side_valuation(state, f, f_side),
                                       np.array([float(state.trust[q, me])]),
                                       np.array([1.0 - keep]))[0])
    q_honour, q_cheat = val.values(np.array([tau]))
    seen_if_honour, seen_if_cheat = val.rules.seen_cheat()
    cheats = (q_cheat[0] - seen_if_cheat[0] * k_cost) > (q_honour[0] - seen_if_honour[0] * k_cost)
    return bool(cheats or state.trust[me, other] < p["trust_threshold"])


def play_round_reference(
    state: ParkState, ids: NDArray[np.int64], draws: RoundDraws
) -> RoundResult:
    """Play one round exchange by exchange in plain Python (reference for tests and benchmark)."""
    ex, p = state.ex, state.params
    n = ids.shape[0]
    u = draws.u
    acts = np.zeros((n, 2), dtype=np.int8)
    observed = np.zeros((n, 2), dtype=np.int8)
    pays = np.zeros((n, 2))
    trust_obs: dict[tuple[int, int], list[int]] = {}
    grow: set[tuple[int, int]] = set()
    known = state.exposed()  # who pays a social sanction if caught
    for k, e in enumerate(ids.tolist()):
        sides = (int(ex.sup[e]), int(ex.rec[e]))
        value = float(ex.value[e])
        formal = 1.0 if int(ex.contract[e]) == FORMAL else 0.0
        penalty = p["formal_penalty"] * value
        defect = [False, False]
        for s in (0, 1):
            me, other = sides[s], sides[1 - s]
            code = int(state.strategy_code[me])
            if state.controlled[me]:
                defect[s] = not state.choices.get((e, s), True)
            elif code == FORWARD_LOOKING_CODE:
                defect[s] = _forward_looking_reference(state, ids, e, s)
            elif code == LEARNER_CODE:
                q = state.propensity[me]
                defect[s] = bool(u[_DECIDE, k, s] < q[1] / (q[0] + q[1]))
            else:
                trust = float(state.trust[me, other])
                hist = History(
                    turn=np.array([ex.turn[e, s]]),
                    my_last=np.array([ex.my_last[e, s]]),
                    their_last=np.array([ex.their_last[e, s]]),
                    their_last2=np.array([ex.their_last2[e, s]]),
                    their_c=np.array([ex.their_c[e, s]]),
                    their_d=np.array([ex.their_d[e, s]]),
                    their_ever_defected=np.array([ex.their_ever[e, s]]),
                    trust=np.array([trust]),
                    partner_reputation=state.reputation_of(np.array([other]),
                                                           np.array([trust])),
                )
                defect[s] = bool(state.strategies[code].decide(hist, u[_DECIDE, k, s:s + 1])[0])
        act = [int(defect[s] != (u[_NOISE, k, s] < p["noise"])) for s in (0, 1)]
        seen = list(act)
        for s in (0, 1):
            if seen[s] == 1 and ex.byproduct[e] and u[_DETECT, k, s] >= p["byproduct_detection"]:
                seen[s] = 0
            if u[_PERCEIVE, k, s] < p["misperception"]:
                seen[s] = 1 - seen[s]
        if float(draws.factor[k]) < p["shortfall_tolerance"]:
            seen[0] = 1
        for s in (0, 1):
            me, o, o_id = sides[s], act[1 - s], sides[1 - s]
            if act[s] == 0:
                base = ex.reward[e, s] if o == 0 else ex.sucker[e, s]
            else:
                base = ex.temptation[e, s] if o == 0 else ex.punishment[e, s]
            pay = float(base) * float(draws.factor[k])
            if p["safeguard_cost"] > 0.0:
                pay = pay - p["safeguard_cost"] * value * (1.0 - float(state.trust[o_id, me]))
            caught = seen[s] == 1
            if caught and known[me]:
                pay = pay - p["sanction_strength"] * value
            if caught and formal > 0.0 and u[_ENFORCE, k, s] < p["enforcement"]:
                pay = pay - penalty
            pays[k, s] = pay
            obs = seen[1 - s]
            acts[k, s], observed[k, s] = act[s], obs
            ex.their_last2[e, s] = ex.their_last[e, s]
            ex.their_last[e, s] = obs
            ex.my_last[e, s] = act[s]
            ex.turn[e, s] += 1
            ex.their_c[e, s] += obs == 0
            ex.their_d[e, s] += obs == 1
            ex.their_ever[e, s] = ex.their_ever[e, s] or obs == 1
            ex.payoff[e, s] += pay
            trust_obs.setdefault((me, sides[1 - s]), []).append(obs)
        ex.rounds[e] += 1
        ex.coop_s[e] += act[0] == 0
        ex.coop_r[e] += act[1] == 0
        if seen == [0, 0]:
            grow.add((min(sides), max(sides)))
    gain, loss = p["trust_gain"], p["trust_loss"]
    for (i, j), obs_list in trust_obs.items():
        t = float(state.trust[i, j])
        for _ in range(obs_list.count(0)):
            t = t + gain * (1.0 - t)
        for _ in range(obs_list.count(1)):
            t = t - loss * t
        state.trust[i, j] = t
    for i, j in grow:
        grown = min(1.0, float(state.ties[i, j]) + p["tie_growth"])
        state.ties[i, j] = grown
        state.ties[j, i] = grown
        if grown > 0.0:
            state.embedded[i] = state.embedded[j] = True
    return RoundResult(acts, observed, pays)
