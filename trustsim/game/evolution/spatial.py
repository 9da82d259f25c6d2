"""Nowak and May's spatial prisoner's dilemma on an L x L torus [NowakMay1992].

Every site holds a cooperator or a defector and plays the game with its eight Moore neighbours
and with itself, with payoffs R = 1, T = b, S = P = 0. So a cooperator scores the number of
cooperators in its 3 x 3 block (itself included) and a defector ``b`` times that number. Then,
synchronously, every site adopts the strategy of the highest-scoring site in its 3 x 3 block.

Ties: a site keeps its own strategy when its own score is the highest in the block; otherwise
it takes the strategy of the first neighbour with the highest score in the fixed order
(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1) of (row, column) offsets.
For 1.8 < b < 2 cooperator and defector scores never tie (a cooperator scores an integer >= 1,
a defector ``b`` times an integer), so the order matters only for the other values of b.

Everything is whole-array numpy (``np.roll``); the last two axes are the lattice, so a stack of
lattices (for instance one per value of b) advances in one call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from trustsim.errors import UserError
from trustsim.game.evolution._validate import SeedLike, generator, integer, real

#: Moore neighbour offsets (row, column), in the order used to break ties.
OFFSETS = ((-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1))

#: Mean cooperator share Nowak and May report for 1.8 < b < 2: 12 ln 2 - 8.
CHAOTIC_SHARE = 12.0 * np.log(2.0) - 8.0


def _neighbour(x: NDArray[Any], dy: int, dx: int) -> NDArray[Any]:
    """Value at site (i + dy, j + dx) for every site (i, j) of the torus (last two axes)."""
    return np.roll(x, (-dy, -dx), axis=(-2, -1))


def nowak_may_scores(cooperators: NDArray[np.bool_], b: ArrayLike) -> NDArray[np.float64]:
    """Scores of every site against its 3 x 3 block, self included (R = 1, T = b, S = P = 0).

    Args:
        cooperators: Boolean lattice(s), True for a cooperator; the last two axes are the torus.
        b: Temptation, a scalar or an array broadcasting against ``cooperators``.

    Returns:
        The score of every site, same shape as ``cooperators``.
    """
    block = cooperators.astype(np.float64)
    total = block.copy()
    for dy, dx in OFFSETS:
        total += _neighbour(block, dy, dx)
    return np.where(cooperators, total, np.asarray(b, dtype=np.float64) * total)


def nowak_may_step(cooperators: NDArray[np.bool_], b: ArrayLike) -> NDArray[np.bool_]:
    """One synchronous generation of best-neighbour imitation (ties as in the module doc).

    Args:
        cooperators: Boolean lattice(s), True for a cooperator; the last two axes are the torus.
        b: Temptation, a scalar or an array broadcasting against ``cooperators``.

    Returns:
        The next generation, same shape as ``cooperators``.
    """
    score = nowak_may_scores(cooperators, b)
    best_score = score
    best = cooperators
    for dy, dx in OFFSETS:
        other = _neighbour(score, dy, dx)
        better = other > best_score
        best_score = np.where(better, other, best_score)
        best = np.where(better, _neighbour(cooperators, dy, dx), best)
    return best


def _evolve(
    lattices: NDArray[np.bool_], b: ArrayLike, generations: int
) -> tuple[NDArray[np.float64], NDArray[np.bool_], NDArray[np.bool_]]:
    """Shares for generations 0..generations, and the last two lattices (previous, final)."""
    shares = np.empty(lattices.shape[:-2] + (generations + 1,))
    shares[..., 0] = lattices.mean(axis=(-2, -1))
    previous = lattices
    for t in range(1, generations + 1):
        previous, lattices = lattices, nowak_may_step(lattices, b)
        shares[..., t] = lattices.mean(axis=(-2, -1))
    return shares, previous, lattices


@dataclass(frozen=True, slots=True)
class NowakMayRun:
    """One run of the spatial game.

    Attributes:
        shares: Cooperator share at generations 0 (the start) to ``generations``.
        previous: Lattice one generation before the end (the start if ``generations == 0``).
        final: Lattice at the end; with ``previous`` it gives Nowak and May's four colours
            (C staying C, D staying D, C turning D, D turning C).
    """

    shares: NDArray[np.float64]
    previous: NDArray[np.bool_]
    final: NDArray[np.bool_]


def nowak_may_run(
    b: float,
    *,
    generations: int = 300,
    initial: ArrayLike | None = None,
    size: int = 200,
    initial_share: float = 0.9,
    rng: SeedLike | None = None,
) -> NowakMayRun:
    """Run the spatial game from a given lattice or from a random one.

    Args:
        b: Temptation T, > 1 (R = 1, S = P = 0).
        generations: Number of synchronous generations, >= 0.
        initial: Starting lattice (square, boolean, True for a cooperator, side >= 3); when
            given, ``size``, ``initial_share`` and ``rng`` are not used.
        size: Side L of the random L x L torus, at least 3.
        initial_share: Probability that a random site starts as a cooperator, in [0, 1].
        rng: Numpy Generator, int seed or SeedSequence; required without ``initial``.

    Returns:
        The share time series and the last two lattices.
    """
    b = real("b", b, 1.0, low_open=True)
    generations = integer("generations", generations, 0)
    if initial is None:
        if rng is None:
            raise UserError(
                "rng must be given (Generator, SeedSequence or int >= 0) without initial"
            )
        size = integer("size", size, 3)
        initial_share = real("initial_share", initial_share, 0.0, 1.0)
        start = generator(rng).random((size, size)) < initial_share
    else:
        start = np.asarray(initial)
        if start.ndim != 2 or start.shape[0] != start.shape[1] or start.shape[0] < 3:
            raise UserError(f"initial must be a square lattice of side >= 3, got {start.shape}")
        if start.dtype != np.bool_:
            raise UserError(
                f"initial must be a boolean lattice (True = cooperator), got {start.dtype}"
            )
    return NowakMayRun(*_evolve(start, b, generations))


def nowak_may_shares(
    b: float,
    *,
    size: int = 200,
    generations: int = 300,
    initial_share: float = 0.9,
    rng: SeedLike,
) -> NDArray[np.float64]:
    """Cooperator share over time from a random start (each site cooperates with ``initial_share``).

    Args:
        b: Temptation T, > 1 (R = 1, S = P = 0).
        size: Side L of the L x L torus, at least 3.
        generations: Number of synchronous generations, >= 0.
        initial_share: Probability that a site starts as a cooperator, in [0, 1].
        rng: Numpy Generator, int seed or SeedSequence.

    Returns:
        Array of length ``generations + 1``: the share at generation 0 (the start) onwards.
    """
    run = nowak_may_run(b, generations=generations, size=size, initial_share=initial_share, rng=rng)
    return run.shares


def nowak_may_sweep(
    bs: ArrayLike,
    *,
    size: int = 200,
    generations: int = 300,
    initial_share: float = 0.9,
    rng: SeedLike,
) -> NDArray[np.float64]:
    """Cooperator-share time series for several temptations from one common random start.

    All values of b start from the same random lattice (common random numbers), and the
    lattices advance together as one stacked array.

    Args:
        bs: Temptations T, each > 1 (R = 1, S = P = 0).
        size: Side L of the L x L torus, at least 3.
        generations: Number of synchronous generations, >= 0.
        initial_share: Probability that a site starts as a cooperator, in [0, 1].
        rng: Numpy Generator, int seed or SeedSequence.

    Returns:
        Array of shape ``(len(bs), generations + 1)``; row i is the share over time for ``bs[i]``.
    """
    try:
        b = np.array(bs, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError) as exc:
        raise UserError(f"bs must be numbers > 1, got {bs!r}") from exc
    if b.size == 0 or not np.all(np.isfinite(b) & (b > 1.0)):
        raise UserError(f"bs must be a non-empty list of finite numbers > 1, got {bs!r}")
    size = integer("size", size, 3)
    generations = integer("generations", generations, 0)
    initial_share = real("initial_share", initial_share, 0.0, 1.0)
    start = generator(rng).random((size, size)) < initial_share
    lattices = np.broadcast_to(start, (b.size, size, size))
    return _evolve(lattices, b[:, None, None], generations)[0]
