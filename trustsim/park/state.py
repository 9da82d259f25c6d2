"""The park's state: everything a run changes, in arrays indexed like ``fac.ids``.

Per-pair state (trust, ties, who has met whom, infrastructure, corridors and corridor
neighbourhoods) is held in :class:`trustsim.park.pairs.PairMap`, which stores only the pairs
that know each other or are within reach, so memory grows with the relationships.

:class:`ParkState` is what the submodels act on (each takes it, never the model class): the
facilities and their streams, the potential matches, the exchanges, the managers' trust, ties,
patience and strategies, attention, infrastructure, the broker's registry, the clock and the
run's counters. :class:`trustsim.park.model.SymbiosisPark` builds one and runs the schedule
over it; its read-only views (``model.fac``, ``model.trust``, ...) are this object's fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from trustsim.park.caches import StepCaches
from trustsim.park.corridors import neighbourhoods
from trustsim.park.discovery import Candidates, build_candidates
from trustsim.park.exchanges import ExchangeTable
from trustsim.park.facilities import FacilityTable
from trustsim.park.negotiation import MatchTerms
from trustsim.park.pairs import PairMap
from trustsim.park.params import FORWARD_LOOKING
from trustsim.park.regulation import WasteSchedule
from trustsim.park.resources import resource_arrays
from trustsim.park.scenarios import ScenarioSpec
from trustsim.park.ties import initial_ties
from trustsim.park.trust import image_score

__all__ = ["FORWARD_LOOKING_CODE", "LEARNER", "LEARNER_CODE", "ParkState", "build_state",
           "draw_patience", "strategy_key"]

#: Strategy code of forward-looking managers (kernel strategies have codes >= 0).
FORWARD_LOOKING_CODE = -1
#: Strategy code and key of reinforcement learners (``adaptation = reinforcement``).
LEARNER_CODE = -2
LEARNER = "reinforcement_learner"


@dataclass(eq=False)
class ParkState:
    """The mutable state of one run (see the module docstring).

    Arrays are updated in place, never replaced: views hold references to them.
    """

    params: dict[str, Any]
    steps_per_year: int
    start_year: int
    price_index: list[tuple[float, float]]
    fac: FacilityTable
    rs: dict[str, NDArray]
    cand: Candidates
    terms: MatchTerms
    #: flat index of [sup, rec] and [rec, sup] of every candidate
    cand_pair: NDArray[np.int64]
    cand_pair_rev: NDArray[np.int64]
    #: smallest deal of every candidate, and the trust its kind needs
    cand_smallest: NDArray[np.float64]
    cand_need_trust: NDArray[np.float64]
    #: social tie strengths, symmetric (0: no tie)
    ties: PairMap
    embedded: NDArray[np.bool_]
    #: trust of manager i in manager j (``trust_prior`` towards a manager never heard of)
    trust: PairMap
    #: whether two managers have dealt with each other, symmetric
    met: PairMap
    patience: NDArray[np.float64]
    strategies: list
    strategy_code: NDArray[np.int64]
    #: one strategy for all managers: no grouping in the round
    uniform_strategy: bool
    #: the strategies managers may hold (model codes), for imitation and the shares recorded
    strategy_set: tuple[int, ...]
    #: Roth-Erev propensities to honour and to cheat, (n, 2) (reinforcement learners)
    propensity: NDArray[np.float64]
    #: each manager's recent payoff per round, relative to its exchanges' value (imitation)
    recent_payoff: NDArray[np.float64]
    controlled: NDArray[np.bool_]
    #: students' actions for the next step: (exchange id, side 0 supplier / 1 receiver)
    choices: dict[tuple[int, int], bool]
    rep_c: NDArray[np.float64]
    rep_d: NDArray[np.float64]
    #: whether a connection carries infrastructure, symmetric
    infra: PairMap
    #: pairs a corridor links, so a new pipe between them saves the reuse share
    #: (trustsim.park.corridors), and each facility's corridor neighbourhood, symmetric
    corridors: PairMap
    near: PairMap
    #: plots a closure left empty, to re-let (trustsim.park.tenancy)
    vacant: NDArray[np.bool_]
    #: spare managerial attention per facility, in deals (trustsim.park.negotiation)
    attention: NDArray[np.float64]
    #: the broker's spare attention, in deals it can prepare for busy managers
    broker_attention: NDArray[np.float64]
    #: steps at which facilities enter, and at which streams or needs end
    entry_steps: set[int]
    stream_end_steps: set[int]
    #: relative standard deviation of every output stream's volume
    stream_variability: NDArray[np.float64]
    #: closure probability per facility and step, and whether any facility may close
    exit_rate: NDArray[np.float64]
    may_close: bool
    ex: ExchangeTable = field(default_factory=ExchangeTable)
    caches: StepCaches = field(default_factory=StepCaches)
    t: int = 0
    infra_km: float = 0.0
    known: int = 0
    actions: int = 0
    cooperations: int = 0
    ended: int = 0
    #: reviews where sunk infrastructure kept a worse incumbent
    foreclosed: int = 0
    rows: list[tuple] = field(default_factory=list)

    @property
    def year(self) -> float:
        """Calendar year at the start of the current step."""
        return self.start_year + self.t / self.steps_per_year

    def energy_index(self, year: float) -> float:
        """Energy price multiplier in ``year`` (piecewise constant; 1 before the first entry)."""
        value = 1.0
        for y, v in self.price_index:
            if year >= y:
                value = v
        return value

    def broker_active(self, year: float | None = None) -> bool:
        """Whether the broker operates in ``year`` (default: now)."""
        b = self.params["broker_year"]
        return b is not None and (self.year if year is None else year) >= b

    def registry_open(self, year: float | None = None) -> bool:
        """Whether the broker publishes its registry of actions in ``year`` (default: now)."""
        return bool(self.params["broker_registry"]) and self.broker_active(year)

    def exposed(self) -> NDArray[np.bool_]:
        """Managers whose detected defection becomes known beyond the dyad, now.

        Only they pay the social sanction (``sanction_strength``): a defector's ties learn of
        it when gossip travels at least one hop (``gossip_reach`` >= 1) [Raub1990], and the
        whole park does when the broker publishes a registry (community enforcement through
        public records [MilgromNorthWeingast1990; Kandori1992]). With no path for the news,
        there is no social cost: the decision is the dyadic one.
        """
        if self.registry_open():
            return np.ones(self.fac.n, dtype=np.bool_)
        if self.params["gossip_reach"] == 0:
            return np.zeros(self.fac.n, dtype=np.bool_)
        return self.embedded

    def reputation_of(self, who: NDArray[np.int64], trust: NDArray[np.float64]):
        """Published reputation of ``who`` if the broker keeps a registry, else own ``trust``."""
        if self.registry_open():
            return image_score(self.rep_c[who], self.rep_d[who])
        return trust

    def effective_trust(self, key: NDArray[np.int64]) -> NDArray:
        """Trust of a in b for a deal, ``key`` being the flat index ``a * n + b``.

        Own trust; towards a manager not dealt with yet, raised by their social tie and
        shifted by b's published reputation when the broker keeps a registry.
        """
        met, own = self.met.flat[key], self.trust.flat[key]
        tie = self.ties.flat[key]
        t = np.where(met, own, np.minimum(1.0, own + self.params["tie_trust"] * tie))
        if self.registry_open():
            b = key % self.fac.n
            rep = image_score(self.rep_c[b], self.rep_d[b])
            shifted = np.clip(t + self.params["reputation_weight"] * (rep - 0.5), 0.0, 1.0)
            t = np.where(met, t, shifted)
        return t


def strategy_key(s: ParkState, code: int) -> str:
    """The key of strategy ``code``: forward_looking, reinforcement_learner or a kernel key."""
    if code == FORWARD_LOOKING_CODE:
        return FORWARD_LOOKING
    if code == LEARNER_CODE:
        return LEARNER
    return s.strategies[code].key


def draw_patience(params: dict, rng: np.random.Generator, n: int) -> NDArray[np.float64]:
    """Patience (discount factor per period) of ``n`` new managers, clipped to [0, 0.999]."""
    z = rng.standard_normal(n)
    return np.minimum(np.maximum(params["patience"] + params["patience_spread"] * z, 0.0), 0.999)


def _strategy_codes(p: dict[str, Any], strategies: list) -> tuple[int, ...]:
    """Model codes of ``strategy`` and ``rival_strategy``: -1 forward-looking, else kernel index.

    Appends each kernel strategy object used to ``strategies``.
    """
    from trustsim.game.strategies import get_strategy

    if p["adaptation"] == "reinforcement":
        return (LEARNER_CODE,)
    keys = [p["strategy"]]
    if p["rival_share"] > 0.0 or p["adaptation"] == "imitation":
        keys.append(p["rival_strategy"])
    codes: list[int] = []
    for key in dict.fromkeys(keys):
        if key == FORWARD_LOOKING:
            codes.append(FORWARD_LOOKING_CODE)
        else:
            strategies.append(get_strategy(key))
            codes.append(len(strategies) - 1)
    return tuple(codes)


def build_state(spec: ScenarioSpec, params: dict[str, Any], rng: np.random.Generator) -> ParkState:
    """The initial state of a run of scenario ``spec`` (draws ties, patience, strategies)."""
    p = params
    spy = p["steps_per_year"]
    fac = FacilityTable.from_spec(spec, spy)
    n = fac.n
    rs = resource_arrays()
    cand = build_candidates(fac, p)
    terms = MatchTerms.from_candidates(
        out=cand.out, need=cand.need, res=cand.res, dist=cand.dist,
        offsite=fac.offsite[cand.sup] + fac.offsite[cand.rec],
        fac_out_disposal=fac.out_disposal, need_price=fac.need_price, rs=rs, params=p,
        fac_out_supply=fac.out_supply,
        schedule=WasteSchedule.from_series(spec.landfill_tax, spec.disposal_index),
    )
    if spec.initially_known:
        cand.known[:] = True
    ties = initial_ties(fac, p, rng, spec.ties)
    patience = draw_patience(p, rng, n)
    strategies: list = []
    codes = _strategy_codes(p, strategies)
    strategy_code = np.full(n, codes[0], dtype=np.int64)
    if len(codes) > 1 and p["rival_share"] > 0.0:
        strategy_code[rng.random(n) < p["rival_share"]] = codes[1]
    state = ParkState(
        params=p, steps_per_year=spy, start_year=spec.start_year,
        price_index=sorted(spec.price_index.items()), fac=fac, rs=rs, cand=cand, terms=terms,
        cand_pair=cand.sup * n + cand.rec, cand_pair_rev=cand.rec * n + cand.sup,
        cand_smallest=p["min_volume_share"] * np.minimum(fac.out_volume[cand.out],
                                                         fac.need_volume[cand.need]),
        cand_need_trust=np.where(rs["byproduct"][cand.res], p["byproduct_trust"],
                                 p["trust_threshold"]),
        ties=ties, embedded=ties.nonzero_rows(), trust=PairMap(n, p["trust_prior"]),
        met=PairMap(n, False, np.bool_), patience=patience, strategies=strategies,
        strategy_code=strategy_code,
        uniform_strategy=bool((strategy_code == strategy_code[0]).all()) if n else True,
        strategy_set=codes,
        propensity=np.full((n, 2), p["reinforcement_strength"] * 0.25),
        recent_payoff=np.zeros(n),
        controlled=np.zeros(n, dtype=np.bool_), choices={}, rep_c=np.zeros(n),
        rep_d=np.zeros(n), infra=PairMap(n, False, np.bool_),
        corridors=PairMap(n, False, np.bool_), near=neighbourhoods(fac, p["corridor_km"]),
        vacant=np.zeros(n, dtype=np.bool_), attention=np.ones(n),
        broker_attention=np.ones(1), entry_steps=set(fac.entry_step.tolist()),
        stream_end_steps=set(fac.out_end.tolist()) | set(fac.need_end.tolist()),
        stream_variability=fac.out_var * p["variability_scale"],
        exit_rate=fac.fragility * p["fragility_scale"] / spy,
        may_close=bool((fac.fragility * p["fragility_scale"] / spy).any()),
    )
    state.known = int(cand.known.sum())
    state.caches.start(fac, len(cand))
    return state
