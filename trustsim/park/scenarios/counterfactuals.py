"""Counterfactual variants of the Kalundborg scenario for the anchor-tenant experiments (P2).

``kalundborg_no_anchor`` is Kalundborg without the Asnaes power station: the same actors,
streams, years and (calibrated) parameter defaults, minus the facility with the largest,
steadiest output streams. Whether the network still grows, and around what, is left to the
model's mechanisms.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from trustsim.park.scenarios import SCENARIOS, ScenarioSpec, register_scenario

__all__ = ["ANCHOR", "build_without_anchor"]

#: Facility id of the anchor tenant removed.
ANCHOR = "asnaes"

DESCRIPTION = "Kalundborg without the Asnaes power station (anchor-tenant counterfactual)"


def build_without_anchor(params: dict[str, Any], rng: np.random.Generator) -> ScenarioSpec:
    """The kalundborg scenario with the anchor facility and its initial ties removed."""
    spec = SCENARIOS["kalundborg"].build(params, rng)
    return replace(
        spec, name="kalundborg_no_anchor", description=DESCRIPTION,
        facilities=tuple(f for f in spec.facilities if f.id != ANCHOR),
        ties=tuple(t for t in spec.ties if ANCHOR not in t[:2]),
    )


register_scenario("kalundborg_no_anchor", DESCRIPTION, build_without_anchor,
                  lambda: SCENARIOS["kalundborg"].defaults(), calibrated=True)
