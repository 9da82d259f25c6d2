"""Strategy base class, the decorator registry, and the vectorised decision history.

A strategy decides many decisions at once: ``decide(history, u)`` receives a :class:`History`
of arrays (one entry per decision) and uniforms ``u`` in [0, 1) drawn by the caller, one per
decision, and returns a boolean array, True = defect. A stochastic strategy compares ``u`` with
its probability (cooperate iff ``u < p_cooperate``, as Axelrod's ``random_choice`` does); a
deterministic one ignores ``u``. Strategies hold no RNG and no mutable state, so the scalar path
(n = 1 in a loop) and the array path give the same actions from the same random stream.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from trustsim.errors import UserError
from trustsim.game.games import Action

__all__ = [
    "NONE",
    "STRATEGIES",
    "History",
    "Param",
    "Scripted",
    "Strategy",
    "get_strategy",
    "register",
]

#: Marker for "no such move yet" in :class:`History` action arrays.
NONE = -1

#: Every registered strategy class, by key. Filled by :func:`register`.
STRATEGIES: dict[str, type[Strategy]] = {}

CLASSIFIER_KEYS = ("memory_depth", "stochastic", "uses_trust", "uses_reputation")


@dataclass(slots=True)
class History:
    """What a player knows at each of n decisions, as arrays of length n.

    Actions are coded ``0 = C``, ``1 = D`` and ``-1`` (:data:`NONE`) for "no such move yet".

    Attributes:
        turn: how many rounds this player has already played with this partner (0 = first move).
        my_last: this player's own previous action (as recorded, i.e. after any noise flip).
        their_last: the partner's previous action.
        their_last2: the partner's action two rounds ago.
        their_c: how many times the partner has cooperated so far.
        their_d: how many times the partner has defected so far.
        their_ever_defected: whether the partner has defected at least once.
        trust: this player's trust in the partner, in [0, 1]. The symbiosis model supplies its
            own dyadic trust; a plain match uses the partner's cooperation share with a uniform
            prior, ``(their_c + 1) / (their_c + their_d + 2)`` (0.5 before any move).
        partner_reputation: the partner's reputation, in [0, 1]. The model supplies its
            reputation (image score or standing); a plain match uses the same share as ``trust``.
    """

    turn: NDArray[np.int64]
    my_last: NDArray[np.int8]
    their_last: NDArray[np.int8]
    their_last2: NDArray[np.int8]
    their_c: NDArray[np.int64]
    their_d: NDArray[np.int64]
    their_ever_defected: NDArray[np.bool_]
    trust: NDArray[np.float64]
    partner_reputation: NDArray[np.float64]

    def __len__(self) -> int:
        return int(self.turn.shape[0])

    @classmethod
    def empty(cls, n: int) -> History:
        """Histories of ``n`` fresh relationships (no move yet, trust and reputation 0.5)."""
        return cls(
            turn=np.zeros(n, dtype=np.int64),
            my_last=np.full(n, NONE, dtype=np.int8),
            their_last=np.full(n, NONE, dtype=np.int8),
            their_last2=np.full(n, NONE, dtype=np.int8),
            their_c=np.zeros(n, dtype=np.int64),
            their_d=np.zeros(n, dtype=np.int64),
            their_ever_defected=np.zeros(n, dtype=np.bool_),
            trust=np.full(n, 0.5),
            partner_reputation=np.full(n, 0.5),
        )

    @classmethod
    def from_actions(
        cls,
        mine: ArrayLike | str,
        theirs: ArrayLike | str,
        *,
        trust: float | None = None,
        partner_reputation: float | None = None,
    ) -> History:
        """History (n = 1) after the given past actions, e.g. ``from_actions("CC", "CD")``.

        ``trust`` and ``partner_reputation`` default to the plain-match value.
        """
        mine_a, theirs_a = _as_actions(mine), _as_actions(theirs)
        if mine_a.shape != theirs_a.shape:
            raise UserError(
                f"both histories must have the same length, got {mine_a.size} and {theirs_a.size}"
            )
        h = cls.empty(1)
        for m, t in zip(mine_a, theirs_a, strict=True):
            h.record(np.array([m]), np.array([t]))
        if trust is not None:
            h.trust[:] = trust
        if partner_reputation is not None:
            h.partner_reputation[:] = partner_reputation
        return h

    def record(
        self,
        mine: NDArray[np.integer] | NDArray[np.bool_],
        theirs: NDArray[np.integer] | NDArray[np.bool_],
        mask: NDArray[np.bool_] | None = None,
        *,
        update_shares: bool = True,
    ) -> None:
        """Append one round (this player's and the partner's actions), in place.

        Args:
            mine: this player's actions (0/1 or False/True = C/D), length n.
            theirs: the partner's actions, length n.
            mask: where False, that entry's history is left unchanged (a finished match).
            update_shares: update ``trust`` and ``partner_reputation`` to the plain-match share
                (a caller whose strategies use neither, or that supplies its own, may skip it).
        """
        mine = np.asarray(mine, dtype=np.int8)
        theirs = np.asarray(theirs, dtype=np.int8)
        if mask is None:
            self.their_last2[:] = self.their_last
            self.my_last[:] = mine
            self.their_last[:] = theirs
            self.turn += 1
            d = theirs.astype(np.int64)
            self.their_d += d
            self.their_c += 1 - d
            self.their_ever_defected |= theirs.astype(np.bool_)
        else:
            self.their_last2[mask] = self.their_last[mask]
            self.my_last[mask] = mine[mask]
            self.their_last[mask] = theirs[mask]
            self.turn += mask
            d = theirs.astype(np.int64) * mask
            self.their_d += d
            self.their_c += mask - d
            self.their_ever_defected |= theirs.astype(np.bool_) & mask
        if update_shares:
            share = (self.their_c + 1.0) / (self.their_c + self.their_d + 2.0)
            self.trust[:] = share
            self.partner_reputation[:] = share

    def take(self, index: NDArray[np.intp] | slice) -> History:
        """A sub-history of the selected decisions (copies)."""
        return History(
            **{name: np.array(getattr(self, name)[index]) for name in self.__dataclass_fields__}
        )


def _as_actions(x: ArrayLike | str) -> NDArray[np.int8]:
    """Actions from a "CD" string or a sequence of 0/1/Action."""
    if isinstance(x, str):
        bad = set(x.upper()) - {"C", "D"}
        if bad:
            raise UserError(f"actions must be C or D, got {''.join(sorted(bad))!r}")
        return np.array([0 if ch == "C" else 1 for ch in x.upper()], dtype=np.int8)
    return np.asarray(x, dtype=np.int8).reshape(-1)


@dataclass(frozen=True, slots=True)
class Param:
    """A strategy parameter: default and closed range ``[low, high]``."""

    default: float
    low: float = -math.inf
    high: float = math.inf
    doc: str = ""


class Strategy:
    """Base class of every strategy.

    Subclasses set the class attributes ``key`` (snake_case registry key), ``name`` (display
    name), ``classifier`` (``memory_depth``, ``stochastic``, ``uses_trust``,
    ``uses_reputation``) and optionally ``parameters`` (name -> :class:`Param`), write a
    docstring ending with a ``Names:`` citation list, and implement :meth:`decide`.
    """

    key: ClassVar[str] = ""
    name: ClassVar[str] = ""
    classifier: ClassVar[dict[str, Any]] = {}
    parameters: ClassVar[dict[str, Param]] = {}

    def __init__(self, **params: float) -> None:
        unknown = sorted(set(params) - set(self.parameters))
        if unknown:
            allowed = ", ".join(sorted(self.parameters)) or "none"
            raise UserError(
                f"strategy {self.key!r} has no parameter {unknown[0]!r} (parameters: {allowed})"
            )
        values: dict[str, float] = {}
        for pname, spec in self.parameters.items():
            value = params.get(pname, spec.default)
            if isinstance(value, bool) or not isinstance(value, int | float | np.number):
                raise UserError(f"{self.key} {pname} must be a number, got {value!r}")
            value = float(value)
            if not (spec.low <= value <= spec.high):  # also rejects NaN
                raise UserError(
                    f"{self.key} {pname} must be in [{spec.low:g}, {spec.high:g}], got {value!r}"
                )
            values[pname] = value
        self.params: dict[str, float] = values

    def decide(self, history: History, u: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Return True (defect) or False (cooperate) for each of the n decisions."""
        raise NotImplementedError

    def memory_one(self) -> tuple[float, tuple[float, float, float, float]] | None:
        """For a memory-one strategy, ``(p0, (p_CC, p_CD, p_DC, p_DD))``, else None.

        ``p0`` is the probability of cooperating first, and ``p_xy`` the probability of
        cooperating after a round in which this player played x and the partner y (the
        notation of [PressDyson2012]).
        """
        return None

    def act(self, history: History, u: float) -> Action:
        """Scalar convenience: the action for a single decision (n = 1)."""
        return Action(int(self.decide(history, np.array([u], dtype=np.float64))[0]))

    def clone(self) -> Strategy:
        """A new instance with the same parameters."""
        return type(self)(**self.params)

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.params == other.params  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self), tuple(sorted(self.params.items()))))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v:g}" for k, v in self.params.items())
        return f"{type(self).__name__}({args})"

    def __str__(self) -> str:
        if not self.params:
            return self.name
        args = ", ".join(f"{k}={v:g}" for k, v in self.params.items())
        return f"{self.name} ({args})"


def register(cls: type[Strategy]) -> type[Strategy]:
    """Class decorator adding ``cls`` to :data:`STRATEGIES` under ``cls.key``.

    Raises:
        ValueError: if the key is empty, not snake_case, already registered, or the
            classifier lacks one of the required entries.
    """
    key = cls.key
    if not key or not key.replace("_", "").isalnum() or key.lower() != key:
        raise ValueError(f"strategy key must be snake_case, got {key!r}")
    if key in STRATEGIES:
        raise ValueError(f"duplicate strategy key {key!r}")
    missing = [k for k in CLASSIFIER_KEYS if k not in cls.classifier]
    if missing:
        raise ValueError(f"strategy {key!r} classifier lacks {', '.join(missing)}")
    if not cls.name:
        raise ValueError(f"strategy {key!r} has no display name")
    STRATEGIES[key] = cls
    return cls


def get_strategy(key: str, **params: float) -> Strategy:
    """Build the registered strategy ``key`` with the given parameters.

    Raises:
        UserError: for an unknown key (the message lists the valid keys and suggests the
            closest) or a bad parameter (the message gives the allowed range).
    """
    cls = STRATEGIES.get(key)
    if cls is None:
        hint = difflib.get_close_matches(str(key), STRATEGIES, n=1)
        did = f" (did you mean {hint[0]!r}?)" if hint else ""
        raise UserError(
            f"unknown strategy {key!r}{did}; valid strategies: {', '.join(sorted(STRATEGIES))}"
        )
    return cls(**params)


class Scripted(Strategy):
    """Plays a fixed cycle of actions whatever the partner does (a test helper, unregistered)."""

    key = "scripted"
    name = "Scripted"
    classifier = {
        "memory_depth": 0,
        "stochastic": False,
        "uses_trust": False,
        "uses_reputation": False,
    }

    def __init__(self, actions: str | ArrayLike = "C") -> None:
        super().__init__()
        self.actions = _as_actions(actions)
        if self.actions.size == 0:
            raise UserError("Scripted needs at least one action")

    def decide(self, history: History, u: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Return the scripted action for each decision's turn (cycled)."""
        return self.actions[history.turn % self.actions.size].astype(np.bool_)

    def clone(self) -> Strategy:
        """A new instance with the same script."""
        return Scripted(self.actions)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Scripted) and np.array_equal(self.actions, other.actions)

    def __hash__(self) -> int:
        return hash(("scripted", self.actions.tobytes()))

    def __repr__(self) -> str:
        return f"Scripted({''.join('CD'[a] for a in self.actions)!r})"
