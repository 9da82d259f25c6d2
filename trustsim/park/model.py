"""SymbiosisPark: plant managers discover, negotiate, operate and end exchanges under trust.

One step is one period (quarterly by default). :meth:`SymbiosisPark.step` runs, in order:
entry and exit of facilities (and of streams); manager turnover; discovery; negotiation
(better alternatives first); operation (one stage-game round per active exchange, as arrays);
learning beyond the dyad (gossip, broker registry); termination (breach, low trust); and
bookkeeping. Every phase acts on all managers at once with the state at the start of the
phase, so results never depend on agent order. See ``docs/ODD.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import mesa
import networkx as nx
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from trustsim.errors import UserError
from trustsim.game.strategies import get_strategy
from trustsim.park.agents import PlantManager
from trustsim.park.contracts import (
    CONTRACT_NAMES,
    FORMAL,
    RELATIONAL,
    SPOT,
    choose_contract,
    effective_threshold,
    stage_game,
)
from trustsim.park.discovery import build_candidates, discovery_rates
from trustsim.park.exchanges import END_REASONS, HISTORY_FILL, ExchangeTable
from trustsim.park.facilities import FacilityTable
from trustsim.park.metrics import degree_centralization, degrees, heat_cascade_grades, water_uses
from trustsim.park.negotiation import MatchTerms, economics, replenish_attention
from trustsim.park.operation import (
    FORWARD_LOOKING_CODE,
    RoundResult,
    draw_round,
    play_round,
    play_round_reference,
    roster,
)
from trustsim.park.params import FORWARD_LOOKING, defaults, validate_overrides
from trustsim.park.resources import RESOURCES, resource_arrays
from trustsim.park.scenarios import get_scenario, layout_rng
from trustsim.park.ties import initial_ties
from trustsim.park.trust import gossip, image_score, reset_manager

__all__ = ["RunOutput", "SymbiosisPark", "simulate"]

_REASON = {name: code for code, name in enumerate(END_REASONS)}


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

    def __init__(self, scenario: str = "kalundborg", *, rng: Any = None, **overrides: Any):
        super().__init__(rng=rng)
        sc = get_scenario(scenario)
        self.params: dict[str, Any] = {
            **defaults(),
            **validate_overrides(sc.defaults()),
            **validate_overrides(overrides),
        }
        p = self.params
        spec = sc.build(p, layout_rng(p["region_seed"], self.rng))
        self.scenario_name = spec.name
        self.start_year = spec.start_year
        self.default_years = spec.years
        self.steps_per_year = p["steps_per_year"]
        self._price_index = sorted(spec.price_index.items())
        self.use_reference_round = False
        self.step_count = 0
        self.fac = FacilityTable.from_spec(spec, self.steps_per_year)
        n = self.fac.n
        self.rs = resource_arrays()
        self.cand = build_candidates(self.fac, p)
        c = self.cand
        self._cand_pair = c.sup * n + c.rec  # flat index of [sup, rec]
        self._cand_pair_rev = c.rec * n + c.sup  # flat index of [rec, sup]
        self._cand_smallest = p["min_volume_share"] * np.minimum(
            self.fac.out_volume[c.out], self.fac.need_volume[c.need])  # smallest deal
        self._cand_need_trust = np.where(self.rs["byproduct"][c.res], p["byproduct_trust"],
                                         p["trust_threshold"])
        self._terms = MatchTerms.from_candidates(
            out=c.out, need=c.need, res=c.res, dist=c.dist,
            offsite=self.fac.offsite[c.sup] + self.fac.offsite[c.rec],
            fac_out_disposal=self.fac.out_disposal, need_price=self.fac.need_price, rs=self.rs,
            params=p,
        )
        if spec.initially_known:
            self.cand.known[:] = True
        self.ties = initial_ties(self.fac, p, self.rng, spec.ties)
        self.embedded = self.ties.any(axis=1)
        self.trust = np.full((n, n), p["trust_prior"])
        self.met = np.zeros((n, n), dtype=np.bool_)
        self.patience = self._draw_patience(n)
        if p["strategy"] == FORWARD_LOOKING:
            self.strategies = []
            code = FORWARD_LOOKING_CODE
        else:
            self.strategies = [get_strategy(p["strategy"])]
            code = 0
        self.strategy_code = np.full(n, code, dtype=np.int64)
        self.uniform_strategy = True  # one strategy for all managers: no grouping in the round
        self.controlled = np.zeros(n, dtype=np.bool_)
        #: students' actions for the next step: (exchange id, side 0 supplier / 1 receiver)
        self.choices: dict[tuple[int, int], bool] = {}
        self.rep_c = np.zeros(n)
        self.rep_d = np.zeros(n)
        self.infra = np.zeros((n, n), dtype=np.bool_)
        self.infra_km = 0.0
        #: spare managerial attention per facility, in deals (trustsim.park.negotiation)
        self.attention = np.ones(n)
        #: the broker's spare attention, in deals it can prepare for busy managers
        self.broker_attention = np.ones(1)
        self.ex = ExchangeTable()
        self._entry_steps = set(self.fac.entry_step.tolist())
        self._live_steps = (self._entry_steps | set(self.fac.out_start.tolist())
                            | set(self.fac.need_start.tolist()) | set(self.fac.out_end.tolist())
                            | set(self.fac.need_end.tolist()) | set(self.fac.exit_step.tolist()))
        self._live_now = np.zeros(len(self.cand), dtype=np.bool_)
        self._live_dirty = True
        self._market_dirty = True  # something besides in-exchange trust changed
        self._new_managers = np.zeros(0, dtype=np.int64)
        self._fresh = np.zeros(0, dtype=np.int64)  # matches discovered this step
        #: live matches not known yet: index, own-search rate, flat [sup, rec], broker reach
        self._hidden: tuple[NDArray, NDArray, NDArray, NDArray] | None = None
        self._net_stats: tuple | None = None
        #: (active ids, their counts and degree centralization): survives contract-only changes
        self._net_shape: tuple | None = None
        self._known = int(self.cand.known.sum())
        self._stream_end_steps = set(self.fac.out_end.tolist()) | set(self.fac.need_end.tolist())
        self._stream_variability = self.fac.out_var * p["variability_scale"]
        self._exit_rate = self.fac.fragility * p["fragility_scale"] / self.steps_per_year
        self._may_close = bool(self._exit_rate.any())
        self.managers: dict[int, PlantManager] = {}
        self._rows: list[tuple] = []
        self._actions = 0
        self._cooperations = 0
        self._ended = 0
        self._foreclosed = 0  # reviews where sunk infrastructure kept a worse incumbent

    # -- time --------------------------------------------------------------------------------

    @property
    def year(self) -> float:
        """Calendar year at the start of the current step."""
        return self.start_year + self.step_count / self.steps_per_year

    def energy_index(self, year: float) -> float:
        """Energy price multiplier in ``year`` (piecewise constant; 1 before the first entry)."""
        value = 1.0
        for y, v in self._price_index:
            if year >= y:
                value = v
        return value

    def broker_active(self, year: float | None = None) -> bool:
        """Whether the broker operates in ``year`` (default: now)."""
        b = self.params["broker_year"]
        return b is not None and (self.year if year is None else year) >= b

    def exposed(self) -> NDArray[np.bool_]:
        """Managers whose detected defection becomes known beyond the dyad, now.

        Only they pay the social sanction (``sanction_strength``): a defector's ties learn of
        it when gossip travels at least one hop (``gossip_reach`` >= 1) [Raub1990], and the
        whole park does when the broker publishes a registry (community enforcement through
        public records [MilgromNorthWeingast1990; Kandori1992]). With no path for the news,
        there is no social cost: the decision is the dyadic one.
        """
        if self.params["broker_registry"] and self.broker_active():
            return np.ones(self.fac.n, dtype=np.bool_)
        if self.params["gossip_reach"] == 0:
            return np.zeros(self.fac.n, dtype=np.bool_)
        return self.embedded

    def run_years(self, years: float) -> None:
        """Run ``years`` years of steps."""
        for _ in range(int(round(years * self.steps_per_year))):
            self.step()

    def step(self) -> None:
        """One period: see the module docstring for the order of the phases."""
        t, year = self.step_count, self.year
        self._entries_and_exits(t)
        self._turnover(t)
        self._discover(t, year)
        self._negotiate(t, year)
        ids = self.ex.active_ids()
        result = None
        if ids.size:
            draws = draw_round(self.rng, roster(self, ids).out, self._stream_variability)
            play = play_round_reference if self.use_reference_round else play_round
            result = play(self, ids, draws)
            self.ex.log(ids, t, result.actions)
            self._learn(ids, result, year)
            self._terminate(ids, result, t)
            if t % self.steps_per_year == self.steps_per_year - 1:  # yearly contract review
                self._renegotiate(self.ex.active_ids())
        self.choices.clear()
        self._record(t, year, result)
        self.step_count += 1

    # -- managers ----------------------------------------------------------------------------

    def _draw_patience(self, n: int) -> NDArray[np.float64]:
        p = self.params
        z = self.rng.standard_normal(n)
        return np.minimum(np.maximum(p["patience"] + p["patience_spread"] * z, 0.0), 0.999)

    def strategy_key(self, f: int) -> str:
        """Strategy key of facility ``f``'s manager."""
        code = int(self.strategy_code[f])
        return FORWARD_LOOKING if code == FORWARD_LOOKING_CODE else self.strategies[code].key

    def reputation_of(self, who: NDArray[np.int64], trust: NDArray[np.float64]):
        """Published reputation of ``who`` if the broker keeps a registry, else own ``trust``."""
        if self.params["broker_registry"] and self.broker_active():
            return image_score(self.rep_c[who], self.rep_d[who])
        return trust

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
        deal back while its trust in the student is at least ``trust_exit`` (the level below
        which it walks away from a running deal), so trust can be rebuilt by honouring. The
        economics and the contract are decided as for any new deal (:meth:`_form`).

        Raises:
            UserError: if the exchange is active, has no student-controlled side, cannot run
                now, or the partner refuses (the message says why).
        """
        ex, fac, c, t = self.ex, self.fac, self.cand, self.step_count
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
        if not self._live(t)[cidx]:
            raise UserError(f"exchange {e} cannot run now: a stream or a facility has stopped")
        o, nd = c.out[cidx], c.need[cidx]
        vol = min(fac.out_volume[o] - fac.out_committed[o],
                  fac.need_volume[nd] - fac.need_met[nd])
        if vol <= 0.0 or vol < self._cand_smallest[cidx]:
            raise UserError(f"exchange {e}: the stream or the need went to another deal")
        trust, exit_at = float(self.trust[other, me]), self.params["trust_exit"]
        if trust < exit_at:
            raise UserError(f"{fac.names[other]} refuses: its trust in you ({trust:.2f}) is "
                            f"below {exit_at:.2f}")
        if not self._form(cidx, vol, t, self.year):
            raise UserError(f"{fac.names[other]} refuses: the deal does not pay for both now")
        return int(ex.n - 1)

    # -- phases ------------------------------------------------------------------------------

    def _entries_and_exits(self, t: int) -> None:
        fac = self.fac
        if t in self._entry_steps:
            for f in np.flatnonzero(~fac.active & (fac.entry_step == t)
                                    & (fac.exit_step > t)).tolist():
                fac.active[f] = True
                self.managers[f] = PlantManager(self, f)
        leaving = fac.exit_step <= t
        if self._may_close:
            leaving |= self.rng.random(fac.n) < self._exit_rate
        leaving &= fac.active
        if leaving.any():
            self._live_dirty = True
            fac.active[leaving] = False
            fac.exit_step[leaving] = np.minimum(fac.exit_step[leaving], t)  # record closures
            for f in np.flatnonzero(leaving).tolist():
                self.managers.pop(f).remove()
            ids = self.ex.active_ids()
            self._end(ids[leaving[self.ex.sup[ids]] | leaving[self.ex.rec[ids]]], "exit", t)
        if t in self._stream_end_steps:
            ids = self.ex.active_ids()
            gone = (fac.out_end[self.ex.out[ids]] <= t) | (fac.need_end[self.ex.need[ids]] <= t)
            self._end(ids[gone], "stream_ended", t)

    def _turnover(self, t: int) -> None:
        p, fac = self.params, self.fac
        u = self.rng.random(fac.n)
        leaving = np.flatnonzero(fac.active & (u < p["turnover_rate"] / self.steps_per_year))
        if leaving.size == 0:
            return
        self.patience[leaving] = self._draw_patience(leaving.size)
        self._new_managers = leaving  # their new patience may allow contracts refused before
        for f in leaving.tolist():
            self.managers[f].succeed()
        touched = self.ties[:, leaving].any(axis=1)  # tied to a leaver, or leaving
        touched[leaving] = True
        reset_manager(self.trust, self.ties, leaving, p)
        self.embedded[touched] = self.ties[touched].any(axis=1)
        gone = np.zeros(fac.n, dtype=np.bool_)
        gone[leaving] = True
        c = self.cand
        forget = np.flatnonzero((gone[c.sup] | gone[c.rec]) & c.known & ~c.active)
        lost = forget[self.rng.random(forget.size) >= p["institutional_memory"]]
        if lost.size:
            c.known[lost] = False
            self._known -= lost.size
            self._hidden = None
        ex = self.ex
        ids = ex.active_ids()
        if ids.size == 0:
            return
        by_sup, by_rec = gone[ex.sup[ids]], gone[ex.rec[ids]]
        ex.hist[ids[by_sup], 0] = HISTORY_FILL
        ex.hist[ids[by_rec], 1] = HISTORY_FILL
        rel = ids[(by_sup | by_rec) & (ex.contract[ids] == RELATIONAL)]
        if rel.size == 0:
            return
        s = p["sanction_strength"] * ex.value[rel]
        known = self.exposed()
        sanction = np.column_stack([s * known[ex.sup[rel]], s * known[ex.rec[rel]]])
        thr = effective_threshold(ex.temptation[rel], ex.reward[rel], ex.punishment[rel],
                                  sanction, np.zeros_like(sanction))
        for e, (thr_s, thr_r) in zip(rel.tolist(), thr.tolist(), strict=True):
            self._recontract(e, thr_s, thr_r, t)

    def _recontract(self, e: int, thr_s: float, thr_r: float, t: int) -> None:
        """A successor renegotiates relational contract ``e`` as if it were new.

        A relational contract rests on personal trust [BakerGibbonsMurphy2002]; if the new
        pair no longer supports it, they fall back to a formal or spot contract on the same
        terms, or the exchange ends (reason ``manager_left``). ``thr_s`` and ``thr_r`` are the
        supplier's and receiver's self-enforcement thresholds of the relational contract.
        """
        ex, p = self.ex, self.params
        a, b = int(ex.sup[e]), int(ex.rec[e])
        gross = float(ex.value[e]) * self.steps_per_year
        operating = float(ex.surplus[e] + ex.annuity[e])
        contract = choose_contract(
            thresholds_relational=(thr_s, thr_r),
            patience=(float(self.patience[a]), float(self.patience[b])),
            trust=(float(self.trust[a, b]), float(self.trust[b, a])),
            surplus=float(ex.surplus[e]), gross=gross,
            payback=float(ex.capex[e]) / operating if operating > 0 else math.inf, params=p,
        )
        if contract is None:
            self._end(np.array([e]), "manager_left", t)
            return
        if contract != RELATIONAL:
            ex.contract[e] = contract
            ex.contract_cost[e] = p["formal_cost"] * gross if contract == FORMAL else 0.0
            self._net_stats = None

    def _live(self, t: int) -> NDArray[np.bool_]:
        fac, c = self.fac, self.cand
        out_live = (fac.out_start <= t) & (fac.out_end > t)
        need_live = (fac.need_start <= t) & (fac.need_end > t)
        return fac.active[c.sup] & fac.active[c.rec] & out_live[c.out] & need_live[c.need]

    def _discover(self, t: int, year: float) -> None:
        c = self.cand
        if len(c) == 0:
            return
        if self._live_dirty or t in self._live_steps:
            self._live_now = self._live(t)
            self._live_dirty = False
            self._market_dirty = True
            self._hidden = None
        if self._hidden is None:
            idx = np.flatnonzero(self._live_now & ~c.known)
            self._hidden = (idx, c.own_rate[idx], self._cand_pair[idx], c.in_broker_range[idx])
        idx, own, pair, broker = self._hidden
        if idx.size == 0:
            return
        brokered = self.broker_active(year)
        rate = discovery_rates(own, pair, broker, self.ties, self.trust, self.params, brokered)
        prob = 1.0 - np.exp(-rate / self.steps_per_year)
        found = self.rng.random(idx.size) < prob
        self._fresh = idx[found]
        if self._fresh.size:
            by_broker = broker[found] * (self.params["broker_rate"] if brokered else 0.0)
            c.broker_share[self._fresh] = by_broker / rate[found]
            c.known[self._fresh] = True
            self._known += self._fresh.size
            left = ~found
            self._hidden = (idx[left], own[left], pair[left], broker[left])

    def _effective_trust(self, key: NDArray[np.int64]) -> NDArray:
        """Trust of a in b for a deal, ``key`` being the flat index ``a * n + b``.

        Own trust; towards a manager not dealt with yet, raised by their social tie and
        shifted by b's published reputation when the broker keeps a registry.
        """
        met, own = self.met.reshape(-1)[key], self.trust.reshape(-1)[key]
        tie = self.ties.reshape(-1)[key]
        t = np.where(met, own, np.minimum(1.0, own + self.params["tie_trust"] * tie))
        if self.params["broker_registry"] and self.broker_active():
            b = key % self.fac.n
            rep = image_score(self.rep_c[b], self.rep_d[b])
            shifted = np.clip(t + self.params["reputation_weight"] * (rep - 0.5), 0.0, 1.0)
            t = np.where(met, t, shifted)
        return t

    def _economics(self, idx: NDArray[np.int64], volume: NDArray[np.float64], year: float):
        return economics(
            self._terms, idx, volume=volume, has_infra=self.infra.reshape(-1)[self._cand_pair[idx]],
            params=self.params, year=year, energy_index=self.energy_index(year),
        )

    def _negotiate(self, t: int, year: float) -> None:
        c, fac, p = self.cand, self.fac, self.params
        replenish_attention(self.attention, p["deals_per_manager_per_year"], self.steps_per_year)
        broker_on = self.broker_active(year) and p["broker_deals_per_year"] > 0.0
        if broker_on:
            replenish_attention(self.broker_attention, p["broker_deals_per_year"],
                                self.steps_per_year)
        if len(c) == 0:
            return
        pool = c.known & ~c.active & self._live_now
        if not (self._market_dirty or t % self.steps_per_year == 0
                or (p["broker_registry"] and self.broker_active(year))):
            # since the last full look only trust inside relationships moved (up or down),
            # successors drew a new patience and new matches were found; elsewhere trust only
            # fell and offers only shrank
            look = self.met.reshape(-1)[self._cand_pair]
            look[self._fresh] = True
            if self._new_managers.size:
                new = np.zeros(fac.n, dtype=np.bool_)
                new[self._new_managers] = True
                look |= new[c.sup] | new[c.rec]
            pool &= look
        self._market_dirty = False
        self._new_managers = np.zeros(0, dtype=np.int64)
        self._fresh = np.zeros(0, dtype=np.int64)
        idx = np.flatnonzero(pool)
        if idx.size == 0:
            return
        if t % self.steps_per_year == 0:  # suppliers are reviewed once a year
            self._switch(idx, t, year)  # only ends exchanges: the pool stays inactive
        sup_rem = fac.out_volume - fac.out_committed
        need_rem = fac.need_volume - fac.need_met
        q = np.minimum(sup_rem[c.out[idx]], need_rem[c.need[idx]])
        ok = (q > 0.0) & (q >= self._cand_smallest[idx])
        idx, q = idx[ok], q[ok]
        if idx.size == 0:
            return
        need_trust = self._cand_need_trust[idx]
        trusting = ((self._effective_trust(self._cand_pair[idx]) >= need_trust)
                    & (self._effective_trust(self._cand_pair_rev[idx]) >= need_trust))
        idx, q = idx[trusting], q[trusting]
        if idx.size == 0:
            return
        eco = self._economics(idx, q, year)
        feasible = (eco.surplus > 0.0) & (
            eco.payback <= max(p["max_payback_years"], p["spot_payback_years"]))
        idx, order_key = idx[feasible], -eco.surplus[feasible]
        attention, broker = self.attention, self.broker_attention
        for cidx in idx[np.lexsort((idx, order_key))].tolist():
            o, nd = c.out[cidx], c.need[cidx]
            vol = min(fac.out_volume[o] - fac.out_committed[o],
                      fac.need_volume[nd] - fac.need_met[nd])
            if vol <= 0.0 or vol < p["min_volume_share"] * min(fac.out_volume[o],
                                                               fac.need_volume[nd]):
                continue
            a, b = c.sup[cidx], c.rec[cidx]
            if attention[a] >= 1.0 and attention[b] >= 1.0:
                if self._form(cidx, vol, t, year):
                    attention[a] -= 1.0
                    attention[b] -= 1.0
            elif broker_on and broker[0] >= 1.0:  # the broker prepares it for busy managers
                if self._form(cidx, vol, t, year):
                    broker[0] -= 1.0
            else:  # both busy with other deals: look at it again next period
                self._market_dirty = True

    def _switch(self, pool: NDArray[np.int64], t: int, year: float) -> None:
        """End an incumbent when a known alternative for a fully met need is much better.

        The incumbent's infrastructure is sunk (the share ``infrastructure_sunk`` of its
        annuity), so it competes on its operating surplus, the challenger on its full surplus
        (lock-in) [Arthur1989]. A review at which a
        negotiable alternative beats the incumbent's full surplus by ``switching_margin``
        but not its operating surplus (only the sunk infrastructure keeps the incumbent) is
        counted once per need as a foreclosed alternative.
        """
        c, fac, p = self.cand, self.fac, self.params
        full = (fac.need_volume[c.need[pool]] - fac.need_met[c.need[pool]]
                < p["min_volume_share"] * fac.need_volume[c.need[pool]])
        pool = pool[full]
        if pool.size == 0:
            return
        q = np.minimum(fac.out_volume[c.out[pool]] - fac.out_committed[c.out[pool]],
                       fac.need_volume[c.need[pool]])
        pool, q = pool[q > 0.0], q[q > 0.0]
        if pool.size == 0:
            return
        eco = self._economics(pool, q, year)
        per_unit = eco.surplus / q
        ex = self.ex
        ids = ex.active_ids()
        needs = ex.need[ids]
        sunk = p["infrastructure_sunk"] * ex.annuity[ids]  # the avoidable rest still counts
        ops = (ex.surplus[ids] + sunk) / ex.volume[ids]  # operating, per unit
        fulls = ex.surplus[ids] / ex.volume[ids]  # incumbents' full surplus, per unit
        foreclosed: set[int] = set()
        for k in np.lexsort((pool, -per_unit)).tolist():
            if eco.surplus[k] <= 0.0:
                continue
            mask = (needs == c.need[pool[k]]) & ex.active[ids]
            if not mask.any():
                continue
            inc, op = ids[mask], ops[mask]
            a, b = c.sup[pool[k]], c.rec[pool[k]]
            need = (p["byproduct_trust"] if self.rs["byproduct"][c.res[pool[k]]]
                    else p["trust_threshold"])
            trusted = min(self.trust[a, b], self.trust[b, a]) >= need
            if per_unit[k] > (1.0 + p["switching_margin"]) * op.min() and op.min() > -np.inf:
                worst = int(inc[np.lexsort((inc, op))[0]])
                if trusted:
                    self._end(np.array([worst]), "better_alternative", t)
            elif trusted and per_unit[k] > (1.0 + p["switching_margin"]) * fulls[mask].min():
                foreclosed.add(int(c.need[pool[k]]))
        self._foreclosed += len(foreclosed)

    def _form(self, cidx: int, volume: float, t: int, year: float) -> bool:
        """Conclude match ``cidx`` at ``volume`` if a contract works; whether it was formed."""
        c, p, spy = self.cand, self.params, self.steps_per_year
        idx = np.array([cidx])
        eco = self._economics(idx, np.array([volume]), year)
        surplus, gross, payback = float(eco.surplus[0]), float(eco.gross[0]), float(eco.payback[0])
        if surplus <= 0.0:
            return False
        a, b = int(c.sup[cidx]), int(c.rec[cidx])
        byp = bool(self.rs["byproduct"][c.res[cidx]])
        value = gross / spy
        split = p["surplus_split"]
        reward, g = stage_game(value, surplus, split, byp, p, spy)
        temptation = (reward[0] + g, reward[1] + g)
        known = self.exposed()
        sanction = np.array([p["sanction_strength"] * value * float(known[a]),
                             p["sanction_strength"] * value * float(known[b])])
        thr = effective_threshold(np.array(temptation), np.array(reward), np.zeros(2), sanction,
                                  np.zeros(2))
        contract = choose_contract(
            thresholds_relational=(float(thr[0]), float(thr[1])),
            patience=(float(self.patience[a]), float(self.patience[b])),
            trust=(float(self._effective_trust(self._cand_pair[idx])[0]),
                   float(self._effective_trust(self._cand_pair_rev[idx])[0])),
            surplus=surplus, gross=gross, payback=payback, params=p,
        )
        if contract is None:
            return False
        self.ex.add(
            cand=cidx, out=c.out[cidx], need=c.need[cidx], sup=a, rec=b, res=c.res[cidx],
            byproduct=byp, volume=volume, dist=c.dist[cidx], brokered=c.broker_share[cidx],
            contract=contract, split=split,
            capex=eco.capex[0], annuity=eco.annuity[0], value=value, surplus=surplus,
            contract_cost=p["formal_cost"] * gross if contract == FORMAL else 0.0,
            start=t, active=True, reward=reward, temptation=temptation, sucker=(-g, -g),
            punishment=(0.0, 0.0),
        )
        c.active[cidx] = True
        self._net_stats = None
        self._market_dirty = True
        self.fac.out_committed[c.out[cidx]] += volume
        self.fac.need_met[c.need[cidx]] += volume
        self.met[a, b] = self.met[b, a] = True
        if eco.capex[0] > 0.0:
            if not self.infra[a, b]:
                self.infra_km += float(c.dist[cidx])
            self.infra[a, b] = self.infra[b, a] = True
        return True

    def _learn(self, ids: NDArray[np.int64], res: RoundResult, year: float) -> None:
        ro = roster(self, ids)
        me, partner = ro.me, ro.partner
        seen_d = res.observed == 1
        if seen_d.any():
            gossip(self.trust, self.ties, self.fac.active, me[seen_d], partner[seen_d],
                   self.params)
        if self.params["broker_registry"] and self.broker_active(year):
            np.add.at(self.rep_c, partner.ravel(), (res.observed == 0).ravel())
            np.add.at(self.rep_d, partner.ravel(), seen_d.ravel())
        self._actions += res.actions.size
        self._cooperations += res.actions.size - int(np.count_nonzero(res.actions))

    def _renegotiate(self, ids: NDArray[np.int64]) -> None:
        """Formal and spot deals become relational once trust makes that self-enforcing.

        Trust built in operation lets partners drop the costly formal contract
        [PoppoZenger2002]; the check is the one used at formation.
        """
        p, ex = self.params, self.ex
        cand = ids[ex.contract[ids] != RELATIONAL]
        if cand.size == 0:
            return
        a, b = ex.sup[cand], ex.rec[cand]
        me = np.column_stack([a, b])
        sanction = (p["sanction_strength"] * ex.value[cand])[:, None] * self.exposed()[me]
        thr = effective_threshold(ex.temptation[cand], ex.reward[cand], ex.punishment[cand],
                                  sanction, np.zeros_like(sanction))
        ok = ((np.minimum(self.trust[a, b], self.trust[b, a]) >= p["relational_trust"])
              & (self.patience[me] >= thr).all(axis=1))
        up = cand[ok]
        if up.size:
            ex.contract[up] = RELATIONAL
            ex.contract_cost[up] = 0.0
            self._net_stats = None

    def _terminate(self, ids: NDArray[np.int64], res: RoundResult, t: int) -> None:
        ro = roster(self, ids)
        me = ro.me
        fl = self.strategy_code[me] == FORWARD_LOOKING_CODE
        trust = self.trust.reshape(-1)[ro.keys]
        lost = trust < self.params["trust_threshold"]
        breach = (fl & ~self.controlled[me] & (res.observed == 1) & lost).any(axis=1)
        low = (trust < self.params["trust_exit"]).any(axis=1)
        self._end(ids[breach], "breach", t)
        self._end(ids[~breach & low], "low_trust", t)

    def _end(self, ids: NDArray[np.int64], reason: str, t: int) -> None:
        ids = ids[self.ex.active[ids]]
        if ids.size == 0:
            return
        ex, fac = self.ex, self.fac
        ex.deactivate(ids)
        self._net_stats = None
        self._market_dirty = True
        ex.end[ids] = t
        ex.reason[ids] = _REASON[reason]
        self.cand.active[ex.cand[ids]] = False
        np.subtract.at(fac.out_committed, ex.out[ids], ex.volume[ids])
        np.subtract.at(fac.need_met, ex.need[ids], ex.volume[ids])
        np.maximum(fac.out_committed, 0.0, out=fac.out_committed)
        np.maximum(fac.need_met, 0.0, out=fac.need_met)
        self._ended += ids.size

    # -- bookkeeping -------------------------------------------------------------------------

    def _flows(self, ids: NDArray[np.int64]) -> tuple[float, float, float]:
        """(tonnes diverted, net savings EUR, CO2 avoided t) per year of the exchanges ids."""
        ex, rs = self.ex, self.rs
        vol, res = ex.volume[ids], ex.res[ids]
        return (float((vol * rs["diverted_t"][res]).sum()),
                float((ex.surplus[ids] - ex.contract_cost[ids]).sum()),
                float((vol * rs["co2_t"][res]).sum()))

    def _network_stats(self) -> tuple:
        """Exchange counts, centralization, flows and contracts (cached until they change).

        Counts and centralization are kept while the active set is the same array, so a
        change of contracts alone does not recompute degrees.
        """
        if self._net_stats is None:
            ex = self.ex
            ids = ex.active_ids()
            if self._net_shape is None or self._net_shape[0] is not ids:
                byp = int(ex.byproduct[ids].sum())
                deg = degrees(ex.sup[ids], ex.rec[ids], self.fac.n)
                self._net_shape = (ids, int(ids.size), int(ids.size - byp), byp,
                                   degree_centralization(deg))
            contracts = np.bincount(ex.contract[ids], minlength=3)
            self._net_stats = (
                *self._net_shape[1:], *self._flows(ids), int(contracts[SPOT]),
                int(contracts[FORMAL]), int(contracts[RELATIONAL]),
            )
        return self._net_stats

    def _record(self, t: int, year: float, res: RoundResult | None) -> None:
        ex = self.ex
        ids = ex.active_ids()
        if ids.size:
            trust = self.trust.reshape(-1)[roster(self, ids).keys.T]  # [a, b] and [b, a] rows
            mean_trust = float((trust[0].sum() + trust[1].sum()) / (2 * ids.size))
        else:
            mean_trust = math.nan
        coop = ((res.actions.size - int(np.count_nonzero(res.actions))) / res.actions.size
                if res is not None else math.nan)
        fa = int(np.count_nonzero(self.fac.active))
        n_act, n_util, n_byp, cent, tonnes, savings, co2, spot, formal, rel = (
            self._network_stats())
        self._rows.append((
            t, year, fa, n_act, n_util, n_byp, ex.n, self._ended, coop, mean_trust, cent,
            self._known, tonnes, savings, co2, spot, formal, rel, self.broker_active(year),
        ))

    _COLUMNS = (
        "step", "year", "facilities", "active_exchanges", "utility_exchanges",
        "byproduct_exchanges", "exchanges_formed", "exchanges_ended", "cooperation_rate",
        "mean_trust", "degree_centralization", "known_matches", "tonnes_diverted_per_year",
        "savings_eur_per_year", "co2_avoided_t_per_year", "spot_contracts", "formal_contracts",
        "relational_contracts", "broker_active",
    )

    def timeseries(self) -> pd.DataFrame:
        """One row per step so far, snake_case columns (see ``docs/ODD.md``)."""
        return pd.DataFrame(self._rows, columns=list(self._COLUMNS))

    def exchanges_table(self) -> pd.DataFrame:
        """One row per exchange ever formed, with its whole life and both action histories."""
        ex, fac, n = self.ex, self.fac, self.ex.n
        sup_hist, rec_hist = ex.histories()
        spy = self.steps_per_year
        ids = np.array(fac.ids, dtype=object)
        return pd.DataFrame({
            "exchange_id": np.arange(n),
            "supplier": ids[ex.sup[:n]] if n else [],
            "receiver": ids[ex.rec[:n]] if n else [],
            "resource": [RESOURCES[r].name for r in ex.res[:n]],
            "kind": np.where(ex.byproduct[:n], "byproduct", "utility"),
            "volume": ex.volume[:n],
            "unit": [RESOURCES[r].unit for r in ex.res[:n]],
            "distance_km": ex.dist[:n],
            "brokered": ex.brokered[:n],
            "contract": [CONTRACT_NAMES[k] for k in ex.contract[:n]],
            "surplus_split": ex.split[:n],
            "infrastructure_eur": ex.capex[:n],
            "surplus_eur_per_year": ex.surplus[:n] - ex.contract_cost[:n],
            "reward": ex.reward[:n, 0],
            "sucker": ex.sucker[:n, 0],
            "temptation": ex.temptation[:n, 0],
            "punishment": ex.punishment[:n, 0],
            "start_step": ex.start[:n],
            "start_year": self.start_year + ex.start[:n] / spy,
            "end_step": ex.end[:n],
            "end_year": np.where(ex.end[:n] >= 0, self.start_year + ex.end[:n] / spy, np.nan),
            "end_reason": [END_REASONS[r] for r in ex.reason[:n]],
            "active": ex.active[:n],
            "rounds": ex.rounds[:n],
            "supplier_actions": sup_hist,
            "receiver_actions": rec_hist,
            "supplier_payoff": ex.payoff[:n, 0],
            "receiver_payoff": ex.payoff[:n, 1],
        })

    def network(self, step: int | None = None) -> nx.MultiGraph:
        """Facilities and the exchanges active at ``step`` (default: now) as a MultiGraph.

        Nodes carry id, name, sector, x, y; edges carry exchange_id, resource, kind, volume,
        contract and the two sides' current trust.
        """
        ex, fac = self.ex, self.fac
        n = ex.n
        if step is None:
            alive = ex.active[:n]
            nodes = np.flatnonzero(fac.active)
        else:
            alive = (ex.start[:n] <= step) & ((ex.end[:n] < 0) | (ex.end[:n] > step))
            nodes = np.flatnonzero((fac.entry_step <= step) & (fac.exit_step > step))
        g = nx.MultiGraph()
        for f in nodes.tolist():
            g.add_node(fac.ids[f], name=fac.names[f], sector=fac.sectors[f],
                       x=float(fac.x[f]), y=float(fac.y[f]))
        for e in np.flatnonzero(alive).tolist():
            a, b = int(ex.sup[e]), int(ex.rec[e])
            g.add_edge(fac.ids[a], fac.ids[b], key=e, exchange_id=e,
                       supplier=fac.ids[a], receiver=fac.ids[b],
                       resource=RESOURCES[ex.res[e]].name,
                       kind="byproduct" if ex.byproduct[e] else "utility",
                       volume=float(ex.volume[e]), contract=CONTRACT_NAMES[ex.contract[e]],
                       trust_supplier=float(self.trust[a, b]),
                       trust_receiver=float(self.trust[b, a]))
        return g

    def potential_matches(self) -> int:
        """Live potential matches that would pay at full volume now, trust aside."""
        t, year = self.step_count, self.year
        idx = np.flatnonzero(self._live(t)) if len(self.cand) else np.zeros(0, np.int64)
        if idx.size == 0:
            return 0
        c, fac = self.cand, self.fac
        q = np.minimum(fac.out_volume[c.out[idx]], fac.need_volume[c.need[idx]])
        eco = self._economics(idx, q, year)
        return int((eco.surplus > 0.0).sum())

    def summary(self) -> dict[str, Any]:
        """Flat scalars describing the run so far (keys in ``docs/ODD.md``)."""
        ex, fac, rs = self.ex, self.fac, self.rs
        ids = ex.active_ids()
        n = ex.n
        deg_ex = (np.bincount(ex.sup[ids], minlength=fac.n)
                  + np.bincount(ex.rec[ids], minlength=fac.n))
        hub = fac.ids[int(np.argmax(deg_ex))] if ids.size else ""
        tonnes, savings, co2 = self._flows(ids)
        fam = rs["family"][ex.res[ids]]
        heat = ids[fam == 0]
        reused = float(ex.volume[ids[(fam == 1) & ex.byproduct[ids]]].sum())
        fresh_need = fac.need_active_volume("fresh_water", self.step_count)
        potential = self.potential_matches()
        reasons = np.bincount(ex.reason[:n], minlength=len(END_REASONS))
        first = np.argsort(ex.start[:n], kind="stable")[:10]
        out: dict[str, Any] = {
            "scenario": self.scenario_name,
            "steps": self.step_count,
            "year": self.year,
            "facilities": int(fac.active.sum()),
            "active_exchanges": int(ids.size),
            "utility_exchanges": int((~ex.byproduct[ids]).sum()),
            "byproduct_exchanges": int(ex.byproduct[ids].sum()),
            "exchanges_formed": int(n),
            "exchanges_ended": int(self._ended),
            "foreclosed_alternatives": int(self._foreclosed),
            "cooperation_rate": (self._cooperations / self._actions if self._actions
                                 else math.nan),
            "mean_trust": self._rows[-1][9] if self._rows else math.nan,
            "degree_centralization": degree_centralization(
                degrees(ex.sup[ids], ex.rec[ids], fac.n)),
            "hub": hub,
            "hub_exchanges": int(deg_ex.max(initial=0)),
            "tonnes_diverted_per_year": tonnes,
            "savings_eur_per_year": savings,
            "co2_avoided_t_per_year": co2,
            "water_uses": water_uses(reused, fresh_need),
            "heat_cascade_grades": heat_cascade_grades(
                ex.sup[heat], ex.rec[heat], fac.need_grade[ex.need[heat]]),
            "potential_matches": potential,
            "realized_share": ids.size / potential if potential else math.nan,
            "known_matches": int(self.cand.known.sum()),
            "relational_contracts": int((ex.contract[ids] == RELATIONAL).sum()),
            "formal_contracts": int((ex.contract[ids] == FORMAL).sum()),
            "spot_contracts": int((ex.contract[ids] == SPOT).sum()),
            "infrastructure_km": self.infra_km,
            "first_exchange_year": (float(self.start_year + ex.start[:n].min()
                                          / self.steps_per_year) if n else math.nan),
            "first_byproduct_year": (
                float(self.start_year + ex.start[:n][ex.byproduct[:n]].min()
                      / self.steps_per_year) if ex.byproduct[:n].any() else math.nan),
            "utility_share_first10": (float((~ex.byproduct[first]).mean()) if n else math.nan),
        }
        for code, reason in enumerate(END_REASONS[1:], start=1):
            out[f"ended_{reason}"] = int(reasons[code])
        out.update(self._two_manager_game())
        return out

    def _two_manager_game(self) -> dict[str, float]:
        """The supplier's stage game (R, S, T, P), sanction and penalty of the first exchange."""
        if self.fac.n != 2 or self.ex.n == 0:
            return {}
        ex, p = self.ex, self.params
        value = float(ex.value[0])
        a = int(ex.sup[0])
        return {
            "reward": float(ex.reward[0, 0]),
            "sucker": float(ex.sucker[0, 0]),
            "temptation": float(ex.temptation[0, 0]),
            "punishment": float(ex.punishment[0, 0]),
            "sanction": p["sanction_strength"] * value * float(self.exposed()[a]),
            "penalty": p["formal_penalty"] * value,
            "enforcement": p["enforcement"],
            "contract": CONTRACT_NAMES[int(ex.contract[0])],
        }


@dataclass(frozen=True, slots=True)
class RunOutput:
    """What :func:`simulate` returns: the summary and (if asked for) the time series."""

    summary: dict[str, Any]
    timeseries: pd.DataFrame | None


def simulate(
    scenario: str,
    *,
    seed: Any,
    years: float | None = None,
    overrides: dict[str, Any] | None = None,
    timeseries_stride: int | None = None,
) -> RunOutput:
    """Run one scenario and return its summary (and every ``timeseries_stride``-th step).

    Args:
        scenario: registered scenario name.
        seed: int or ``numpy.random.SeedSequence`` of the run.
        years: run length (default: the scenario's).
        overrides: parameters by name.
        timeseries_stride: keep every k-th time-series row (always the last); None for none.

    Raises:
        UserError: for a bad scenario, parameter or stride.
    """
    if timeseries_stride is not None and (
        isinstance(timeseries_stride, bool) or not isinstance(timeseries_stride, int)
        or timeseries_stride < 1
    ):
        raise UserError(f"timeseries_stride must be an integer >= 1, got {timeseries_stride!r}")
    if years is not None and (isinstance(years, bool) or not isinstance(years, int | float)
                              or not 0 <= years <= 1000):
        raise UserError(f"years must be in [0, 1000], got {years!r}")
    model = SymbiosisPark(scenario, rng=seed, **(overrides or {}))
    model.run_years(model.default_years if years is None else years)
    ts = None
    if timeseries_stride is not None:
        full = model.timeseries()
        keep = np.zeros(len(full), dtype=np.bool_)
        keep[::timeseries_stride] = True
        if len(full):
            keep[-1] = True
        ts = full[keep].reset_index(drop=True)
    return RunOutput(model.summary(), ts)
