import itertools

import numpy as np
import pytest

from trustsim.park.metrics import heat_cascade_grades


def grades_by_simple_paths(sup, rec, grade):
    """The earlier definition: walk every simple path from each heat source."""
    if sup.size == 0:
        return 0
    edges = {}
    for e in range(sup.size):
        edges.setdefault(int(sup[e]), []).append(e)

    def grades(node, seen):
        out = set()
        for e in edges.get(node, []):
            out.add(int(grade[e]))
            r = int(rec[e])
            if r not in seen:
                out |= grades(r, seen | {r})
        return out

    return max(len(grades(s, frozenset({s}))) for s in edges)


@pytest.mark.parametrize("seed", range(40))
def test_equals_the_simple_path_walk_on_small_random_graphs(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 9))
    m = int(rng.integers(1, 3 * n))
    sup = rng.integers(0, n, m)
    rec = (sup + rng.integers(1, n, m)) % n  # no self-loops, as in the model
    grade = rng.integers(0, 5, m)
    assert heat_cascade_grades(sup, rec, grade) == grades_by_simple_paths(sup, rec, grade)


def test_a_chain_counts_every_grade_downstream_and_a_cycle_shares_its_grades():
    sup, rec = np.array([0, 1, 2]), np.array([1, 2, 3])
    assert heat_cascade_grades(sup, rec, np.array([3, 2, 1])) == 3
    assert heat_cascade_grades(sup, rec, np.array([2, 2, 1])) == 2
    cycle_sup, cycle_rec = np.array([0, 1, 2, 5]), np.array([1, 2, 0, 6])
    assert heat_cascade_grades(cycle_sup, cycle_rec, np.array([1, 2, 3, 4])) == 3
    assert heat_cascade_grades(np.array([], dtype=np.int64), np.array([], dtype=np.int64),
                               np.array([], dtype=np.int64)) == 0


def test_a_complete_heat_graph_of_twenty_firms_is_immediate():
    # 380 heat edges: the simple-path walk would not finish; every grade is reachable.
    pairs = np.array(list(itertools.permutations(range(20), 2)))
    grade = np.arange(len(pairs)) % 7
    assert heat_cascade_grades(pairs[:, 0], pairs[:, 1], grade) == 7
