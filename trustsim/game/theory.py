"""Closed forms the simulations must reproduce: repeated-game thresholds and Markov payoffs.

Thresholds are on the discount factor (or continuation probability) delta in [0, 1):
cooperation is sustainable, or a deviation unprofitable, iff ``delta >= threshold``. Long-run
payoffs of memory-one strategies come from the 4-state Markov chain over last-round outcomes
(CC, CD, DC, DD) [NowakSigmund1990], strategies written as cooperation probabilities
``(p_CC, p_CD, p_DC, p_DD)`` after each outcome seen from their own side [PressDyson2012].
Fixation probabilities of evolutionary dynamics live in :mod:`trustsim.game.evolution`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from trustsim.errors import UserError
from trustsim.game.games import StageGame
from trustsim.game.strategies import Strategy

__all__ = [
    "all_d_vs_grim_value",
    "enforced_temptation",
    "expected_match_payoffs",
    "fold_noise",
    "grim_sustains",
    "grim_threshold",
    "grim_vs_grim_value",
    "gtft_max_generosity",
    "long_run_payoffs",
    "relational_contract_self_enforcing",
    "relational_contract_threshold",
    "replicator_rest_point",
    "stationary_distribution",
    "tft_alld_payoffs",
    "tft_deviation_threshold",
    "transition_matrix",
]

MemoryOneLike = Strategy | Sequence[float]


def _number(name: str, value: object, low: float, high: float, *, open_high: bool = False):
    """Return ``value`` as a float in [low, high] (or [low, high)), else raise UserError."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise UserError(f"{name} must be a number, got {value!r}")
    x = float(value)
    ok = low <= x < high if open_high else low <= x <= high
    if not ok:
        bracket = ")" if open_high else "]"
        raise UserError(f"{name} must be in [{low:g}, {high:g}{bracket}, got {value!r}")
    return x


def _delta(value: object, name: str = "delta") -> float:
    return _number(name, value, 0.0, 1.0, open_high=True)


# -- repeated-game thresholds -----------------------------------------------------------------


def _trigger_threshold(temptation: float, reward: float, punishment: float) -> float:
    """Least delta with R/(1-delta) >= T + delta P/(1-delta), or 0 if T <= R."""
    if reward <= punishment:
        raise UserError(
            f"a trigger threshold needs reward > punishment, got R={reward:g}, P={punishment:g}"
        )
    if temptation <= reward:
        return 0.0
    return (temptation - reward) / (temptation - punishment)


def grim_threshold(game: StageGame, sanction: float = 0.0) -> float:
    """Smallest delta at which grim trigger sustains cooperation [Friedman1971].

    Cooperating for ever gives R/(1 - delta); defecting gives T now and P for ever after,
    T + delta P/(1 - delta); so cooperation holds iff delta >= (T - R)/(T - P). A social sanction
    s paid by the defector (its ties learn of it) lowers the defection payoff to T - s and the
    threshold to (T - s - R)/(T - s - P). A temptation at or below R gives 0.

    Raises:
        UserError: if R <= P (no trigger can enforce cooperation) or ``sanction`` < 0.
    """
    s = _number("sanction", sanction, 0.0, math.inf)
    return _trigger_threshold(game.temptation - s, game.reward, game.punishment)


def enforced_temptation(game: StageGame, probability: float, penalty: float) -> float:
    """Temptation under a formal contract enforced with probability p and penalty F: T - p F.

    Use it with :func:`grim_threshold` through ``StageGame(..., temptation=T')``, or through
    :func:`grim_sustains`.

    Raises:
        UserError: if ``probability`` is outside [0, 1] or ``penalty`` is negative.
    """
    p = _number("probability", probability, 0.0, 1.0)
    f = _number("penalty", penalty, 0.0, math.inf)
    return game.temptation - p * f


def grim_sustains(
    game: StageGame,
    delta: float,
    *,
    sanction: float = 0.0,
    probability: float = 0.0,
    penalty: float = 0.0,
) -> bool:
    """Whether grim trigger sustains cooperation at ``delta``, with sanction and enforcement.

    The temptation becomes T - p F - s, and the condition delta >= (T' - R)/(T' - P).
    """
    d = _delta(delta)
    t = enforced_temptation(game, probability, penalty)
    s = _number("sanction", sanction, 0.0, math.inf)
    return d >= _trigger_threshold(t - s, game.reward, game.punishment)


def relational_contract_threshold(reneging_gain: float, surplus: float, breakdown: float) -> float:
    """Smallest delta at which a relational contract is self-enforcing.

    Self-enforcement [BakerGibbonsMurphy2002], [Levin2003]: the one-shot gain from reneging is
    at most the discounted future surplus of the relationship over its breakdown value,
    ``g <= delta/(1 - delta) * (surplus - breakdown)``, that is
    ``delta >= g / (g + surplus - breakdown)``. Per-period values throughout. With g = T - R,
    surplus R and breakdown P this is the grim-trigger threshold.

    Returns:
        The threshold in [0, 1], or ``math.inf`` if no delta works (no surplus over breakdown
        but a positive reneging gain).

    Raises:
        UserError: if ``reneging_gain`` is negative or a value is not finite.
    """
    g = _number("reneging_gain", reneging_gain, 0.0, math.inf, open_high=True)
    v = _number("surplus", surplus, -math.inf, math.inf, open_high=True)
    b = _number("breakdown", breakdown, -math.inf, math.inf, open_high=True)
    if g == 0.0:
        return 0.0
    if v - b <= 0.0:
        return math.inf
    return g / (g + v - b)


def relational_contract_self_enforcing(
    reneging_gain: float, surplus: float, breakdown: float, delta: float
) -> bool:
    """True iff ``reneging_gain <= delta/(1 - delta) * (surplus - breakdown)``.

    See :func:`relational_contract_threshold` for the sources and units.
    """
    d = _delta(delta)
    g = _number("reneging_gain", reneging_gain, 0.0, math.inf, open_high=True)
    v = _number("surplus", surplus, -math.inf, math.inf, open_high=True)
    b = _number("breakdown", breakdown, -math.inf, math.inf, open_high=True)
    return g <= d / (1.0 - d) * (v - b)


def tft_deviation_threshold(game: StageGame) -> float:
    """Smallest delta at which a one-shot defection against tit-for-tat does not pay.

    Defecting once then returning to cooperation gives T + delta S instead of R + delta R, so
    it pays iff delta < (T - R)/(R - S) [Axelrod1984].

    Raises:
        UserError: if R <= S.
    """
    r, s, t, _ = game.as_tuple()
    if r <= s:
        raise UserError(f"the tit-for-tat threshold needs reward > sucker, got R={r:g}, S={s:g}")
    return max(0.0, (t - r) / (r - s))


def gtft_max_generosity(game: StageGame) -> float:
    """Generous tit-for-tat's maximal generosity min(1 - (T-R)/(R-S), (R-P)/(T-P)).

    The largest probability of forgiving a defection with which GTFT still cannot be invaded by
    all-defect [NowakSigmund1992]; 1/3 for the default game (3, 0, 5, 1). Clipped to [0, 1].

    Raises:
        UserError: unless T > R > P and R > S.
    """
    r, s, t, p = game.as_tuple()
    if not (t > r > p and r > s):
        raise UserError(
            "generous tit-for-tat's generosity needs temptation > reward > punishment and "
            f"reward > sucker, got R={r:g}, S={s:g}, T={t:g}, P={p:g}"
        )
    return float(min(1.0, max(0.0, min(1 - (t - r) / (r - s), (r - p) / (t - p)))))


def grim_vs_grim_value(game: StageGame, continuation: float) -> float:
    """Expected total payoff of grim trigger against itself with continuation w: R/(1 - w)."""
    w = _delta(continuation, "continuation")
    return game.reward / (1.0 - w)


def all_d_vs_grim_value(game: StageGame, continuation: float) -> float:
    """Expected total payoff of all-defect against grim trigger: T + w P/(1 - w)."""
    w = _delta(continuation, "continuation")
    return game.temptation + w * game.punishment / (1.0 - w)


def tft_alld_payoffs(game: StageGame, continuation: float) -> NDArray[np.float64]:
    """Per-round payoff matrix of tit-for-tat (row 0) and all-defect (row 1), continuation w.

    A match lasts 1/(1 - w) rounds on average; per round [Nowak2006, ch. 4]::

        TFT vs TFT: R                     TFT vs ALLD: (1 - w) S + w P
        ALLD vs TFT: (1 - w) T + w P      ALLD vs ALLD: P
    """
    w = _delta(continuation, "continuation")
    r, s, t, p = game.as_tuple()
    return np.array([[r, (1 - w) * s + w * p], [(1 - w) * t + w * p, p]])


def replicator_rest_point(matrix: NDArray[np.float64] | Sequence[Sequence[float]]) -> float:
    """Share of type 0 at the unstable interior rest point of a bistable 2x2 game.

    With payoffs ``[[a, b], [c, d]]``, a > c and d > b, the replicator dynamics
    x' = x (1 - x) ((a - c) x - (d - b) (1 - x)) have the interior rest point
    x* = (d - b) / (a - b - c + d), which separates takeover of type 0 (above) from its
    extinction (below) [HofbauerSigmund1998; Nowak2006, ch. 4].

    Raises:
        UserError: unless a > c and d > b (no interior unstable rest point).
    """
    (a, b), (c, d) = np.asarray(matrix, dtype=np.float64)
    if not (a > c and d > b):
        raise UserError(f"a bistable game needs a > c and d > b, got [[{a:g}, {b:g}], "
                        f"[{c:g}, {d:g}]]")
    return float((d - b) / (a - b - c + d))


# -- memory-one strategies as a Markov chain ---------------------------------------------------


def fold_noise(p: float | NDArray[np.float64], noise: float) -> NDArray[np.float64]:
    """Cooperation probability after execution noise: (1 - e) p + e (1 - p)."""
    e = _number("noise", noise, 0.0, 1.0)
    p = np.asarray(p, dtype=np.float64)
    return (1.0 - e) * p + e * (1.0 - p)


def _memory_one(x: MemoryOneLike, label: str) -> tuple[float | None, NDArray[np.float64]]:
    """(initial cooperation probability or None, four-vector) of a strategy or a 4-sequence."""
    if isinstance(x, Strategy):
        m1 = x.memory_one()
        if m1 is None:
            raise UserError(f"{label}: {x.name} is not a memory-one strategy")
        p0, vec = m1
        return p0, np.asarray(vec, dtype=np.float64)
    vec = np.asarray(x, dtype=np.float64)
    if vec.shape != (4,) or not np.all((vec >= 0) & (vec <= 1)):
        raise UserError(f"{label} must be four probabilities in [0, 1], got {x!r}")
    return None, vec


def transition_matrix(
    p: MemoryOneLike, q: MemoryOneLike, noise: float = 0.0
) -> NDArray[np.float64]:
    """Transition matrix over last-round outcomes (CC, CD, DC, DD), from player 1's side.

    ``p`` and ``q`` are memory-one strategies or four-vectors (each from its own side); player
    2 in state CD (1 played C, 2 played D) uses its ``q_DC``. Noise is folded in.
    """
    _, pv = _memory_one(p, "p")
    _, qv = _memory_one(q, "q")
    pv = fold_noise(pv, noise)
    qv = fold_noise(qv, noise)[[0, 2, 1, 3]]  # seen from player 1's side
    return np.column_stack([pv * qv, pv * (1 - qv), (1 - pv) * qv, (1 - pv) * (1 - qv)])


def _initial(
    p: MemoryOneLike, q: MemoryOneLike, p0: float | None, q0: float | None, noise: float
) -> NDArray[np.float64]:
    """Distribution of the first round's outcome."""
    sp, _ = _memory_one(p, "p")
    sq, _ = _memory_one(q, "q")
    a = p0 if p0 is not None else (sp if sp is not None else 1.0)
    b = q0 if q0 is not None else (sq if sq is not None else 1.0)
    a = float(fold_noise(_number("p0", a, 0.0, 1.0), noise))
    b = float(fold_noise(_number("q0", b, 0.0, 1.0), noise))
    return np.array([a * b, a * (1 - b), (1 - a) * b, (1 - a) * (1 - b)])


def stationary_distribution(
    p: MemoryOneLike,
    q: MemoryOneLike,
    noise: float = 0.0,
    *,
    p0: float | None = None,
    q0: float | None = None,
) -> NDArray[np.float64]:
    """Long-run share of rounds with each outcome (CC, CD, DC, DD).

    If the chain has a unique stationary distribution (always with 0 < noise < 1), that is
    returned. Otherwise the answer depends on the start, and the Cesaro limit of the chain
    started from the first-round distribution (``p0``, ``q0``: the strategies' own by default,
    1 for bare four-vectors) is returned, so e.g. TFT vs STFT without noise gives the CD/DC
    alternation.
    """
    m = transition_matrix(p, q, noise)
    a = m.T - np.eye(4)
    if np.linalg.matrix_rank(a, tol=1e-12) == 3:
        lhs = np.vstack([a, np.ones(4)])
        rhs = np.array([0.0, 0.0, 0.0, 0.0, 1.0])
        v, *_ = np.linalg.lstsq(lhs, rhs, rcond=None)
    else:
        v0 = _initial(p, q, p0, q0, noise)
        big = np.linalg.matrix_power(m, 2**40)  # transients gone; periods divide 12
        v = np.zeros(4)
        step = v0 @ big
        for _ in range(12):
            v += step
            step = step @ m
        v /= 12.0
    v = np.clip(v, 0.0, None)
    return v / v.sum()


def long_run_payoffs(
    p: MemoryOneLike,
    q: MemoryOneLike,
    game: StageGame | None = None,
    noise: float = 0.0,
    *,
    p0: float | None = None,
    q0: float | None = None,
) -> tuple[float, float]:
    """Long-run mean payoff per round of both players, from :func:`stationary_distribution`.

    Under any noise in (0, 1), two tit-for-tat players get (R + S + T + P)/4 each.
    """
    game = StageGame() if game is None else game
    v = stationary_distribution(p, q, noise, p0=p0, q0=q0)
    r, s, t, pp = game.as_tuple()
    return float(v @ [r, s, t, pp]), float(v @ [r, t, s, pp])


def expected_match_payoffs(
    p: MemoryOneLike,
    q: MemoryOneLike,
    game: StageGame | None = None,
    *,
    turns: int | None = None,
    continuation: float | None = None,
    noise: float = 0.0,
    p0: float | None = None,
    q0: float | None = None,
) -> tuple[float, float]:
    """Exact expected total payoffs of a match between two memory-one strategies.

    With ``turns`` n: the sum over rounds t < n of v0 M^t f. With ``continuation`` w (round t
    is played with probability w^t): v0 (I - w M)^-1 f. v0 is the first-round distribution.
    """
    game = StageGame() if game is None else game
    if (turns is None) == (continuation is None):
        raise UserError("give exactly one of turns or continuation")
    m = transition_matrix(p, q, noise)
    v = _initial(p, q, p0, q0, noise)
    r, s, t, pp = game.as_tuple()
    f = np.array([[r, r], [s, t], [t, s], [pp, pp]])
    if continuation is not None:
        w = _delta(continuation, "continuation")
        out = v @ np.linalg.solve(np.eye(4) - w * m, f)
    else:
        if isinstance(turns, bool) or not isinstance(turns, int) or turns < 1:
            raise UserError(f"turns must be an integer >= 1, got {turns!r}")
        out = np.zeros(2)
        for _ in range(turns):
            out += v @ f
            v = v @ m
    return float(out[0]), float(out[1])
