"""Potential matches and how managers discover them: own search, social ties, the broker.

A potential match (a *candidate*) pairs one facility's output stream with another facility's
input need of the same resource and sufficient grade. Candidates are found once, with a
k-d tree per resource (never an all-pairs scan), within the farthest distance any channel
reaches. Each period every live, undiscovered candidate is discovered with probability
``1 - exp(-rate / steps_per_year)``, where the rate adds three channels (ODD 7.3):

- own search: ``search_rate * exp(-search_distance_cost * d)`` within ``search_radius_km``
  (search cost grows with distance [Chertow2007; Jensen2011]);
- social ties: ``tie_discovery_rate * tie_strength`` when the supplier trusts the receiver
  enough to share stream data (``share_trust``) [Granovetter1985; Uzzi1997];
- the broker, from ``broker_year``: ``broker_rate`` within ``broker_radius_km``
  [EhrenfeldGertler1997; Paquin2012].
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from trustsim.park.facilities import FacilityTable

if TYPE_CHECKING:
    from trustsim.park.pairs import PairMap
    from trustsim.park.state import ParkState

__all__ = ["Candidates", "build_candidates", "discover", "discovery_rates", "live_matches"]


@dataclass(slots=True)
class Candidates:
    """Potential matches as arrays (index c), in canonical order (stream, need).

    Attributes:
        out, need: output stream and input need indices.
        sup, rec: supplier and receiver facility indices.
        res: resource index.
        dist: straight-line distance between the facilities, km.
        own_rate: yearly rate of discovery by own search (0 beyond the search radius).
        in_broker_range: whether the broker reaches this match.
        known: whether the receiver's and supplier's managers know of the match.
        active: whether the match is an active exchange now.
        broker_share: the broker's share of the discovery rate when the match was last
            discovered: the probability that the broker made it known (0 until then).
    """

    out: NDArray[np.int64]
    need: NDArray[np.int64]
    sup: NDArray[np.int64]
    rec: NDArray[np.int64]
    res: NDArray[np.int64]
    dist: NDArray[np.float64]
    own_rate: NDArray[np.float64]
    in_broker_range: NDArray[np.bool_]
    known: NDArray[np.bool_]
    active: NDArray[np.bool_]
    broker_share: NDArray[np.float64]

    def __len__(self) -> int:
        return int(self.out.shape[0])


def build_candidates(fac: FacilityTable, params: dict) -> Candidates:
    """Find every potential match within reach of own search or the broker.

    Uses one k-d tree per resource over the receivers' locations [Bentley1975].
    """
    reach = max(params["search_radius_km"],
                params["broker_radius_km"] if params["broker_year"] is not None else 0.0)
    pairs_out: list[NDArray[np.int64]] = []
    pairs_need: list[NDArray[np.int64]] = []
    for r in np.unique(fac.out_res):
        outs = np.flatnonzero(fac.out_res == r)
        needs = np.flatnonzero(fac.need_res == r)
        if outs.size == 0 or needs.size == 0:
            continue
        nf = fac.need_fac[needs]
        tree = cKDTree(np.column_stack([fac.x[nf], fac.y[nf]]))
        of = fac.out_fac[outs]
        hits = tree.query_ball_point(np.column_stack([fac.x[of], fac.y[of]]), r=reach)
        for o, hit in zip(outs, hits, strict=True):
            if hit:
                pairs_out.append(np.full(len(hit), o, dtype=np.int64))
                pairs_need.append(needs[np.asarray(hit, dtype=np.int64)])
    out = np.concatenate(pairs_out) if pairs_out else np.zeros(0, np.int64)
    need = np.concatenate(pairs_need) if pairs_need else np.zeros(0, np.int64)
    keep = (fac.out_fac[out] != fac.need_fac[need]) & (
        fac.out_grade[out] >= fac.need_grade[need]
    )
    out, need = out[keep], need[keep]
    order = np.lexsort((need, out))
    out, need = out[order], need[order]
    sup, rec = fac.out_fac[out], fac.need_fac[need]
    dist = np.hypot(fac.x[sup] - fac.x[rec], fac.y[sup] - fac.y[rec])
    own = np.where(
        dist <= params["search_radius_km"],
        params["search_rate"] * np.exp(-params["search_distance_cost"] * dist),
        0.0,
    )
    n = out.size
    return Candidates(
        out=out,
        need=need,
        sup=sup,
        rec=rec,
        res=fac.out_res[out],
        dist=dist,
        own_rate=own,
        in_broker_range=dist <= params["broker_radius_km"],
        known=np.zeros(n, dtype=np.bool_),
        active=np.zeros(n, dtype=np.bool_),
        broker_share=np.zeros(n, dtype=np.float64),
    )


def discovery_rates(
    own_rate: NDArray[np.float64],
    pair: NDArray[np.int64],
    in_broker_range: NDArray[np.bool_],
    ties: PairMap,
    trust: PairMap,
    params: dict,
    broker_active: bool,
) -> NDArray[np.float64]:
    """Yearly discovery rate of candidates through all three channels.

    ``own_rate``, ``in_broker_range`` and ``pair`` (the flat index ``sup * n + rec`` into
    ``ties`` and ``trust``) are the candidates' entries in :class:`Candidates`.
    """
    tie = ties.flat[pair]
    shared = (tie > 0.0) & (trust.flat[pair] >= params["share_trust"])
    rate = own_rate + np.where(shared, params["tie_discovery_rate"] * tie, 0.0)
    if broker_active:
        rate += np.where(in_broker_range, params["broker_rate"], 0.0)
    return rate


def live_matches(s: ParkState, t: int) -> NDArray[np.bool_]:
    """Which potential matches are live at step ``t`` (facilities operating, streams running)."""
    fac, c = s.fac, s.cand
    out_live = (fac.out_start <= t) & (fac.out_end > t)
    need_live = (fac.need_start <= t) & (fac.need_end > t)
    return fac.active[c.sup] & fac.active[c.rec] & out_live[c.out] & need_live[c.need]


def discover(s: ParkState, rng: np.random.Generator, t: int, year: float) -> None:
    """Discovery at step ``t``: each live, unknown match is found at its channels' rate."""
    c, cache = s.cand, s.caches
    if len(c) == 0:
        return
    if cache.live_dirty or t in cache.live_steps:
        cache.live_now = live_matches(s, t)
        cache.live_dirty = False
        cache.market_dirty = True
        cache.hidden = None
    if cache.hidden is None:
        idx = np.flatnonzero(cache.live_now & ~c.known)
        cache.hidden = (idx, c.own_rate[idx], s.cand_pair[idx], c.in_broker_range[idx])
    idx, own, pair, broker = cache.hidden
    if idx.size == 0:
        return
    brokered = s.broker_active(year)
    rate = discovery_rates(own, pair, broker, s.ties, s.trust, s.params, brokered)
    prob = 1.0 - np.exp(-rate / s.steps_per_year)
    found = rng.random(idx.size) < prob
    cache.fresh = idx[found]
    if cache.fresh.size:
        by_broker = broker[found] * (s.params["broker_rate"] if brokered else 0.0)
        c.broker_share[cache.fresh] = by_broker / rate[found]
        c.known[cache.fresh] = True
        s.known += cache.fresh.size
        left = ~found
        cache.hidden = (idx[left], own[left], pair[left], broker[left])
