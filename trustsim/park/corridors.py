"""Pipe corridors: a new connection laid along an existing one pays less, whoever owns it.

Industrial parks route pipes along shared corridors and racks, so a second line between two
neighbourhoods reuses the trench, the supports and the right of way of the first
[Chertow2007]. A connection from facility a to facility b can use a corridor
when a pipe already links a facility within ``corridor_km`` of a to one within
``corridor_km`` of b (in either direction); it then saves ``infrastructure_reuse`` of its
infrastructure cost (:func:`trustsim.park.negotiation.economics`). With ``corridor_km = 0``
only a pipe between the same two facilities counts.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from trustsim.park.facilities import FacilityTable
from trustsim.park.pairs import PairMap

__all__ = ["lay", "neighbourhoods"]


def neighbourhoods(fac: FacilityTable, corridor_km: float) -> PairMap:
    """Return ``near[i, j]``: facility j lies within ``corridor_km`` of facility i.

    With ``corridor_km = 0`` every facility is near itself only (the identity), even where
    two facilities share a site. Pairs are found with a k-d tree (a hair beyond the radius),
    then kept by the same straight-line distance test as everywhere else.
    """
    n = fac.n
    own = np.arange(n, dtype=np.int64)
    if corridor_km <= 0.0 or n < 2:
        return PairMap.from_pairs(n, own, own, True, False, np.bool_)
    xy = np.column_stack([fac.x, fac.y])
    pairs = cKDTree(xy).query_pairs(corridor_km * (1.0 + 1e-9) + 1e-12, output_type="ndarray")
    i, j = pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)
    close = np.hypot(fac.x[i] - fac.x[j], fac.y[i] - fac.y[j]) <= corridor_km
    i, j = i[close], j[close]
    return PairMap.from_pairs(n, np.concatenate([own, i, j]), np.concatenate([own, j, i]),
                              True, False, np.bool_)


def lay(corridors: PairMap, near: PairMap, a: int, b: int) -> None:
    """Record a pipe from a to b: every pair of their neighbourhoods can now use it (in place)."""
    na, nb = np.flatnonzero(near.row(a)), np.flatnonzero(near.row(b))
    n = corridors.n
    corridors.flat[np.concatenate([(na[:, None] * n + nb).ravel(),
                                   (nb[:, None] * n + na).ravel()])] = True
