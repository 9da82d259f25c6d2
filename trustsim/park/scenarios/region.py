"""A generated region: ``n_facilities`` firms of a typical sector mix, clustered in towns.

Facilities sit in a square of side ``region_km`` around a few town centres (spatial clustering
of industry [Porter1998]); sectors follow a mix of heavy process industry, manufacturing,
agriculture and utilities, each with the streams and needs of its kind. Volumes are lognormal
around sector means. All facilities exist from the start; a few enter later. No broker and no
reform by default: the untouched region that scenarios such as ``facilitated`` build on.
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

__all__ = ["SECTORS", "build_region"]

# sector: (share, outputs [(resource, grade, mean volume, disposal EUR/unit)],
#          needs [(resource, min grade, mean volume, virgin price EUR/unit)])
SECTORS: dict[str, tuple[float, list[tuple], list[tuple]]] = {
    "power": (0.03, [("heat", 4, 3e5, 0.0), ("warm_water", 1, 1e5, 0.0),
                     ("fly_ash", 1, 5e4, 20.0), ("gypsum", 1, 3e4, 10.0)],
              [("fresh_water", 1, 1e6, 0.6), ("cooling_water", 1, 5e5, 0.6),
               ("fuel_gas", 1, 5e4, 15.0), ("biomass", 1, 1e4, 60.0)]),
    "refinery_chemicals": (0.05, [("fuel_gas", 1, 8e4, 0.0), ("cooling_water", 1, 5e5, 0.2),
                                  ("sulphur", 1, 3e3, 20.0), ("wastewater", 1, 3e5, 0.5)],
                           [("fresh_water", 1, 1e6, 0.6), ("heat", 4, 1e5, 25.0),
                            ("ethanol", 1, 3e3, 500.0)]),
    "pharma_biotech": (0.04, [("sludge", 1, 5e4, 5.0), ("feed", 1, 3e3, 5.0),
                              ("organic_residue", 1, 3e4, 5.0), ("wastewater", 1, 2e5, 0.5)],
                       [("heat", 4, 8e4, 25.0), ("fresh_water", 1, 5e5, 0.6)]),
    "building_materials": (0.05, [("warm_water", 1, 2e4, 0.0)],
                           [("fly_ash", 1, 4e4, 25.0), ("gypsum", 1, 3e4, 12.0),
                            ("fuel_gas", 1, 4e4, 20.0)]),
    "food": (0.14, [("organic_residue", 1, 1e4, 8.0), ("wastewater", 1, 1e5, 0.5),
                    ("warm_water", 1, 1e4, 0.0)],
             [("heat", 3, 2e4, 30.0), ("fresh_water", 1, 2e5, 0.6)]),
    "farm": (0.2, [("organic_residue", 1, 5e3, 3.0)],
             [("sludge", 1, 2e4, 3.0), ("feed", 1, 2e3, 60.0), ("digestate", 1, 1e4, 2.0),
              ("fertiliser", 1, 1e3, 100.0)]),
    "district_heating": (0.05, [], [("heat", 2, 5e4, 35.0)]),
    "water_utility": (0.04, [("fresh_water", 1, 2e6, 0.0), ("sludge", 1, 1e4, 10.0)],
                      [("wastewater", 1, 3e5, 0.3)]),
    "greenhouse_aquaculture": (0.08, [], [("warm_water", 1, 1e4, 15.0), ("heat", 2, 1e4, 35.0)]),
    "biogas": (0.04, [("fuel_gas", 1, 3e4, 0.0), ("digestate", 1, 2e4, 2.0)],
               [("organic_residue", 1, 4e4, 2.0)]),
    "manufacturing": (0.28, [("warm_water", 1, 5e3, 0.0), ("wastewater", 1, 5e4, 0.5)],
                      [("heat", 3, 1e4, 30.0), ("fresh_water", 1, 5e4, 0.6)]),
}


def build_region(params: dict[str, Any], rng: np.random.Generator) -> ScenarioSpec:
    """Generate the region from ``n_facilities`` and ``region_km``.

    ``rng`` is the layout generator (:func:`trustsim.park.scenarios.layout_rng`): the model's own,
    or one of ``region_seed`` alone when that is set, so that runs share the region.
    """
    n, side = int(params["n_facilities"]), float(params["region_km"])
    names = list(SECTORS)
    share = np.array([SECTORS[s][0] for s in names])
    sector = rng.choice(len(names), size=n, p=share / share.sum())
    towns = rng.uniform(0.1 * side, 0.9 * side, size=(max(1, n // 40), 2))
    home = rng.integers(0, towns.shape[0], size=n)
    xy = np.clip(towns[home] + rng.normal(0.0, 0.06 * side, size=(n, 2)), 0.0, side)
    entry = np.where(rng.random(n) < 0.8, 0, rng.integers(1, 30, size=n))
    facilities = []
    for i in range(n):
        _, outs, needs = SECTORS[names[sector[i]]]
        size = rng.lognormal(0.0, 0.6)
        keep_o = rng.random(len(outs)) < 0.8
        keep_n = rng.random(len(needs)) < 0.8
        facilities.append(FacilitySpec(
            id=f"f{i:05d}", name=f"{names[sector[i]]} {i}", sector=names[sector[i]],
            x_km=float(xy[i, 0]), y_km=float(xy[i, 1]), entry_year=2000 + int(entry[i]),
            fragility=float(0.01 + 0.02 * rng.random()),
            outputs=tuple(StreamSpec(r, float(v * size), g, 0.1, d)
                          for (r, g, v, d), k in zip(outs, keep_o, strict=True) if k),
            needs=tuple(NeedSpec(r, float(v * size), pr, g)
                        for (r, g, v, pr), k in zip(needs, keep_n, strict=True) if k),
        ))
    return ScenarioSpec(
        name="region", description=DESCRIPTION, start_year=2000, years=40,
        facilities=tuple(facilities),
    )


DESCRIPTION = "A generated region of n_facilities firms in clustered towns (no broker, no reform)"

register_scenario("region", DESCRIPTION, build_region)
