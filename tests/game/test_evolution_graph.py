"""Donation game on graphs: neutral drift, the complete-graph Moran limit, Ohtsuki's b/c > k."""

import math

import networkx as nx
import numpy as np
import pytest

from trustsim.errors import UserError
from trustsim.game.evolution import (
    db_critical_ratio,
    moran_fixation_probability,
    simulate_graph_fixation,
)

# Vertex-transitive 3-regular graph on 16 nodes (the prism over an 8-cycle).
LADDER = nx.circular_ladder_graph(8)
N, K = 16, 3
W = 0.05  # weak selection; fitness 1 - w + w*payoff stays within [0.8, 2.2] here
RUNS = 40_000


def z_score(estimate, expected):
    return (estimate.probability - expected) / math.sqrt(expected * (1 - expected) / estimate.runs)


@pytest.mark.parametrize("update", ["db", "bd"])
def test_neutral_drift_is_one_over_n(update):
    estimate = simulate_graph_fixation(
        nx.cycle_graph(12), b=3.0, c=1.0, w=0.0, update=update, runs=20_000, rng=1
    )
    assert abs(z_score(estimate, 1 / 12)) <= 3


def test_birth_death_on_complete_graph_is_the_moran_process():
    # On K_N, birth-death with summed payoffs is Moran with the donation matrix times (N - 1):
    # the ratio of transition rates is G_i / F_i, exactly as in Nowak et al. 2004.
    n, b, c, w = 10, 2.0, 1.0, 0.03
    matrix = (n - 1) * np.array([[b - c, -c], [b, 0.0]])
    expected = moran_fixation_probability(matrix, n, w, initial=5)  # 0.186, not 1/2
    estimate = simulate_graph_fixation(
        nx.complete_graph(n), b=b, c=c, w=w, update="bd", runs=20_000, rng=2, initial=5
    )
    assert abs(z_score(estimate, expected)) <= 3


def test_chen_threshold_tends_to_k():
    assert db_critical_ratio(16, 3) == pytest.approx(14 / (16 / 3 - 2))
    assert db_critical_ratio(10**6, 4) == pytest.approx(4, rel=1e-4)


@pytest.mark.parametrize(
    ("ratio", "favoured", "seed"),
    [
        (2.0, False, 3),  # b/c < k
        (6.0, True, 4),  # b/c > k and above the finite-N threshold (N-2)/(N/k-2) = 4.2
        (3.5, False, 5),  # k < b/c < 4.2: the finite-N correction of Chen 2013
    ],
)
def test_ohtsuki_rule_death_birth(ratio, favoured, seed):
    assert (ratio > db_critical_ratio(N, K)) == favoured
    estimate = simulate_graph_fixation(LADDER, b=ratio, c=1.0, w=W, runs=RUNS, rng=seed)
    z = z_score(estimate, 1 / N)
    assert (z > 3) if favoured else (z < -3), (estimate, z)


def test_birth_death_never_favours_cooperation():
    estimate = simulate_graph_fixation(LADDER, b=6.0, c=1.0, w=W, update="bd", runs=RUNS, rng=6)
    assert z_score(estimate, 1 / N) < -3


def test_array_and_networkx_inputs_agree_and_seed_fixes_result():
    adjacency = nx.to_numpy_array(LADDER, nodelist=list(LADDER.nodes))
    kwargs = {"b": 4.0, "c": 1.0, "w": W, "runs": 3000}
    from_graph = simulate_graph_fixation(LADDER, rng=7, **kwargs)
    assert simulate_graph_fixation(adjacency, rng=7, **kwargs) == from_graph
    assert simulate_graph_fixation(adjacency.astype(int), rng=7, **kwargs) == from_graph
    assert simulate_graph_fixation(LADDER, rng=8, **kwargs) != from_graph


def test_irregular_graph_runs_and_conserves_population():
    star = nx.star_graph(6)  # hub of degree 6, leaves of degree 1
    estimate = simulate_graph_fixation(star, b=3.0, c=1.0, w=0.05, runs=2000, rng=9)
    assert estimate.runs == 2000
    assert 0 < estimate.fixed < 2000


@pytest.mark.parametrize(
    ("graph", "kwargs", "name"),
    [
        (nx.DiGraph([(0, 1), (1, 2), (2, 0)]), {}, "graph"),
        (nx.Graph([(0, 1), (2, 3)]), {}, "graph"),  # disconnected
        (nx.path_graph(2), {}, "graph"),
        (np.ones((3, 4)), {}, "graph"),
        (np.array([[0, 1, 0], [0, 0, 1], [1, 0, 0]]), {}, "graph"),  # asymmetric
        (np.ones((3, 3)), {}, "graph"),  # self-loops
        (LADDER, {"b": -1.0}, "b"),
        (LADDER, {"c": math.nan}, "c"),
        (LADDER, {"w": 0.5}, "w"),  # 1 - w - w*c*k < 0
        (LADDER, {"update": "moran"}, "update"),
        (LADDER, {"initial": 16}, "initial"),
        (LADDER, {"runs": 0}, "runs"),
    ],
)
def test_bad_arguments_raise_user_error(graph, kwargs, name):
    args = {"b": 3.0, "c": 1.0, "w": 0.05, "runs": 10, "rng": 1} | kwargs
    with pytest.raises(UserError, match=rf"^{name} must"):
        simulate_graph_fixation(graph, **args)


def test_db_critical_ratio_validates():
    with pytest.raises(UserError, match="^n must"):
        db_critical_ratio(6, 3)
