"""Social ties between managers: drawn from proximity and community cohesion, grown by success.

Two managers d km apart share a tie with probability ``social_cohesion * exp(-d /
tie_distance_km)`` (ties fall with distance and rise with small-town cohesion
[Granovetter1973; Boschma2005]); a drawn tie starts at strength 0.5. Scenario ties (people
who know each other) come on top. Mutual cooperation adds ``tie_growth`` per period (in
:mod:`trustsim.park.operation`); a leaving manager takes the ties with them, except the
``institutional_memory`` share. Pairs are found with a k-d tree within five distance scales.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from trustsim.park.facilities import FacilityTable
from trustsim.park.pairs import PairMap

__all__ = ["DRAWN_TIE_STRENGTH", "initial_ties"]

#: Strength of a tie drawn from proximity and cohesion.
DRAWN_TIE_STRENGTH = 0.5


def initial_ties(
    fac: FacilityTable,
    params: dict,
    rng: np.random.Generator,
    scenario_ties: tuple[tuple[str, str, float], ...] = (),
) -> PairMap:
    """Return the symmetric tie strengths (0 = no tie) at the start of the run."""
    n = fac.n
    ties = PairMap(n, 0.0)
    cohesion, scale = params["social_cohesion"], params["tie_distance_km"]
    if cohesion > 0.0 and n > 1:
        tree = cKDTree(np.column_stack([fac.x, fac.y]))
        pairs = tree.query_pairs(5.0 * scale, output_type="ndarray")
        pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
        d = np.hypot(*(np.column_stack([fac.x, fac.y])[pairs[:, 0]]
                       - np.column_stack([fac.x, fac.y])[pairs[:, 1]]).T)
        tied = rng.random(pairs.shape[0]) < cohesion * np.exp(-d / scale)
        i, j = pairs[tied, 0], pairs[tied, 1]
        ties.flat[np.concatenate([i * n + j, j * n + i])] = DRAWN_TIE_STRENGTH
    for a, b, strength in scenario_ties:
        i, j = fac.index_of(a), fac.index_of(b)
        ties[i, j] = ties[j, i] = max(ties[i, j], float(strength))
    return ties
