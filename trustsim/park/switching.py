"""Supplier review (ODD submodel "Negotiation", the yearly review): switching and lock-in.

Once a year a receiver whose need is fully met compares its incumbents with the known
alternatives. The incumbent's infrastructure is sunk (the share ``infrastructure_sunk`` of its
annuity), so it competes on its operating surplus, the challenger on its full surplus
(lock-in) [Arthur1989]: the worst incumbent ends (reason ``better_alternative``) when a
trusted challenger beats its operating surplus per unit by ``switching_margin``. A review at
which a negotiable alternative beats the incumbent's full surplus by ``switching_margin`` but
not its operating surplus (only the sunk infrastructure keeps the incumbent) is counted once
per need as a foreclosed alternative.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from trustsim.park.negotiation import match_economics
from trustsim.park.state import ParkState
from trustsim.park.termination import end_exchanges

__all__ = ["review_suppliers"]


def review_suppliers(s: ParkState, pool: NDArray[np.int64], t: int, year: float) -> None:
    """Review the incumbents of every fully met need against the known matches ``pool``."""
    c, fac, p = s.cand, s.fac, s.params
    full = (fac.need_volume[c.need[pool]] - fac.need_met[c.need[pool]]
            < p["min_volume_share"] * fac.need_volume[c.need[pool]])
    pool = pool[full]
    if pool.size == 0:
        return
    q = np.minimum(fac.out_volume[c.out[pool]] - fac.out_committed[c.out[pool]],
                   fac.need_volume[c.need[pool]])
    pool, q = pool[q > 0.0], q[q > 0.0]
    if pool.size == 0:
        return
    eco = match_economics(s, pool, q, year)
    per_unit = eco.surplus / q
    ex = s.ex
    ids = ex.active_ids()
    needs = ex.need[ids]
    sunk = p["infrastructure_sunk"] * ex.annuity[ids]  # the avoidable rest still counts
    ops = (ex.surplus[ids] + sunk) / ex.volume[ids]  # operating, per unit
    fulls = ex.surplus[ids] / ex.volume[ids]  # incumbents' full surplus, per unit
    trusted_all = (np.minimum(s.trust.flat[s.cand_pair[pool]], s.trust.flat[s.cand_pair_rev[pool]])
                   >= s.cand_need_trust[pool])  # ending an exchange leaves trust as it is
    foreclosed: set[int] = set()
    for k in np.lexsort((pool, -per_unit)).tolist():
        if eco.surplus[k] <= 0.0:
            continue
        mask = (needs == c.need[pool[k]]) & ex.active[ids]
        if not mask.any():
            continue
        inc, op = ids[mask], ops[mask]
        trusted = trusted_all[k]
        if per_unit[k] > (1.0 + p["switching_margin"]) * op.min() and op.min() > -np.inf:
            worst = int(inc[np.lexsort((inc, op))[0]])
            if trusted:
                end_exchanges(s, np.array([worst]), "better_alternative", t)
        elif trusted and per_unit[k] > (1.0 + p["switching_margin"]) * fulls[mask].min():
            foreclosed.add(int(c.need[pool[k]]))
    s.foreclosed += len(foreclosed)
