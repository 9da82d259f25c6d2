"""The hold-up game of industrial symbiosis, with the axes of the public hold-up ABMs.

Half of ``n_facilities`` are producers with a waste-heat stream that needs a
relationship-specific investment (a pipe and heat exchanger) to be used; the other half are
consumers who need that heat instead of buying fuel. They sit at random in a ``region_km``
square and look for partners within ``search_radius_km``, as in the NetLogo hold-up model of
Dev-Fanboy/Symbiosis-Netlogo [SymbiosisNetlogo] (``IS_Model.nlogo``: 50 producers, 50
consumers, partners within radius 5 of a 33 x 33 world, 4,320 runs swept over investment cost
0/5/10, synergy surplus 5/15, contract enforcement 0-1, memory 10/100 ticks, turbulence 0-5
and lock-in 10/30 ticks; its finding: investment cost dominates, surplus buffers, turbulence
hardly matters, memory and law substitute). [Ghali2017] is a related agent-based model of
self-organised symbiosis.

The hold-up ABM's axes map onto this model's parameters as follows (semantics differ where
noted, so compare directions and thresholds, not levels):

- investment cost -> ``infrastructure_cost_scale`` (the one-time specific investment; 0, 5,
  10 units there, multiples of an engineering cost here; a deal also needs its payback within
  ``max_payback_years``);
- synergy surplus -> ``virgin_price_scale`` (the value of the heat replaced; surplus 5 vs 15
  there is about 1/3 vs 1 here);
- contract enforcement -> ``enforcement`` (probability a formal contract is enforced);
- reputation memory -> a manager's tenure, ``1 / turnover_rate`` years, with
  ``institutional_memory`` the share a successor keeps (there: how long a held-up producer
  blacklists a partner), and ``broker_registry`` for a public memory;
- turbulence -> ``variability_scale`` (volume and so value fluctuation each period; a
  consumer reads a delivery under ``shortfall_tolerance`` of the usual heat as hold-up, as
  firms that cannot tell a demand shock from a price cut do [GreenPorter1984]);
- lock-in -> ``switching_margin`` and ``trust_exit`` (there: a minimum contract duration;
  here: how much better an alternative, or how low trust, before a partner is left).

The stage game's temptation is the hold-up gain: ``byproduct_temptation`` (T - R as a share
of the period's value) is set high by default. Outcome to compare with the ABM's
participation: :func:`participation`, the share of operating producers in an active
exchange. Nothing schedules an exchange.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from trustsim.park.scenarios import (
    FacilitySpec,
    NeedSpec,
    ScenarioSpec,
    StreamSpec,
    register_scenario,
)

__all__ = ["DEFAULTS", "build_holdup", "participation"]

DESCRIPTION = ("The hold-up game: producers' specific investments against consumers' "
               "opportunism, swept as in the public hold-up ABMs")

#: Scenario defaults (parameters by name).
DEFAULTS: dict[str, Any] = {
    "n_facilities": 100,
    "region_km": 33.0,
    "search_radius_km": 5.0,
    "search_rate": 1.0,            # producers look for partners every period, as in the ABM
    "trust_prior": 0.6,            # strangers get the benefit of the doubt, as in the ABM
    "social_cohesion": 0.3,
    "byproduct_temptation": 0.6,   # the hold-up gain
    "patience": 0.9,
    "patience_spread": 0.1,        # some managers are too impatient to resist holding up
    "noise": 0.01,
    "shortfall_tolerance": 0.5,    # a delivery under half the usual heat looks like hold-up
    "broker_year": None,
    "regulatory_reform_year": None,
}

#: Heat each producer offers and each consumer needs, MWh/yr (about a 6 MW waste-heat source).
HEAT_MWH = 50_000.0
#: What a consumer pays for heat without the exchange, EUR/MWh (fuel-fired boiler).
VIRGIN_PRICE = 15.0


def build_holdup(params: dict[str, Any], rng: np.random.Generator) -> ScenarioSpec:
    """Generate producers and consumers at random positions with the model's generator."""
    n, side = int(params["n_facilities"]), float(params["region_km"])
    xy = rng.uniform(0.0, side, size=(n, 2))
    volume = HEAT_MWH * rng.lognormal(0.0, 0.2, size=n)
    facilities = []
    for i in range(n):
        producer = i % 2 == 0
        facilities.append(FacilitySpec(
            id=f"{'p' if producer else 'c'}{i // 2:03d}",
            name=f"{'producer' if producer else 'consumer'} {i // 2}",
            sector="producer" if producer else "consumer",
            x_km=float(xy[i, 0]), y_km=float(xy[i, 1]), entry_year=2000, fragility=0.0,
            outputs=((StreamSpec("warm_water", float(volume[i]), 1, 0.1, 0.0),)
                     if producer else ()),
            needs=(() if producer else
                   (NeedSpec("warm_water", float(volume[i]), VIRGIN_PRICE, 1),)),
            source="generated (trustsim.park.scenarios.holdup)",
        ))
    return ScenarioSpec(name="holdup", description=DESCRIPTION, start_year=2000, years=25,
                        facilities=tuple(facilities), defaults=dict(DEFAULTS))


def participation(model: Any) -> float:
    """Share of operating producers with at least one active exchange (0 if none operate)."""
    g = model.network()
    producers = [f for f, d in g.nodes(data=True) if d["sector"] == "producer"]
    if not producers:
        return 0.0
    return sum(g.degree(f) > 0 for f in producers) / len(producers)


register_scenario("holdup", DESCRIPTION, build_holdup, lambda: dict(DEFAULTS))
