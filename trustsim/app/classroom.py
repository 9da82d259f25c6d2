"""The shared park's pages: ``/teacher`` (open a room, run the clock) and ``/join`` (play).

Both show one :class:`~trustsim.app.room.Room` from :data:`~trustsim.app.room.ROOMS`, and
re-render whenever it changes (:func:`use_room`): when the clock advances, a student joins,
leaves or chooses. A student page that goes away frees its seat.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import nullcontext

import solara

from trustsim.app.components import CSS, ParkMap, Plots, SeatPanel, failed, guarded
from trustsim.app.levers import Levers, parse_seed, presets
from trustsim.app.live import current_context, notify_later, on_close
from trustsim.app.room import CHANGES, CLOCKS, ROOM_PARKS, ROOMS, TIMER_RANGE, Room
from trustsim.app.solo import TITLE
from trustsim.errors import UserError

#: Clock modes as the teacher reads them.
CLOCK_LABELS = {
    "everyone": "When everyone has chosen",
    "timer": "On a timer",
    "manual": "By hand",
}


def use_room(room: Room | None, kinds: tuple[str, ...] = CHANGES) -> tuple[int, Callable]:
    """Re-render the calling component when ``room`` changes in one of ``kinds``.

    Returns:
        The room's version as last seen, and a function that re-renders now (after the
        page's own action, which other pages need not hear of).
    """
    version = solara.use_reactive(0)
    context = solara.use_memo(current_context, [])

    def subscribe():
        if room is None:
            return None

        def changed(kind: str) -> None:
            if kind in kinds:
                # a request that meets a render of this page in another thread is rendered by
                # that thread (reacton >= 1.11 looks again after releasing its render lock)
                notify_later(context, lambda: version.set(room.version))

        token = room.subscribe(changed)
        return lambda: room.unsubscribe(token)

    solara.use_effect(subscribe, [room, kinds])
    return version.value, lambda: version.set(room.version if room else 0)


def query_value(name: str) -> str:
    """The value of ``name`` in the page's query string ("" when absent)."""
    from urllib.parse import parse_qs

    search = solara.use_router().search or ""
    return (parse_qs(search).get(name) or [""])[0]


@solara.component
def TeacherPage():
    """Open a room and run it: the code, the map, the plots, the seats and the clock."""
    room_ref = solara.use_reactive(None)
    room: Room | None = room_ref.value
    version, _ = use_room(room)
    solara.Title(f"{TITLE}: teacher")
    solara.Style(CSS)
    if room is None:
        OpenRoom(room_ref.set)
        return
    with solara.Div(classes=["trustsim-app", "trustsim-teacher"]):
        with solara.Column(classes=["trustsim-side"]):
            with solara.Card("Room", classes=["trustsim-room"]):
                solara.Text(f"Room code: {room.code}", classes=["trustsim-code"])
                solara.Text(f"Students open /join?room={room.code} on this server, "
                            "or /join and type the code.", classes=["trustsim-line"])
                solara.Text(f"Park {room.levers.scenario}, seed {room.levers.seed}",
                            classes=["trustsim-line"])
            Clock(room, version)
            Seats(room, version)
            with solara.Card("After the lesson"):
                solara.FileDownload(room.history_csv, filename=f"room-{room.code}.csv",
                                    label="Download the room's history (CSV)")
        with solara.Column(classes=["trustsim-main"]):
            ParkMap(room.park, room.lock, version, title=f"Room {room.code}: the park")
            Plots(room.park, room.lock, version)


def room_parks() -> dict[str, str]:
    """Parks a teacher can open a room for: scenario -> label (those that exist)."""
    from trustsim.park.scenarios import SCENARIOS

    return {**presets(), **{k: v for k, v in ROOM_PARKS.items() if k in SCENARIOS}}


@solara.component
def OpenRoom(on_open):
    """The form that opens a room: the park, its seed and the year the class starts in."""
    labels = room_parks()
    scenario = solara.use_reactive(next(iter(labels.values())))
    seed = solara.use_reactive("42")
    start = solara.use_reactive("")
    notice = solara.use_reactive("")

    def open_room() -> None:
        name = next(k for k, v in labels.items() if v == scenario.value)
        text = start.value.strip()
        if text and not text.isdigit():
            raise UserError(f"the start year must be a year such as 2000, got {text!r}")
        levers = Levers.for_scenario(name, seed=parse_seed(seed.value))
        on_open(ROOMS.open(levers, int(text) if text else None))

    with solara.Card("Open a room for your class", style={"max-width": "560px"}):
        solara.Select("Park", values=list(labels.values()), value=scenario)
        solara.InputText("Random seed", value=seed)
        solara.InputText("Start in year", value=start)
        solara.Text("Empty: the park's first year. The park plays on its own up to it.")
        solara.Button("Open the room", color="primary", on_click=guarded(open_room, notice.set))
        if notice.value:
            solara.Warning(notice.value, dense=True)


@solara.component
def Clock(room: Room, version: int):
    """The room's clock: mode, timer, advance by hand, and whom it waits for."""
    notice = solara.use_reactive("")
    with room.lock:
        clock, seconds, finished = room.clock, room.timer_seconds, room.finished
        waiting, n_seated = room.waiting_for(), len(room.seats)
        text = (f"Round {room.round} | year {room.park.year:.2f} | ends {room.end_year:.0f} | "
                f"active exchanges {int(room.park.ex.active_ids().size)}")
        message = room.message
    with solara.Card("Clock", classes=["trustsim-clock"]):
        solara.Text(text, classes=["trustsim-room-status"])
        solara.ToggleButtonsSingle(
            value=CLOCK_LABELS[clock], values=[CLOCK_LABELS[c] for c in CLOCKS],
            on_value=lambda label: guarded(lambda: room.set_clock(
                next(k for k, v in CLOCK_LABELS.items() if v == label)), notice.set)(),
            dense=True,
        )
        if clock == "timer":
            solara.SliderInt(f"Seconds between rounds: {seconds}", value=seconds,
                             min=TIMER_RANGE[0], max=120, step=5, thumb_label="always",
                             on_value=lambda s: guarded(lambda: room.set_clock("timer", s),
                                                        notice.set)())
        solara.Button("Advance one round now", color="primary", disabled=finished,
                      on_click=guarded(room.advance, notice.set))
        if finished:
            solara.Info(f"The park reached {room.end_year:.0f}: the lesson's run is over.")
        elif n_seated:
            solara.Text(f"Waiting for: {', '.join(waiting)}" if waiting
                        else "Everyone has chosen.", classes=["trustsim-waiting"])
        if message:
            solara.Warning(message, dense=True)
        if notice.value:
            solara.Warning(notice.value, dense=True)


@solara.component
def Seats(room: Room, version: int):
    """Who plays which manager, and who has chosen this round."""
    with room.lock:
        rows = [(room.park.fac.names[room.park.fac.index_of(f)], s.student, s.ready, s.profit)
                for f, s in sorted(room.seats.items())]
        free = len(room.free_managers())
    cells = "".join(
        f"<tr><td>{_esc(manager)}</td><td>{_esc(student)}</td>"
        f"<td>{'chosen' if ready else '...'}</td><td>{profit / 1e3:,.0f} k</td></tr>"
        for manager, student, ready, profit in rows
    )
    with solara.Card(f"Seats ({len(rows)} taken, {free} free)", classes=["trustsim-seats-card"]):
        if not rows:
            solara.Text("Nobody has joined yet. Unseated managers play their own strategy.")
            return
        solara.HTML(tag="table", classes=["trustsim-seats"], unsafe_innerHTML=(
            "<tr><th>manager</th><th>student</th><th>this round</th><th>profit EUR</th></tr>"
            + cells))


def _esc(text: str) -> str:
    from html import escape

    return escape(text)


@solara.component
def JoinPage():
    """A student joins a room, takes a free manager and plays it round after round."""
    owner = solara.use_memo(lambda: uuid.uuid4().hex, [])
    code = solara.use_reactive(query_value("room"))
    name = solara.use_reactive("")
    seat_id = solara.use_reactive("")
    notice = solara.use_reactive("")
    context = solara.use_memo(current_context, [])
    try:
        room = ROOMS.get(code.value) if code.value else None
        room_error = ""
    except UserError as err:
        room, room_error = None, str(err)
    with room.lock if room is not None else nullcontext():
        seat = room.seats.get(seat_id.value) if room is not None else None
        mine = seat is not None and room.holds(owner, seat_id.value)
    # a student's page hears of new rounds only: re-rendering every page still picking at each
    # seat taken would close their open menus while a class of 30 joins; the menu is read when
    # the page renders, and taking a manager that went meanwhile says so and reads it again
    version, refresh = use_room(room, ("round",))

    def hold_seat_while_here():
        if room is None:
            return None
        on_close(context, lambda: room.leave(owner))  # the tab closed or did not come back
        return lambda: room.leave(owner)  # the page left this room

    solara.use_effect(hold_seat_while_here, [room])
    solara.Title(f"{TITLE}: join" if room is None else f"Room {room.code}")
    solara.Style(CSS)
    if room is None:
        with solara.Card("Join your class's park", style={"max-width": "520px"}):
            solara.InputText("Room code", value=code, continuous_update=False)
            if room_error:
                solara.Warning(room_error, dense=True)
        return
    if not mine:
        PickManager(room, owner, name, seat_id, notice, version)
        return

    def act(change) -> None:
        guarded(change, notice.set)()
        refresh()

    with solara.Div(classes=["trustsim-app"]):
        with solara.Column(classes=["trustsim-side", "trustsim-student"]):
            with solara.Card(f"Room {room.code}: {seat.student}", classes=["trustsim-seat"]):
                with room.lock:
                    solara.Text(f"Round {room.round} | year {room.park.year:.2f} | ends "
                                f"{room.end_year:.0f}", classes=["trustsim-room-status"])
                SeatPanel(
                    seat, room.park, room.lock, version,
                    on_choice=lambda e, h, k: act(
                        lambda: room.set_choice(owner, seat.facility_id, e, h, k)),
                    on_reoffer=lambda e: act(lambda: room.reoffer(owner, seat.facility_id, e)),
                    action_label="I have chosen",
                    on_action=lambda: act(lambda: room.ready(owner, seat.facility_id)),
                    action_disabled=room.finished,
                    note="The park has reached its end year." if room.finished else "",
                )
                if notice.value:
                    solara.Warning(notice.value, dense=True)
                solara.Button("Leave this manager", small=True,
                              on_click=lambda: act(lambda: room.leave(owner)))
        with solara.Column(classes=["trustsim-main"]):
            try:
                ParkMap(room.park, room.lock, version, title=f"Room {room.code}: the park")
                Plots(room.park, room.lock, version)
            except Exception as err:  # noqa: BLE001 - shown as one line
                failed("park", err)


@solara.component
def PickManager(room: Room, owner: str, name, seat_id, notice, version: int):
    """Type one's name and take a free manager."""
    free = room.free_managers()
    by_name = {v: k for k, v in free.items()}
    choice = solara.use_reactive("")

    def take() -> None:
        if choice.value not in by_name:
            raise UserError("pick a free manager first")
        room.join(by_name[choice.value], name.value, owner)
        notice.set("")  # an earlier refusal is no news on the seated page
        seat_id.set(by_name[choice.value])

    with solara.Card(f"Room {room.code}: take a plant manager", style={"max-width": "560px"}):
        solara.InputText("Your name", value=name)
        solara.Select("Free managers", values=list(by_name), value=choice)
        solara.Button("Take this manager", color="primary", on_click=guarded(take, notice.set),
                      disabled=not free)
        if not free:
            solara.Text("Every manager is taken: wait for a seat, or ask your teacher.")
        if notice.value:
            solara.Warning(notice.value, dense=True)
