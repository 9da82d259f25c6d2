"""The exchange table: one row per exchange ever formed, as growable column arrays.

Each exchange links one output stream to one input need (a pair of facilities may hold several).
Its row holds the deal (kind, volume, contract, split, infrastructure), its stage game, its
life (start, end, reason) and each side's decision history. Side 0 is the supplier, side 1 the
receiver.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["END_REASONS", "HISTORY", "HISTORY_FILL", "ExchangeTable"]

#: End-reason codes (0: still active).
END_REASONS = (
    "",
    "breach",
    "low_trust",
    "better_alternative",
    "exit",
    "stream_ended",
    "manager_left",
)

_COLUMNS: dict[str, tuple[type, object]] = {
    "cand": (np.int64, -1),
    "out": (np.int64, -1),
    "need": (np.int64, -1),
    "sup": (np.int64, -1),
    "rec": (np.int64, -1),
    "res": (np.int64, -1),
    "byproduct": (np.bool_, False),
    "volume": (np.float64, 0.0),
    "dist": (np.float64, 0.0),
    "brokered": (np.float64, 0.0),  # probability the broker made the match known
    "contract": (np.int8, 0),
    "split": (np.float64, 0.5),
    "capex": (np.float64, 0.0),
    "annuity": (np.float64, 0.0),
    "value": (np.float64, 0.0),  # gross value per period V, EUR
    "surplus": (np.float64, 0.0),  # net joint surplus J, EUR/yr, before contract cost
    "contract_cost": (np.float64, 0.0),  # EUR/yr
    "start": (np.int64, -1),
    "end": (np.int64, -1),
    "reason": (np.int8, 0),
    "active": (np.bool_, False),
    "rounds": (np.int64, 0),
    "coop_s": (np.int64, 0),
    "coop_r": (np.int64, 0),
}

# Per-side columns: stage game and payoff, shape (capacity, 2).
_SIDE_COLUMNS: dict[str, tuple[type, object]] = {
    "reward": (np.float64, 0.0),
    "temptation": (np.float64, 0.0),
    "sucker": (np.float64, 0.0),
    "punishment": (np.float64, 0.0),
    "payoff": (np.float64, 0.0),
}

#: Per-side decision history, one int64 block ``hist[exchange, side, k]`` (so a round reads
#: and writes it in one gather and one scatter); each name below is a view of one plane.
HISTORY = ("turn", "my_last", "their_last", "their_last2", "their_c", "their_d", "their_ever")
#: A fresh history (no move yet).
HISTORY_FILL = np.array([0, -1, -1, -1, 0, 0, 0], dtype=np.int64)


class ExchangeTable:
    """Column arrays of all exchanges, plus the log of every round's actions."""

    def __init__(self, capacity: int = 64) -> None:
        self.n = 0
        self._cap = capacity
        self._active_ids: NDArray[np.int64] | None = None
        for name, (dtype, fill) in _COLUMNS.items():
            setattr(self, name, np.full(capacity, fill, dtype=dtype))
        for name, (dtype, fill) in _SIDE_COLUMNS.items():
            setattr(self, name, np.full((capacity, 2), fill, dtype=dtype))
        self.hist = np.broadcast_to(HISTORY_FILL, (capacity, 2, len(HISTORY))).copy()
        self.log_ids: list[NDArray[np.int64]] = []
        self.log_steps: list[int] = []
        self.log_actions: list[NDArray[np.int8]] = []

    def _grow(self) -> None:
        cap = self._cap * 2
        for name, (dtype, fill) in _COLUMNS.items():
            col = np.full(cap, fill, dtype=dtype)
            col[: self._cap] = getattr(self, name)
            setattr(self, name, col)
        for name, (dtype, fill) in _SIDE_COLUMNS.items():
            col = np.full((cap, 2), fill, dtype=dtype)
            col[: self._cap] = getattr(self, name)
            setattr(self, name, col)
        hist = np.broadcast_to(HISTORY_FILL, (cap, 2, len(HISTORY))).copy()
        hist[: self._cap] = self.hist
        self.hist = hist
        self._cap = cap

    def add(self, **values: object) -> int:
        """Append an exchange with the given column values; return its id."""
        if self.n == self._cap:
            self._grow()
        i = self.n
        for name, value in values.items():
            getattr(self, name)[i] = value
        self.n += 1
        self._active_ids = None
        return i

    def deactivate(self, ids: NDArray[np.int64]) -> None:
        """Mark the exchanges ``ids`` inactive."""
        self.active[ids] = False
        self._active_ids = None

    def active_ids(self) -> NDArray[np.int64]:
        """Ids of the active exchanges, ascending (cached until the set changes; do not modify)."""
        if self._active_ids is None:
            self._active_ids = np.flatnonzero(self.active[: self.n])
        return self._active_ids

    def log(self, ids: NDArray[np.int64], step: int, actions: NDArray[np.int8]) -> None:
        """Record one round: the exchanges that played and their (supplier, receiver) actions."""
        self.log_ids.append(ids.copy())
        self.log_steps.append(step)
        self.log_actions.append(actions.astype(np.int8))

    def histories(self) -> tuple[list[str], list[str]]:
        """Each exchange's supplier and receiver action strings ("CCD...") over its life."""
        sup = [[] for _ in range(self.n)]
        rec = [[] for _ in range(self.n)]
        for ids, acts in zip(self.log_ids, self.log_actions, strict=True):
            for i, (a, b) in zip(ids.tolist(), acts.tolist(), strict=True):
                sup[i].append("CD"[a])
                rec[i].append("CD"[b])
        return ["".join(s) for s in sup], ["".join(r) for r in rec]


def _history_view(k: int, name: str) -> property:
    return property(lambda self: self.hist[:, :, k], doc=f"History plane {name!r}, (n, 2).")


for _k, _name in enumerate(HISTORY):
    setattr(ExchangeTable, _name, _history_view(_k, _name))
