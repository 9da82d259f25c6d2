"""SymbiosisPark: plant managers discover, negotiate, operate and end exchanges under trust.

The model keeps construction, the state (:class:`trustsim.park.state.ParkState`), the public
API and the schedule. :meth:`SymbiosisPark.step` is the ODD schedule, one call per submodel in
order (``docs/ODD.md``, "Process overview and scheduling"); each submodel lives in a module of
its own and acts on all managers at once with the state at the start of the submodel, so
results never depend on agent order.
"""

from __future__ import annotations

import numbers
from functools import partial
from typing import Any

import mesa
import networkx as nx
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from trustsim.errors import UserError
from trustsim.park import bookkeeping, observation
from trustsim.park.agents import PlantManager
from trustsim.park.deals import form_exchange, negotiate
from trustsim.park.discovery import discover, live_matches
from trustsim.park.entry import enter_and_exit
from trustsim.park.operation import draw_round, play_round, play_round_reference, roster
from trustsim.park.params import defaults, validate_overrides
from trustsim.park.renegotiation import review_contracts
from trustsim.park.revision import revise
from trustsim.park.scenarios import get_scenario, layout_rng
from trustsim.park.state import ParkState, build_state, strategy_key
from trustsim.park.termination import terminate
from trustsim.park.trust import learn
from trustsim.park.turnover import turn_over

__all__ = ["SymbiosisPark"]


def _view(name: str, doc: str) -> property:
    """A read-only view of the state's field ``name``."""
    return property(lambda self: getattr(self.state, name), doc=doc)


def _row_value(column: int, model: SymbiosisPark) -> Any:
    """Column ``column`` of the park's latest time-series row (a DataCollector reporter)."""
    return model.state.rows[-1][column]


#: Longest run, in years (a century of quarters is 400 steps).
MAX_YEARS = 1000


def checked_rng(rng: Any) -> Any:
    """Return ``rng`` if numpy can seed a Generator from it, else raise :class:`UserError`.

    Allowed: None, a whole number >= 0, a ``SeedSequence``, a ``BitGenerator`` or a
    ``Generator``.
    """
    kinds = (np.random.SeedSequence, np.random.BitGenerator, np.random.Generator)
    if rng is None or isinstance(rng, kinds):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool | np.bool_) and rng >= 0:
        return int(rng)
    raise UserError(
        f"rng must be None, a whole number >= 0, a numpy SeedSequence, BitGenerator or "
        f"Generator, got {rng!r}"
    )


class SymbiosisPark(mesa.Model):
    """An industrial park (or region) of facilities whose managers may exchange resources.

    Args:
        scenario: registered scenario name (see :mod:`trustsim.park.scenarios`).
        rng: seed or generator of the run's random stream (the only one, except the layout
            of a generated scenario when ``region_seed`` is set: see
            :func:`trustsim.park.scenarios.layout_rng`).
        **overrides: parameters by name (:data:`trustsim.park.params.PARAMETERS`).

    Raises:
        UserError: for an unknown scenario or a bad parameter name, type or value.
    """

    fac = _view("fac", "Facilities and their streams and needs (FacilityTable).")
    cand = _view("cand", "Potential matches (Candidates).")
    ex = _view("ex", "Exchanges ever formed (ExchangeTable).")
    trust = _view("trust", "Trust of manager i in manager j, an (n, n) PairMap.")
    ties = _view("ties", "Social tie strength, an (n, n) PairMap, symmetric.")
    met = _view("met", "Whether two managers have dealt with each other, an (n, n) PairMap.")
    infra = _view("infra", "Whether a connection carries infrastructure, an (n, n) PairMap.")
    embedded = _view("embedded", "Whether each manager has a social tie.")
    patience = _view("patience", "Each manager's discount factor per period.")
    strategies = _view("strategies", "Kernel strategy objects, indexed by strategy code.")
    strategy_code = _view("strategy_code", "Each manager's strategy code (-1: forward-looking).")
    uniform_strategy = _view("uniform_strategy", "Whether all managers play one strategy.")
    controlled = _view("controlled", "Whether a student plays each manager.")
    choices = _view("choices", "Students' actions for the next step, by (exchange, side).")
    rep_c = _view("rep_c", "Honoured actions of each manager in the broker's registry.")
    rep_d = _view("rep_d", "Seen defections of each manager in the broker's registry.")
    attention = _view("attention", "Each manager's spare attention, in deals.")
    broker_attention = _view("broker_attention", "The broker's spare attention, in deals.")
    infra_km = _view("infra_km", "Kilometres of infrastructure built.")
    params = _view("params", "The run's parameters (defaults, scenario, overrides).")
    steps_per_year = _view("steps_per_year", "Periods per year.")
    start_year = _view("start_year", "Calendar year of step 0.")
    step_count = _view("t", "Steps run so far.")
    year = _view("year", "Calendar year at the start of the current step.")

    def __init__(self, scenario: str = "kalundborg", *, rng: Any = None, **overrides: Any):
        if "seed" in overrides:
            raise UserError(
                "seed is not a parameter: pass the run's seed as rng= (an int or a numpy "
                "Generator), e.g. SymbiosisPark('kalundborg', rng=42)"
            )
        super().__init__(rng=checked_rng(rng))
        sc = get_scenario(scenario)
        params: dict[str, Any] = {
            **defaults(),
            **validate_overrides(sc.defaults()),
            **validate_overrides(overrides),
        }
        spec = sc.build(params, layout_rng(params["region_seed"], self.rng))
        self.scenario_name = spec.name
        self.default_years = spec.years
        self.use_reference_round = False
        #: the run's state, on which the submodels act
        self.state: ParkState = build_state(spec, params, self.rng)
        self.managers: dict[int, PlantManager] = {}
        #: Mesa's view of the time series, filled when read (see :attr:`datacollector`)
        self._datacollector = mesa.DataCollector(model_reporters={
            column: partial(_row_value, i) for i, column in enumerate(self._columns())})

    # -- the schedule ------------------------------------------------------------------------

    def step(self) -> None:
        """One period: the ODD schedule, one submodel after the other."""
        s = self.state
        t, year = s.t, s.year
        entered, closed = enter_and_exit(s, self.rng, t)
        for f in entered:
            self.managers[f] = PlantManager(self, f)
        for f in closed:
            self.managers.pop(f).remove()
        for f in turn_over(s, self.rng, t).tolist():
            self.managers[f].succeed()
        discover(s, self.rng, t, year)
        negotiate(s, t, year)
        ids = s.ex.active_ids()
        result = None
        if ids.size:
            ro = roster(s, ids)
            draws = draw_round(self.rng, ro.out, s.stream_variability)
            play = play_round_reference if self.use_reference_round else play_round
            result = play(s, ids, draws)
            s.ex.log(ids, t, result.actions)
            learn(s, ro, result, year)
            revise(s, self.rng, ro, result)
            terminate(s, ro, result, t)
            if t % s.steps_per_year == s.steps_per_year - 1:  # yearly contract review
                review_contracts(s, s.ex.active_ids(), t)
        s.choices.clear()
        bookkeeping.record(s, t, year, result)
        s.t += 1

    def run_years(self, years: float) -> None:
        """Run ``years`` years of steps.

        Raises:
            UserError: ``years`` is not a number in [0, :data:`MAX_YEARS`].
        """
        if (isinstance(years, bool) or not isinstance(years, numbers.Real)
                or not 0 <= years <= MAX_YEARS):  # also rejects NaN
            raise UserError(f"years must be a number in [0, {MAX_YEARS}], got {years!r}")
        for _ in range(int(round(years * self.steps_per_year))):
            self.step()

    # -- questions about the state -----------------------------------------------------------

    def energy_index(self, year: float) -> float:
        """Energy price multiplier in ``year`` (piecewise constant; 1 before the first entry)."""
        return self.state.energy_index(year)

    def broker_active(self, year: float | None = None) -> bool:
        """Whether the broker operates in ``year`` (default: now)."""
        return self.state.broker_active(year)

    def exposed(self) -> NDArray[np.bool_]:
        """Managers whose detected defection becomes known beyond the dyad, now."""
        return self.state.exposed()

    def reputation_of(self, who: NDArray[np.int64], trust: NDArray[np.float64]):
        """Published reputation of ``who`` if the broker keeps a registry, else own ``trust``."""
        return self.state.reputation_of(who, trust)

    def strategy_key(self, f: int) -> str:
        """Strategy key of facility ``f``'s manager."""
        return strategy_key(self.state, int(self.strategy_code[f]))

    # -- classroom play ----------------------------------------------------------------------

    def take_control(self, facility_id: str) -> PlantManager | None:
        """Hand facility ``facility_id``'s manager to a student; return that manager.

        Before a facility's first round (it opens in the coming step) it can be taken too: its
        manager starts in the student's hands, and None is returned.

        Raises:
            UserError: for an unknown facility id or one not operating now.
        """
        f = self.fac.index_of(facility_id)
        opening = (not self.fac.active[f]
                   and self.fac.entry_step[f] <= self.step_count < self.fac.exit_step[f])
        if f not in self.managers and not opening:
            raise UserError(f"facility {facility_id!r} is not operating in {self.year:.0f}")
        self.controlled[f] = True
        return self.managers.get(f)

    def release_control(self, facility_id: str) -> None:
        """Give facility ``facility_id``'s manager back to its own strategy.

        That manager's pending choices are dropped.

        Raises:
            UserError: for an unknown facility id.
        """
        f = self.fac.index_of(facility_id)
        self.controlled[f] = False
        for e, side in list(self.choices):
            if int((self.ex.sup if side == 0 else self.ex.rec)[e]) == f:
                del self.choices[e, side]

    def choose(self, exchange_id: int, honour: bool, facility_id: str | None = None) -> None:
        """Set a student's action on ``exchange_id`` for the next step only (default: honour).

        Args:
            exchange_id: an active exchange.
            honour: True to honour, False to cheat.
            facility_id: the student's side; may be left out when only one side is controlled.

        Raises:
            UserError: if the exchange is not active, or the side is not student-controlled.
        """
        e = int(exchange_id)
        if not (0 <= e < self.ex.n and self.ex.active[e]):
            raise UserError(f"exchange_id {exchange_id!r} is not an active exchange")
        sides = (int(self.ex.sup[e]), int(self.ex.rec[e]))
        if facility_id is None:
            mine = [s for s in (0, 1) if self.controlled[sides[s]]]
            if len(mine) != 1:
                raise UserError(
                    f"exchange {e} has {'no' if not mine else 'two'} student-controlled sides; "
                    "use take_control, and name the facility_id when both sides are played")
            side = mine[0]
        else:
            f = self.fac.index_of(facility_id)
            if f not in sides or not self.controlled[f]:
                raise UserError(f"facility_id {facility_id!r} is not a student-controlled side "
                                f"of exchange {e}")
            side = sides.index(f)
        self.choices[e, side] = bool(honour)

    def reoffer(self, exchange_id: int) -> int:
        """A student re-offers ended exchange ``exchange_id`` to the partner; return the new id.

        The partner answers as in negotiation except for the trust it asks for: it takes the
        student back if the cheat that made it walk away was the last straw, its trust at least
        ``trust_exit x (1 - trust_loss)``. The deal is a fresh start: both sides' trust in each
        other is raised to ``trust_threshold``, the least needed to deal, so the next cheat
        brings reciprocation and honouring earns trust back. The economics and the contract are
        decided as for any new deal (:func:`trustsim.park.deals.form_exchange`).

        Raises:
            UserError: if the exchange is active, has no student-controlled side, cannot run
                now, or the partner refuses (the message says why).
        """
        s = self.state
        ex, fac, c, t = s.ex, s.fac, s.cand, s.t
        e = int(exchange_id)
        if not (0 <= e < ex.n) or ex.active[e]:
            raise UserError(f"exchange_id {exchange_id!r} is not an ended exchange")
        a, b = int(ex.sup[e]), int(ex.rec[e])
        if not (self.controlled[a] or self.controlled[b]):
            raise UserError(f"exchange {e} has no student-controlled side; use take_control")
        me, other = (a, b) if self.controlled[a] else (b, a)
        cidx = int(ex.cand[e])
        if c.active[cidx]:
            raise UserError(f"exchange {e} runs again already")
        if not live_matches(s, t)[cidx]:
            raise UserError(f"exchange {e} cannot run now: a stream or a facility has stopped")
        o, nd = c.out[cidx], c.need[cidx]
        vol = min(fac.out_volume[o] - fac.out_committed[o],
                  fac.need_volume[nd] - fac.need_met[nd])
        if vol <= 0.0 or vol < s.cand_smallest[cidx]:
            raise UserError(f"exchange {e}: the stream or the need went to another deal")
        exit_at = self.params["trust_exit"]
        trust, bar = float(s.trust[other, me]), exit_at * (1.0 - self.params["trust_loss"])
        if trust < bar:
            raise UserError(f"{fac.names[other]} refuses: its trust in you ({trust:.2f}) is "
                            f"below {bar:.2f}")
        before = (trust, float(s.trust[me, other]))
        least = self.params["trust_threshold"]  # a fresh start at the least trust to deal
        s.trust[other, me] = max(before[0], least)
        s.trust[me, other] = max(before[1], least)
        if not form_exchange(s, cidx, vol, t, s.year):
            s.trust[other, me], s.trust[me, other] = before
            raise UserError(f"{fac.names[other]} refuses: the deal does not pay for both now")
        return int(ex.n - 1)

    # -- observation -------------------------------------------------------------------------

    @property
    def datacollector(self) -> mesa.DataCollector:
        """Mesa's DataCollector of the time-series columns (``mesa.batch_run`` reads it).

        Its model reporters are the columns of :meth:`timeseries`; it is filled from the
        park's own rows when read, so a step pays nothing for it (a per-step ``collect`` cost
        6% of a Kalundborg run). Collection times are Mesa's ``model.time`` after each step.
        """
        dc = self._datacollector
        for row in self.state.rows[len(dc._collection_steps):]:
            dc._collection_steps.append(float(row[0] + 1))
            for column, value in zip(self._columns(), row, strict=True):
                dc.model_vars[column].append(value)
        return dc

    def timeseries(self) -> pd.DataFrame:
        """One row per step so far, snake_case columns (see ``docs/ODD.md``)."""
        return pd.DataFrame(self.state.rows, columns=self._columns())

    def _columns(self) -> list[str]:
        """The time series' columns: the model's and the run's strategy shares."""
        return [*bookkeeping.COLUMNS, *bookkeeping.strategy_columns(self.state)]

    def exchanges_table(self) -> pd.DataFrame:
        """One row per exchange ever formed, with its whole life and both action histories."""
        return observation.exchanges_table(self.state)

    def network(self, step: int | None = None) -> nx.MultiGraph:
        """Facilities and the exchanges active at ``step`` (default: now) as a MultiGraph.

        Raises:
            UserError: ``step`` is not a whole number in [0, steps run so far].
        """
        if step is not None and (isinstance(step, bool) or not isinstance(step, numbers.Integral)
                                 or not 0 <= step <= self.step_count):
            raise UserError(f"step must be a whole number in [0, {self.step_count}] (the steps "
                            f"run so far), got {step!r}")
        return observation.network(self.state, step)

    def potential_matches(self) -> int:
        """Live potential matches that would pay at full volume now, trust aside."""
        return observation.potential_matches(self.state)

    def summary(self) -> dict[str, Any]:
        """Flat scalars describing the run so far (keys in ``docs/ODD.md``)."""
        return observation.summary(self.state, self.scenario_name)
