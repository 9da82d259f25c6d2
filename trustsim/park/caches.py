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
- ``valuations``: forward-looking managers' solved valuations of single exchange sides, keyed
  by the rules they were solved for (terms, patience, contract, exposure, the partner's
  rules): equal rules are solved once (:class:`ValuationStore`). The round's roster keeps the
  stacked valuation of its sides while patience, contracts, exposure and strategies are the
  same.
- ``net_stats``: counts, centralization, flows and contracts of the active network; dropped
  whenever an exchange forms, ends or changes contract. ``net_shape`` (the counts and degree
  centralization, keyed by the active-ids array) survives a change of contracts alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np
from numpy.typing import NDArray

from trustsim.park import foresight
from trustsim.park.facilities import FacilityTable

__all__ = ["GRID", "StepCaches", "ValuationStore"]

#: Trust grid points of the valuation (spacing 0.01; its error is measured by
#: scripts/bench_foresight.py).
GRID = 101


def _empty() -> NDArray[np.int64]:
    return np.zeros(0, dtype=np.int64)


def _key(rules: foresight.Rules) -> NDArray[np.float64]:
    """One row per side of every field the valuation depends on."""
    return np.stack([getattr(rules, f.name) for f in fields(foresight.Rules)], axis=1)


@dataclass(eq=False)
class ValuationStore:
    """Solved valuations of single exchange sides, keyed by the rules they were solved for.

    A batch's answer for one exchange is bit-identical to solving it alone
    (:func:`trustsim.park.foresight.solve`), so what is cached never depends on which
    exchanges were solved together, and equal rules share one solution. The store is emptied
    when it holds ``capacity`` rows.
    """

    rows: dict[bytes, foresight.Valuation] = field(default_factory=dict)
    capacity: int = 50_000

    def get(self, rules: foresight.Rules) -> foresight.Valuation:
        """The valuation of every side of ``rules`` (solving only those not seen before)."""
        keys = [row.tobytes() for row in _key(rules)]
        todo = [k for k, key in enumerate(keys) if key not in self.rows]
        if todo:
            if len(self.rows) + len(todo) > self.capacity:
                self.rows.clear()
                todo = list(range(len(keys)))
            first = {}
            for k in todo:
                first.setdefault(keys[k], k)
            unique = np.array(sorted(first.values()))
            solved = foresight.solve(rules.take(unique), GRID)
            for j, k in enumerate(unique.tolist()):
                self.rows[keys[k]] = solved.take(np.array([j]))
        return foresight.Valuation.concat([self.rows[key] for key in keys])


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
    valuations: ValuationStore = field(default_factory=lambda: ValuationStore())
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
