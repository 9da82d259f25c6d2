"""Negotiation: the economics of a potential exchange and whether both sides gain.

The yearly joint surplus of moving volume q from a supplier to a receiver over d km is

    J = q (p_virgin * energy_index + c_disposal * disposal_index        avoided costs
           + tax(year) * t_diverted - c_supply * energy_index)
        - q * c_transport * (d + offsite)                               transport
        - capex * crf(interest_rate, infrastructure_life)               infrastructure
        - regulatory cost (by-products before reform)                   regulation
        - coordination_cost * (byproduct_coordination if by-product)    coordination

where ``c_supply`` is the supplier's cost of making a unit available (the electricity a power
station gives up to extract steam; it follows the index for energy-priced resources only), the
disposal index and the landfill tax are the scenario's sourced series (Danish waste regulation
for Kalundborg; :mod:`trustsim.park.regulation`), and
``capex = (infra_fixed + infra_per_km * d) * (q / ref_volume)**0.6`` (six-tenths rule
[Williams1947]; times ``infrastructure_cost_scale``; transport and the per-km part of the
infrastructure times ``distance_cost_scale``; virgin prices times
``virgin_price_scale``) reduced by ``infrastructure_reuse`` on a connection that already carries
infrastructure (lock-in, [Arthur1989; Chertow2007]). The surplus is split by
``surplus_split`` (Nash bargaining with fixed weights [Nash1950]), so both gain iff J > 0;
long-term contracts also need a payback within ``max_payback_years`` (IISD reports about 6
years at Kalundborg), spot deals within ``spot_payback_years``.

Managerial attention bounds how many deals a manager strikes: negotiating a bilateral deal
takes the attention of both managers [Simon1947; Ocasio1997], which recovers at
``deals_per_manager_per_year``; a manager holds at most one deal's worth of spare attention
(or one period's worth, if that is more), so deals are negotiated one at a time and a manager
who meets many opportunities at once (a new firm, a broker's first survey) takes them up over
the following years (:func:`replenish_attention`, :func:`attention_capacity`). From
``broker_year`` the broker (the Symbiosis Institute's staff) has attention of its own,
``broker_deals_per_year``, with which it prepares deals for managers too busy to negotiate
them (material-flow analysis, terms, confidentiality) [EhrenfeldGertler1997; Paquin2012].
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from trustsim.park.regulation import WasteSchedule, landfill_tax, regulatory_cost

if TYPE_CHECKING:
    from trustsim.park.state import ParkState

__all__ = [
    "Economics",
    "MatchTerms",
    "attention_capacity",
    "capital_recovery",
    "economics",
    "match_economics",
    "replenish_attention",
]


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


class MatchTerms:
    """The parts of the economics of every potential match that do not change over a run.

    Gathered once per run (:meth:`from_candidates`), so a period's economics gathers per-match
    arrays instead of facility and resource tables; the avoided cost per unit is kept for the
    current energy index and landfill tax (both change only in a few years).
    """

    def __init__(self, *, price, energy, diverted, byproduct, disposal, transport, route_km,
                 ref_volume, infra_base, coordination, supply=None,
                 schedule: WasteSchedule | None = None) -> None:
        self.price, self.energy, self.diverted = price, energy, diverted
        self.byproduct, self.disposal, self.transport = byproduct, disposal, transport
        self.route_km, self.ref_volume = route_km, ref_volume
        self.infra_base, self.coordination = infra_base, coordination
        self.supply = np.zeros_like(price) if supply is None else supply
        self.schedule = schedule or WasteSchedule()
        self._avoided_key: tuple[float, float, float] | None = None
        self._avoided = price

    @classmethod
    def from_candidates(cls, *, out, need, res, dist, offsite, fac_out_disposal, need_price,
                        rs: dict[str, NDArray], params: dict, fac_out_supply=None,
                        schedule: WasteSchedule | None = None) -> MatchTerms:
        """Terms of the matches (output stream ``out``, need ``need``, resource ``res``...)."""
        byp = rs["byproduct"][res]
        per_km = params["distance_cost_scale"]  # 0: distance costs nothing (E7's ablation)
        return cls(
            supply=None if fac_out_supply is None else fac_out_supply[out], schedule=schedule,
            price=need_price[need] * params["virgin_price_scale"],
            energy=rs["energy"][res], diverted=rs["diverted_t"][res], byproduct=byp,
            disposal=fac_out_disposal[out], transport=rs["transport"][res] * per_km,
            route_km=dist + offsite, ref_volume=rs["ref_volume"][res],
            infra_base=rs["infra_fixed"][res] + rs["infra_per_km"][res] * dist * per_km,
            coordination=params["coordination_cost"]
            * np.where(byp, params["byproduct_coordination"], 1.0),
        )

    def avoided(self, energy_index: float, tax: float,
                disposal_index: float = 1.0) -> NDArray[np.float64]:
        """Avoided cost per unit of every match, less the supplier's cost of supply.

        The avoided cost is the virgin price, the disposal cost and the landfill tax.
        """
        key = (energy_index, tax, disposal_index)
        if self._avoided_key != key:
            index = np.where(self.energy, energy_index, 1.0)
            self._avoided = ((self.price - self.supply) * index + self.disposal * disposal_index
                             + tax * self.diverted * self.byproduct)
            self._avoided_key = key
        return self._avoided


def economics(
    terms: MatchTerms,
    idx: NDArray[np.int64],
    *,
    volume: NDArray[np.float64],
    has_infra: NDArray[np.bool_],
    params: dict,
    year: float,
    energy_index: float,
) -> Economics:
    """Compute the yearly economics of matches ``idx`` at ``volume`` per year (vectorised)."""
    byp = terms.byproduct[idx]
    sched = terms.schedule
    tax = landfill_tax(year, params) + sched.tax(year)
    gross = volume * terms.avoided(energy_index, tax, sched.disposal_index(year))[idx]
    transport = volume * terms.transport[idx] * terms.route_km[idx]
    scale = (volume / terms.ref_volume[idx]) ** 0.6
    capex = terms.infra_base[idx] * scale * params["infrastructure_cost_scale"]
    capex = capex * np.where(has_infra, 1.0 - params["infrastructure_reuse"], 1.0)
    annuity = capex * capital_recovery(params["interest_rate"], params["infrastructure_life"])
    coord = terms.coordination[idx]
    surplus = gross - transport - annuity - regulatory_cost(gross, byp, year, params) - coord
    operating = surplus + annuity
    payback = np.where(operating > 0, capex / np.where(operating > 0, operating, 1.0), np.inf)
    return Economics(volume, gross, capex, annuity, surplus, payback)


def attention_capacity(deals_per_year: float, steps_per_year: int) -> float:
    """Most spare attention a manager holds, in deals: one deal, or one period's worth if more.

    Args:
        deals_per_year: ``deals_per_manager_per_year``, new deals a manager can negotiate a year.
        steps_per_year: periods per year.

    Returns:
        ``max(1, deals_per_year / steps_per_year)``.

    References:
        [Simon1947; Ocasio1997]
    """
    return max(1.0, deals_per_year / steps_per_year)


def replenish_attention(attention: NDArray[np.float64], deals_per_year: float,
                        steps_per_year: int) -> None:
    """Add one period's attention to every manager (in place), up to the capacity.

    A deal needs one unit of attention from each of its two managers
    (:func:`trustsim.park.deals.negotiate`); attention recovers at
    ``deals_per_year / steps_per_year`` a period, so a manager strikes at most
    ``deals_per_year`` new deals a year in the long run [Simon1947; Ocasio1997].

    Args:
        attention: spare attention per facility's manager, in deals (modified in place).
        deals_per_year: ``deals_per_manager_per_year``.
        steps_per_year: periods per year.
    """
    np.minimum(attention + deals_per_year / steps_per_year,
               attention_capacity(deals_per_year, steps_per_year), out=attention)


def match_economics(s: ParkState, idx: NDArray[np.int64], volume: NDArray[np.float64],
                    year: float) -> Economics:
    """:func:`economics` of matches ``idx`` at ``volume`` in the state ``s`` of ``year``."""
    return economics(
        s.terms, idx, volume=volume,
        has_infra=s.corridors.flat[s.cand_pair[idx]],  # trustsim.park.corridors
        params=s.params, year=year, energy_index=s.energy_index(year),
    )
