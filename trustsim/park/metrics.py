"""Network and outcome measures of a park: centralization, hub, cascades, water reuse.

- Freeman degree centralization [Freeman1978] of the undirected simple graph of active
  exchanges, over the facilities in the network (degree >= 1, as the derived Kalundborg value
  in data/kalundborg/README.md is computed): sum(max - deg)/((n - 1)(n - 2)), 0 for n < 3.
- Heat cascade: the number of temperature grades at which heat from one source is used,
  following heat passed on by its receivers (four at Kalundborg [seed]).
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
    """Most temperature grades used downstream of one heat source (0 without heat exchanges).

    ``grade`` is the grade at which each exchange's heat is used (the receiver's minimum
    grade). A source's cascade is the set of grades used by its receivers and, recursively,
    by whoever those receivers pass heat on to: the grades of every heat exchange supplied by
    the source or by a facility reachable from it. Computed on the condensation of the heat
    graph (strongly connected components, networkx), merging grade sets in reverse
    topological order: linear in the exchanges, where walking every simple path is exponential.
    """
    if sup.size == 0:
        return 0
    import networkx as nx

    levels = {g: i for i, g in enumerate(np.unique(grade).tolist())}
    graph = nx.DiGraph()
    graph.add_edges_from(zip(sup.tolist(), rec.tolist()))
    dag = nx.condensation(graph)
    own = dict.fromkeys(dag.nodes, 0)  # bit i set: grade level i is used in that component
    for s, g in zip(sup.tolist(), grade.tolist()):
        own[dag.graph["mapping"][s]] |= 1 << levels[g]
    reach: dict[int, int] = {}
    for c in reversed(list(nx.topological_sort(dag))):
        mask = own[c]
        for d in dag.successors(c):
            mask |= reach[d]
        reach[c] = mask
    return max(reach[c].bit_count() for c in dag.nodes if own[c])


def water_uses(reused: float, fresh_intake: float) -> float:
    """Average number of uses of water before discharge: 1 + reused / fresh intake."""
    if fresh_intake <= 0.0:
        return 1.0
    return 1.0 + reused / fresh_intake


def weighted_median(values: NDArray[np.float64], weights: NDArray[np.float64]) -> float:
    """Median of ``values`` with ``weights`` (the lower one at an exact half; NaN if no weight).

    With the exchange table's ``brokered`` as weights, the median distance of the synergies the
    broker made, as NISP reports it [JENSEN2011].
    """
    values, weights = np.asarray(values, dtype=float), np.asarray(weights, dtype=float)
    keep = weights > 0.0
    if not keep.any():
        return float("nan")
    order = np.argsort(values[keep], kind="stable")
    v, w = values[keep][order], weights[keep][order]
    cum = np.cumsum(w)
    return float(v[np.searchsorted(cum, 0.5 * cum[-1])])

