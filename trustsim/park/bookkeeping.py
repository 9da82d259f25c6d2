"""Bookkeeping (ODD submodel "Cascades and outcome measures"): one time-series row a step.

The row's columns are :data:`COLUMNS` (documented in ``docs/ODD.md``). Network counts,
centralization, flows and contracts come from a cache (:mod:`trustsim.park.caches`) kept until
an exchange forms, ends or changes contract.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from trustsim.park.contracts import FORMAL, RELATIONAL, SPOT
from trustsim.park.metrics import degree_centralization, degrees
from trustsim.park.operation import RoundResult, roster
from trustsim.park.state import ParkState, strategy_key

__all__ = ["COLUMNS", "flows", "network_stats", "record", "strategy_columns", "strategy_shares"]

#: The time series' columns, in order.
COLUMNS = (
    "step", "year", "facilities", "active_exchanges", "utility_exchanges",
    "byproduct_exchanges", "exchanges_formed", "exchanges_ended", "cooperation_rate",
    "mean_trust", "degree_centralization", "known_matches", "tonnes_diverted_per_year",
    "savings_eur_per_year", "co2_avoided_t_per_year", "spot_contracts", "formal_contracts",
    "relational_contracts", "broker_active",
)
#: Position of mean_trust in a row.
MEAN_TRUST = COLUMNS.index("mean_trust")


def strategy_columns(s: ParkState) -> list[str]:
    """The run's own columns after :data:`COLUMNS`.

    ``share_<key>`` per strategy its managers may hold, and ``mean_cheat_propensity`` for
    reinforcement learners.
    """
    cols = [f"share_{strategy_key(s, c)}" for c in s.strategy_set]
    if s.params["adaptation"] == "reinforcement":
        cols.append("mean_cheat_propensity")
    return cols


def strategy_shares(s: ParkState) -> tuple[float, ...]:
    """Values of :func:`strategy_columns` now, over the operating managers."""
    active = s.fac.active
    n = int(np.count_nonzero(active))
    codes = s.strategy_code[active]
    out = [float(np.count_nonzero(codes == c)) / n if n else math.nan for c in s.strategy_set]
    if s.params["adaptation"] == "reinforcement":
        q = s.propensity[active]
        out.append(float((q[:, 1] / q.sum(axis=1)).mean()) if n else math.nan)
    return tuple(out)


def flows(s: ParkState, ids: NDArray[np.int64]) -> tuple[float, float, float]:
    """(tonnes diverted, net savings EUR, CO2 avoided t) per year of the exchanges ``ids``."""
    ex, rs = s.ex, s.rs
    vol, res = ex.volume[ids], ex.res[ids]
    return (float((vol * rs["diverted_t"][res]).sum()),
            float((ex.surplus[ids] - ex.contract_cost[ids]).sum()),
            float((vol * rs["co2_t"][res]).sum()))


def network_stats(s: ParkState) -> tuple:
    """Exchange counts, centralization, flows and contracts (cached until they change)."""
    cache = s.caches
    if cache.net_stats is None:
        ex = s.ex
        ids = ex.active_ids()
        if cache.net_shape is None or cache.net_shape[0] is not ids:
            byp = int(ex.byproduct[ids].sum())
            deg = degrees(ex.sup[ids], ex.rec[ids], s.fac.n)
            cache.net_shape = (ids, int(ids.size), int(ids.size - byp), byp,
                               degree_centralization(deg))
        contracts = np.bincount(ex.contract[ids], minlength=3)
        cache.net_stats = (
            *cache.net_shape[1:], *flows(s, ids), int(contracts[SPOT]),
            int(contracts[FORMAL]), int(contracts[RELATIONAL]),
        )
    return cache.net_stats


def record(s: ParkState, t: int, year: float, res: RoundResult | None) -> None:
    """Append step ``t``'s row (``res`` is the round played, None if none was)."""
    ex = s.ex
    ids = ex.active_ids()
    if ids.size:
        trust = s.trust.flat[roster(s, ids).keys.T]  # [a, b] and [b, a] rows
        mean_trust = float((trust[0].sum() + trust[1].sum()) / (2 * ids.size))
    else:
        mean_trust = math.nan
    coop = ((res.actions.size - int(np.count_nonzero(res.actions))) / res.actions.size
            if res is not None else math.nan)
    fa = int(np.count_nonzero(s.fac.active))
    n_act, n_util, n_byp, cent, tonnes, savings, co2, spot, formal, rel = network_stats(s)
    s.rows.append((
        t, year, fa, n_act, n_util, n_byp, ex.n, s.ended, coop, mean_trust, cent,
        s.known, tonnes, savings, co2, spot, formal, rel, s.broker_active(year),
        *strategy_shares(s),
    ))
