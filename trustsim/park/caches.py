"""Per-step caches of the park, in one place, so the submodels read as economics.

Each entry is bit-identical to recomputing it (tests/park/test_digest.py holds every scenario's
tables to a digest). What is cached, keyed by what, and invalidated when:

- ``live_now``: which potential matches are live (both facilities operating, the stream and the
  need running). Recomputed at the steps in ``live_steps`` (entries, stream starts and ends,
  scheduled exits) and after any closure (``live_dirty``).
- ``hidden``: the live matches not known yet, with their own-search rate, flat [sup, rec] index
  and broker reach. Dropped when ``live_now`` changes or a successor forgets matches; shrunk by
  discovery.
- ``market_dirty``: whether anything but trust inside relationships changed since negotiation
  last looked at every match (an exchange formed or ended, a live set changed, a deal waited
  for attention). While it is clean, negotiation looks only at matches between partners who
  have met, matches discovered this step (``fresh``) and matches of successors
  (``new_managers``): elsewhere trust only fell and offers only shrank.
- ``roster``: what a round needs of the active set that cannot change while those exchanges
  are active (:class:`trustsim.park.operation.Roster`), keyed by the identity of the
  ``ExchangeTable.active_ids()`` array (a new array whenever the set changes).
- ``net_stats``: counts, centralization, flows and contracts of the active network; dropped
  whenever an exchange forms, ends or changes contract. ``net_shape`` (the counts and degree
  centralization, keyed by the active-ids array) survives a change of contracts alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from trustsim.park.facilities import FacilityTable

__all__ = ["StepCaches"]


def _empty() -> NDArray[np.int64]:
    return np.zeros(0, dtype=np.int64)


@dataclass(eq=False)
class StepCaches:
    """The park's caches (see the module docstring for keys and invalidation)."""

    live_steps: set[int] = field(default_factory=set)
    live_now: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=np.bool_))
    live_dirty: bool = True
    market_dirty: bool = True
    new_managers: NDArray[np.int64] = field(default_factory=_empty)
    fresh: NDArray[np.int64] = field(default_factory=_empty)
    hidden: tuple[NDArray, NDArray, NDArray, NDArray] | None = None
    roster: object | None = None
    net_stats: tuple | None = None
    net_shape: tuple | None = None

    def start(self, fac: FacilityTable, n_candidates: int) -> None:
        """Key the live-match cache to the steps at which ``fac``'s live set can change."""
        self.live_steps = (set(fac.entry_step.tolist()) | set(fac.out_start.tolist())
                           | set(fac.need_start.tolist()) | set(fac.out_end.tolist())
                           | set(fac.need_end.tolist()) | set(fac.exit_step.tolist()))
        self.live_now = np.zeros(n_candidates, dtype=np.bool_)

    def exchanges_changed(self) -> None:
        """An exchange formed or ended: the network and the market changed."""
        self.net_stats = None
        self.market_dirty = True

    def contracts_changed(self) -> None:
        """A contract changed: the network's contract counts and flows changed."""
        self.net_stats = None

    def facilities_closed(self) -> None:
        """A facility closed: the live set must be recomputed."""
        self.live_dirty = True

    def matches_forgotten(self) -> None:
        """Known matches were forgotten: the hidden set must be recomputed."""
        self.hidden = None
