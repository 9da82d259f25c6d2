"""Network and outcome measures of a park: centralization, hub, cascades, water reuse.

- Freeman degree centralization [Freeman1978] of the undirected simple graph of active
  exchanges, over the facilities in the network (degree >= 1, as the derived Kalundborg value
  in data/kalundborg/README.md is computed): sum(max - deg)/((n - 1)(n - 2)), 0 for n < 3.
- Heat cascade: the longest chain of active heat-family exchanges in which each facility
  passes heat on at a strictly lower grade than it received; its number of grades
  (four at Kalundborg [seed]).
- Water uses: 1 + water reused between facilities / fresh water taken in by the facilities
  that need it (about 2.3 at Kalundborg [seed]).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["degree_centralization", "degrees", "heat_cascade_grades", "water_uses"]


def degrees(sup: NDArray[np.int64], rec: NDArray[np.int64], n: int) -> NDArray[np.int64]:
    """Degree of each of ``n`` facilities in the simple undirected graph of the given links."""
    if sup.size == 0:
        return np.zeros(n, dtype=np.int64)
    pairs = np.unique(np.minimum(sup, rec) * n + np.maximum(sup, rec))
    return np.bincount(pairs // n, minlength=n) + np.bincount(pairs % n, minlength=n)


def degree_centralization(deg: NDArray[np.int64]) -> float:
    """Freeman degree centralization over the nodes with degree >= 1."""
    d = deg[deg > 0]
    k = d.size
    if k < 3:
        return 0.0
    return float((d.max() - d).sum() / ((k - 1) * (k - 2)))


def heat_cascade_grades(
    sup: NDArray[np.int64], rec: NDArray[np.int64], grade: NDArray[np.int64]
) -> int:
    """Number of grades in the longest downward heat cascade (0 without heat exchanges)."""
    if sup.size == 0:
        return 0
    best: dict[int, int] = {}  # exchange -> grades in the longest cascade ending with it
    for e in np.argsort(-grade, kind="stable").tolist():
        feeding = [best[f] for f in best if rec[f] == sup[e] and grade[f] > grade[e]]
        best[e] = 1 + max(feeding, default=0)
    return max(best.values())


def water_uses(reused: float, fresh_intake: float) -> float:
    """Average number of uses of water before discharge: 1 + reused / fresh intake."""
    if fresh_intake <= 0.0:
        return 1.0
    return 1.0 + reused / fresh_intake
