"""Seed plumbing for sweeps: one SeedSequence per (design point, replicate).

Seeds are keyed by the run's place in the design, never by worker or order, so a sweep gives
the same numbers on one process, many processes or a cluster (ARCHITECTURE.md, Randomness).
"""

from __future__ import annotations

import numpy as np

#: Spawn key reserved for the design sampler, outside any (point, replicate) key.
DESIGN_STREAM = (2**32 - 1,)


def run_seed(root_seed: int, point: int, replicate: int) -> np.random.SeedSequence:
    """Return the seed of one run of a sweep.

    Args:
        root_seed: The experiment's seed.
        point: Index of the design point.
        replicate: Index of the replicate at that point.

    Returns:
        ``SeedSequence(root_seed, spawn_key=(point, replicate))``.
    """
    return np.random.SeedSequence(root_seed, spawn_key=(point, replicate))


def design_rng(root_seed: int) -> np.random.Generator:
    """Return the generator that draws a sampled design (random, LHS, Sobol scrambling).

    It comes from its own stream of the experiment's seed, so the design is reproducible and
    independent of every run's seed.
    """
    return np.random.default_rng(np.random.SeedSequence(root_seed, spawn_key=DESIGN_STREAM))
