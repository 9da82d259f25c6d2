"""The app's levers: plain-language controls mapped onto model parameters.

:class:`Levers` holds one student's settings; :data:`SLIDERS` and :data:`SWITCHES` describe the
widgets (their labels are the ones INFO.md explains under HOW TO USE IT, and a test checks
that); :func:`presets` lists the scenario presets that exist in the scenario registry.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from trustsim.errors import UserError

#: Scenario presets in menu order, with their plain-language names.
PRESET_LABELS = {
    "kalundborg": "Kalundborg (grown over 60 years)",
    "planned_eip": "Planned park (designed all at once)",
    "minimal": "Minimal: two managers, one exchange",
}

#: Manager strategies offered in the menu, with plain-language names (those that exist).
STRATEGY_LABELS = {
    "forward_looking": "Forward-looking (weighs the future)",
    "tit_for_tat": "Tit for tat (copies the partner)",
    "grim_trigger": "Grim trigger (never forgives)",
    "generous_tit_for_tat": "Generous tit for tat (forgives sometimes)",
    "win_stay_lose_shift": "Win-stay, lose-shift",
    "trust_threshold": "Trust threshold (cheats the distrusted)",
    "all_c": "Always honour",
    "all_d": "Always cheat",
}

#: A year before every scenario starts: "on from the start" for the broker and the reform.
FROM_THE_START = 1900


@dataclass(frozen=True, slots=True)
class Slider:
    """A slider lever: the model parameter it sets and its range.

    Attributes:
        name: the :class:`Levers` field (a model parameter of the same name).
        label: the plain-language label shown next to the slider.
        low: smallest value.
        high: largest value.
        step: slider step.
    """

    name: str
    label: str
    low: float
    high: float
    step: float


#: Slider levers, in the order they are shown.
SLIDERS = (
    Slider("patience", "Patience (value of the future)", 0.5, 0.99, 0.01),
    Slider("turnover_rate", "Manager turnover (per year)", 0.0, 1.0, 0.05),
    Slider("social_cohesion", "Social cohesion", 0.0, 1.0, 0.05),
    Slider("gossip_reach", "Gossip reach (hops)", 0, 5, 1),
    Slider("enforcement", "Contract enforcement", 0.0, 1.0, 0.05),
    Slider("noise", "Noise (mistakes)", 0.0, 0.5, 0.01),
)

#: Switch levers: Levers field -> label.
SWITCHES = {
    "broker": "Neutral broker",
    "reform": "Regulatory reform",
}

#: The other controls' labels on the page at / (clock, menus, seed, map, play-as-manager).
OTHER_LABELS = (
    "Reset",
    "Step",
    "Play",
    "Pause",
    "Slow",
    "Normal",
    "Fast",
    "Rounds per step",
    "Park",
    "Managers' strategy",
    "Random seed",
    "Show social ties",
    "Inspect facility",
    "Take over a manager",
    "Honour",
    "Cheat",
    "keep cheating every round",
    "Offer it again",
    "Play this round",
    "Hand back",
)

#: The controls of the shared park's pages, /teacher and /join (CLASSROOM.md explains them).
ROOM_LABELS = (
    "Start in year",
    "Open the room",
    "When everyone has chosen",
    "On a timer",
    "By hand",
    "Advance one round now",
    "Download the room's history (CSV)",
    "Room code",
    "Your name",
    "Free managers",
    "Take this manager",
    "I have chosen",
    "Leave this manager",
)


def control_labels() -> list[str]:
    """Every control label of the page at /, for the INFO.md check."""
    return [s.label for s in SLIDERS] + list(SWITCHES.values()) + list(OTHER_LABELS)


def presets() -> dict[str, str]:
    """Scenario presets that exist in the scenario registry: name -> plain-language label."""
    from trustsim.park.scenarios import SCENARIOS

    return {name: label for name, label in PRESET_LABELS.items() if name in SCENARIOS}


def strategies() -> dict[str, str]:
    """Manager strategies the menu offers (those the model accepts): key -> label."""
    from trustsim.park.params import PARAMETERS

    valid = set(PARAMETERS["strategy"].valid_choices())
    return {key: label for key, label in STRATEGY_LABELS.items() if key in valid}


@dataclass(frozen=True, slots=True)
class Levers:
    """One student's settings: a scenario preset, a seed and the lever positions.

    Attributes:
        scenario: scenario name (a key of :func:`presets`).
        seed: random seed of the park.
        strategy: managers' strategy key.
        patience: discount factor per period.
        turnover_rate: probability per year that a manager leaves.
        social_cohesion: probability that next-door managers share a social tie.
        gossip_reach: social-tie hops that news of cheating travels.
        enforcement: probability a formal contract is enforced after a breach.
        noise: probability an intended action is flipped by mistake.
        broker: whether a neutral broker works (from the scenario's year, or the start).
        reform: whether by-products are freed from waste rules (scenario's year, or start).
        broker_year: the broker's start year when ``broker`` is on.
        reform_year: the reform's year when ``reform`` is on.
    """

    scenario: str
    seed: int = 42
    strategy: str = "forward_looking"
    patience: float = 0.95
    turnover_rate: float = 0.1
    social_cohesion: float = 0.5
    gossip_reach: int = 1
    enforcement: float = 0.3
    noise: float = 0.0
    broker: bool = False
    reform: bool = False
    broker_year: int = FROM_THE_START
    reform_year: int = FROM_THE_START

    @classmethod
    def for_scenario(cls, scenario: str, seed: int = 42) -> Levers:
        """Return the levers at ``scenario``'s own defaults (parameter defaults elsewhere).

        Raises:
            UserError: for an unknown scenario.
        """
        from trustsim.park.params import PARAMETERS, validate_overrides
        from trustsim.park.scenarios import get_scenario

        values = {name: p.default for name, p in PARAMETERS.items()}
        values.update(validate_overrides(get_scenario(scenario).defaults()))
        broker_year, reform_year = values["broker_year"], values["regulatory_reform_year"]
        own = {"scenario", "seed", "broker", "reform", "broker_year", "reform_year"}
        fields = {f.name for f in dataclasses.fields(cls)} - own
        return cls(
            scenario=scenario,
            seed=seed,
            **{k: v for k, v in values.items() if k in fields},
            broker=broker_year is not None,
            reform=reform_year is not None,
            broker_year=FROM_THE_START if broker_year is None else broker_year,
            reform_year=FROM_THE_START if reform_year is None else reform_year,
        )

    def replace(self, **changes: Any) -> Levers:
        """Return a copy with ``changes`` applied."""
        return dataclasses.replace(self, **changes)

    def overrides(self) -> dict[str, Any]:
        """The model parameter overrides these levers set."""
        values = {s.name: getattr(self, s.name) for s in SLIDERS}
        values["gossip_reach"] = int(values["gossip_reach"])
        values["strategy"] = self.strategy
        values["broker_year"] = self.broker_year if self.broker else None
        values["regulatory_reform_year"] = self.reform_year if self.reform else None
        return values


def parse_seed(text: str) -> int:
    """Return the seed typed in the seed box.

    Raises:
        UserError: unless it is a whole number in [0, 2**32).
    """
    try:
        seed = int(str(text).strip())
    except ValueError:
        raise UserError(f"the random seed must be a whole number, got {text!r}") from None
    if not 0 <= seed < 2**32:
        raise UserError(f"the random seed must be between 0 and {2**32 - 1}, got {seed}")
    return seed
