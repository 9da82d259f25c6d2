"""Closed-form fixation probabilities of two-type birth-death processes in a well-mixed population.

A population of ``n`` individuals holds ``i`` of type A (row/column 0 of the payoff matrix,
the mutant) and ``n - i`` of type B. Everyone plays everyone else once (no self-interaction), so
the average payoffs are [Nowak2004]::

    f_i = (a (i - 1) + b (n - i)) / (n - 1)      g_i = (c i + d (n - i - 1)) / (n - 1)

with ``[[a, b], [c, d]]`` the payoff matrix. For any birth-death chain whose ratio of
transition rates is ``gamma_i = T-_i / T+_i``, the probability that ``j`` mutants take over is
[Karlin1975]::

    phi_j = sum_{k=0}^{j-1} prod_{i=1}^{k} gamma_i / sum_{k=0}^{n-1} prod_{i=1}^{k} gamma_i

The Moran process with fitness ``1 - w + w * payoff`` has ``gamma_i = G_i / F_i`` [Nowak2004];
the pairwise comparison (Fermi) process has ``gamma_i = exp(-beta (f_i - g_i))``
[Traulsen2006]. Sums are evaluated in log space, so strong selection does not overflow.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import logsumexp

from trustsim.game.evolution._validate import integer, payoff_matrix, real, selection_weight


def type_payoffs(
    matrix: NDArray[np.float64], n: int, i: NDArray[np.int64] | int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Average payoffs ``(f_i, g_i)`` of types A and B when ``i`` of ``n`` individuals are A.

    Args:
        matrix: 2x2 payoff matrix, ``matrix[x, y]`` paid to type x against type y.
        n: Population size (at least 2).
        i: Number of type-A individuals, scalar or array.

    Returns:
        The mean payoff of an A individual and of a B individual against everyone else.
    """
    i = np.asarray(i, dtype=np.float64)
    (a, b), (c, d) = matrix
    f = (a * (i - 1.0) + b * (n - i)) / (n - 1.0)
    g = (c * i + d * (n - i - 1.0)) / (n - 1.0)
    return f, g


def _fixation_from_log_ratios(log_gamma: NDArray[np.float64], initial: int) -> float:
    """Birth-death chain fixation probability from ``log(T-_i / T+_i)`` for i = 1..n-1."""
    partial = np.concatenate(([0.0], np.cumsum(log_gamma)))  # log prod_{i<=k} gamma_i, k=0..n-1
    return float(np.exp(logsumexp(partial[:initial]) - logsumexp(partial)))


def neutral_fixation_probability(n: int, initial: int = 1) -> float:
    """Fixation probability ``initial / n`` of a neutral mutant (no selection).

    Args:
        n: Population size (at least 2).
        initial: Number of mutants at the start, in [1, n - 1].

    Returns:
        The probability that the mutants take over.
    """
    n = integer("n", n, 2)
    initial = integer("initial", initial, 1, n - 1)
    return initial / n


def constant_fitness_fixation_probability(r: float, n: int, initial: int = 1) -> float:
    """Moran fixation probability of mutants with constant relative fitness ``r``.

    ``(1 - r**-initial) / (1 - r**-n)``, and ``initial / n`` when ``r == 1`` [Nowak2006].

    Args:
        r: Fitness of the mutant relative to the resident, > 0.
        n: Population size (at least 2).
        initial: Number of mutants at the start, in [1, n - 1].

    Returns:
        The probability that the mutants take over.
    """
    r = real("r", r, 0.0, low_open=True)
    n = integer("n", n, 2)
    initial = integer("initial", initial, 1, n - 1)
    return _fixation_from_log_ratios(np.full(n - 1, -np.log(r)), initial)


def moran_fixation_probability(payoff: Any, n: int, w: float, initial: int = 1) -> float:
    """Fixation probability of type A in the frequency-dependent Moran process [Nowak2004].

    Each step one individual reproduces with probability proportional to its fitness
    ``1 - w + w * payoff`` and its offspring replaces an individual chosen uniformly at random.

    Args:
        payoff: 2x2 payoff matrix (or a stage game with ``.matrix()``); type A is index 0.
        n: Population size (at least 2).
        w: Intensity of selection in [0, 1]; fitness must stay positive.
        initial: Number of type-A individuals at the start, in [1, n - 1].

    Returns:
        The probability that type A takes over the population.
    """
    matrix = payoff_matrix(payoff)
    n = integer("n", n, 2)
    initial = integer("initial", initial, 1, n - 1)
    w = selection_weight(w, float(matrix.min()))
    f, g = type_payoffs(matrix, n, np.arange(1, n))
    log_gamma = np.log(1.0 - w + w * g) - np.log(1.0 - w + w * f)
    return _fixation_from_log_ratios(log_gamma, initial)


def fermi_fixation_probability(payoff: Any, n: int, beta: float, initial: int = 1) -> float:
    """Fixation probability of type A in the pairwise comparison process [Traulsen2006].

    Each step a focal individual compares its payoff with that of a random other individual
    and adopts the other's type with probability ``1 / (1 + exp(-beta (pi_other - pi_focal)))``.
    The sum in the exponent is quadratic in k, as in [Traulsen2007].

    Args:
        payoff: 2x2 payoff matrix (or a stage game with ``.matrix()``); type A is index 0.
        n: Population size (at least 2).
        beta: Intensity of selection (inverse temperature), >= 0.
        initial: Number of type-A individuals at the start, in [1, n - 1].

    Returns:
        The probability that type A takes over the population.
    """
    matrix = payoff_matrix(payoff)
    n = integer("n", n, 2)
    initial = integer("initial", initial, 1, n - 1)
    beta = real("beta", beta, 0.0)
    f, g = type_payoffs(matrix, n, np.arange(1, n))
    return _fixation_from_log_ratios(-beta * (f - g), initial)
