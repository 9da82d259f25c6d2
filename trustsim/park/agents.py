"""Plant managers: one Mesa agent per operating facility.

A manager's state lives in the model's arrays (so a round over thousands of exchanges is one
numpy computation); the agent is its handle: strategy, patience, tenure, trust in and ties to
other managers, and its exchanges. When a manager leaves, the same agent object stands for
the successor (:meth:`PlantManager.succeed`): Mesa agents are handles, and re-creating one per
departure would cost more than the whole round.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from trustsim.park.model import SymbiosisPark

__all__ = ["PlantManager"]


class PlantManager(mesa.Agent):
    """The manager of one facility.

    Args:
        model: the park.
        facility: index of the facility in ``model.fac``.
    """

    model: SymbiosisPark

    def __init__(self, model: SymbiosisPark, facility: int) -> None:
        super().__init__(model)
        self.facility = facility
        self.hired_step = model.step_count
        self.generation = 0

    def succeed(self) -> None:
        """A successor takes over: tenure restarts and the generation count goes up."""
        self.hired_step = self.model.step_count
        self.generation += 1

    @property
    def facility_id(self) -> str:
        """Id of the facility this manager runs."""
        return self.model.fac.ids[self.facility]

    @property
    def strategy(self) -> str:
        """Strategy key (``forward_looking`` or a kernel strategy)."""
        return self.model.strategy_key(self.facility)

    @property
    def patience(self) -> float:
        """Discount factor per period."""
        return float(self.model.patience[self.facility])

    @property
    def tenure_years(self) -> float:
        """Years since this manager took over."""
        return (self.model.step_count - self.hired_step) / self.model.steps_per_year

    @property
    def controlled(self) -> bool:
        """Whether a student plays this manager."""
        return bool(self.model.controlled[self.facility])

    def trust(self) -> dict[str, float]:
        """Trust in each manager this facility has dealt with, by facility id."""
        m = self.model
        met = m.met[self.facility]
        return {m.fac.ids[j]: float(m.trust[self.facility, j]) for j in met.nonzero()[0]}

    def ties(self) -> dict[str, float]:
        """Social tie strength to each tied manager, by facility id."""
        m = self.model
        row = m.ties[self.facility]
        return {m.fac.ids[j]: float(row[j]) for j in row.nonzero()[0]}

    def exchanges(self) -> list[int]:
        """Ids of this facility's active exchanges."""
        m = self.model
        ids = m.ex.active_ids()
        mine = (m.ex.sup[ids] == self.facility) | (m.ex.rec[ids] == self.facility)
        return ids[mine].tolist()
