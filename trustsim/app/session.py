"""One student's session: a park built from the levers, the student's seat, and messages.

:class:`ClassroomSession` is what Mesa's SolaraViz holds as its "model": it builds a
:class:`~trustsim.park.model.SymbiosisPark` from :class:`~trustsim.app.levers.Levers`, steps it, and
lets a student take over one plant manager. It never raises into the page: a failure becomes a
short :attr:`message` and the session stays usable (the traceback goes to the server log).
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Protocol

from trustsim.app.levers import Levers, presets
from trustsim.errors import UserError

log = logging.getLogger(__name__)


class _Holder(Protocol):
    """Anything with a ``value`` (a ``solara.Reactive``), as SolaraViz's Reset passes it."""

    value: Levers


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
    """A student's park, built from levers, with the student's seat and a status message.

    Args:
        levers: the settings, or an object holding them in ``.value`` (SolaraViz passes the
            page's reactive levers when the student presses Reset). None: the default preset.

    Attributes:
        levers: the settings this park was built with.
        park: the model (None only if even the default park could not be built).
        message: a short message for the student about the last failure, or None.
        seat: the facility id the student runs, or None.
        choices: the student's standing choice per exchange id (True: honour).
        last_round: the student's choices in the last round played, by exchange id.
    """

    def __init__(self, levers: Levers | _Holder | None = None) -> None:
        if levers is not None and not isinstance(levers, Levers):
            levers = levers.value
        self.levers: Levers = levers if levers is not None else default_levers()
        self.message: str | None = None
        self.seat: str | None = None
        self.choices: dict[int, bool] = {}
        self.last_round: dict[int, bool] = {}
        self.park: Any = None
        self._lock = threading.Lock()  # the play loop steps from a thread; buttons from another
        try:
            self.park = build_park(self.levers)
        except Exception as err:  # noqa: BLE001 - shown to the student as one line
            log.exception("could not build the park from %s", self.levers)
            self.message = f"Could not build that park: {short_message(err)}. Showing the default."
            self.levers = default_levers()
            self.park = build_park(self.levers)

    # -- what SolaraViz reads ------------------------------------------------------------
    @property
    def running(self) -> bool:
        """Whether the park can step on (False after a failure)."""
        return self.park is not None and bool(self.park.running)

    @property
    def time(self) -> int:
        """Rounds played so far."""
        return int(self.park.step_count) if self.park is not None else 0

    def step(self) -> None:
        """Play one round with the student's choices; on failure stop and keep a message."""
        with self._lock:
            if not self.running:
                return
            try:
                if self.seat is not None:
                    self._apply_choices()
                self.park.step()
            except Exception as err:  # noqa: BLE001 - shown to the student as one line
                log.exception("step failed")
                self.message = f"The simulation stopped: {short_message(err)}"
                self.park.running = False

    # -- playing a plant manager ---------------------------------------------------------
    def take_seat(self, facility_id: str | None) -> None:
        """Hand the manager of ``facility_id`` to the student (None hands it back)."""
        try:
            if self.seat is not None:
                self._release()
            if facility_id is None:
                return
            self.park.take_control(facility_id)
            self.seat, self.choices, self.last_round = facility_id, {}, {}
            self.message = None
        except Exception as err:  # noqa: BLE001 - shown to the student as one line
            log.exception("take_seat(%r) failed", facility_id)
            self.message = f"Could not take over that manager: {short_message(err)}"

    def _release(self) -> None:
        """Give the seat's manager back to its own strategy."""
        self.park.release_control(self.seat)
        self.seat, self.choices, self.last_round = None, {}, {}

    def set_choice(self, exchange_id: int, honour: bool) -> None:
        """Set the student's standing choice on one exchange (kept until changed)."""
        self.choices[int(exchange_id)] = bool(honour)

    def _apply_choices(self) -> None:
        """Tell the park the student's action on each of the seat's active exchanges."""
        from trustsim.app.view import seat_exchanges

        played = {}
        for row in seat_exchanges(self.park, self.seat):
            honour = self.choices.setdefault(row.exchange_id, True)
            self.park.choose(row.exchange_id, honour)
            played[row.exchange_id] = honour
        self.last_round = played
