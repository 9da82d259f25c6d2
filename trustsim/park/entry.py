"""Entry and exit (ODD submodel "Entry and exit"): facilities open and close, streams end.

Facilities whose entry step has come start operating; scheduled exits and random closures
(probability ``fragility * fragility_scale / steps_per_year``) end all their exchanges (reason
``exit``); exchanges whose stream or need has ended stop (reason ``stream_ended``); plots a
closure vacated are let again to new tenants (:mod:`trustsim.park.tenancy`).
"""

from __future__ import annotations

import numpy as np

from trustsim.park.state import ParkState
from trustsim.park.tenancy import relet
from trustsim.park.termination import end_exchanges

__all__ = ["enter_and_exit"]


def enter_and_exit(s: ParkState, rng: np.random.Generator, t: int) -> tuple[list[int], list[int]]:
    """Open and close facilities at step ``t``; return (entered, closed) facility indices.

    The model creates and removes the managers' agents for them.
    """
    fac = s.fac
    entered: list[int] = []
    if t in s.entry_steps:
        entered = np.flatnonzero(~fac.active & (fac.entry_step == t)
                                 & (fac.exit_step > t)).tolist()
        fac.active[entered] = True
    if s.vacant.any():  # plots vacated by closures, let again (trustsim.park.tenancy)
        let = relet(s, rng, np.flatnonzero(s.vacant), t)
        s.vacant[let] = False
        entered = entered + let.tolist()
    leaving = fac.exit_step <= t
    if s.may_close:
        closing = rng.random(fac.n) < s.exit_rate
        s.vacant |= closing & fac.active & ~leaving
        leaving |= closing
    leaving &= fac.active
    closed: list[int] = []
    if leaving.any():
        s.caches.facilities_closed()
        fac.active[leaving] = False
        fac.exit_step[leaving] = np.minimum(fac.exit_step[leaving], t)  # record closures
        closed = np.flatnonzero(leaving).tolist()
        ids = s.ex.active_ids()
        end_exchanges(s, ids[leaving[s.ex.sup[ids]] | leaving[s.ex.rec[ids]]], "exit", t)
    if t in s.stream_end_steps:
        ids = s.ex.active_ids()
        gone = (fac.out_end[s.ex.out[ids]] <= t) | (fac.need_end[s.ex.need[ids]] <= t)
        end_exchanges(s, ids[gone], "stream_ended", t)
    return entered, closed
