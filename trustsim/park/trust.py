"""Learning beyond the dyad (ODD submodel "Learning beyond the dyad"), and turnover's trust.

The dyadic trust update itself happens in the round (:mod:`trustsim.park.operation`). Here:

- gossip: a defection seen by manager j reaches j's social ties within ``gossip_reach`` hops;
  at hop h each listener's trust in the defector falls by ``trust_loss * gossip_weight**h``
  of itself (reputation spreading over social ties [Granovetter1985; Raub1990]);
- registry: from ``broker_year``, if ``broker_registry``, the broker records every observed
  action and publishes each manager's image score (c + 1)/(c + d + 2)
  [NowakSigmund1998; Resnick2000];
- turnover: a successor keeps ``institutional_memory`` of the predecessor's trust (the rest
  reverts to ``trust_prior``, but trust never rises: distrust stays on record) and of its
  ties, in both directions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from trustsim.park.pairs import PairMap

if TYPE_CHECKING:
    from trustsim.park.operation import Roster, RoundResult
    from trustsim.park.state import ParkState

__all__ = ["gossip", "image_score", "learn", "publish", "reset_manager", "tie_distances"]


def learn(s: ParkState, ro: Roster, res: RoundResult, year: float) -> None:
    """Learning beyond the dyad after a round: gossip over ties, the broker's registry."""
    me, partner = ro.me, ro.partner
    seen_d = res.observed == 1
    if seen_d.any():
        gossip(s.trust, s.ties, s.fac.active, me[seen_d], partner[seen_d], s.params)
    if s.registry_open(year):
        np.add.at(s.rep_c, partner.ravel(), (res.observed == 0).ravel())
        np.add.at(s.rep_d, partner.ravel(), seen_d.ravel())
        if seen_d.any():
            publish(s.trust, s.met, s.fac.active, me[seen_d], partner[seen_d], s.params)
    s.actions += res.actions.size
    s.cooperations += res.actions.size - int(np.count_nonzero(res.actions))


def gossip(
    trust: PairMap,
    ties: PairMap,
    active: NDArray[np.bool_],
    observers: NDArray[np.int64],
    defectors: NDArray[np.int64],
    params: dict,
) -> int:
    """Spread news of defections over ties; return how many listeners were reached."""
    reach = params["gossip_reach"]
    if reach == 0 or observers.size == 0:
        return 0
    reached = 0
    loss, weight = params["trust_loss"], params["gossip_weight"]
    n = active.shape[0]
    for i in np.unique(defectors).tolist():
        frontier = np.unique(observers[defectors == i])
        heard = np.zeros(n, dtype=np.bool_)
        heard[frontier] = True
        heard[i] = True
        for hop in range(1, reach + 1):
            nxt = ties.reached(frontier) & active & ~heard
            if not nxt.any():
                break
            keys = np.flatnonzero(nxt) * n + i
            trust.flat[keys] = trust.flat[keys] * (1.0 - loss * weight**hop)
            heard |= nxt
            frontier = np.flatnonzero(nxt)
            reached += frontier.size
    return reached


def image_score(coop: NDArray[np.float64], defect: NDArray[np.float64]) -> NDArray[np.float64]:
    """Published reputation (c + 1)/(c + d + 2): 0.5 for a newcomer."""
    return (coop + 1.0) / (coop + defect + 2.0)


def reset_manager(trust: PairMap, ties: PairMap, leaving: NDArray[np.int64],
                  params: dict) -> None:
    """New managers at facilities ``leaving``: trust and ties fade to institutional memory.

    Personal trust fades towards the prior, but distrust does not: a breach stays on the
    firm's record (negativity bias [Slovic1993]), so trust never rises through turnover.
    Rows fade first, then columns (a pair of two leavers fades twice). Pairs never written
    hold the prior, which fades to itself unless rounding moves it: only then are the
    leavers' whole rows and columns stored.
    """
    m, prior = params["institutional_memory"], params["trust_prior"]
    fade = np.float64(prior)
    if np.minimum(fade, m * fade + (1.0 - m) * prior) != trust.default:
        trust.fill_lines(leaving)
    in_row, in_col = trust.on_lines(leaving)
    v = trust.values
    v[in_row] = np.minimum(v[in_row], m * v[in_row] + (1.0 - m) * prior)
    v[in_col] = np.minimum(v[in_col], m * v[in_col] + (1.0 - m) * prior)
    in_row, in_col = ties.on_lines(leaving)
    ties.values[in_row] *= m
    ties.values[in_col] *= m


def publish(
    trust: PairMap,
    met: PairMap,
    active: NDArray[np.bool_],
    observers: NDArray[np.int64],
    defectors: NDArray[np.int64],
    params: dict,
) -> None:
    """The registry publishes seen defections: those who dealt with a defector trust it less.

    Every operating manager who has dealt with defector i, other than this round's observers
    of i, loses ``trust_loss x registry_weight`` of its trust in i per defection published
    (community enforcement through public records [MilgromNorthWeingast1990; Kandori1992]).
    """
    w = params["trust_loss"] * params["registry_weight"]
    if w == 0.0:
        return
    n = active.shape[0]
    for i in np.unique(defectors).tolist():
        mine = defectors == i
        listeners = met.row(i) & active  # met is symmetric: row i is column i
        listeners[observers[mine]] = False
        listeners[i] = False
        keys = np.flatnonzero(listeners) * n + i
        trust.flat[keys] = trust.flat[keys] * (1.0 - w) ** int(mine.sum())


def tie_distances(ties: PairMap, active: NDArray[np.bool_], source: int,
                  excluded: int, reach: int) -> NDArray[np.float64]:
    """Tie hops from ``source`` to every manager within ``reach`` (inf beyond), as gossip goes.

    News travels over ties between operating managers and never through ``excluded`` (the
    defector it is about), as in :func:`gossip`.
    """
    n = active.shape[0]
    dist = np.full(n, np.inf)
    dist[source] = 0.0
    heard = np.zeros(n, dtype=np.bool_)
    heard[source] = heard[excluded] = True
    frontier = np.array([source])
    for hop in range(1, reach + 1):
        nxt = ties.reached(frontier) & active & ~heard
        if not nxt.any():
            break
        dist[nxt] = hop
        heard |= nxt
        frontier = np.flatnonzero(nxt)
    return dist
