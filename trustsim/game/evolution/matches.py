"""The 2x2 payoff matrix of two strategies from repeated matches, for the population dynamics.

Entry ``[i, j]`` is the mean total payoff of strategy i in a match against strategy j, so two
strategies of the repeated game become the two types of a well-mixed or graph population, as in
the tit-for-tat against always-defect example of [Nowak2004].
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from trustsim.game.evolution._validate import SeedLike, generator, integer
from trustsim.game.games import StageGame
from trustsim.game.match import play_batch
from trustsim.game.strategies import Strategy


def match_payoff_matrix(
    a: Strategy | str,
    b: Strategy | str,
    *,
    game: StageGame | None = None,
    turns: int | None = None,
    continuation: float | None = None,
    noise: float = 0.0,
    n_matches: int = 1000,
    rng: SeedLike,
) -> NDArray[np.float64]:
    """Mean match payoffs of strategies ``a`` (type 0) and ``b`` (type 1) against each other.

    Plays three batches (a against a, a against b, b against b) with independent streams
    spawned from ``rng``; the match arguments are those of :func:`trustsim.game.match.play_batch`.

    Args:
        a: First strategy (row/column 0), a :class:`Strategy` or a registry key.
        b: Second strategy (row/column 1).
        game: Stage game (default ``StageGame()``: R, S, T, P = 3, 0, 5, 1).
        turns: Fixed number of rounds per match.
        continuation: Probability that another round follows (geometric match length).
        noise: Probability that each intended action is flipped.
        n_matches: Matches per pairing, at least 1 (1 suffices for deterministic play).
        rng: Numpy Generator, int seed or SeedSequence.

    Returns:
        ``[[a vs a, a vs b], [b vs a, b vs b]]`` mean total payoffs.
    """
    n_matches = integer("n_matches", n_matches, 1)
    streams = generator(rng).spawn(3)
    kwargs = {"game": game, "turns": turns, "continuation": continuation, "noise": noise}
    aa = play_batch(a, a, n_matches, rng=streams[0], keep_history=False, **kwargs)
    ab = play_batch(a, b, n_matches, rng=streams[1], keep_history=False, **kwargs)
    bb = play_batch(b, b, n_matches, rng=streams[2], keep_history=False, **kwargs)
    return np.array(
        [
            [(aa.mean_score_a + aa.mean_score_b) / 2, ab.mean_score_a],
            [ab.mean_score_b, (bb.mean_score_a + bb.mean_score_b) / 2],
        ]
    )
