"""Throughput of the evolution kernel: Nowak-May generations/s, Moran, Fermi and graph runs/s.

Run: .venv/bin/python scripts/bench_evolution.py [--quick]
"""

import argparse
import time

import networkx as nx
import numpy as np

from trustsim.game.evolution import (
    nowak_may_step,
    simulate_fermi,
    simulate_graph_fixation,
    simulate_moran,
)

PD = np.array([[3.0, 0.0], [5.0, 1.0]])


def best_of(repeats, fn):
    """Smallest wall time of ``repeats`` calls of ``fn``."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller workloads (smoke run)")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    repeats = 1 if args.quick else 3

    generations = 200 // scale
    lattice = np.random.default_rng(1).random((200, 200)) < 0.9

    def nowak_may():
        x = lattice
        for _ in range(generations):
            x = nowak_may_step(x, 1.85)

    t = best_of(repeats, nowak_may)
    print(f"Nowak-May 200x200: {generations / t:,.0f} generations/s ({generations} in {t:.3f} s)")

    runs = 100_000 // scale
    t = best_of(repeats, lambda: simulate_moran(PD[::-1, ::-1], 20, w=0.1, runs=runs, rng=2))
    print(f"Moran N=20, w=0.1, defectors invading: {runs / t:,.0f} runs/s ({runs} in {t:.3f} s)")

    t = best_of(repeats, lambda: simulate_fermi(PD[::-1, ::-1], 20, beta=0.1, runs=runs, rng=3))
    print(f"Fermi N=20, beta=0.1, defectors invading: {runs / t:,.0f} runs/s ({runs} in {t:.3f} s)")

    graph = nx.circular_ladder_graph(8)
    graph_runs = 40_000 // scale
    t = best_of(
        repeats,
        lambda: simulate_graph_fixation(graph, b=6.0, c=1.0, w=0.05, runs=graph_runs, rng=4),
    )
    print(
        f"Death-birth, 3-regular N=16, b/c=6: {graph_runs / t:,.0f} runs/s "
        f"({graph_runs} in {t:.3f} s)"
    )


if __name__ == "__main__":
    main()
