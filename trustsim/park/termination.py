"""Termination (ODD submodel "Termination"): breach, low trust, and ending an exchange.

After the round, an exchange ends when either side's trust in the other is below
``trust_exit``: on a *breach* when that side saw its partner cheat this round, on *low trust*
otherwise (news from gossip or the registry, a successor's fading trust); a manager played by
a student never walks away by itself. Above that level a
manager who no longer trusts its partner (below ``trust_threshold``) reciprocates instead of
leaving (:mod:`trustsim.park.decisions`). These are the rules forward-looking managers reckon
with. :func:`end_exchanges` is the one way any
submodel ends exchanges: it releases the supplier's committed volume and the receiver's met
need, and records the step and the reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from trustsim.park.exchanges import END_REASONS
from trustsim.park.state import ParkState

if TYPE_CHECKING:
    from trustsim.park.operation import Roster, RoundResult

__all__ = ["end_exchanges", "terminate"]

_REASON = {name: code for code, name in enumerate(END_REASONS)}


def terminate(s: ParkState, ro: Roster, res: RoundResult, t: int) -> None:
    """End the round's exchanges ``ro.ids`` that broke down (breach, then low trust)."""
    trust = s.trust.flat[ro.keys]
    gone = (trust < s.params["trust_exit"]) & ~s.controlled[ro.me]  # a student decides alone
    breach = (gone & (res.observed == 1)).any(axis=1)
    low = gone.any(axis=1)
    end_exchanges(s, ro.ids[breach], "breach", t)
    end_exchanges(s, ro.ids[~breach & low], "low_trust", t)


def end_exchanges(s: ParkState, ids: NDArray[np.int64], reason: str, t: int) -> None:
    """End the active ones of exchanges ``ids`` at step ``t`` for ``reason``."""
    ids = ids[s.ex.active[ids]]
    if ids.size == 0:
        return
    ex, fac = s.ex, s.fac
    ex.deactivate(ids)
    s.caches.exchanges_changed()
    ex.end[ids] = t
    ex.reason[ids] = _REASON[reason]
    s.cand.active[ex.cand[ids]] = False
    np.subtract.at(fac.out_committed, ex.out[ids], ex.volume[ids])
    np.subtract.at(fac.need_met, ex.need[ids], ex.volume[ids])
    np.maximum(fac.out_committed, 0.0, out=fac.out_committed)
    np.maximum(fac.need_met, 0.0, out=fac.need_met)
    s.ended += ids.size
