"""Regulation of by-products: waste permits and liability until a reform, disposal and landfill tax.

Before ``regulatory_reform_year`` a by-product counts as waste: each by-product exchange pays
a yearly ``permit_cost`` and loses ``liability_share`` of its value to waste liability (the
transaction costs of waste classification [Costa2010]). From the reform on, both
vanish. A ``landfill_tax`` per tonne, from ``landfill_tax_year`` (or from the start when that is
none), raises what a supplier saves by not landfilling a by-product [Andersen1998].

A scenario may also carry the waste regulation of its own history (:class:`WasteSchedule`): a
landfill tax series (for Kalundborg the Danish waste tax from 1987 [DKEPA1999]), added to the
``landfill_tax`` parameter, and a disposal index, a multiplier on every stream's disposal cost
that follows the regulation of landfills (for Kalundborg the Environmental Protection Act of
1974). Both are piecewise constant from each listed year.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

__all__ = ["WasteSchedule", "landfill_tax", "regulated", "regulatory_cost", "step_value"]


def step_value(series: tuple[tuple[int, float], ...], year: float, before: float) -> float:
    """Value of a piecewise-constant series (sorted ``(year, value)`` pairs) in ``year``.

    Args:
        series: sorted (first year, value) pairs.
        year: calendar year.
        before: the value before the first listed year (and of an empty series).
    """
    value = before
    for y, v in series:
        if year < y:
            break
        value = v
    return value


@dataclass(frozen=True, slots=True)
class WasteSchedule:
    """A scenario's waste regulation over time: landfill tax (EUR/t) and disposal-cost index.

    Attributes:
        landfill_tax: sorted (first year, EUR per tonne) pairs; 0 before the first.
        disposal: sorted (first year, multiplier) pairs; 1 before the first.
    """

    landfill_tax: tuple[tuple[int, float], ...] = ()
    disposal: tuple[tuple[int, float], ...] = field(default=())

    @classmethod
    def from_series(cls, landfill_tax: dict[int, float],
                    disposal_index: dict[int, float]) -> WasteSchedule:
        """Build from the year -> value tables of a :class:`ScenarioSpec`."""
        return cls(tuple(sorted(landfill_tax.items())), tuple(sorted(disposal_index.items())))

    def tax(self, year: float) -> float:
        """The scenario's landfill tax in ``year``, EUR per tonne."""
        return step_value(self.landfill_tax, year, 0.0)

    def disposal_index(self, year: float) -> float:
        """The multiplier on disposal costs in ``year``."""
        return step_value(self.disposal, year, 1.0)


def regulated(year: float, params: dict) -> bool:
    """Whether by-products are still regulated as waste in ``year``."""
    reform = params["regulatory_reform_year"]
    return reform is None or year < reform


def landfill_tax(year: float, params: dict) -> float:
    """Landfill tax of the ``landfill_tax`` parameter in force in ``year``, EUR per tonne."""
    start = params["landfill_tax_year"]
    return params["landfill_tax"] if start is None or year >= start else 0.0


def regulatory_cost(
    gross: NDArray[np.float64], byproduct: NDArray[np.bool_], year: float, params: dict
) -> NDArray[np.float64]:
    """Yearly regulatory cost of exchanges with yearly gross value ``gross`` (EUR/yr)."""
    if not regulated(year, params):
        return np.zeros_like(gross)
    return np.where(byproduct, params["permit_cost"] + params["liability_share"] * gross, 0.0)
