"""A student's seat: one plant manager played by a person, round by round.

:class:`Seat` keeps what a student decides and sees: this round's choice per exchange (honour
unless the student says otherwise, and a cheat lasts one round unless "keep cheating" is on),
this round's payoff, the running profit since the seat was taken, and a feed of plain-words
events ("the greenhouse noticed the short delivery and trusts you less"). It only reads the
park, apart from :meth:`Seat.apply`, which hands the choices to the model before a step.
The solo page holds one seat; a shared room (:mod:`trustsim.app.room`) holds one per student.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: Why an exchange ended, in plain words (keys: ``trustsim.park.exchanges.END_REASONS``).
END_WORDS = {
    "breach": "it caught you cheating and no longer trusts you",
    "low_trust": "trust between you fell too low",
    "better_alternative": "it found a better partner",
    "exit": "a factory closed",
    "stream_ended": "the stream stopped",
    "manager_left": "a new manager would not keep the handshake deal",
}
#: How many feed lines a seat keeps.
FEED_LENGTH = 12


@dataclass(frozen=True, slots=True)
class Before:
    """The park just before a round, as the seat needs it to tell what changed.

    Attributes:
        step: the round about to be played.
        trust_in_me: every manager's trust in the seat's manager.
        payoff: cumulative payoff per exchange and side (n, 2).
        active: ids of the active exchanges.
    """

    step: int
    trust_in_me: np.ndarray
    payoff: np.ndarray
    active: frozenset[int]


@dataclass(slots=True)
class Seat:
    """One student playing the manager of ``facility_id``.

    Attributes:
        facility_id: the facility whose manager the student plays.
        student: the student's name.
        cheat: exchanges the student cheats on in the coming round.
        keep_cheating: exchanges on which a cheat repeats every round until changed.
        ready: whether the student has finished choosing for the coming round.
        profit: the student's total payoff since taking the seat (EUR).
        last_payoff: the payoff of the last round played (EUR), by exchange id.
        last_choices: the student's actions in the last round played, by exchange id.
        feed: the latest events in plain words, newest first, each with its year.
    """

    facility_id: str
    student: str = ""
    cheat: set[int] = field(default_factory=set)
    keep_cheating: set[int] = field(default_factory=set)
    ready: bool = False
    profit: float = 0.0
    last_payoff: dict[int, float] = field(default_factory=dict)
    last_choices: dict[int, bool] = field(default_factory=dict)
    feed: list[str] = field(default_factory=list)

    def set_choice(self, exchange_id: int, honour: bool, keep: bool = False) -> None:
        """Honour or cheat on ``exchange_id`` in the coming round (``keep``: every round)."""
        e = int(exchange_id)
        if honour:
            self.cheat.discard(e)
            self.keep_cheating.discard(e)
        else:
            self.cheat.add(e)
            if keep:
                self.keep_cheating.add(e)
            else:
                self.keep_cheating.discard(e)

    def honours(self, exchange_id: int) -> bool:
        """The student's choice on ``exchange_id`` for the coming round."""
        return int(exchange_id) not in self.cheat

    def apply(self, park: Any) -> dict[int, bool]:
        """Hand this round's choices to the park; return them by exchange id."""
        f = park.fac.index_of(self.facility_id)
        played = {}
        for e in park.ex.active_ids().tolist():
            if f in (int(park.ex.sup[e]), int(park.ex.rec[e])):
                honour = self.honours(e)
                park.choose(e, honour, facility_id=self.facility_id)
                played[e] = honour
        return played

    def before(self, park: Any) -> Before:
        """What the seat must remember of the park before a round."""
        f = park.fac.index_of(self.facility_id)
        n = park.ex.n
        return Before(
            step=int(park.step_count),
            trust_in_me=np.array(park.trust[:, f]),
            payoff=np.array(park.ex.payoff[:n]),
            active=frozenset(park.ex.active_ids().tolist()),
        )

    def after(self, park: Any, before: Before, played: dict[int, bool]) -> dict[int, bool]:
        """Book the round just played: payoffs, profit, events; clear one-round cheats.

        Returns:
            The student's actions in that round by exchange id, deals struck in it included
            (they start honoured: the student had no say yet).
        """
        fac, ex = park.fac, park.ex
        f = fac.index_of(self.facility_id)
        new = [e for e in sorted(set(ex.active_ids().tolist()) - before.active)
               if f in (int(ex.sup[e]), int(ex.rec[e]))]
        played = {**played, **{e: True for e in new if ex.rounds[e] > 0}}
        year = park.start_year + before.step / park.steps_per_year
        pays: dict[int, float] = {}
        events: list[str] = []
        n_before = before.payoff.shape[0]
        for e in sorted(played):
            s = 0 if int(ex.sup[e]) == f else 1
            p = 1 - s
            old = before.payoff[e, s] if e < n_before else 0.0
            pays[e] = float(ex.payoff[e, s] - old)
            other = int(ex.rec[e] if s == 0 else ex.sup[e])
            name = _short(fac.names[other])
            what = _resource(ex, e)
            was, now = float(before.trust_in_me[other]), float(park.trust[other, f])
            change = f"({was:.2f} → {now:.2f})"
            seen_me = int(ex.their_last[e, p]) == 1
            if played[e] and seen_me:
                events.append(f"{name} noticed a short {what} delivery and trusts you less "
                              f"{change}")
            elif not played[e] and seen_me:
                events.append(f"{name} caught you cheating on the {what} deal and trusts you "
                              f"less {change}")
            elif not played[e]:
                events.append(f"{name} did not notice your cheat on the {what} deal {change}")
            if int(ex.their_last[e, s]) == 1:
                events.append(f"{name} seems to have cheated you on the {what} deal")
            if not ex.active[e]:
                reason = END_WORDS.get(_end_reason(ex, e), "it ended")
                events.append(f"{name} ended the {what} deal: {reason}")
        for e in new:
            other = int(ex.rec[e] if int(ex.sup[e]) == f else ex.sup[e])
            events.append(f"new deal: {_resource(ex, e)} with {_short(fac.names[other])}")
        partners = {int(ex.rec[e] if int(ex.sup[e]) == f else ex.sup[e]) for e in played}
        fell = np.flatnonzero(park.trust[:, f] < before.trust_in_me - 1e-9).tolist()
        heard = [j for j in fell if j not in partners and j != f]
        if heard:
            names = ", ".join(_short(fac.names[j]) for j in heard[:3])
            more = f" and {len(heard) - 3} more" if len(heard) > 3 else ""
            events.append(f"word got around: {names}{more} now trust you less")
        self.last_payoff, self.last_choices = pays, dict(played)
        self.profit += sum(pays.values())
        self.feed = [f"{year:.2f}: {line[0].upper()}{line[1:]}" for line in events] + self.feed
        del self.feed[FEED_LENGTH:]
        self.cheat = set(self.keep_cheating) & set(ex.active_ids().tolist())
        self.keep_cheating &= self.cheat
        self.ready = False
        return played


def _short(name: str) -> str:
    """A facility's name inside a sentence: its name without the bracketed details."""
    return name.split(" (")[0]


def _resource(ex: Any, e: int) -> str:
    """What flows in exchange ``e``, in words."""
    from trustsim.park.resources import RESOURCES

    return RESOURCES[int(ex.res[e])].name.replace("_", " ")


def _end_reason(ex: Any, e: int) -> str:
    """Why exchange ``e`` ended (an ``END_REASONS`` name)."""
    from trustsim.park.exchanges import END_REASONS

    return END_REASONS[int(ex.reason[e])]
