"""Turnover and institutional memory (ODD submodel "Turnover and institutional memory").

Each manager leaves with probability ``turnover_rate / steps_per_year``. The successor draws
a new patience, keeps ``institutional_memory`` of the predecessor's trust and ties
(:func:`trustsim.park.trust.reset_manager`), forgets each known but unused match with
probability ``1 - institutional_memory``, starts every exchange's history afresh, and
renegotiates each relational contract as if it were new (:func:`recontract_relational`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from trustsim.park.contracts import RELATIONAL
from trustsim.park.exchanges import HISTORY_FILL
from trustsim.park.renegotiation import recontract
from trustsim.park.state import ParkState, draw_patience
from trustsim.park.trust import reset_manager

__all__ = ["recontract_relational", "turn_over"]


def turn_over(s: ParkState, rng: np.random.Generator, t: int) -> NDArray[np.int64]:
    """Replace the managers who leave at step ``t``; return their facility indices."""
    p, fac = s.params, s.fac
    u = rng.random(fac.n)
    leaving = np.flatnonzero(fac.active & (u < p["turnover_rate"] / s.steps_per_year))
    if leaving.size == 0:
        return leaving
    s.patience[leaving] = draw_patience(p, rng, leaving.size)
    s.caches.new_managers = leaving  # their new patience may allow contracts refused before
    touched = s.ties.reached(leaving)  # tied to a leaver (ties are symmetric), or leaving
    touched[leaving] = True
    reset_manager(s.trust, s.ties, leaving, p)
    s.embedded[touched] = s.ties.nonzero_rows()[touched]
    gone = np.zeros(fac.n, dtype=np.bool_)
    gone[leaving] = True
    c = s.cand
    forget = np.flatnonzero((gone[c.sup] | gone[c.rec]) & c.known & ~c.active)
    lost = forget[rng.random(forget.size) >= p["institutional_memory"]]
    if lost.size:
        c.known[lost] = False
        s.known -= lost.size
        s.caches.matches_forgotten()
    ex = s.ex
    ids = ex.active_ids()
    if ids.size:
        by_sup, by_rec = gone[ex.sup[ids]], gone[ex.rec[ids]]
        ex.hist[ids[by_sup], 0] = HISTORY_FILL
        ex.hist[ids[by_rec], 1] = HISTORY_FILL
        recontract_relational(s, ids[(by_sup | by_rec) & (ex.contract[ids] == RELATIONAL)], t)
    return leaving


def recontract_relational(s: ParkState, rel: NDArray[np.int64], t: int) -> None:
    """Renegotiate the relational contracts ``rel`` whose managers changed."""
    if rel.size == 0:
        return
    for e in rel.tolist():
        recontract(s, e, t)
