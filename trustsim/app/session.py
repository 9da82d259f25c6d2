"""One student's session: a park built from the levers, the student's seat, and messages.

:class:`ClassroomSession` builds a :class:`~trustsim.park.model.SymbiosisPark` from
:class:`~trustsim.app.levers.Levers`, steps it under a lock until the scenario's end year, and
lets a student take over one plant manager (a :class:`~trustsim.app.seat.Seat`). It never
raises into the page: a failure becomes a short :attr:`message` and the session stays usable
(the traceback goes to the server log).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from trustsim.app.levers import Levers, presets
from trustsim.app.seat import Seat
from trustsim.errors import UserError

log = logging.getLogger(__name__)


def default_levers() -> Levers:
    """The levers of the first preset that exists (Kalundborg when it is there)."""
    return Levers.for_scenario(next(iter(presets()), "minimal"))


def build_park(levers: Levers) -> Any:
    """Return a new :class:`~trustsim.park.model.SymbiosisPark` set up by ``levers``."""
    from trustsim.park.model import SymbiosisPark

    return SymbiosisPark(levers.scenario, rng=levers.seed, **levers.overrides())


def short_message(err: BaseException) -> str:
    """Return a one-line message for a student: the user error itself, else a generic line."""
    if isinstance(err, UserError):
        return str(err)
    return f"the simulation hit a problem ({type(err).__name__}); press Reset to start again"


class ClassroomSession:
    """A student's own park, built from levers, with the student's seat and a status message.

    Args:
        levers: the settings. None: the default preset.

    Attributes:
        levers: the settings this park was built with.
        park: the model (None only if even the default park could not be built).
        message: a short message for the student about the last failure, or None.
        seat: the student's :class:`~trustsim.app.seat.Seat`, or None.
        end_year: the year at which play stops (the scenario's own length).
        lock: held for every step and every read of the park by the page, so the page never
            draws a park half-stepped (the play loop steps from its own thread).
    """

    def __init__(self, levers: Levers | None = None) -> None:
        self.levers: Levers = levers if levers is not None else default_levers()
        self.message: str | None = None
        self.seat: Seat | None = None
        self.park: Any = None
        self.lock = threading.RLock()
        try:
            self.park = build_park(self.levers)
        except Exception as err:  # noqa: BLE001 - shown to the student as one line
            log.exception("could not build the park from %s", self.levers)
            self.message = f"Could not build that park: {short_message(err)}. Showing the default."
            self.levers = default_levers()
            self.park = build_park(self.levers)
        self.end_year = self.park.start_year + self.park.default_years

    @property
    def running(self) -> bool:
        """Whether the park can step on (False after a failure or at the end year)."""
        return (self.park is not None and bool(self.park.running)
                and self.park.year < self.end_year - 1e-9)

    @property
    def time(self) -> int:
        """Rounds played so far."""
        return int(self.park.step_count) if self.park is not None else 0

    def step(self) -> bool:
        """Play one round with the student's choices; on failure stop and keep a message.

        Returns:
            Whether a round was played (False at the end year or after a failure).
        """
        with self.lock:
            if not self.running:
                return False
            try:
                seat = self.seat
                played = seat.apply(self.park) if seat is not None else {}
                before = seat.before(self.park) if seat is not None else None
                self.park.step()
                if seat is not None:
                    seat.after(self.park, before, played)
            except Exception as err:  # noqa: BLE001 - shown to the student as one line
                log.exception("step failed")
                self.message = f"The simulation stopped: {short_message(err)}"
                self.park.running = False
                return False
            return True

    def take_seat(self, facility_id: str | None) -> None:
        """Hand the manager of ``facility_id`` to the student (None hands it back)."""
        with self.lock:
            try:
                if self.seat is not None:
                    self.park.release_control(self.seat.facility_id)
                    self.seat = None
                if facility_id is None:
                    return
                self.park.take_control(facility_id)
                self.seat = Seat(facility_id, student="you")
                self.message = None
            except Exception as err:  # noqa: BLE001 - shown to the student as one line
                log.exception("take_seat(%r) failed", facility_id)
                self.message = f"Could not take over that manager: {short_message(err)}"

    def set_choice(self, exchange_id: int, honour: bool, keep: bool = False) -> None:
        """Honour or cheat on one exchange in the next round (``keep``: every round)."""
        with self.lock:
            if self.seat is not None:
                self.seat.set_choice(exchange_id, honour, keep)

    def reoffer(self, exchange_id: int) -> None:
        """Offer an ended exchange of the seat again; a refusal becomes the message."""
        with self.lock:
            try:
                new = self.park.reoffer(exchange_id)
                self.message = None
                if self.seat is not None:
                    self.seat.feed.insert(0, f"{self.park.year:.2f}: your offer was accepted: "
                                             f"the deal runs again (exchange {new})")
            except UserError as err:
                self.message = str(err)
