"""The donation game on a graph: birth-death and death-birth updating [Ohtsuki2006].

Each individual plays the donation game with each of its neighbours: a cooperator pays ``c``
per neighbour and each neighbour receives ``b``; payoffs are summed over neighbours and fitness
is ``1 - w + w * payoff``.

- Death-birth (``"db"``): a uniformly random individual dies; its neighbours compete for the
  empty site with probability proportional to fitness.
- Birth-death (``"bd"``): an individual is chosen to reproduce with probability proportional to
  fitness over the whole population; its offspring replaces a uniformly random neighbour.

Many independent runs are simulated at once: the state is an array (runs x nodes) and only the
time steps are a Python loop. Each run starts from ``initial`` cooperators placed uniformly at
random. Under weak selection on a regular graph of degree ``k``, death-birth favours
cooperation (fixation probability of one cooperator above ``1/N``) iff ``b/c > k`` when
``N >> k`` [Ohtsuki2006]; for finite ``N`` the exact threshold is ``(N - 2) / (N/k - 2)``
[Chen2013]. Birth-death never favours cooperation on a regular graph [Ohtsuki2006].
"""

from __future__ import annotations

from typing import Any, Literal

import networkx as nx
import numpy as np
from numpy.typing import NDArray
from scipy.sparse.csgraph import connected_components

from trustsim.errors import UserError
from trustsim.game.evolution._validate import SeedLike, generator, integer, real, selection_weight
from trustsim.game.evolution.wellmixed import FixationEstimate

Update = Literal["db", "bd"]


def adjacency_matrix(graph: Any) -> NDArray[np.bool_]:
    """Return the boolean adjacency matrix of a networkx graph or a square 0/1 array.

    The graph must be undirected, without self-loops, connected and have at least 3 nodes.
    """
    if isinstance(graph, nx.Graph):
        if graph.is_directed():
            raise UserError("graph must be undirected, got a directed networkx graph")
        adj = nx.to_numpy_array(graph, weight=None) != 0
    else:
        try:
            adj = np.asarray(graph, dtype=np.float64) != 0
        except (TypeError, ValueError) as exc:
            raise UserError("graph must be a networkx Graph or a square 0/1 array") from exc
        if adj.ndim != 2 or adj.shape[0] != adj.shape[1]:
            raise UserError(f"graph must be a square adjacency array, got shape {adj.shape}")
        if not np.array_equal(adj, adj.T):
            raise UserError("graph must be undirected: its adjacency array must be symmetric")
    if adj.shape[0] < 3:
        raise UserError(f"graph must have at least 3 nodes, got {adj.shape[0]}")
    if np.any(np.diag(adj)):
        raise UserError("graph must have no self-loops")
    if connected_components(adj, directed=False)[0] != 1:
        raise UserError("graph must be connected (otherwise no type can ever fix)")
    return adj


def _neighbour_table(adj: NDArray[np.bool_]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Neighbour lists padded with the dummy node ``N`` to the maximal degree, and degrees."""
    n = adj.shape[0]
    degree = adj.sum(axis=1).astype(np.int64)
    table = np.full((n + 1, int(degree.max())), n, dtype=np.int64)
    for node in range(n):
        nbrs = np.flatnonzero(adj[node])
        table[node, : nbrs.size] = nbrs
    return table, degree


def db_critical_ratio(n: int, k: int) -> float:
    """Exact weak-selection death-birth threshold ``(N - 2) / (N/k - 2)`` on a k-regular graph.

    Cooperation is favoured iff ``b/c`` exceeds it [Chen2013]; it tends to ``k`` as ``N`` grows
    [Ohtsuki2006].

    Args:
        n: Number of nodes, greater than ``2 k``.
        k: Degree, at least 2.

    Returns:
        The critical benefit-to-cost ratio.
    """
    k = integer("k", k, 2)
    n = integer("n", n, 2 * k + 1)
    return (n - 2) / (n / k - 2)


def simulate_graph_fixation(
    graph: Any,
    *,
    b: float,
    c: float,
    w: float,
    update: Update = "db",
    runs: int,
    rng: SeedLike,
    initial: int = 1,
    max_steps: int = 10_000_000,
) -> FixationEstimate:
    """Estimate the fixation probability of cooperators in the donation game on a graph.

    Args:
        graph: networkx Graph or square 0/1 adjacency array; connected, undirected, >= 3 nodes.
        b: Benefit a cooperator gives each neighbour, >= 0.
        c: Cost a cooperator pays per neighbour, >= 0.
        w: Intensity of selection in [0, 1]; fitness must stay positive.
        update: ``"db"`` (death-birth) or ``"bd"`` (birth-death).
        runs: Number of independent runs (at least 1).
        rng: Numpy Generator, int seed or SeedSequence.
        initial: Number of cooperators at the start, placed uniformly at random, in [1, N - 1].
        max_steps: Give up (UserError) if some run is still undecided after this many steps.

    Returns:
        The count of runs where cooperators fixed, with the mean absorption time in steps.
    """
    adj = adjacency_matrix(graph)
    n = adj.shape[0]
    b = real("b", b, 0.0)
    c = real("c", c, 0.0)
    table, degree = _neighbour_table(adj)
    w = selection_weight(w, -c * float(degree.max()))
    if update not in ("db", "bd"):
        raise UserError(f"update must be 'db' (death-birth) or 'bd' (birth-death), got {update!r}")
    runs = integer("runs", runs, 1)
    initial = integer("initial", initial, 1, n - 1)
    max_steps = integer("max_steps", max_steps, 1)
    rng = generator(rng)

    # State with a dummy column n (never a cooperator) so padded neighbour slots read zeros.
    coop = np.zeros((runs, n + 1), dtype=np.int64)
    start = np.argsort(rng.random((runs, n)), axis=1)[:, :initial]
    np.put_along_axis(coop, start, 1, axis=1)
    coop_nbrs = coop[:, table].sum(axis=2)  # cooperating neighbours of every node (and dummy)
    cost = np.append(c * degree, 0.0)
    real_slot = np.append(degree, 0)[:, None] > np.arange(table.shape[1])
    count = np.full(runs, initial, dtype=np.int64)

    def fitness(rows: NDArray[np.int64], nodes: NDArray[np.int64]) -> NDArray[np.float64]:
        payoff = b * coop_nbrs[rows, nodes] - cost[nodes] * coop[rows, nodes]
        return 1.0 - w + w * payoff

    active = np.arange(runs)
    fixed = 0
    steps_total = 0
    for t in range(1, max_steps + 1):
        m = active.size
        u = rng.random((2, m))
        rows = active[:, None]
        if update == "db":
            target = (u[0] * n).astype(np.int64)
            cands = table[target]
            weights = np.where(real_slot[target], fitness(rows, cands), 0.0)
            cum = np.cumsum(weights, axis=1)
            pick = np.sum(cum < (u[1] * cum[:, -1])[:, None], axis=1)
            source = cands[np.arange(m), pick]
        else:
            nodes = np.arange(n)
            cum = np.cumsum(fitness(rows, nodes[None, :]), axis=1)
            source = np.sum(cum < (u[0] * cum[:, -1])[:, None], axis=1)
            target = table[source, (u[1] * degree[source]).astype(np.int64)]
        new = coop[active, source]
        delta = new - coop[active, target]
        coop[active, target] = new
        coop_nbrs[rows, table[target]] += delta[:, None]
        count[active] += delta
        state = count[active]
        done = (state == 0) | (state == n)
        if done.any():
            fixed += int(np.count_nonzero(state[done] == n))
            steps_total += t * int(np.count_nonzero(done))
            active = active[~done]
            if active.size == 0:
                return FixationEstimate(fixed, runs, steps_total / runs)
    raise UserError(
        f"max_steps must be larger: {active.size} of {runs} runs were still undecided after "
        f"max_steps={max_steps} (allowed: an integer >= 1)"
    )
