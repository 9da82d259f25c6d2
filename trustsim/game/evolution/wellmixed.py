"""Monte Carlo fixation in a well-mixed population: Moran and pairwise comparison (Fermi).

Many independent runs are simulated at once: the state is one array of type-A counts, one entry
per run still undecided, and only the time steps are a Python loop. Each step draws the same
number of uniforms per undecided run, so a seed fixes the whole result.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit

from trustsim.errors import UserError
from trustsim.game.evolution._validate import (
    SeedLike,
    generator,
    integer,
    payoff_matrix,
    real,
    selection_weight,
)
from trustsim.game.evolution.fixation import type_payoffs


@dataclass(frozen=True, slots=True)
class FixationEstimate:
    """Outcome of many independent runs started with the same number of mutants.

    Attributes:
        fixed: Runs in which the mutant type took over.
        runs: Runs simulated (all of them reached fixation or extinction).
        mean_steps: Mean number of update steps until fixation or extinction.
    """

    fixed: int
    runs: int
    mean_steps: float

    @property
    def probability(self) -> float:
        """Estimated fixation probability ``fixed / runs``."""
        return self.fixed / self.runs

    @property
    def stderr(self) -> float:
        """Binomial standard error of :attr:`probability`."""
        p = self.probability
        return math.sqrt(p * (1.0 - p) / self.runs)


def fermi_adoption(beta: float, gain: NDArray[np.float64] | float) -> NDArray[np.float64]:
    """Probability ``1 / (1 + exp(-beta gain))`` that a focal adopts a model's type.

    ``gain`` is the model's payoff minus the focal's: the pairwise-comparison rule
    [Traulsen2006].
    """
    return expit(beta * np.asarray(gain, dtype=np.float64))


def _absorb(
    n: int,
    initial: int,
    runs: int,
    rng: np.random.Generator,
    max_steps: int,
    draws: int,
    step: Any,
) -> FixationEstimate:
    """Iterate ``step(i, u) -> i`` with ``draws`` uniforms per undecided run until all absorb."""
    count = np.full(runs, initial, dtype=np.int64)
    fixed = 0
    steps_total = 0
    for t in range(1, max_steps + 1):
        count = step(count, rng.random((draws, count.size)))
        done = (count == 0) | (count == n)
        if done.any():
            won = int(np.count_nonzero(count[done] == n))
            fixed += won
            steps_total += t * int(np.count_nonzero(done))
            count = count[~done]
            if count.size == 0:
                return FixationEstimate(fixed, runs, steps_total / runs)
    raise UserError(
        f"max_steps must be larger: {count.size} of {runs} runs were still undecided after "
        f"max_steps={max_steps} (allowed: an integer >= 1)"
    )


def simulate_moran(
    payoff: Any,
    n: int,
    *,
    w: float,
    runs: int,
    rng: SeedLike,
    initial: int = 1,
    max_steps: int = 10_000_000,
) -> FixationEstimate:
    """Estimate the Moran fixation probability of type A from independent runs [Nowak2004].

    Each step one individual is chosen to reproduce with probability proportional to its
    fitness ``1 - w + w * payoff`` (payoff averaged over everyone else), and one individual,
    chosen uniformly (possibly the parent), dies and is replaced by the offspring.

    Args:
        payoff: 2x2 payoff matrix (or a stage game with ``.matrix()``); type A is index 0.
        n: Population size (at least 2).
        w: Intensity of selection in [0, 1]; fitness must stay positive.
        runs: Number of independent runs (at least 1).
        rng: Numpy Generator, int seed or SeedSequence.
        initial: Number of type-A individuals at the start, in [1, n - 1].
        max_steps: Give up (UserError) if some run is still undecided after this many steps.

    Returns:
        The count of runs where A fixed, with the number of runs and the mean absorption time.
    """
    matrix = payoff_matrix(payoff)
    n = integer("n", n, 2)
    initial = integer("initial", initial, 1, n - 1)
    w = selection_weight(w, float(matrix.min()))
    runs = integer("runs", runs, 1)
    max_steps = integer("max_steps", max_steps, 1)
    rng = generator(rng)

    def step(i: NDArray[np.int64], u: NDArray[np.float64]) -> NDArray[np.int64]:
        f, g = type_payoffs(matrix, n, i)
        weight_a = i * (1.0 - w + w * f)
        weight_b = (n - i) * (1.0 - w + w * g)
        birth_a = u[0] * (weight_a + weight_b) < weight_a
        death_a = u[1] * n < i
        return i + (birth_a & ~death_a) - (~birth_a & death_a)

    return _absorb(n, initial, runs, rng, max_steps, 2, step)


def simulate_fermi(
    payoff: Any,
    n: int,
    *,
    beta: float,
    runs: int,
    rng: SeedLike,
    initial: int = 1,
    max_steps: int = 10_000_000,
) -> FixationEstimate:
    """Estimate the pairwise-comparison (Fermi) fixation probability of type A [Traulsen2006].

    Each step a focal individual and a different model individual are drawn uniformly; the
    focal adopts the model's type with probability ``1 / (1 + exp(-beta (pi_model - pi_focal)))``,
    payoffs being averaged over everyone else.

    Args:
        payoff: 2x2 payoff matrix (or a stage game with ``.matrix()``); type A is index 0.
        n: Population size (at least 2).
        beta: Intensity of selection (inverse temperature), >= 0.
        runs: Number of independent runs (at least 1).
        rng: Numpy Generator, int seed or SeedSequence.
        initial: Number of type-A individuals at the start, in [1, n - 1].
        max_steps: Give up (UserError) if some run is still undecided after this many steps.

    Returns:
        The count of runs where A fixed, with the number of runs and the mean absorption time.
    """
    matrix = payoff_matrix(payoff)
    n = integer("n", n, 2)
    initial = integer("initial", initial, 1, n - 1)
    beta = real("beta", beta, 0.0)
    runs = integer("runs", runs, 1)
    max_steps = integer("max_steps", max_steps, 1)
    rng = generator(rng)

    def step(i: NDArray[np.int64], u: NDArray[np.float64]) -> NDArray[np.int64]:
        f, g = type_payoffs(matrix, n, i)
        focal_a = u[0] * n < i
        model_a = u[1] * (n - 1) < i - focal_a
        # Probability that the focal adopts the model's type, for a mixed pair.
        gain = np.where(focal_a, g - f, f - g)
        adopt = u[2] < fermi_adoption(beta, gain)
        switch = adopt & (focal_a != model_a)
        return i + (switch & model_a) - (switch & focal_a)

    return _absorb(n, initial, runs, rng, max_steps, 3, step)
