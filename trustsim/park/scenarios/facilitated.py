"""Facilitated emergence: an existing regional cluster with a broker, a platform and reform.

Modelled on the UK National Industrial Symbiosis Programme (NISP, P13): the region is the
generated one of :mod:`trustsim.park.scenarios.region` (``n_facilities`` firms of a realistic
sector mix clustered in towns over a ``region_km`` square; its size is a parameter), already
in place when facilitation starts. From 2005 a broker works the whole region (NISP went
national in 2005 [EC-ECOAP]), finding matches within ``broker_radius_km`` and publishing
reputations (the information platform); by-products stop being regulated as waste from 2007
(Environment Agency / WRAP quality protocols); the landfill tax applies from the start (UK
landfill tax from 1996, escalator from 1999). NISP's brokered synergies travelled a median
32.8 km [JENSEN2011], so the region is wide and the broker's reach regional. Nothing
schedules an exchange: the broker only makes matches known; deals stay bilateral.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from trustsim.park.scenarios import ScenarioSpec, register_scenario
from trustsim.park.scenarios.region import build_region

__all__ = ["DEFAULTS", "build_facilitated"]

DESCRIPTION = ("A NISP-like region of n_facilities clustered firms with a broker, "
               "information platform and reform from 2005")

#: Scenario defaults (parameters by name).
DEFAULTS: dict[str, Any] = {
    "n_facilities": 500,
    "region_km": 120.0,
    "broker_year": 2005,
    "broker_rate": 2.0,
    "broker_radius_km": 100.0,
    "broker_registry": True,
    "regulatory_reform_year": 2007,
    "landfill_tax": 40.0,
    "landfill_tax_year": 2000,
}


def build_facilitated(params: dict[str, Any], rng: np.random.Generator) -> ScenarioSpec:
    """Generate the region (see :func:`~trustsim.park.scenarios.region.build_region`)."""
    spec = build_region(params, rng)
    return replace(spec, name="facilitated", description=DESCRIPTION, defaults=dict(DEFAULTS))


register_scenario("facilitated", DESCRIPTION, build_facilitated, lambda: dict(DEFAULTS))
