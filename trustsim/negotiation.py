"""Negotiation: the economics of a potential exchange and whether both sides gain.

The yearly joint surplus of moving volume q from a supplier to a receiver over d km is

    J = q (p_virgin * energy_index + c_disposal + tax * t_diverted)     avoided costs
        - q * c_transport * (d + offsite)                               transport
        - capex * crf(interest_rate, infrastructure_life)               infrastructure
        - regulatory cost (by-products before reform)                   regulation
        - coordination_cost * (byproduct_coordination if by-product)    coordination

with ``capex = (infra_fixed + infra_per_km * d) * (q / ref_volume)**0.6`` (six-tenths rule
[Williams1947]; times ``infrastructure_cost_scale``; virgin prices times
``virgin_price_scale``) reduced by ``infrastructure_reuse`` on a connection that already carries
infrastructure (lock-in, [Arthur1989; Chertow2007]). The surplus is split by
``surplus_split`` (Nash bargaining with fixed weights [Nash1950]), so both gain iff J > 0;
long-term contracts also need a payback within ``max_payback_years`` (IISD reports about 6
years at Kalundborg), spot deals within ``spot_payback_years``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from trustsim.regulation import landfill_tax, regulatory_cost

__all__ = ["Economics", "capital_recovery", "economics"]


def capital_recovery(rate: float, years: float) -> float:
    """Capital recovery factor: the yearly annuity per EUR of investment [Brealey2020]."""
    if rate == 0.0:
        return 1.0 / years
    return rate / (1.0 - (1.0 + rate) ** -years)


@dataclass(slots=True)
class Economics:
    """Yearly economics of candidate exchanges (arrays aligned with the candidates asked for).

    Attributes:
        volume: volume per year. gross: avoided costs, EUR/yr. capex: new infrastructure, EUR.
        annuity: yearly cost of that infrastructure. surplus: net joint surplus J, EUR/yr.
        payback: years for the operating surplus to repay the capex (inf if it never does).
    """

    volume: NDArray[np.float64]
    gross: NDArray[np.float64]
    capex: NDArray[np.float64]
    annuity: NDArray[np.float64]
    surplus: NDArray[np.float64]
    payback: NDArray[np.float64]


def economics(
    *,
    volume: NDArray[np.float64],
    out: NDArray[np.int64],
    need: NDArray[np.int64],
    res: NDArray[np.int64],
    dist: NDArray[np.float64],
    offsite: NDArray[np.float64],
    has_infra: NDArray[np.bool_],
    fac_out_disposal: NDArray[np.float64],
    need_price: NDArray[np.float64],
    rs: dict[str, NDArray],
    params: dict,
    year: float,
    energy_index: float,
) -> Economics:
    """Compute the yearly economics of exchanges of ``volume`` per year (vectorised)."""
    byp = rs["byproduct"][res]
    price = (need_price[need] * params["virgin_price_scale"]
             * np.where(rs["energy"][res], energy_index, 1.0))
    tax = landfill_tax(year, params) * rs["diverted_t"][res] * byp
    gross = volume * (price + fac_out_disposal[out] + tax)
    transport = volume * rs["transport"][res] * (dist + offsite)
    scale = (volume / rs["ref_volume"][res]) ** 0.6
    capex = ((rs["infra_fixed"][res] + rs["infra_per_km"][res] * dist) * scale
             * params["infrastructure_cost_scale"])
    capex = capex * np.where(has_infra, 1.0 - params["infrastructure_reuse"], 1.0)
    annuity = capex * capital_recovery(params["interest_rate"], params["infrastructure_life"])
    coord = params["coordination_cost"] * np.where(byp, params["byproduct_coordination"], 1.0)
    surplus = gross - transport - annuity - regulatory_cost(gross, byp, year, params) - coord
    operating = surplus + annuity
    payback = np.where(operating > 0, capex / np.where(operating > 0, operating, 1.0), np.inf)
    return Economics(volume, gross, capex, annuity, surplus, payback)
