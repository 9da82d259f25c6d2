"""Iterated matches between two strategies: one at a time, or many at once as arrays.

:func:`play_match` is the scalar reference path (one match, a Python loop over rounds, the
strategies deciding with n = 1); :func:`play_batch` plays many matches at once with a loop over
rounds only, every decision of a round being one vectorised call per strategy. Both give the
same actions for the same seed and match index.

Random numbers. Each match has its own counter-based stream: the uniform for match ``i``,
round ``r`` and slot ``k`` is a pure function of ``(key, i, r, k)``, so it does not depend on the
batch size, on which matches are still running, or on what the strategies consume. ``key`` is
one 64-bit integer drawn from the numpy Generator built from ``rng`` (``np.random.default_rng``
of an int, SeedSequence or Generator). The slots of round ``r`` are ``4r + 0`` (player A's
decision), ``4r + 1`` (B's decision), ``4r + 2`` (A's noise flip), ``4r + 3`` (B's noise flip);
a random match length uses the slot ``2**62``. The function is two SplitMix64 steps
[Steele2014]: a per-match seed ``s_i = mix(key + G (i + 1))`` and the uniform
``mix(s_i + G (slot + 1)) >> 11`` times ``2**-53``, with G the golden-ratio increment. Hence
``play_batch(..., rng=s)`` match ``i`` equals ``play_match(..., rng=s, match_index=i)``.

Noise flips each intended action with probability ``noise`` (when ``u_noise < noise``); both
players then see, and remember as played, the flipped action, as in the Axelrod library.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from trustsim.errors import UserError
from trustsim.game.games import StageGame
from trustsim.game.strategies import History, Strategy, get_strategy

__all__ = [
    "BatchResult",
    "MatchResult",
    "match_key",
    "match_lengths",
    "play_batch",
    "play_match",
    "uniforms",
]

#: Number of turns when neither ``turns`` nor ``continuation`` is given (as in Axelrod).
DEFAULT_TURNS = 200
#: Largest number of turns accepted.
MAX_TURNS = 10_000_000

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_LENGTH_SLOT = 2**62


def _mix(z: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """SplitMix64 output function, on a uint64 array (wrapping arithmetic, new array)."""
    z = z ^ (z >> np.uint64(30))
    z *= _M1
    z ^= z >> np.uint64(27)
    z *= _M2
    z ^= z >> np.uint64(31)
    return z


def match_key(rng: int | np.random.Generator | np.random.SeedSequence | None) -> np.uint64:
    """The 64-bit stream key of a match or batch: one draw from ``default_rng(rng)``."""
    if isinstance(rng, bool):
        raise UserError(f"rng must be an int seed, a SeedSequence or a Generator, got {rng!r}")
    if isinstance(rng, int | np.integer) and rng < 0:
        raise UserError(f"seed must be >= 0, got {rng}")
    try:
        gen = np.random.default_rng(rng)
    except (TypeError, ValueError) as err:
        raise UserError(
            f"rng must be an int seed, a SeedSequence or a Generator, got {rng!r}"
        ) from err
    return np.uint64(gen.integers(0, 2**64, dtype=np.uint64, endpoint=False))


def _match_seeds(key: np.uint64, index: NDArray[np.integer]) -> NDArray[np.uint64]:
    """Per-match stream seeds ``mix(key + G (i + 1))``."""
    i = np.asarray(index, dtype=np.uint64).reshape(-1)
    return _mix(key + _GAMMA * (i + np.uint64(1)))


def uniforms(seeds: NDArray[np.uint64], slot: int) -> NDArray[np.float64]:
    """The uniforms in [0, 1) of one slot for matches with the given stream seeds."""
    offset = np.uint64((int(_GAMMA) * (slot + 1)) % 2**64)
    z = _mix(seeds + offset)
    return (z >> np.uint64(11)).astype(np.float64) * (2.0**-53)


def _check_setup(
    turns: int | None, continuation: float | None, noise: float
) -> tuple[int | None, float | None, float]:
    if turns is not None and continuation is not None:
        raise UserError("give either turns or continuation, not both")
    if turns is None and continuation is None:
        turns = DEFAULT_TURNS
    if turns is not None:
        if isinstance(turns, bool) or not isinstance(turns, int | np.integer):
            raise UserError(f"turns must be an integer in [1, {MAX_TURNS}], got {turns!r}")
        if not 1 <= turns <= MAX_TURNS:
            raise UserError(f"turns must be in [1, {MAX_TURNS}], got {turns}")
        turns = int(turns)
    if continuation is not None:
        w = _as_float("continuation", continuation)
        if not 0.0 <= w < 1.0:
            raise UserError(f"continuation must be in [0, 1), got {continuation!r}")
        continuation = w
    e = _as_float("noise", noise)
    if not 0.0 <= e <= 1.0:
        raise UserError(f"noise must be in [0, 1], got {noise!r}")
    return turns, continuation, e


def _as_float(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise UserError(f"{name} must be a number, got {value!r}")
    out = float(value)
    if math.isnan(out):
        raise UserError(f"{name} must be a number, got {value!r}")
    return out


def _as_strategy(s: Strategy | str, label: str) -> Strategy:
    if isinstance(s, Strategy):
        return s
    if isinstance(s, str):
        return get_strategy(s)
    raise UserError(f"player {label} must be a Strategy or a strategy key, got {s!r}")


def match_lengths(
    seeds: NDArray[np.uint64], turns: int | None, continuation: float | None
) -> NDArray[np.int64]:
    """Number of rounds of each match: ``turns``, or geometric with P(L > k) = w**k."""
    if continuation is None:
        return np.full(seeds.shape[0], turns, dtype=np.int64)
    if continuation == 0.0:
        return np.ones(seeds.shape[0], dtype=np.int64)
    v = 1.0 - uniforms(seeds, _LENGTH_SLOT)  # in (0, 1]
    lengths = 1 + np.floor(np.log(v) / math.log(continuation))
    return np.minimum(lengths, MAX_TURNS).astype(np.int64)


@dataclass(frozen=True)
class MatchResult:
    """One match: both action histories (0 = C, 1 = D), per-round payoffs and totals."""

    player_a: Strategy
    player_b: Strategy
    game: StageGame
    history_a: NDArray[np.int8]
    history_b: NDArray[np.int8]
    payoffs_a: NDArray[np.float64]
    payoffs_b: NDArray[np.float64]

    @property
    def turns(self) -> int:
        """Number of rounds played."""
        return int(self.history_a.shape[0])

    @property
    def score_a(self) -> float:
        """Player A's total payoff."""
        return float(self.payoffs_a.sum())

    @property
    def score_b(self) -> float:
        """Player B's total payoff."""
        return float(self.payoffs_b.sum())

    @property
    def totals(self) -> tuple[float, float]:
        """Both players' total payoffs, ``(score_a, score_b)``."""
        return self.score_a, self.score_b

    @property
    def cooperation_a(self) -> float:
        """Player A's share of cooperative actions."""
        return float(np.mean(self.history_a == 0))

    @property
    def cooperation_b(self) -> float:
        """Player B's share of cooperative actions."""
        return float(np.mean(self.history_b == 0))

    def history_string(self, side: str = "a") -> str:
        """Player ``side``'s ("a" or "b") actions as a string of C and D."""
        if side not in ("a", "b"):
            raise UserError(f"side must be 'a' or 'b', got {side!r}")
        h = self.history_a if side == "a" else self.history_b
        return "".join("CD"[int(x)] for x in h)


@dataclass(frozen=True)
class BatchResult:
    """Many matches between the same two strategies, as arrays indexed by match.

    ``actions_a``/``actions_b`` have shape (n_matches, max(lengths)), with -1 after a match's
    end; they are None when the batch was played with ``keep_history=False``.
    """

    player_a: Strategy
    player_b: Strategy
    game: StageGame
    lengths: NDArray[np.int64]
    score_a: NDArray[np.float64]
    score_b: NDArray[np.float64]
    cooperations_a: NDArray[np.int64]
    cooperations_b: NDArray[np.int64]
    actions_a: NDArray[np.int8] | None
    actions_b: NDArray[np.int8] | None

    def __len__(self) -> int:
        return int(self.lengths.shape[0])

    @cached_property
    def payoffs_a(self) -> NDArray[np.float64]:
        """Player A's per-round payoffs, shape like ``actions_a`` (NaN after the end)."""
        return self._payoffs(self.actions_a, self.actions_b)

    @cached_property
    def payoffs_b(self) -> NDArray[np.float64]:
        """Player B's per-round payoffs, shape like ``actions_b`` (NaN after the end)."""
        return self._payoffs(self.actions_b, self.actions_a)

    def _payoffs(self, mine: NDArray[np.int8] | None, theirs: NDArray[np.int8] | None):
        if mine is None or theirs is None:
            raise UserError("this batch was played with keep_history=False")
        m = self.game.matrix()
        live = mine >= 0
        out = np.full(mine.shape, np.nan)
        out[live] = m[mine[live], theirs[live]]
        return out

    @property
    def mean_score_a(self) -> float:
        """Player A's mean total payoff over the matches."""
        return float(self.score_a.mean())

    @property
    def mean_score_b(self) -> float:
        """Player B's mean total payoff over the matches."""
        return float(self.score_b.mean())

    @property
    def per_turn_a(self) -> NDArray[np.float64]:
        """Player A's mean payoff per round, per match."""
        return self.score_a / self.lengths

    @property
    def per_turn_b(self) -> NDArray[np.float64]:
        """Player B's mean payoff per round, per match."""
        return self.score_b / self.lengths

    def match(self, i: int) -> MatchResult:
        """Match ``i`` as a :class:`MatchResult`."""
        if self.actions_a is None or self.actions_b is None:
            raise UserError("this batch was played with keep_history=False")
        n = int(self.lengths[i])
        return MatchResult(
            self.player_a,
            self.player_b,
            self.game,
            self.actions_a[i, :n].copy(),
            self.actions_b[i, :n].copy(),
            self.payoffs_a[i, :n].copy(),
            self.payoffs_b[i, :n].copy(),
        )


def play_match(
    a: Strategy | str,
    b: Strategy | str,
    game: StageGame | None = None,
    turns: int | None = None,
    continuation: float | None = None,
    noise: float = 0.0,
    rng: int | np.random.Generator | np.random.SeedSequence | None = None,
    *,
    match_index: int = 0,
) -> MatchResult:
    """Play one match, round by round (the scalar reference path).

    Args:
        a: player A, a :class:`Strategy` or a registry key.
        b: player B.
        game: the stage game (default ``StageGame()``: R, S, T, P = 3, 0, 5, 1).
        turns: fixed number of rounds; default 200 when ``continuation`` is not given.
        continuation: probability w that another round follows; the length is geometric with
            at least one round, mean 1 / (1 - w).
        noise: probability that each intended action is flipped.
        rng: seed (int), SeedSequence or Generator; see the module docstring for the stream.
        match_index: which match of a batch with the same ``rng`` to reproduce.

    Returns:
        The :class:`MatchResult`.

    Raises:
        UserError: for a bad strategy, length, probability or seed.
    """
    pa, pb = _as_strategy(a, "a"), _as_strategy(b, "b")
    game = StageGame() if game is None else game
    turns, continuation, noise = _check_setup(turns, continuation, noise)
    if isinstance(match_index, bool) or not isinstance(match_index, int) or match_index < 0:
        raise UserError(f"match_index must be an integer >= 0, got {match_index!r}")
    seed = _match_seeds(match_key(rng), np.array([match_index]))
    n = int(match_lengths(seed, turns, continuation)[0])
    m = game.matrix()
    ha, hb = History.empty(1), History.empty(1)
    acts = np.empty((2, n), dtype=np.int8)
    for r in range(n):
        act_a = pa.decide(ha, uniforms(seed, 4 * r))
        act_b = pb.decide(hb, uniforms(seed, 4 * r + 1))
        if noise > 0:
            act_a = act_a ^ (uniforms(seed, 4 * r + 2) < noise)
            act_b = act_b ^ (uniforms(seed, 4 * r + 3) < noise)
        ha.record(act_a, act_b)
        hb.record(act_b, act_a)
        acts[0, r], acts[1, r] = act_a[0], act_b[0]
    return MatchResult(pa, pb, game, acts[0], acts[1], m[acts[0], acts[1]], m[acts[1], acts[0]])


def play_batch(
    a: Strategy | str,
    b: Strategy | str,
    n_matches: int,
    game: StageGame | None = None,
    turns: int | None = None,
    continuation: float | None = None,
    noise: float = 0.0,
    rng: int | np.random.Generator | np.random.SeedSequence | None = None,
    *,
    keep_history: bool = True,
) -> BatchResult:
    """Play ``n_matches`` independent matches at once, as arrays.

    The loop runs over rounds, never over matches. Matches are ordered by length (longest
    first) internally, so the matches still running at round r are a prefix and each round
    works on array views of exactly the live matches. A deterministic strategy (classifier
    ``stochastic`` False) is handed zeros instead of its uniforms, which by contract it ignores
    (``tests/strategies`` checks that), and plain-match trust shares are only kept up to date
    when a strategy uses trust or reputation; neither changes any result.

    Args:
        a: player A, a :class:`Strategy` or a registry key.
        b: player B.
        n_matches: number of matches (match indices 0 .. n_matches - 1).
        game: the stage game (default ``StageGame()``).
        turns: fixed number of rounds; default 200 when ``continuation`` is not given.
        continuation: probability w that another round follows (geometric lengths, >= 1).
        noise: probability that each intended action is flipped.
        rng: seed (int), SeedSequence or Generator; see the module docstring for the stream.
        keep_history: keep the (n_matches, max length) action arrays; False keeps only totals
            and cooperation counts (for very many or very long matches).

    Returns:
        The :class:`BatchResult`; match ``i`` equals ``play_match(..., match_index=i)``.

    Raises:
        UserError: for a bad strategy, count, length, probability or seed.
    """
    pa, pb = _as_strategy(a, "a"), _as_strategy(b, "b")
    game = StageGame() if game is None else game
    turns, continuation, noise = _check_setup(turns, continuation, noise)
    if isinstance(n_matches, bool) or not isinstance(n_matches, int | np.integer):
        raise UserError(f"n_matches must be an integer >= 1, got {n_matches!r}")
    if n_matches < 1:
        raise UserError(f"n_matches must be >= 1, got {n_matches}")
    n = int(n_matches)
    seeds_all = _match_seeds(match_key(rng), np.arange(n))
    lengths = match_lengths(seeds_all, turns, continuation)
    order = np.argsort(-lengths, kind="stable")
    seeds = seeds_all[order]
    sorted_len = lengths[order]
    max_len = int(sorted_len[0])
    # live[r] = number of matches with more than r rounds (a prefix of the sorted order).
    live = n - np.searchsorted(np.sort(lengths), np.arange(max_len), side="right")
    stoch_a = bool(pa.classifier.get("stochastic", True))
    stoch_b = bool(pb.classifier.get("stochastic", True))
    shares = any(
        p.classifier.get(k, True) for p in (pa, pb) for k in ("uses_trust", "uses_reputation")
    )

    flat = game.matrix().reshape(-1)
    ha, hb = History.empty(n), History.empty(n)
    score_a, score_b = np.zeros(n), np.zeros(n)
    coop_a, coop_b = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    if keep_history:
        rows_a = np.full((max_len, n), -1, dtype=np.int8)
        rows_b = np.full((max_len, n), -1, dtype=np.int8)
    zeros = np.zeros(n)
    for r in range(max_len):
        k = int(live[r])
        va, vb = _view(ha, k), _view(hb, k)
        s = seeds[:k]
        act_a = pa.decide(va, uniforms(s, 4 * r) if stoch_a else zeros[:k])
        act_b = pb.decide(vb, uniforms(s, 4 * r + 1) if stoch_b else zeros[:k])
        if noise > 0:
            act_a = act_a ^ (uniforms(s, 4 * r + 2) < noise)
            act_b = act_b ^ (uniforms(s, 4 * r + 3) < noise)
        ia = act_a.astype(np.int8)
        ib = act_b.astype(np.int8)
        va.record(ia, ib, update_shares=shares)
        vb.record(ib, ia, update_shares=shares)
        cell = 2 * ia.astype(np.intp) + ib
        score_a[:k] += flat[cell]
        score_b[:k] += flat[2 * ib.astype(np.intp) + ia]
        coop_a[:k] += 1 - ia
        coop_b[:k] += 1 - ib
        if keep_history:
            rows_a[r, :k] = ia
            rows_b[r, :k] = ib
    inverse = np.empty(n, dtype=np.intp)
    inverse[order] = np.arange(n)
    return BatchResult(
        pa,
        pb,
        game,
        lengths,
        score_a[inverse],
        score_b[inverse],
        coop_a[inverse],
        coop_b[inverse],
        rows_a.T[inverse] if keep_history else None,
        rows_b.T[inverse] if keep_history else None,
    )


def _view(h: History, k: int) -> History:
    """The first ``k`` decisions of ``h`` as views (writes go through to ``h``)."""
    return History(
        turn=h.turn[:k],
        my_last=h.my_last[:k],
        their_last=h.their_last[:k],
        their_last2=h.their_last2[:k],
        their_c=h.their_c[:k],
        their_d=h.their_d[:k],
        their_ever_defected=h.their_ever_defected[:k],
        trust=h.trust[:k],
        partner_reputation=h.partner_reputation[:k],
    )
