"""The shared park of a class (HubNet style): one park, one clock, one seat per student.

A teacher opens a :class:`Room` for a scenario; it gets a four-letter code. Students join
with the code, each takes a free plant manager and chooses honour or cheat per exchange every
round; unseated managers play their model strategy. The clock advances when every seated
student has chosen, on a timer, or by hand. The room lives in the server process, outside any
browser session (:data:`ROOMS`), and every read or change of its park happens under the
room's lock, so a page never draws a park half-stepped. Pages subscribe to a room and are
told after each change; a page that goes away frees its seat (:meth:`Room.leave`).

After the lesson :meth:`Room.history_csv` gives the time series and every student's choices
and payoffs as CSV.
"""

from __future__ import annotations

import io
import itertools
import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from trustsim.app.levers import Levers
from trustsim.app.seat import Seat
from trustsim.errors import UserError

log = logging.getLogger(__name__)

#: Letters of room codes (no I, O: they read as 1 and 0).
CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
#: Clock modes: advance when every seated student has chosen, on a timer, or by hand.
CLOCKS = ("everyone", "timer", "manual")
#: What a change of a room can be (see :meth:`Room.subscribe`).
CHANGES = ("round", "seats", "choices", "clock")
#: Parks a room can be opened for: scenario -> plain-language label (the app's presets and a
#: generated region with a manager for every student of a large class).
ROOM_PARKS = {"region": "A region of 200 firms (generated)"}
#: Shortest and longest timer between rounds, seconds.
TIMER_RANGE = (5, 600)


@dataclass(frozen=True, slots=True)
class ChoiceRecord:
    """One student's action on one exchange in one round (a row of the history CSV)."""

    round: int
    year: float
    student: str
    facility_id: str
    exchange_id: int
    partner_id: str
    resource: str
    honour: bool
    payoff: float


class Room:
    """One class's shared park.

    Args:
        code: the room code students type.
        levers: the park's settings (scenario, seed, levers).
        start_year: the year the class starts in; the park first plays on its own up to it
            (None: the scenario's first year).

    Raises:
        UserError: for a start year outside the scenario's years.

    Attributes:
        code: the room code.
        levers: the park's settings.
        park: the shared :class:`~trustsim.park.model.SymbiosisPark`.
        seats: facility id -> :class:`~trustsim.app.seat.Seat` of the student who plays it.
        clock: one of :data:`CLOCKS`.
        timer_seconds: seconds between rounds when ``clock`` is "timer".
        end_year: the year at which the room's clock stops (the scenario's own length).
        records: every student's action and payoff, round by round.
        message: the last failure, in one line, or None.
        lock: held for every read and change of the park and the seats.
    """

    def __init__(self, code: str, levers: Levers, start_year: int | None = None) -> None:
        from trustsim.app.session import build_park

        self.code = code
        self.levers = levers
        self.park = build_park(levers)
        first, last = self.park.start_year, self.park.start_year + self.park.default_years
        if start_year is not None:
            if not first <= int(start_year) < last:
                raise UserError(f"start_year must be between {first} and {last - 1} for "
                                f"{levers.scenario}, got {start_year}")
            self.park.run_years(int(start_year) - first)
        self.seats: dict[str, Seat] = {}
        self._owners: dict[str, str] = {}  # facility id -> token of the page holding it
        self.clock = "everyone"
        self.timer_seconds = 30
        self.end_year = self.park.start_year + self.park.default_years
        self.records: list[ChoiceRecord] = []
        self.message: str | None = None
        self.lock = threading.RLock()
        self.version = 0
        self._listeners: dict[int, Callable[[], None]] = {}
        self._tokens = itertools.count(1)
        self._timer: threading.Timer | None = None
        self.closed = False

    # -- reading -----------------------------------------------------------------------------
    @property
    def round(self) -> int:
        """Rounds played so far."""
        return int(self.park.step_count)

    @property
    def finished(self) -> bool:
        """Whether the clock has reached the end year (or the park stopped)."""
        return self.park.year >= self.end_year - 1e-9 or not self.park.running

    def free_managers(self) -> dict[str, str]:
        """Managers a student can take now (operating, not seated): facility id -> name."""
        from trustsim.app.view import operating_facilities

        with self.lock:
            return {f: n for f, n in operating_facilities(self.park).items() if f not in self.seats}

    def waiting_for(self) -> list[str]:
        """Students who have not chosen yet for the coming round."""
        with self.lock:
            return sorted(s.student for s in self.seats.values() if not s.ready)

    # -- listeners ---------------------------------------------------------------------------
    def subscribe(self, callback: Callable[[str], None]) -> int:
        """Call ``callback(kind)`` after every change; return a token for :meth:`unsubscribe`.

        ``kind`` is one of :data:`CHANGES`: "round" (the clock advanced), "seats" (a student
        joined or left), "choices" (a student chose or offered a deal again), "clock".
        """
        token = next(self._tokens)
        self._listeners[token] = callback
        return token

    def unsubscribe(self, token: int) -> None:
        """Stop calling the callback registered under ``token``."""
        self._listeners.pop(token, None)

    def _changed(self, kind: str) -> None:
        self.version += 1
        for token, callback in list(self._listeners.items()):
            try:
                callback(kind)
            except Exception:  # noqa: BLE001 - a page gone wrong must not stop the room
                log.exception("room %s: listener %s failed", self.code, token)
                self._listeners.pop(token, None)

    # -- students ----------------------------------------------------------------------------
    def join(self, facility_id: str, student: str, owner: str) -> Seat:
        """Seat ``student`` (from the page ``owner``) at ``facility_id``'s manager.

        Raises:
            UserError: if the manager is taken or not operating, or the name is empty.
        """
        name = " ".join(str(student).split())[:40]
        if not name:
            raise UserError("type your name before taking a manager")
        with self.lock:
            if facility_id in self.seats:
                raise UserError(f"{self.seats[facility_id].student} plays that manager already")
            self.park.take_control(facility_id)
            seat = Seat(facility_id, student=name)
            self.seats[facility_id] = seat
            self._owners[facility_id] = owner
        self._changed("seats")
        self._maybe_advance()
        return seat

    def leave(self, owner: str) -> None:
        """Free every seat held by the page ``owner`` (its manager plays its strategy again)."""
        with self.lock:
            mine = [f for f, o in self._owners.items() if o == owner]
            for f in mine:
                self.park.release_control(f)
                del self.seats[f], self._owners[f]
        if mine:
            self._changed("seats")
            self._maybe_advance()

    def holds(self, owner: str, facility_id: str) -> bool:
        """Whether the page ``owner`` holds the seat at ``facility_id``."""
        return self._owners.get(facility_id) == owner

    def _seat_of(self, owner: str, facility_id: str) -> Seat:
        if self._owners.get(facility_id) != owner:
            raise UserError("that manager is not yours any more: pick one again")
        return self.seats[facility_id]

    def set_choice(
        self, owner: str, facility_id: str, exchange_id: int, honour: bool, keep: bool = False
    ) -> None:
        """A student's choice on one exchange for the coming round (see :class:`Seat`).

        Raises:
            UserError: if the page ``owner`` does not hold that seat.
        """
        with self.lock:
            self._seat_of(owner, facility_id).set_choice(exchange_id, honour, keep)
        self._changed("choices")

    def ready(self, owner: str, facility_id: str) -> None:
        """A student has chosen for the coming round (the clock may then advance).

        Raises:
            UserError: if the page ``owner`` does not hold that seat.
        """
        with self.lock:
            self._seat_of(owner, facility_id).ready = True
        self._changed("choices")
        self._maybe_advance()

    def reoffer(self, owner: str, facility_id: str, exchange_id: int) -> None:
        """The student at ``facility_id`` offers an ended exchange again (see the model).

        Raises:
            UserError: if the page does not hold the seat, or the partner refuses.
        """
        with self.lock:
            seat = self._seat_of(owner, facility_id)
            new = self.park.reoffer(exchange_id)
            partner = self.park.fac.names[
                int(self.park.ex.rec[new] if self.park.ex.sup[new] == self.park.fac.index_of(
                    facility_id) else self.park.ex.sup[new])]
            seat.feed.insert(0, f"{self.park.year:.2f}: {partner} accepted your offer: "
                                "the deal runs again")
        self._changed("choices")

    # -- the clock ---------------------------------------------------------------------------
    def set_clock(self, clock: str, timer_seconds: int | None = None) -> None:
        """Switch the clock mode (and the timer's period).

        Raises:
            UserError: for an unknown mode or a timer outside :data:`TIMER_RANGE`.
        """
        if clock not in CLOCKS:
            raise UserError(f"clock must be one of {', '.join(CLOCKS)}, got {clock!r}")
        if timer_seconds is not None:
            low, high = TIMER_RANGE
            if not low <= int(timer_seconds) <= high:
                raise UserError(f"timer_seconds must be between {low} and {high}, "
                                f"got {timer_seconds}")
            self.timer_seconds = int(timer_seconds)
        with self.lock:
            self.clock = clock
        self._arm_timer()
        self._changed("clock")
        self._maybe_advance()

    def _arm_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self.clock == "timer" and not self.closed and not self.finished:
            self._timer = threading.Timer(self.timer_seconds, self._on_timer)
            self._timer.daemon = True
            self._timer.start()

    def _on_timer(self) -> None:
        self.advance()
        self._arm_timer()

    def _maybe_advance(self) -> None:
        if self.clock == "everyone":
            self.advance(when_everyone_chose=True)

    def advance(self, when_everyone_chose: bool = False) -> bool:
        """Play one round with the students' choices; return whether a round was played.

        Args:
            when_everyone_chose: play only if every seated student has chosen (checked under
                the same hold of the lock as the round, so that two students choosing last at
                the same moment play one round, not two).
        """
        with self.lock:
            if self.closed or self.finished:
                return False
            if when_everyone_chose and not (
                    self.seats and all(s.ready for s in self.seats.values())):
                return False
            park = self.park
            try:
                played = {f: seat.apply(park) for f, seat in self.seats.items()}
                before = {f: seat.before(park) for f, seat in self.seats.items()}
                step, year = park.step_count, park.year
                park.step()
                for f, seat in self.seats.items():
                    self._record(step, year, seat, seat.after(park, before[f], played[f]))
            except Exception as err:  # noqa: BLE001 - the class sees one line
                from trustsim.app.session import short_message

                log.exception("room %s: step failed", self.code)
                self.message = f"The simulation stopped: {short_message(err)}"
                park.running = False
        self._changed("round")
        return True

    def _record(self, step: int, year: float, seat: Seat, played: dict[int, bool]) -> None:
        from trustsim.app.view import resource_name

        park = self.park
        f = park.fac.index_of(seat.facility_id)
        for e, honour in played.items():
            other = int(park.ex.rec[e] if int(park.ex.sup[e]) == f else park.ex.sup[e])
            self.records.append(ChoiceRecord(
                round=step + 1, year=round(year, 2), student=seat.student,
                facility_id=seat.facility_id, exchange_id=e, partner_id=park.fac.ids[other],
                resource=resource_name(int(park.ex.res[e])), honour=honour,
                payoff=round(seat.last_payoff.get(e, 0.0), 2),
            ))

    def close(self) -> None:
        """Stop the room's timer and forget its listeners."""
        self.closed = True
        if self._timer is not None:
            self._timer.cancel()
        self._listeners.clear()

    # -- after the lesson --------------------------------------------------------------------
    def history_csv(self) -> str:
        """The room's history as CSV: the park's time series, then every student's choices.

        Two tables in one file, each with its own header line, separated by a blank line:
        ``table=timeseries`` rows (the model's time-series columns) and ``table=choices``
        rows (round, year, student, facility_id, exchange_id, partner_id, resource, honour,
        payoff in EUR).
        """
        import pandas as pd

        with self.lock:
            ts = self.park.timeseries()
            choices = pd.DataFrame([_row(r) for r in self.records],
                                   columns=list(ChoiceRecord.__dataclass_fields__))
        out = io.StringIO()
        ts.insert(0, "table", "timeseries")
        ts.to_csv(out, index=False)
        out.write("\n")
        choices.insert(0, "table", "choices")
        choices.to_csv(out, index=False)
        return out.getvalue()


def _row(record: ChoiceRecord) -> dict[str, Any]:
    """A record as a dict (slots dataclasses have no ``__dict__``)."""
    return {name: getattr(record, name) for name in ChoiceRecord.__dataclass_fields__}


class RoomRegistry:
    """The rooms open on this server, by code (thread-safe)."""

    def __init__(self) -> None:
        self._rooms: dict[str, Room] = {}
        self._lock = threading.Lock()

    def open(self, levers: Levers, start_year: int | None = None) -> Room:
        """Open a new room with a fresh code for the park ``levers`` describe.

        Raises:
            UserError: for a start year outside the scenario's years.
        """
        with self._lock:
            while True:
                code = "".join(secrets.choice(CODE_LETTERS) for _ in range(4))
                if code not in self._rooms:
                    break
        room = Room(code, levers, start_year)  # built outside the registry lock: it takes a while
        with self._lock:
            self._rooms[code] = room
        return room

    def get(self, code: str) -> Room:
        """The room with ``code`` (case and spaces ignored).

        Raises:
            UserError: when no room has that code.
        """
        key = "".join(str(code).split()).upper()
        with self._lock:
            room = self._rooms.get(key)
        if room is None:
            raise UserError(f"no room with the code {key or '(empty)'}: check it with your "
                            "teacher")
        return room

    def close(self, code: str) -> None:
        """Close and forget the room with ``code`` (nothing if there is none)."""
        with self._lock:
            room = self._rooms.pop(code, None)
        if room is not None:
            room.close()


#: The rooms of this server process (shared by every browser session).
ROOMS = RoomRegistry()
