"""Every parameter a user can set by name: unit, default, valid range or choices, and a doc line.

:data:`PARAMETERS` is the single source of truth. A scenario may change defaults (its
``defaults`` table), a user overrides by name; :func:`validate_overrides` checks both and turns
command-line strings into typed values. A mistake raises :class:`~trustsim.errors.UserError`
naming the parameter and what is allowed, with the closest valid name for a typo.

``region_seed`` holds a generated region fixed across runs. Generated scenarios (``region``,
``facilitated``, ``planned_eip``, ``holdup``) draw their layout (each facility's sector, town
and place, volumes, kept streams and needs, entry year and fragility) when the model is built.
With ``region_seed = -1`` (the default) the layout comes from the run's own generator, as it
always has, so every replicate of a sweep runs on a different region and results are
unchanged bit for bit. With ``region_seed = k`` in [0, 2**32 - 1] the layout comes from a
generator of its own, ``SeedSequence(k, spawn_key=LAYOUT_STREAM)``
(:func:`trustsim.park.scenarios.layout_rng`), while behaviour (social ties, patience, discovery,
play, turnover, closures) still draws from the run's generator: runs with the same
``region_seed`` and different run seeds share one region and differ in behaviour only. Data
scenarios (``kalundborg``, ``minimal``) draw nothing to build, so there it has no effect.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from trustsim.errors import UserError

__all__ = ["PARAMETERS", "Parameter", "defaults", "strategy_choices", "validate_overrides"]

#: The strategy key of the model's own forward-looking managers (not a kernel strategy).
FORWARD_LOOKING = "forward_looking"


@dataclass(frozen=True, slots=True)
class Parameter:
    """A user parameter.

    Attributes:
        name: snake_case name used in overrides, configs and output columns.
        unit: unit of the value ("1" for dimensionless shares).
        default: the value used when neither scenario nor user sets it.
        kind: "float", "int", "bool", "choice" or "year" (an int year, or None for "never").
        low: smallest valid value (numbers and years).
        high: largest valid value (numbers and years).
        choices: valid values of a "choice" parameter (None: computed, see strategy).
        doc: one line saying what it is.
        none_value: for an "int" parameter, a value outside [low, high] that stands for
            "none" (such as -1 for ``region_seed``); None if the parameter has no such value.
    """

    name: str
    unit: str
    default: Any
    kind: str
    low: float = -math.inf
    high: float = math.inf
    choices: tuple[str, ...] | None = None
    doc: str = ""
    none_value: int | None = None

    def allowed(self) -> str:
        """Describe the valid values, for error messages and docs."""
        if self.kind == "bool":
            return "true or false"
        if self.kind == "choice":
            return "one of " + ", ".join(self.valid_choices())
        if self.kind == "year":
            return f"a year in [{self.low:g}, {self.high:g}] or none"
        if self.none_value is not None:
            span = f"[{self.low:.0f}, {self.high:.0f}]"
            return f"a whole number in {span}, or {self.none_value} for none"
        return f"[{self.low:g}, {self.high:g}]"

    def _number(self) -> str:
        """'a number in [low, high]', or :meth:`allowed` where that already says so."""
        return self.allowed() if self.none_value is not None else f"a number in {self.allowed()}"

    def valid_choices(self) -> tuple[str, ...]:
        """The valid values of a choice parameter."""
        return self.choices if self.choices is not None else strategy_choices()

    def coerce(self, value: Any) -> Any:
        """Return ``value`` converted to this parameter's type, or raise :class:`UserError`."""
        if isinstance(value, np.generic):  # np.float32(0.5), np.int64(30), np.bool_(True)
            value = value.item()
        if isinstance(value, str):
            value = _parse(self, value.strip())
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise UserError(f"{self.name} must be true or false, got {value!r}")
            return value
        if self.kind == "choice":
            choices = self.valid_choices()
            if value not in choices:
                hint = difflib.get_close_matches(str(value), choices, n=1)
                did = f" (did you mean {hint[0]!r}?)" if hint else ""
                raise UserError(f"{self.name} must be {self.allowed()}, got {value!r}{did}")
            return value
        if self.kind == "year" and value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise UserError(f"{self.name} must be {self._number()}, got {value!r}")
        if self.kind in ("int", "year"):
            if isinstance(value, float) and not value.is_integer():
                raise UserError(f"{self.name} must be a whole number in {self.allowed()}")
            value = int(value)
            if value == self.none_value:
                return value
        else:
            value = float(value)
        if not (self.low <= value <= self.high):  # also rejects NaN
            where = (self.allowed() if self.kind == "year" or self.none_value is not None
                     else f"in {self.allowed()} ({self.unit})")
            raise UserError(f"{self.name} must be {where}, got {value!r}")
        return value


def _parse(p: Parameter, text: str) -> Any:
    """Parse a command-line string for parameter ``p``."""
    low = text.lower()
    if p.kind == "bool":
        if low in ("true", "yes", "on", "1"):
            return True
        if low in ("false", "no", "off", "0"):
            return False
        raise UserError(f"{p.name} must be true or false, got {text!r}")
    if p.kind == "choice":
        return text
    if p.kind == "year" and low in ("none", "never", "off", ""):
        return None
    if p.none_value is not None and low in ("none", "off", ""):
        return p.none_value
    try:
        return int(text) if p.kind in ("int", "year") else float(text)
    except ValueError:
        raise UserError(f"{p.name} must be {p._number()}, got {text!r}") from None


def strategy_choices() -> tuple[str, ...]:
    """Valid manager strategies: ``forward_looking`` and every kernel strategy key."""
    from trustsim.game.strategies import STRATEGIES

    return (FORWARD_LOOKING, *sorted(STRATEGIES))


def _p(name: str, unit: str, default: Any, kind: str = "float", low: float = 0.0,
       high: float = 1.0, doc: str = "", choices: tuple[str, ...] | None = None,
       none_value: int | None = None) -> Parameter:
    return Parameter(name, unit, default, kind, low, high, choices, doc, none_value)


_YEAR = {"kind": "year", "low": 1900, "high": 2200}

#: ``region_seed`` value meaning "none": a generated region is drawn from the run's seed.
REGION_SEED_NONE = -1
#: Largest ``region_seed`` (a 32-bit seed).
REGION_SEED_MAX = 2**32 - 1

#: Every user parameter, by name (model layer; scenarios add none of their own).
PARAMETERS: dict[str, Parameter] = {
    p.name: p
    for p in [
        # -- managers -----------------------------------------------------------------------
        _p("strategy", "-", FORWARD_LOOKING, "choice",
           doc="manager strategy: forward_looking or any kernel strategy key"),
        _p("rival_strategy", "-", FORWARD_LOOKING, "choice",
           doc="the second strategy of a mixed population (see rival_share)"),
        _p("rival_share", "1", 0.0,
           doc="share of managers who start with rival_strategy instead of strategy (each "
           "drawn at entry)"),
        _p("adaptation", "-", "none", "choice", choices=("none", "imitation", "reinforcement"),
           doc="how managers adapt: none; imitation (adopt a tied or trading neighbour's "
           "strategy by the Fermi rule [Traulsen2006]); reinforcement (Roth-Erev propensities "
           "to honour or cheat, learnt from own payoffs [ErevRoth1998])"),
        _p("imitation_rate", "1/yr", 1.0, high=52.0,
           doc="strategy revisions per manager and year under imitation"),
        _p("selection_intensity", "1", 10.0, high=1000.0,
           doc="beta of the Fermi rule, per unit of payoff relative to the exchange's value"),
        _p("exploration", "1", 0.01,
           doc="probability that a revising manager adopts a random strategy of the set"),
        _p("reinforcement_forgetting", "1", 0.1,
           doc="Roth-Erev forgetting phi per round [ErevRoth1998]"),
        _p("reinforcement_experimentation", "1", 0.2,
           doc="Roth-Erev experimentation eps: the share of a payoff that reinforces the "
           "action not played [ErevRoth1998]"),
        _p("reinforcement_strength", "1", 9.0, low=0.01, high=1000.0,
           doc="Roth-Erev initial strength s(1): initial propensities are s(1) times the mean "
           "normalised payoff, split over the two actions [ErevRoth1998]"),
        _p("patience", "1/period", 0.95, high=0.999,
           doc="discount factor per period (delta), the shadow of the future"),
        _p("patience_spread", "1", 0.0, high=0.5,
           doc="standard deviation of managers' patience around `patience`"),
        _p("noise", "1", 0.0, high=0.5, doc="probability an intended action is flipped"),
        _p("misperception", "1", 0.0, high=0.5,
           doc="probability a partner's action is misread"),
        _p("shortfall_tolerance", "1", 0.0,
           doc="a delivery below this share of the usual volume is read by the receiver as "
               "the supplier cheating, as a low price is read as a rival's price cut "
               "[GreenPorter1984] (0: never)"),
        _p("turnover_rate", "1/yr", 0.1, high=4.0,
           doc="probability per manager per year that the manager leaves"),
        _p("institutional_memory", "1", 0.2,
           doc="share of personal trust and ties a successor inherits"),
        # -- trust --------------------------------------------------------------------------
        _p("trust_prior", "1", 0.5, doc="trust in a manager one has never dealt with"),
        _p("trust_gain", "1", 0.1,
           doc="share of the distance to full trust gained per observed cooperation"),
        _p("trust_loss", "1", 0.3, doc="share of trust lost per observed defection"),
        _p("trust_threshold", "1", 0.4, doc="mutual trust needed to negotiate a utility exchange"),
        _p("byproduct_trust", "1", 0.55,
           doc="mutual trust needed to negotiate a by-product exchange"),
        _p("relational_trust", "1", 0.65, doc="mutual trust needed for a relational contract"),
        _p("trust_exit", "1", 0.15, doc="an exchange ends when either side's trust falls below"),
        _p("safeguard_cost", "1", 0.0,
           doc="safeguards a partner demands in proportion to its distrust (prepayment, "
               "guarantees, inspection) [Williamson1983; DyerChu2003]: a side pays this share "
               "of the period's value times (1 - its partner's trust in it) every round"),
        _p("share_trust", "1", 0.6,
           doc="trust needed to share sensitive stream data with a social tie"),
        # -- social ties, gossip, sanctions -------------------------------------------------
        _p("social_cohesion", "1", 0.5,
           doc="probability that next-door managers share a social tie (community cohesion)"),
        _p("tie_distance_km", "km", 3.0, low=0.01, high=1000.0,
           doc="distance over which tie probability falls by a factor e"),
        _p("tie_growth", "1/period", 0.02,
           doc="tie strength gained per period of mutual cooperation"),
        _p("tie_trust", "1", 0.2,
           doc="extra trust in a stranger per unit strength of a social tie to them"),
        _p("gossip_reach", "hops", 1, "int", 0, 5,
           doc="how many social-tie hops news of a defection travels"),
        _p("gossip_weight", "1", 0.5, doc="share of the trust loss passed on per hop of gossip"),
        _p("sanction_strength", "1", 0.0, high=10.0,
           doc="an exogenous extra penalty paid per detected defection that becomes known, as "
           "a share of the period's value; 0 by default and in every experiment: reputation "
           "works through what gossip and the registry make others do"),
        # -- broker -------------------------------------------------------------------------
        _p("broker_year", "yr", None, **_YEAR, doc="year a neutral broker starts (none: never)"),
        _p("broker_rate", "1/yr", 1.0, high=50.0,
           doc="rate at which the broker finds a given potential match"),
        _p("broker_radius_km", "km", 30.0, low=0.0, high=2000.0,
           doc="distance over which the broker looks for matches"),
        _p("broker_deals_per_year", "1/yr", 2.0, low=0.0, high=100.0,
           doc="deals a year the broker prepares for managers too busy to negotiate them"),
        _p("broker_registry", "-", True, "bool",
           doc="whether the broker publishes reputations (image scores)"),
        _p("reputation_weight", "1", 0.5,
           doc="weight of published reputation in trust towards a stranger"),
        _p("registry_weight", "1", 0.5,
           doc="share of the trust loss a defection published in the registry costs the "
           "defector with every other manager who has dealt with it"),
        # -- discovery ----------------------------------------------------------------------
        _p("search_radius_km", "km", 25.0, low=0.0, high=2000.0,
           doc="farthest distance a manager's own search looks"),
        _p("search_rate", "1/yr", 0.15, high=50.0,
           doc="rate at which own search finds a potential match next door"),
        _p("search_distance_cost", "1/km", 0.1, high=10.0,
           doc="own search rate falls by exp(-cost x distance)"),
        _p("tie_discovery_rate", "1/yr", 0.8, high=50.0,
           doc="rate at which a trusted social tie reveals a match, per unit tie strength"),
        # -- exchange economics and contracts -----------------------------------------------
        _p("utility_temptation", "1", 0.1, high=5.0,
           doc="one-shot gain from opportunism (T-R) in a utility, share of period value"),
        _p("byproduct_temptation", "1", 0.3, high=5.0,
           doc="one-shot gain from opportunism (T-R) in a by-product, share of period value"),
        _p("byproduct_detection", "1", 0.8,
           doc="probability a defection in a by-product exchange is noticed"),
        _p("surplus_split", "1", 0.5, doc="supplier's share of the joint surplus"),
        _p("enforcement", "1", 0.3, doc="probability a formal contract is enforced after a breach"),
        _p("formal_penalty", "1", 0.5, high=50.0,
           doc="penalty F of an enforced formal contract, share of the period's value"),
        _p("formal_cost", "1", 0.03, doc="cost of writing and policing a formal contract, "
           "share of the exchange's value"),
        _p("coordination_cost", "EUR/yr", 20000.0, high=1e8,
           doc="yearly coordination cost of one utility exchange"),
        _p("byproduct_coordination", "1", 2.5, low=1.0, high=20.0,
           doc="coordination cost multiplier for by-products"),
        _p("interest_rate", "1/yr", 0.06, high=0.5, doc="discount rate of infrastructure"),
        _p("infrastructure_life", "yr", 20.0, low=1.0, high=100.0,
           doc="life of a pipeline or handling installation"),
        _p("max_payback_years", "yr", 8.0, low=0.0, high=50.0,
           doc="longest payback a long-term contract accepts for new infrastructure"),
        _p("spot_payback_years", "yr", 1.0, low=0.0, high=50.0,
           doc="longest payback a spot deal accepts for new infrastructure"),
        _p("infrastructure_cost_scale", "1", 1.0, high=100.0,
           doc="multiplier on the cost of new infrastructure (the relationship-specific "
           "investment)"),
        _p("distance_cost_scale", "1", 1.0, high=100.0,
           doc="multiplier on every cost that grows with distance (transport and the per-km "
           "part of infrastructure; 0: distance costs nothing)"),
        _p("virgin_price_scale", "1", 1.0, high=100.0,
           doc="multiplier on every virgin input price (the value an exchange replaces)"),
        _p("infrastructure_reuse", "1", 0.7,
           doc="share of infrastructure cost saved on a connection that already has some"),
        _p("corridor_km", "km", 0.0, high=100.0,
           doc="a new pipe saves the reuse share where a pipe already links facilities within "
           "this distance of both ends, whoever owns it (0: only the same two facilities)"),
        _p("switching_margin", "1", 0.3, high=10.0,
           doc="relative gain an alternative must offer before a receiver switches"),
        _p("infrastructure_sunk", "1", 1.0,
           doc="share of an incumbent's infrastructure cost that is sunk when its receiver "
           "weighs an alternative (1: all of it, lock-in; 0: none, it competes at full cost)"),
        _p("deals_per_manager_per_year", "1/yr", 4.0, low=0.1, high=100.0,
           doc="new deals a manager can negotiate a year (bounded attention; one deal at a "
           "time)"),
        _p("min_volume_share", "1", 0.1,
           doc="smallest deal, as a share of the smaller of supply and need"),
        # -- regulation ---------------------------------------------------------------------
        _p("regulatory_reform_year", "yr", None, **_YEAR,
           doc="year by-products stop being regulated as waste (none: never)"),
        _p("permit_cost", "EUR/yr", 40000.0, high=1e8,
           doc="yearly permit cost of a by-product exchange before reform"),
        _p("liability_share", "1", 0.15,
           doc="share of a by-product's value lost to waste liability before reform"),
        _p("landfill_tax", "EUR/t", 0.0, high=1000.0, doc="tax per tonne of by-product landfilled"),
        _p("landfill_tax_year", "yr", None, **_YEAR, doc="year the landfill tax starts"),
        # -- facilities and time ------------------------------------------------------------
        _p("fragility_scale", "1", 1.0, high=100.0,
           doc="multiplier on every facility's yearly closing probability"),
        _p("relet_rate", "1/yr", 0.0, high=12.0,
           doc="rate at which a plot vacated by a closure is let to a new tenant of the same "
           "kind (0: never; 1: a void of about a year, UK multi-let industrial 6-15 months "
           "[CoStar2023])"),
        _p("tenant_scale", "1", 0.25, low=0.01, high=10.0,
           doc="tenants' volumes as a share of a regional firm's of the same sector "
           "(scenario planned_eip)"),
        _p("entry_spread_years", "yr", 0.0, high=100.0,
           doc="tenants enter at years drawn uniformly over this span from the start "
           "(0: all together, the simultaneity problem; scenario planned_eip)"),
        _p("variability_scale", "1", 1.0, high=10.0,
           doc="multiplier on every stream's volume variability"),
        _p("n_facilities", "count", 200, "int", 2, 100000,
           doc="facilities in a generated region (scenario region)"),
        _p("region_km", "km", 60.0, low=1.0, high=5000.0,
           doc="side of a generated region (scenario region)"),
        _p("region_seed", "-", REGION_SEED_NONE, "int", 0, REGION_SEED_MAX,
           none_value=REGION_SEED_NONE,
           doc="seed of a generated scenario's layout (sectors, places, volumes, entry years, "
           "fragility), drawn apart from the run's seed so replicates share one region; "
           "-1: drawn from the run's seed"),
        _p("steps_per_year", "1/yr", 4, "int", 1, 52, doc="periods per year (4 = quarterly)"),
    ]
}


def defaults() -> dict[str, Any]:
    """Every parameter's default value, by name."""
    return {name: p.default for name, p in PARAMETERS.items()}


def validate_overrides(overrides: dict[str, Any] | None) -> dict[str, Any]:
    """Check parameter overrides by name and return them typed.

    Args:
        overrides: parameter name -> value; strings (from the command line) are parsed.

    Returns:
        A new dict of validated, typed values.

    Raises:
        UserError: for an unknown name (with the closest valid name suggested), a wrong type,
            or a value outside the parameter's range.
    """
    out: dict[str, Any] = {}
    for name, value in (overrides or {}).items():
        p = PARAMETERS.get(name)
        if p is None:
            hint = difflib.get_close_matches(str(name), PARAMETERS, n=1)
            did = f"; did you mean {hint[0]!r}?" if hint else ""
            raise UserError(f"unknown parameter {name!r}{did} (`trustsim params` lists them all)")
        out[name] = p.coerce(value)
    return out
