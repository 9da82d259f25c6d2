"""Adaptation (ODD submodel "Adaptation"): managers learn from payoffs, or imitate.

After the round, with ``adaptation``:

- ``reinforcement``: each manager's Roth-Erev propensities to honour and to cheat
  [RothErev1995; ErevRoth1998] are reinforced by this round's payoffs on its exchanges,
  normalised to the stage game, x = (payoff - S) / (T - S) in [0, 1] (payoffs below S, after
  fines, count as 0): the action played gets (1 - eps) x and the other eps x, summed over the
  manager's exchanges, after forgetting phi (:func:`trustsim.park.adaptation.reinforce`, here
  summed over a manager's exchanges);
- ``imitation``: each manager's recent payoff is a moving average (one year's memory) of its
  payoff per round relative to its exchanges' value (0 without an exchange); at rate
  ``imitation_rate`` a manager compares itself with a neighbour (a social tie or a trading
  partner) and adopts its strategy by the Fermi rule, or explores
  (:func:`trustsim.park.adaptation.imitate`).

With ``none`` nothing happens and no random number is drawn.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from trustsim.park.adaptation import imitate, revising
from trustsim.park.operation import Roster, RoundResult
from trustsim.park.state import ParkState

__all__ = ["revise"]

#: Smallest propensity (Roth-Erev's nu), so both actions keep a chance.
_FLOOR = 1e-4


def revise(s: ParkState, rng: np.random.Generator, ro: Roster, res: RoundResult) -> None:
    """Adaptation after this round's play ``res`` on the roster ``ro``."""
    mode = s.params["adaptation"]
    if mode == "reinforcement":
        _reinforce(s, ro, res)
    elif mode == "imitation":
        _imitate(s, rng, ro, res)


def _reinforce(s: ParkState, ro: Roster, res: RoundResult) -> None:
    p = s.params
    me = ro.me.ravel()
    cheated = res.actions.ravel() == 1
    span = (ro.temptation - ro.sucker).ravel()
    x = np.where(span > 0.0, (res.payoffs.ravel() - ro.sucker.ravel())
                 / np.where(span > 0.0, span, 1.0), 0.5)
    x = np.clip(x, 0.0, 1.0)
    eps, phi = p["reinforcement_experimentation"], p["reinforcement_forgetting"]
    gain = np.zeros_like(s.propensity)
    played = np.stack([~cheated, cheated], axis=1)
    np.add.at(gain, me, np.where(played, 1.0 - eps, eps) * x[:, None])
    who = np.unique(me)
    s.propensity[who] = np.maximum((1.0 - phi) * s.propensity[who] + gain[who], _FLOOR)


def _imitate(s: ParkState, rng: np.random.Generator, ro: Roster, res: RoundResult) -> None:
    p, n = s.params, s.fac.n
    me = ro.me.ravel()
    rel = res.payoffs.ravel() / np.repeat(ro.value, 2)
    total = np.bincount(me, weights=rel, minlength=n)
    count = np.bincount(me, minlength=n)
    now = np.where(count > 0, total / np.maximum(count, 1), 0.0)
    a = 1.0 / s.steps_per_year
    active = s.fac.active
    s.recent_payoff[active] = (1.0 - a) * s.recent_payoff[active] + a * now[active]
    u = rng.random((5, n))
    revise_now = revising(p["imitation_rate"], 1.0 / s.steps_per_year, u[0]) & active
    if not revise_now.any() or len(s.strategy_set) < 2:
        return
    neighbours = _neighbours(s, ro, active)
    codes = np.asarray(s.strategy_set)
    index = np.searchsorted(np.sort(codes), s.strategy_code)
    order = np.argsort(codes)
    new = imitate(index, s.recent_payoff, neighbours, revise_now, u[1:],
                  beta=p["selection_intensity"], exploration=p["exploration"],
                  n_strategies=codes.size)
    changed = new != index
    if changed.any():
        s.strategy_code[changed] = codes[order][new[changed]]
        s.uniform_strategy = bool((s.strategy_code == s.strategy_code[0]).all())


def _neighbours(s: ParkState, ro: Roster, active: np.ndarray) -> sparse.csr_array:
    """Who each manager may imitate: social ties and trading partners, among active firms.

    Sparse (CSR, sorted unique columns), so memory grows with relationships, not n squared.
    """
    n = s.fac.n
    keys = np.concatenate([s.ties.keys[s.ties.values > 0.0],
                           ro.me[:, 0] * n + ro.me[:, 1], ro.me[:, 1] * n + ro.me[:, 0]])
    keys = np.unique(keys.astype(np.int64))
    keys = keys[active[keys % n]]
    row, col = keys // n, keys % n
    indptr = np.concatenate([[0], np.cumsum(np.bincount(row, minlength=n))])
    return sparse.csr_array((np.ones(keys.size, dtype=np.bool_), col, indptr), shape=(n, n))
