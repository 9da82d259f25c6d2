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
from numpy.typing import NDArray

from trustsim.park.facilities import FacilityTable

__all__ = ["lay", "neighbourhoods"]


def neighbourhoods(fac: FacilityTable, corridor_km: float) -> NDArray[np.bool_]:
    """Return ``near[i, j]``: facility j lies within ``corridor_km`` of facility i.

    With ``corridor_km = 0`` every facility is near itself only (the identity), even where
    two facilities share a site.
    """
    if corridor_km <= 0.0:
        return np.eye(fac.n, dtype=np.bool_)
    d = np.hypot(fac.x[:, None] - fac.x[None, :], fac.y[:, None] - fac.y[None, :])
    return d <= corridor_km


def lay(corridors: NDArray[np.bool_], near: NDArray[np.bool_], a: int, b: int) -> None:
    """Record a pipe from a to b: every pair of their neighbourhoods can now use it (in place)."""
    na, nb = near[a], near[b]
    corridors |= np.outer(na, nb) | np.outer(nb, na)
