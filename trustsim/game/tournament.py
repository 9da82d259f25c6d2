"""Round-robin tournaments: every strategy meets every other, repeated, as batches of matches.

Each pairing is one :func:`trustsim.game.match.play_batch` of ``repetitions`` matches, seeded with
``SeedSequence(entropy, spawn_key=(i, j))`` for the players at positions i <= j, so a pairing's
results depend only on the seed and the two positions. Scores are payoffs per round.
Players are ranked by their mean payoff per round over all their matches [Axelrod1984].
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from trustsim.errors import UserError
from trustsim.game.games import StageGame
from trustsim.game.match import play_batch
from trustsim.game.strategies import Strategy, get_strategy

__all__ = ["TournamentResult", "round_robin"]


@dataclass(frozen=True)
class TournamentResult:
    """Outcome of a round robin.

    Attributes:
        names: player labels (the strategy's display name, numbered when repeated).
        scores: ``scores[i, j]`` is player i's mean payoff per round against player j (NaN on
            the diagonal without self-play).
        cooperation: ``cooperation[i, j]``, player i's share of cooperative actions against j.
        records: one dict per match (the tidy table's rows).
    """

    names: list[str]
    scores: NDArray[np.float64]
    cooperation: NDArray[np.float64]
    records: list[dict[str, Any]]

    def mean_scores(self) -> NDArray[np.float64]:
        """Each player's mean payoff per round over its opponents (self included if played)."""
        return np.nanmean(self.scores, axis=1)

    def ranking(self) -> list[tuple[str, float]]:
        """Players and mean payoffs per round, best first (ties keep the entry order)."""
        means = self.mean_scores()
        order = sorted(range(len(self.names)), key=lambda i: -means[i])
        return [(self.names[i], float(means[i])) for i in order]

    def table(self) -> Any:
        """The per-match records as a pandas DataFrame (one row per player pair and match)."""
        import pandas as pd

        return pd.DataFrame.from_records(self.records)


def _labels(players: list[Strategy]) -> list[str]:
    names = [str(p) for p in players]
    out = []
    for i, name in enumerate(names):
        out.append(f"{name} #{names[:i].count(name) + 1}" if names.count(name) > 1 else name)
    return out


def round_robin(
    strategies: Sequence[Strategy | str],
    game: StageGame | None = None,
    *,
    turns: int | None = None,
    continuation: float | None = None,
    noise: float = 0.0,
    repetitions: int = 1,
    self_play: bool = True,
    rng: int | np.random.SeedSequence | None = None,
) -> TournamentResult:
    """Play a round-robin tournament.

    Args:
        strategies: the players (strategies or registry keys), at least two.
        game: the stage game (default ``StageGame()``).
        turns: rounds per match (default 200 unless ``continuation`` is given).
        continuation: probability of another round (geometric match lengths).
        noise: probability that each intended action is flipped.
        repetitions: matches per pairing.
        self_play: also match each player with a copy of itself (its score against itself is
            the mean of both sides).
        rng: int seed or SeedSequence (its entropy keys every pairing).

    Raises:
        UserError: for fewer than two players or a bad count, length, probability or seed.
    """
    players = [get_strategy(s) if isinstance(s, str) else s for s in strategies]
    if len(players) < 2:
        raise UserError(f"a tournament needs at least 2 strategies, got {len(players)}")
    if isinstance(repetitions, bool) or not isinstance(repetitions, int) or repetitions < 1:
        raise UserError(f"repetitions must be an integer >= 1, got {repetitions!r}")
    if isinstance(rng, np.random.SeedSequence):
        root = rng
    elif rng is None or (isinstance(rng, int) and not isinstance(rng, bool) and rng >= 0):
        root = np.random.SeedSequence(rng)
    else:
        raise UserError(f"rng must be an int seed >= 0 or a SeedSequence, got {rng!r}")
    game = StageGame() if game is None else game
    names = _labels(players)
    k = len(players)
    scores = np.full((k, k), np.nan)
    coop = np.full((k, k), np.nan)
    records: list[dict[str, Any]] = []
    for i in range(k):
        for j in range(i, k):
            if i == j and not self_play:
                continue
            seed = np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, i, j))
            res = play_batch(
                players[i],
                players[j],
                repetitions,
                game,
                turns=turns,
                continuation=continuation,
                noise=noise,
                rng=seed,
                keep_history=False,
            )
            rounds = res.lengths.sum()
            sa, sb = res.score_a.sum() / rounds, res.score_b.sum() / rounds
            ca = res.cooperations_a.sum() / rounds
            cb = res.cooperations_b.sum() / rounds
            if i == j:
                scores[i, i], coop[i, i] = (sa + sb) / 2, (ca + cb) / 2
            else:
                scores[i, j], scores[j, i] = sa, sb
                coop[i, j], coop[j, i] = ca, cb
            for m in range(repetitions):
                records.append(
                    {
                        "player_a": names[i],
                        "player_b": names[j],
                        "repetition": m,
                        "turns": int(res.lengths[m]),
                        "score_a": float(res.score_a[m]),
                        "score_b": float(res.score_b[m]),
                        "cooperation_a": float(res.cooperations_a[m] / res.lengths[m]),
                        "cooperation_b": float(res.cooperations_b[m] / res.lengths[m]),
                    }
                )
    return TournamentResult(names, scores, coop, records)
