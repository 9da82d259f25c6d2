"""Scenario registry: name -> description and a builder returning a :class:`ScenarioSpec`.

A scenario fixes what the world is (facilities, their streams and needs, entry and exit years,
the energy price index, initial social ties) and may change parameter defaults; it never
schedules an exchange. Data scenarios are TOML files in this package; generated ones are
Python builders. Other modules add scenarios with :func:`register_scenario`.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np

from trustsim.errors import UserError

__all__ = [
    "SCENARIOS",
    "FacilitySpec",
    "NeedSpec",
    "Scenario",
    "ScenarioSpec",
    "StreamSpec",
    "LAYOUT_STREAM",
    "get_scenario",
    "layout_rng",
    "load_toml",
    "register_scenario",
]

#: Spawn key of the layout generator of a fixed ``region_seed``: a stream of its own, apart from
#: a run seeded with the same integer (empty spawn key) and from sweep run seeds (keys
#: ``(point, replicate)``).
LAYOUT_STREAM = (2**32 - 2,)


@dataclass(frozen=True, slots=True)
class StreamSpec:
    """An output stream: resource, grade, yearly volume, variability, costs, years.

    ``disposal_cost`` is what the supplier pays per unit to get rid of the stream (times the
    scenario's ``disposal_index``); ``supply_cost`` what making one unit available to a buyer
    costs the supplier (such as the electricity a power station gives up to extract steam; times
    the energy price index for an energy-priced resource). ``available_basis`` and
    ``available_source`` say what dates ``start_year`` (a unit commissioned, a plant opened, a
    regulation, or an estimate) and where that date comes from.
    """

    resource: str
    volume: float
    grade: int = 1
    variability: float = 0.1
    disposal_cost: float = 0.0
    supply_cost: float = 0.0
    start_year: int | None = None
    end_year: int | None = None
    source: str = ""
    estimate: bool = True
    available_basis: str = ""
    available_source: str = ""


@dataclass(frozen=True, slots=True)
class NeedSpec:
    """An input need: resource, minimum grade, yearly volume, price of the virgin input, years."""

    resource: str
    volume: float
    virgin_price: float
    min_grade: int = 1
    start_year: int | None = None
    end_year: int | None = None
    source: str = ""
    estimate: bool = True
    available_basis: str = ""
    available_source: str = ""


@dataclass(frozen=True, slots=True)
class FacilitySpec:
    """A facility: identity, sector, location (km), entry and exit, fragility, streams, needs."""

    id: str
    name: str
    sector: str
    x_km: float
    y_km: float
    entry_year: int
    exit_year: int | None = None
    fragility: float = 0.01
    offsite_km: float = 0.0
    outputs: tuple[StreamSpec, ...] = ()
    needs: tuple[NeedSpec, ...] = ()
    source: str = ""
    entry_basis: str = ""
    entry_source: str = ""


@dataclass(frozen=True, slots=True)
class ScenarioSpec:
    """A built scenario: everything the model needs besides the parameters.

    Attributes:
        name: scenario name.
        description: one line.
        start_year: calendar year of step 0.
        years: default run length in years.
        defaults: parameter defaults of this scenario (validated like user overrides).
        facilities: every facility that exists at some time in the run.
        price_index: energy price multiplier from each listed year on (piecewise constant).
        disposal_index: multiplier on every stream's disposal cost from each listed year on
            (piecewise constant; 1 before the first entry and when empty).
        landfill_tax: landfill tax, EUR per tonne, from each listed year on (piecewise
            constant, 0 before the first entry), on top of the ``landfill_tax`` parameter.
        ties: initial social ties as (facility id, facility id, strength).
        initially_known: whether all managers know each other's streams at the start.
    """

    name: str
    description: str
    start_year: int
    years: int
    facilities: tuple[FacilitySpec, ...]
    defaults: dict[str, Any] = field(default_factory=dict)
    price_index: dict[int, float] = field(default_factory=dict)
    disposal_index: dict[int, float] = field(default_factory=dict)
    landfill_tax: dict[int, float] = field(default_factory=dict)
    ties: tuple[tuple[str, str, float], ...] = ()
    initially_known: bool = False


@dataclass(frozen=True, slots=True)
class Scenario:
    """A registered scenario: its name, a one-line description and its builder.

    The builder receives the validated parameters (scenario defaults merged with overrides)
    and a generator for the layout (:func:`layout_rng`: the model's own generator unless
    ``region_seed`` is set), and returns the :class:`ScenarioSpec`. Every random draw that
    shapes the world belongs in the builder, so that ``region_seed`` holds all of it fixed.
    A ``calibrated`` scenario takes its behavioural defaults from a calibration file
    (:mod:`trustsim.park.scenarios.calibration`; the packaged one unless a user gives another).
    """

    name: str
    description: str
    build: Callable[[dict[str, Any], np.random.Generator], ScenarioSpec]
    defaults: Callable[[], dict[str, Any]]
    calibrated: bool = False


#: Every registered scenario, by name.
SCENARIOS: dict[str, Scenario] = {}


def register_scenario(
    name: str,
    description: str,
    build: Callable[[dict[str, Any], np.random.Generator], ScenarioSpec],
    defaults: Callable[[], dict[str, Any]] | None = None,
    *,
    calibrated: bool = False,
) -> None:
    """Register a scenario under ``name``.

    Args:
        name: snake_case scenario name.
        description: one line for `trustsim scenarios`.
        build: builder, ``build(params, rng) -> ScenarioSpec``.
        defaults: returns the scenario's parameter defaults before building (so that
            generated scenarios can read them); None for none.
        calibrated: whether the defaults include the packaged calibration, which a
            ``--calibration`` file replaces.

    Raises:
        ValueError: if ``name`` is already registered.
    """
    if name in SCENARIOS:
        raise ValueError(f"duplicate scenario {name!r}")
    SCENARIOS[name] = Scenario(name, description, build, defaults or dict, calibrated)


def layout_rng(region_seed: int, run_rng: np.random.Generator) -> np.random.Generator:
    """Return the generator a scenario builder draws its layout from.

    Args:
        region_seed: the ``region_seed`` parameter; -1 (none) for the run's own generator.
        run_rng: the run's generator (``model.rng``).

    Returns:
        ``run_rng`` itself for -1 (the layout is drawn from the run's seed, before any other
        draw, as without the parameter), else a new generator from
        ``SeedSequence(region_seed, spawn_key=LAYOUT_STREAM)`` that the run's generator never
        sees: the same ``region_seed`` gives the same layout whatever the run's seed.
    """
    if region_seed < 0:
        return run_rng
    return np.random.default_rng(np.random.SeedSequence(region_seed, spawn_key=LAYOUT_STREAM))


def get_scenario(name: str) -> Scenario:
    """Return the registered scenario ``name``.

    Raises:
        UserError: for an unknown name (lists the valid ones and suggests the closest).
    """
    try:
        return SCENARIOS[name]
    except KeyError:
        hint = difflib.get_close_matches(str(name), SCENARIOS, n=1)
        did = f" (did you mean {hint[0]!r}?)" if hint else ""
        valid = ", ".join(sorted(SCENARIOS))
        raise UserError(f"unknown scenario {name!r}{did}; valid scenarios: {valid}") from None


def _read_package_toml(filename: str) -> dict[str, Any]:
    text = resources.files("trustsim.park.scenarios").joinpath(filename).read_text(encoding="utf-8")
    return tomllib.loads(text)


def _series(data: dict[str, Any], key: str) -> dict[int, float]:
    """A year -> value table of a scenario document (keys in a ``note`` entry are skipped)."""
    return {int(k): float(v) for k, v in data.get(key, {}).items() if k != "note"}


def load_toml(data: dict[str, Any]) -> ScenarioSpec:
    """Build a :class:`ScenarioSpec` from a parsed scenario TOML document.

    Raises:
        UserError: if a required key is missing or a facility id repeats.
    """
    try:
        facilities = []
        for f in data["facility"]:
            outs = tuple(
                StreamSpec(**{k: v for k, v in s.items() if k != "note"})
                for s in f.get("output", [])
            )
            needs = tuple(
                NeedSpec(**{k: v for k, v in s.items() if k != "note"}) for s in f.get("need", [])
            )
            keys = {k: v for k, v in f.items() if k not in ("output", "need", "note")}
            facilities.append(FacilitySpec(**keys, outputs=outs, needs=needs))
        ids = [f.id for f in facilities]
        if len(set(ids)) != len(ids):
            raise UserError(f"scenario {data.get('name')!r}: facility ids repeat")
        return ScenarioSpec(
            name=data["name"],
            description=data["description"],
            start_year=int(data["start_year"]),
            years=int(data["years"]),
            facilities=tuple(facilities),
            defaults=dict(data.get("defaults", {})),
            price_index=_series(data, "price_index"),
            disposal_index=_series(data, "disposal_index"),
            landfill_tax=_series(data, "landfill_tax"),
            ties=tuple((a, b, float(s)) for a, b, s in data.get("ties", [])),
            initially_known=bool(data.get("initially_known", False)),
        )
    except (KeyError, TypeError) as err:
        raise UserError(f"scenario {data.get('name')!r}: bad or missing field {err}") from None


def _toml_scenario(filename: str, calibrated: bool = False) -> None:
    data = _read_package_toml(filename)
    if calibrated:
        # the packaged calibration's fitted behavioural parameters become the defaults
        from trustsim.park.scenarios.calibration import load_calibration

        data["defaults"] = {**data.get("defaults", {}), **load_calibration().parameters}
    register_scenario(
        data["name"],
        data["description"],
        lambda params, rng, _data=data: load_toml(_data),
        lambda _data=data: dict(_data.get("defaults", {})),
        calibrated=calibrated,
    )


_toml_scenario("minimal.toml")
_toml_scenario("kalundborg.toml", calibrated=True)

# generated scenarios register themselves on import
from trustsim.park.scenarios import (  # noqa: E402,F401
    counterfactuals,
    facilitated,
    holdup,
    planned_eip,
    region,
)
