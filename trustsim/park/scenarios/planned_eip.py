"""A planned eco-industrial park: tenants picked on paper for stream complementarity (P10).

The designer starts from one tenant and keeps adding tenants whose needs take an output
already in the park or whose outputs meet a need already there, until ``n_facilities``
tenants are on the roster, so every stream has a receiver on paper. The tenants then face
what planned parks faced in practice [Lowe1997; GibbsDeutz2007; Chertow2007;
Heeres2004]: they all enter in the park's first year (the simultaneity problem: nobody has a
track record or a tie; ``entry_spread_years`` spreads the entries over that many years
instead), they are spread over a ``region_km`` square instead of clustered in a town, they
are small (``tenant_scale``, by default a quarter of a regional firm's volumes, against the
six-tenths economies of scale of infrastructure) and commercially fragile (5-12% closing
probability a year, the survival of young firms [OECD2017], times ``fragility_scale``),
without a broker, reform or landfill tax, and with weak community ties. Each handicap is a
parameter, so an experiment can take them away one at a time (E5). The entry years are drawn
after everything else, so spreading them leaves the tenants, places and volumes as they are.
Sectors, streams and needs are the region's
(:data:`trustsim.park.scenarios.region.SECTORS`). Nothing schedules an exchange: whether the
paper complementarity becomes symbiosis is left to discovery, negotiation and trust.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from trustsim.park.scenarios import (
    FacilitySpec,
    NeedSpec,
    ScenarioSpec,
    StreamSpec,
    register_scenario,
)
from trustsim.park.scenarios.region import SECTORS

__all__ = ["DEFAULTS", "build_planned_eip", "complementary_roster"]

DESCRIPTION = ("A planned eco-industrial park: complementary tenants entering together, "
               "dispersed, small, fragile, no broker")

#: Scenario defaults (parameters by name).
DEFAULTS: dict[str, Any] = {
    "n_facilities": 12,
    "region_km": 15.0,
    "social_cohesion": 0.1,       # newcomers, no shared community [GibbsDeutz2007]
    "broker_year": None,
    "regulatory_reform_year": None,
}

#: The year the park opens.
START_YEAR = 2000

def _resources(sector: str) -> tuple[set[str], set[str]]:
    _, outs, needs = SECTORS[sector]
    return {o[0] for o in outs}, {n[0] for n in needs}


def complementary_roster(n: int, rng: np.random.Generator) -> list[str]:
    """Pick ``n`` tenant sectors, each complementing a stream or need already on the roster.

    The first tenant is drawn by the regional sector shares; each next one uniformly among
    the sectors that take an output or supply a need of the tenants already chosen.
    """
    names = sorted(s for s in SECTORS if any(_resources(s)))
    share = np.array([SECTORS[s][0] for s in names])
    roster = [names[int(rng.choice(len(names), p=share / share.sum()))]]
    while len(roster) < n:
        outs = set().union(*(_resources(s)[0] for s in roster))
        needs = set().union(*(_resources(s)[1] for s in roster))
        fits = [s for s in names
                if _resources(s)[1] & outs or _resources(s)[0] & needs]
        roster.append(fits[int(rng.integers(len(fits)))])
    return roster


def build_planned_eip(params: dict[str, Any], rng: np.random.Generator) -> ScenarioSpec:
    """Generate the park from its parameters with the layout generator.

    Reads ``n_facilities``, ``region_km``, ``tenant_scale`` and ``entry_spread_years``.
    """
    n, side = int(params["n_facilities"]), float(params["region_km"])
    roster = complementary_roster(n, rng)
    xy = rng.uniform(0.0, side, size=(n, 2))
    facilities = []
    for i, sector in enumerate(roster):
        _, outs, needs = SECTORS[sector]
        size = params["tenant_scale"] * rng.lognormal(0.0, 0.5)
        facilities.append(FacilitySpec(
            id=f"t{i:03d}", name=f"{sector} tenant {i}", sector=sector,
            x_km=float(xy[i, 0]), y_km=float(xy[i, 1]), entry_year=START_YEAR,
            fragility=float(rng.uniform(0.05, 0.12)),
            outputs=tuple(StreamSpec(r, float(v * size), g, 0.2, d) for r, g, v, d in outs),
            needs=tuple(NeedSpec(r, float(v * size), pr, g) for r, g, v, pr in needs),
            source="generated (trustsim.park.scenarios.planned_eip)",
        ))
    spread = float(params["entry_spread_years"])
    if spread > 0.0:  # drawn last: the rest of the layout does not move
        years = START_YEAR + np.floor(rng.uniform(0.0, spread, size=n)).astype(int)
        facilities = [replace(f, entry_year=int(y)) for f, y in zip(facilities, years,
                                                                        strict=True)]
    return ScenarioSpec(name="planned_eip", description=DESCRIPTION, start_year=START_YEAR,
                        years=25, facilities=tuple(facilities), defaults=dict(DEFAULTS))


register_scenario("planned_eip", DESCRIPTION, build_planned_eip, lambda: dict(DEFAULTS))
