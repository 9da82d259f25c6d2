"""The resources facilities exchange: kind, unit, cascade family, transport and emission factors.

Each resource is a row of :data:`RESOURCES`. Utilities are continuous, easy-to-monitor flows
(water, heat); by-products are residual materials of variable composition. The numbers are
engineering estimates documented in ``docs/ODD.md`` (Input data) with their sources:
heat-pipe costs [FrederiksenWerner2013], road-freight and water-pipe costs (author
estimates), the six-tenths scaling rule for infrastructure [Williams1947], and
avoided-emission factors from IPCC default fuel and process factors [IPCC2006].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trustsim.errors import UserError

__all__ = ["RESOURCES", "Resource", "resource_index", "resource_arrays"]


@dataclass(frozen=True, slots=True)
class Resource:
    """A resource that can flow in an exchange.

    Attributes:
        name: snake_case key used in scenario files.
        kind: "utility" or "byproduct".
        unit: unit of volumes (per year in streams and needs).
        family: cascade family: "heat", "water" or "material".
        diverted_t: tonnes of solid or liquid material diverted from waste (landfill,
            spreading, incineration) per unit exchanged; 0 for energy and water, whose reuse
            is counted by the heat cascade and water-use measures. The landfill tax applies
            per diverted tonne.
        co2_t: tonnes of CO2 avoided per unit exchanged (displaced fuel or virgin material).
        transport: variable transport cost, EUR per unit per km.
        infra_fixed: fixed cost of a new connection at the reference volume, EUR.
        infra_per_km: cost per km of a new connection at the reference volume, EUR/km.
        ref_volume: reference yearly volume of the infrastructure costs (six-tenths rule).
        energy: whether the resource's virgin price follows the energy price index.
    """

    name: str
    kind: str
    unit: str
    family: str
    diverted_t: float
    co2_t: float
    transport: float
    infra_fixed: float
    infra_per_km: float
    ref_volume: float
    energy: bool


#: Every resource, in canonical order (the order of resource indices).
RESOURCES: tuple[Resource, ...] = (
    # name, kind, unit, family, diverted t/unit, CO2 t/unit, EUR/unit/km, fixed EUR,
    # EUR/km, reference volume, energy-priced
    Resource("fresh_water", "utility", "m3", "water", 0.0, 0.0003, 0.002, 1.5e5, 4.0e5, 1e6, False),
    Resource("heat", "utility", "MWh", "heat", 0.0, 0.30, 0.05, 3.0e5, 1.5e6, 1e5, True),
    Resource("cooling_water", "byproduct", "m3", "water", 0.0, 0.0003, 0.002, 1.0e5, 3.0e5, 1e6,
             False),
    Resource("wastewater", "byproduct", "m3", "water", 0.0, 0.0003, 0.002, 1.0e5, 3.0e5, 1e6,
             False),
    Resource("warm_water", "byproduct", "MWh", "heat", 0.0, 0.20, 0.02, 1.0e5, 3.0e5, 5e4, True),
    Resource("fuel_gas", "byproduct", "MWh", "material", 0.0, 0.20, 0.02, 2.0e5, 5.0e5, 1e5, True),
    Resource("fly_ash", "byproduct", "t", "material", 1.0, 0.70, 0.10, 3.0e5, 0.0, 1e5, False),
    Resource("gypsum", "byproduct", "t", "material", 1.0, 0.03, 0.10, 2.0e5, 0.0, 1e5, False),
    Resource("sludge", "byproduct", "t", "material", 1.0, 0.01, 0.08, 1.0e5, 0.0, 1e5, False),
    Resource("sulphur", "byproduct", "t", "material", 1.0, 0.10, 0.10, 5.0e4, 0.0, 1e4, False),
    Resource("fertiliser", "byproduct", "t", "material", 1.0, 0.30, 0.10, 5.0e4, 0.0, 1e4, False),
    Resource("biomass", "byproduct", "t", "material", 1.0, 1.00, 0.10, 5.0e4, 0.0, 1e4, True),
    Resource("ethanol", "byproduct", "m3", "material", 0.0, 1.50, 0.10, 5.0e4, 0.0, 1e4, True),
    Resource("feed", "byproduct", "t", "material", 1.0, 0.05, 0.10, 5.0e4, 0.0, 1e4, False),
    Resource("organic_residue", "byproduct", "t", "material", 1.0, 0.05, 0.08, 1.0e5, 0.0, 1e5,
             False),
    Resource("digestate", "byproduct", "t", "material", 1.0, 0.01, 0.08, 5.0e4, 0.0, 1e5, False),
)

_INDEX = {r.name: i for i, r in enumerate(RESOURCES)}


def resource_index(name: str) -> int:
    """Return the index of resource ``name``.

    Raises:
        UserError: for an unknown resource (the message lists the valid names).
    """
    try:
        return _INDEX[name]
    except KeyError:
        valid = ", ".join(_INDEX)
        raise UserError(f"unknown resource {name!r}; valid resources: {valid}") from None


def resource_arrays() -> dict[str, np.ndarray]:
    """Per-resource numeric columns as arrays indexed by resource index."""
    cols = ("diverted_t", "co2_t", "transport", "infra_fixed", "infra_per_km", "ref_volume")
    out = {c: np.array([getattr(r, c) for r in RESOURCES], dtype=np.float64) for c in cols}
    out["byproduct"] = np.array([r.kind == "byproduct" for r in RESOURCES])
    out["energy"] = np.array([r.energy for r in RESOURCES])
    fams = ("heat", "water", "material")
    out["family"] = np.array([fams.index(r.family) for r in RESOURCES], dtype=np.int64)
    return out
