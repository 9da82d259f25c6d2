"""Symmetric 2x2 stage games: payoffs, classification and Nash equilibria.

A stage game is an immutable value ``StageGame(reward, sucker, temptation, punishment)``, the
(R, S, T, P) of [Axelrod1984]. Actions are :class:`Action` values that index the payoff matrix
directly, ``C = 0`` (cooperate: supply / honour the exchange) and ``D = 1`` (defect: withhold).
Nothing here draws random numbers or knows about the model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum
from numbers import Real

import numpy as np
from numpy.typing import ArrayLike, NDArray

from trustsim.errors import UserError

__all__ = [
    "Action",
    "C",
    "D",
    "GAME_CLASSES",
    "StageGame",
    "classify",
    "nash_equilibria",
    "payoffs",
]


class Action(IntEnum):
    """A move in the stage game; the value indexes the payoff matrix."""

    C = 0  # cooperate: supply / honour the exchange
    D = 1  # defect: withhold

    def flip(self) -> Action:
        """Return the other action."""
        return Action(1 - self)

    def __str__(self) -> str:
        return self.name


C = Action.C
D = Action.D

#: The labels :func:`classify` returns.
GAME_CLASSES = ("prisoners_dilemma", "stag_hunt", "snowdrift", "harmony", "other")


def _check_number(name: str, value: object) -> float:
    """Return ``value`` as a float, or raise :class:`UserError` naming the field."""
    if isinstance(value, bool) or not isinstance(value, Real | np.number):
        raise UserError(f"{name} must be a finite number, got {value!r}")
    out = float(value)
    if not math.isfinite(out):
        raise UserError(f"{name} must be a finite number, got {value!r}")
    return out


@dataclass(frozen=True, slots=True)
class StageGame:
    """A symmetric 2x2 stage game with payoffs (R, S, T, P) [Axelrod1984].

    Args:
        reward: R, each player's payoff when both cooperate.
        sucker: S, the cooperator's payoff against a defector.
        temptation: T, the defector's payoff against a cooperator.
        punishment: P, each player's payoff when both defect.

    Raises:
        UserError: if a payoff is not a finite number (the message names the field).
    """

    reward: float = 3.0
    sucker: float = 0.0
    temptation: float = 5.0
    punishment: float = 1.0

    def __post_init__(self) -> None:
        for name in ("reward", "sucker", "temptation", "punishment"):
            object.__setattr__(self, name, _check_number(name, getattr(self, name)))

    # -- views -------------------------------------------------------------------------------

    def matrix(self) -> NDArray[np.float64]:
        """Row player's payoffs indexed ``[my_action, their_action]``: ``[[R, S], [T, P]]``."""
        return np.array(
            [[self.reward, self.sucker], [self.temptation, self.punishment]], dtype=np.float64
        )

    def bimatrix(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Return ``(A, B)``: row and column players' payoffs, both indexed ``[row, column]``."""
        a = self.matrix()
        return a, a.T.copy()

    def as_tuple(self) -> tuple[float, float, float, float]:
        """Return ``(R, S, T, P)``."""
        return (self.reward, self.sucker, self.temptation, self.punishment)

    def classify(self) -> str:
        """Return the game's class; see :func:`classify`."""
        return classify(self)

    def nash_equilibria(self) -> list[tuple[NDArray[np.float64], NDArray[np.float64]]]:
        """Return the Nash equilibria; see :func:`nash_equilibria`."""
        return nash_equilibria(self)

    def is_dilemma(self) -> bool:
        """True for an iterated prisoner's dilemma: T > R > P > S and 2R > T + S."""
        r, s, t, p = self.as_tuple()
        return classify(self) == "prisoners_dilemma" and _gt(2 * r, t + s)

    # -- constructors ------------------------------------------------------------------------

    @classmethod
    def donation(cls, benefit: float = 3.0, cost: float = 1.0) -> StageGame:
        """The donation game: cooperating costs the giver ``cost`` and gives ``benefit``.

        R = b - c, S = -c, T = b, P = 0 [NowakSigmund2005]. A prisoner's dilemma iff b > c > 0.

        Raises:
            UserError: if ``benefit`` or ``cost`` is not a finite non-negative number.
        """
        b = _check_number("benefit", benefit)
        c = _check_number("cost", cost)
        if b < 0:
            raise UserError(f"benefit must be >= 0, got {benefit!r}")
        if c < 0:
            raise UserError(f"cost must be >= 0, got {cost!r}")
        return cls(reward=b - c, sucker=-c, temptation=b, punishment=0.0)

    @classmethod
    def stag_hunt(cls, stag: float = 4.0, hare: float = 3.0, failure: float = 0.0) -> StageGame:
        """The stag hunt [Skyrms2004]: R = stag, S = failure, T = P = hare.

        Hunting stag pays ``stag`` only if both hunt it (alone it pays ``failure``); hunting hare
        pays ``hare`` whatever the partner does. A stag hunt iff stag > hare > failure.

        Raises:
            UserError: if a payoff is not a finite number.
        """
        s = _check_number("stag", stag)
        h = _check_number("hare", hare)
        f = _check_number("failure", failure)
        return cls(reward=s, sucker=f, temptation=h, punishment=h)

    @classmethod
    def trust_game(cls, endowment: float = 2.0, multiplier: float = 3.0) -> StageGame:
        """The investment (trust) game [Berg1995] reduced to a symmetric 2x2 game.

        The reduction: in the sequential game both players hold ``endowment`` e; the investor
        either keeps it or sends it all, and the amount sent is multiplied by ``multiplier`` m on
        its way to the trustee, who either returns a share r of the m*e received or keeps it.
        Sending is restricted to all-or-nothing and returning to r-or-nothing. Each player then
        takes either role with probability 1/2 and chooses a whole plan, C = (send, return) or
        D = (keep, keep); the 2x2 payoff is the role-averaged expected payoff:

        - R = (e + m e) / 2 (as investor r m e, as trustee e + (1 - r) m e),
        - S = e / 2 (sent and was not repaid: 0; as trustee not trusted: e),
        - T = e + m e / 2 (as investor e; as trustee e + m e, keeping all),
        - P = e.

        The return share r cancels in the average, so it is not a parameter. The result is a
        prisoner's dilemma (with 2R > T + S) iff m > 1. Defaults give (R, S, T, P) = (4, 1, 5, 2).

        Raises:
            UserError: if ``endowment`` is not positive or ``multiplier`` is negative.
        """
        e = _check_number("endowment", endowment)
        m = _check_number("multiplier", multiplier)
        if e <= 0:
            raise UserError(f"endowment must be > 0, got {endowment!r}")
        if m < 0:
            raise UserError(f"multiplier must be >= 0, got {multiplier!r}")
        return cls(reward=(e + m * e) / 2, sucker=e / 2, temptation=e + m * e / 2, punishment=e)


def payoffs(
    a: Action | int | ArrayLike, b: Action | int | ArrayLike, game: StageGame
) -> tuple[float, float] | tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return both players' payoffs for actions ``a`` (row) and ``b`` (column).

    Works on single actions (returns floats) and on integer arrays of actions (returns arrays).
    """
    m = game.matrix()
    if np.ndim(a) == 0 and np.ndim(b) == 0:
        return float(m[int(a), int(b)]), float(m[int(b), int(a)])
    ia, ib = np.asarray(a, dtype=np.intp), np.asarray(b, dtype=np.intp)
    return m[ia, ib], m[ib, ia]


def _gt(x: float, y: float) -> bool:
    """Return x > y, with values within floating-point tolerance counted as equal."""
    return x > y and not np.isclose(x, y)


def _ge(x: float, y: float) -> bool:
    """Return x >= y, with values within floating-point tolerance counted as equal."""
    return x > y or bool(np.isclose(x, y))


def classify(game: StageGame) -> str:
    """Classify a symmetric 2x2 game by the order of its payoffs.

    - ``prisoners_dilemma``: T > R > P > S (defection dominant, mutual cooperation better);
    - ``stag_hunt``: R > T >= P > S (coordination: both pure symmetric profiles equilibria);
    - ``snowdrift`` (chicken, hawk-dove): T > R > S > P (the best reply is the other action);
    - ``harmony``: R > T and S > P (cooperation dominant);
    - ``other``: anything else, including games with ties not listed above.

    Equalities use ``np.isclose``.
    """
    r, s, t, p = game.as_tuple()
    if _gt(t, r) and _gt(r, p) and _gt(p, s):
        return "prisoners_dilemma"
    if _gt(r, t) and _ge(t, p) and _gt(p, s):
        return "stag_hunt"
    if _gt(t, r) and _gt(r, s) and _gt(s, p):
        return "snowdrift"
    if _gt(r, t) and _gt(s, p):
        return "harmony"
    return "other"


def _interior_mix(x00: float, x01: float, x10: float, x11: float) -> float | None:
    """Probability q on the first column making ``[[x00, x01], [x10, x11]]``'s rows equal.

    Returns None when no q in the open interval (0, 1) does.
    """
    denom = x00 - x01 - x10 + x11
    if np.isclose(denom, 0.0):
        return None
    q = (x11 - x01) / denom
    if q <= 0 or q >= 1 or np.isclose(q, 0.0) or np.isclose(q, 1.0):
        return None
    return float(q)


def nash_equilibria(
    game: StageGame | ArrayLike, column: ArrayLike | None = None
) -> list[tuple[NDArray[np.float64], NDArray[np.float64]]]:
    """Nash equilibria, mixed included, of a 2x2 game.

    Args:
        game: a :class:`StageGame` (symmetric), or the row player's 2x2 payoff matrix ``A``.
        column: the column player's payoff matrix ``B`` (indexed ``[row, column]``) when
            ``game`` is a matrix; ``None`` means the symmetric game ``B = A.T``.

    Returns:
        A list of ``(row_strategy, column_strategy)`` pairs of probability vectors over
        ``(C, D)`` (first row/column, second row/column): pure equilibria first, then mixed
        ones, in a fixed order. For a non-degenerate game this is the complete set. In a
        degenerate game (a player indifferent against a pure action), continua of equilibria
        are represented by their extreme points, as vertex enumeration gives them.

    Raises:
        UserError: if the matrices are not 2x2 with finite entries.
    """
    if isinstance(game, StageGame):
        a, b = game.bimatrix()
    else:
        a = np.asarray(game, dtype=np.float64)
        b = a.T.copy() if column is None else np.asarray(column, dtype=np.float64)
    for label, m in (("row payoff matrix", a), ("column payoff matrix", b)):
        if m.shape != (2, 2) or not np.all(np.isfinite(m)):
            raise UserError(f"{label} must be 2x2 with finite entries, got {m.tolist()!r}")

    found: list[tuple[NDArray[np.float64], NDArray[np.float64]]] = []

    def add(x: float, y: float) -> None:
        sigma = (np.array([x, 1.0 - x]), np.array([y, 1.0 - y]))
        for r, c in found:
            if np.allclose(r, sigma[0]) and np.allclose(c, sigma[1]):
                return
        found.append(sigma)

    # Pure: each action a best reply to the other.
    for i in (0, 1):
        for j in (0, 1):
            if _ge(a[i, j], a[1 - i, j]) and _ge(b[i, j], b[i, 1 - j]):
                add(1.0 - i, 1.0 - j)
    # Fully mixed: each player indifferent given the other's mix.
    q = _interior_mix(a[0, 0], a[0, 1], a[1, 0], a[1, 1])  # column's P(first) for row indiff.
    p = _interior_mix(b[0, 0], b[1, 0], b[0, 1], b[1, 1])  # row's P(first) for column indiff.
    if p is not None and q is not None:
        add(p, q)
    # Partially mixed (degenerate games only): one pure, the other mixing where the pure
    # player is indifferent, allowed because the mixing player is indifferent too.
    if q is not None:
        for i in (0, 1):
            if np.isclose(b[i, 0], b[i, 1]):
                add(1.0 - i, q)
    if p is not None:
        for j in (0, 1):
            if np.isclose(a[0, j], a[1, j]):
                add(p, 1.0 - j)
    return found
