"""Re-letting: a plot vacated by a closure is let to a new tenant of the same kind.

Industrial estates re-let vacant units: the median void of a UK multi-let industrial unit
has run between 6 and 15 months over the past decade [CoStar2023], a re-letting rate of
about 0.8-2 a year. A plot whose tenant closed (a random closure, not a scheduled exit) is
let again with probability ``1 - exp(-relet_rate / steps_per_year)`` each period. The new
tenant is of the same kind (a planned park zones its plots by use): the same streams and
needs at the same place, and the pipelines already on the plot stay in the ground. It is
run by a new manager, with a new patience, the trust prior towards everyone, no social ties,
no reputation and no known matches. With ``relet_rate = 0`` no random number is drawn.
"""

from __future__ import annotations

import numpy as np

from trustsim.park.facilities import NEVER
from trustsim.park.state import ParkState, draw_patience

__all__ = ["relet"]


def relet(s: ParkState, rng: np.random.Generator, vacant: np.ndarray, t: int) -> np.ndarray:
    """Let some of the ``vacant`` plots (facility indices) to new tenants at step ``t``.

    Returns:
        The facility indices let this period (active again; the model gives them managers).
    """
    rate = s.params["relet_rate"]
    if rate <= 0.0 or vacant.size == 0:
        return np.zeros(0, dtype=np.int64)
    prob = 1.0 - np.exp(-rate / s.steps_per_year)
    let = vacant[rng.random(vacant.size) < prob]
    if let.size == 0:
        return let
    fac, c = s.fac, s.cand
    fac.active[let] = True
    fac.exit_step[let] = NEVER
    s.patience[let] = draw_patience(s.params, rng, let.size)
    for pairs in (s.trust, s.ties, s.met):  # back to the prior, no tie, never met
        pairs.forget_lines(let)
    s.embedded[:] = s.ties.nonzero_rows()
    s.rep_c[let] = 0.0
    s.rep_d[let] = 0.0
    new = np.zeros(fac.n, dtype=np.bool_)
    new[let] = True
    forget = (new[c.sup] | new[c.rec]) & c.known
    c.known[forget] = False
    s.known -= int(forget.sum())
    s.caches.facilities_closed()
    s.caches.matches_forgotten()
    return let
