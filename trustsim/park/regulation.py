"""Regulation of by-products: waste permits and liability until a reform, and a landfill tax.

Before ``regulatory_reform_year`` a by-product counts as waste: each by-product exchange pays
a yearly ``permit_cost`` and loses ``liability_share`` of its value to waste liability (the
transaction costs of waste classification [Costa2010]). From the reform on, both
vanish. A ``landfill_tax`` per tonne, from ``landfill_tax_year`` (or from the start when that is
none), raises what a supplier saves by not landfilling a by-product [Andersen1998].
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["landfill_tax", "regulated", "regulatory_cost"]


def regulated(year: float, params: dict) -> bool:
    """Whether by-products are still regulated as waste in ``year``."""
    reform = params["regulatory_reform_year"]
    return reform is None or year < reform


def landfill_tax(year: float, params: dict) -> float:
    """Landfill tax in force in ``year``, EUR per tonne."""
    start = params["landfill_tax_year"]
    return params["landfill_tax"] if start is None or year >= start else 0.0


def regulatory_cost(
    gross: NDArray[np.float64], byproduct: NDArray[np.bool_], year: float, params: dict
) -> NDArray[np.float64]:
    """Yearly regulatory cost of exchanges with yearly gross value ``gross`` (EUR/yr)."""
    if not regulated(year, params):
        return np.zeros_like(gross)
    return np.where(byproduct, params["permit_cost"] + params["liability_share"] * gross, 0.0)
