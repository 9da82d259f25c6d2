"""Observation (ODD "Observation"): the run's summary, exchanges table and network.

Views only: nothing here changes the state. The summary keys and the table columns are
documented in ``docs/ODD.md``.
"""

from __future__ import annotations

import math
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from trustsim.park.bookkeeping import MEAN_TRUST, flows, strategy_columns, strategy_shares
from trustsim.park.contracts import CONTRACT_NAMES, FORMAL, RELATIONAL, SPOT
from trustsim.park.discovery import live_matches
from trustsim.park.exchanges import END_REASONS
from trustsim.park.metrics import degree_centralization, degrees, heat_cascade_grades, water_uses
from trustsim.park.negotiation import match_economics
from trustsim.park.resources import RESOURCES
from trustsim.park.state import ParkState

__all__ = ["exchanges_table", "network", "potential_matches", "summary"]


def exchanges_table(s: ParkState) -> pd.DataFrame:
    """One row per exchange ever formed, with its whole life and both action histories.

    An exchange still active has no end: its ``end_step`` (``Int64``), ``end_year`` (float)
    and ``end_reason`` (``string``) are missing (``pd.NA``, NaN), never a sentinel.
    """
    ex, fac, n = s.ex, s.fac, s.ex.n
    sup_hist, rec_hist = ex.histories()
    spy = s.steps_per_year
    ids = np.array(fac.ids, dtype=object)
    ended = ex.end[:n] >= 0
    return pd.DataFrame({
        "exchange_id": np.arange(n),
        "supplier": ids[ex.sup[:n]] if n else [],
        "receiver": ids[ex.rec[:n]] if n else [],
        "resource": [RESOURCES[r].name for r in ex.res[:n]],
        "kind": np.where(ex.byproduct[:n], "byproduct", "utility"),
        "volume": ex.volume[:n],
        "unit": [RESOURCES[r].unit for r in ex.res[:n]],
        "distance_km": ex.dist[:n],
        "brokered": ex.brokered[:n],
        "contract": [CONTRACT_NAMES[k] for k in ex.contract[:n]],
        "surplus_split": ex.split[:n],
        "infrastructure_eur": ex.capex[:n],
        "surplus_eur_per_year": ex.surplus[:n] - ex.contract_cost[:n],
        "reward": ex.reward[:n, 0],
        "sucker": ex.sucker[:n, 0],
        "temptation": ex.temptation[:n, 0],
        "punishment": ex.punishment[:n, 0],
        "start_step": ex.start[:n],
        "start_year": s.start_year + ex.start[:n] / spy,
        "end_step": pd.arrays.IntegerArray(ex.end[:n].astype(np.int64), ~ended),
        "end_year": np.where(ended, s.start_year + ex.end[:n] / spy, np.nan),
        "end_reason": pd.array([END_REASONS[r] if r else None for r in ex.reason[:n]],
                               dtype="string"),
        "active": ex.active[:n],
        "rounds": ex.rounds[:n],
        "supplier_actions": sup_hist,
        "receiver_actions": rec_hist,
        "supplier_payoff": ex.payoff[:n, 0],
        "receiver_payoff": ex.payoff[:n, 1],
    })


def network(s: ParkState, step: int | None = None) -> nx.MultiGraph:
    """Facilities and the exchanges active at ``step`` (default: now) as a MultiGraph.

    Nodes carry id, name, sector, x, y; edges carry exchange_id, resource, kind, volume,
    contract and the two sides' current trust.
    """
    ex, fac = s.ex, s.fac
    n = ex.n
    if step is None:
        alive = ex.active[:n]
        nodes = np.flatnonzero(fac.active)
    else:
        alive = (ex.start[:n] <= step) & ((ex.end[:n] < 0) | (ex.end[:n] > step))
        nodes = np.flatnonzero((fac.entry_step <= step) & (fac.exit_step > step))
    g = nx.MultiGraph()
    for f in nodes.tolist():
        g.add_node(fac.ids[f], name=fac.names[f], sector=fac.sectors[f],
                   x=float(fac.x[f]), y=float(fac.y[f]))
    for e in np.flatnonzero(alive).tolist():
        a, b = int(ex.sup[e]), int(ex.rec[e])
        g.add_edge(fac.ids[a], fac.ids[b], key=e, exchange_id=e,
                   supplier=fac.ids[a], receiver=fac.ids[b],
                   resource=RESOURCES[ex.res[e]].name,
                   kind="byproduct" if ex.byproduct[e] else "utility",
                   volume=float(ex.volume[e]), contract=CONTRACT_NAMES[ex.contract[e]],
                   trust_supplier=float(s.trust[a, b]),
                   trust_receiver=float(s.trust[b, a]))
    return g


def potential_matches(s: ParkState) -> int:
    """Live potential matches that would pay at full volume now, trust aside."""
    t, year = s.t, s.year
    idx = np.flatnonzero(live_matches(s, t)) if len(s.cand) else np.zeros(0, np.int64)
    if idx.size == 0:
        return 0
    c, fac = s.cand, s.fac
    q = np.minimum(fac.out_volume[c.out[idx]], fac.need_volume[c.need[idx]])
    eco = match_economics(s, idx, q, year)
    return int((eco.surplus > 0.0).sum())


def summary(s: ParkState, scenario: str) -> dict[str, Any]:
    """Flat scalars describing the run so far (keys in ``docs/ODD.md``)."""
    ex, fac, rs = s.ex, s.fac, s.rs
    ids = ex.active_ids()
    n = ex.n
    deg_ex = (np.bincount(ex.sup[ids], minlength=fac.n)
              + np.bincount(ex.rec[ids], minlength=fac.n))
    hub = fac.ids[int(np.argmax(deg_ex))] if ids.size else ""
    tonnes, savings, co2 = flows(s, ids)
    fam = rs["family"][ex.res[ids]]
    heat = ids[fam == 0]
    reused = float(ex.volume[ids[(fam == 1) & ex.byproduct[ids]]].sum())
    fresh_need = fac.need_active_volume("fresh_water", s.t)
    potential = potential_matches(s)
    reasons = np.bincount(ex.reason[:n], minlength=len(END_REASONS))
    first = np.argsort(ex.start[:n], kind="stable")[:10]
    spy = s.steps_per_year
    out: dict[str, Any] = {
        "scenario": scenario,
        "steps": s.t,
        "year": s.year,
        "facilities": int(fac.active.sum()),
        "active_exchanges": int(ids.size),
        "utility_exchanges": int((~ex.byproduct[ids]).sum()),
        "byproduct_exchanges": int(ex.byproduct[ids].sum()),
        "exchanges_formed": int(n),
        "exchanges_ended": int(s.ended),
        "foreclosed_alternatives": int(s.foreclosed),
        "cooperation_rate": (s.cooperations / s.actions if s.actions else math.nan),
        "mean_trust": s.rows[-1][MEAN_TRUST] if s.rows else math.nan,
        "degree_centralization": degree_centralization(
            degrees(ex.sup[ids], ex.rec[ids], fac.n)),
        "hub": hub,
        "hub_exchanges": int(deg_ex.max(initial=0)),
        "tonnes_diverted_per_year": tonnes,
        "savings_eur_per_year": savings,
        "co2_avoided_t_per_year": co2,
        "water_uses": water_uses(reused, fresh_need),
        "heat_cascade_grades": heat_cascade_grades(
            ex.sup[heat], ex.rec[heat], fac.need_grade[ex.need[heat]]),
        "potential_matches": potential,
        "realized_share": ids.size / potential if potential else math.nan,
        "known_matches": int(s.cand.known.sum()),
        "relational_contracts": int((ex.contract[ids] == RELATIONAL).sum()),
        "formal_contracts": int((ex.contract[ids] == FORMAL).sum()),
        "spot_contracts": int((ex.contract[ids] == SPOT).sum()),
        "infrastructure_km": s.infra_km,
        "first_exchange_year": (float(s.start_year + ex.start[:n].min() / spy)
                                if n else math.nan),
        "first_byproduct_year": (
            float(s.start_year + ex.start[:n][ex.byproduct[:n]].min() / spy)
            if ex.byproduct[:n].any() else math.nan),
        "utility_share_first10": (float((~ex.byproduct[first]).mean()) if n else math.nan),
    }
    for code, reason in enumerate(END_REASONS[1:], start=1):
        out[f"ended_{reason}"] = int(reasons[code])
    out.update(zip(strategy_columns(s), strategy_shares(s), strict=True))
    out.update(_two_manager_game(s))
    return out


def _two_manager_game(s: ParkState) -> dict[str, float]:
    """The supplier's stage game (R, S, T, P), sanction and penalty of the first exchange."""
    if s.fac.n != 2 or s.ex.n == 0:
        return {}
    ex, p = s.ex, s.params
    value = float(ex.value[0])
    a = int(ex.sup[0])
    return {
        "reward": float(ex.reward[0, 0]),
        "sucker": float(ex.sucker[0, 0]),
        "temptation": float(ex.temptation[0, 0]),
        "punishment": float(ex.punishment[0, 0]),
        "sanction": p["sanction_strength"] * value * float(s.exposed()[a]),
        "penalty": p["formal_penalty"] * value,
        "enforcement": p["enforcement"],
        "contract": CONTRACT_NAMES[int(ex.contract[0])],
    }
