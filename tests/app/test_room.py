"""The shared room without a browser: seats, per-side choices, the clock, listeners, the CSV."""

from __future__ import annotations

import io
import threading
import time

import pandas as pd
import pytest

from trustsim.app.levers import Levers
from trustsim.app.live import start_loop
from trustsim.app.room import CODE_LETTERS, ROOMS, RoomRegistry
from trustsim.errors import UserError


@pytest.fixture
def room():
    room = ROOMS.open(Levers.for_scenario("minimal", seed=1))
    yield room
    ROOMS.close(room.code)


def test_two_students_on_one_exchange_keep_their_own_choices(room):
    room.join("plant", "Ada", "a")
    room.join("greenhouse", "Bo", "b")
    room.advance()
    (e,) = room.park.ex.active_ids().tolist()
    room.set_choice("a", "plant", e, honour=False)
    room.set_choice("b", "greenhouse", e, honour=True)
    room.ready("a", "plant")
    room.ready("b", "greenhouse")
    row = room.park.exchanges_table().iloc[0]
    assert (row.supplier_actions[-1], row.receiver_actions[-1]) == ("D", "C")
    ada, bo = room.seats["plant"], room.seats["greenhouse"]
    assert ada.last_payoff[e] > 0 > bo.last_payoff[e]  # temptation against sucker
    assert "caught you cheating" in ada.feed[0] and "cheated you" in bo.feed[0]


def test_seats_are_one_student_each_and_only_their_page_plays_them(room):
    room.join("plant", "Ada", "a")
    with pytest.raises(UserError, match="Ada plays that manager already"):
        room.join("plant", "Bo", "b")
    with pytest.raises(UserError, match="type your name"):
        room.join("greenhouse", "  ", "b")
    with pytest.raises(UserError, match="not yours"):
        room.ready("b", "plant")
    assert room.free_managers() == {"greenhouse": "Greenhouse"}
    room.leave("a")
    assert set(room.free_managers()) == {"plant", "greenhouse"}
    assert not room.park.controlled.any()


def test_two_students_choosing_last_at_once_play_one_round(room):
    room.join("plant", "Ada", "a")
    room.join("greenhouse", "Bo", "b")
    # a slow listener (a page re-rendering) keeps both choices in flight together
    room.subscribe(lambda kind: time.sleep(0.05) if kind == "choices" else None)
    for n in range(1, 9):
        start = threading.Barrier(2)

        def choose(owner: str, facility: str, start=start) -> None:
            start.wait()
            room.ready(owner, facility)

        threads = [threading.Thread(target=choose, args=seat)
                   for seat in (("a", "plant"), ("b", "greenhouse"))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert room.round == n  # one round per pair of choices, never two
        assert room.waiting_for() == ["Ada", "Bo"]


def test_the_history_csv_holds_the_time_series_and_every_choice(room):
    room.join("plant", "Ada", "a")
    room.set_clock("manual")
    for _ in range(3):
        room.advance()
    text = room.history_csv()
    series, choices = text.split("\n\n")
    ts = pd.read_csv(io.StringIO(series))
    rows = pd.read_csv(io.StringIO(choices))
    assert len(ts) == 3 and set(ts.table) == {"timeseries"}
    assert list(rows.columns) == ["table", "round", "year", "student", "facility_id",
                                  "exchange_id", "partner_id", "resource", "honour", "payoff"]
    assert list(rows["round"]) == [1, 2, 3] and set(rows.student) == {"Ada"}
    assert rows.payoff.sum() == pytest.approx(room.seats["plant"].profit, abs=0.05)


def test_listeners_hear_each_change_with_its_kind(room):
    heard = []
    token = room.subscribe(heard.append)
    room.join("plant", "Ada", "a")
    room.ready("a", "plant")  # alone in the room: the clock advances
    room.set_clock("manual")
    room.unsubscribe(token)
    room.advance()
    assert heard == ["seats", "choices", "round", "clock"]


def test_the_clock_refuses_bad_settings_and_stops_at_the_end_year(room):
    with pytest.raises(UserError, match="clock must be one of everyone, timer, manual"):
        room.set_clock("sometimes")
    with pytest.raises(UserError, match="timer_seconds must be between 5 and 600"):
        room.set_clock("timer", 1)
    room.set_clock("manual")
    while room.advance():
        pass
    assert room.park.year == room.end_year == 2025 and room.finished


def test_the_timer_plays_rounds_on_its_own(room, monkeypatch):
    monkeypatch.setattr("trustsim.app.room.TIMER_RANGE", (0, 600))
    room.set_clock("timer", 0)
    deadline = time.monotonic() + 20
    while room.round < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    room.set_clock("manual")
    assert room.round >= 3


def test_room_codes_and_isolation():
    rooms = RoomRegistry()
    a = rooms.open(Levers.for_scenario("minimal"))
    b = rooms.open(Levers.for_scenario("minimal"))
    assert a.code != b.code and all(len(r.code) == 4 and set(r.code) <= set(CODE_LETTERS)
                                    for r in (a, b))
    assert rooms.get(f" {a.code.lower()} ") is a
    a.advance()
    assert (a.round, b.round) == (1, 0)
    rooms.close(a.code)
    with pytest.raises(UserError, match=f"no room with the code {a.code}"):
        rooms.get(a.code)


class _Context:
    """A stand-in for a Solara kernel context: only what the play loop reads."""

    def __init__(self):
        self.closed_event = threading.Event()

    def __enter__(self):
        return self

    def __exit__(self, *args):
        return None


def test_the_play_loop_stops_when_the_page_closes_or_the_park_ends():
    context, rounds, done = _Context(), [], threading.Event()
    start_loop(context, 0.0, lambda: rounds.append(1) or True, done.set)
    time.sleep(1.0)
    context.closed_event.set()
    time.sleep(0.6)
    played = len(rounds)
    time.sleep(0.6)
    assert 2 <= played == len(rounds) <= 5  # at most one round per 0.25 s, none after closing
    finished = threading.Event()
    start_loop(None, 0.0, lambda: False, finished.set)
    assert finished.wait(5)


class _PausedOnEntry(_Context):
    """A kernel context entered only after the teacher or student has pressed Pause."""

    def __init__(self):
        super().__init__()
        self.stop = None

    def __enter__(self):
        self.stop()
        return self


def test_a_round_still_waiting_for_the_page_when_pause_is_pressed_is_not_played():
    context, rounds, done = _PausedOnEntry(), [], threading.Event()
    context.stop = start_loop(context, 0.0, lambda: rounds.append(1) or True, done.set)
    time.sleep(1.0)
    assert rounds == [] and not done.is_set()  # skipped, and play did not end: it paused


def test_a_page_renders_every_round_advanced_from_other_threads(room):
    """Rounds played on four threads at once, each re-rendering the page from a notification
    thread while other threads render it: the page ends on the last round (none is lost)."""
    solara = pytest.importorskip("solara", reason="the app extra is not installed")
    import ipyvuetify as v

    from trustsim.app.classroom import use_room

    room.set_clock("manual")

    @solara.component
    def Probe():
        use_room(room, ("round",))
        with room.lock:
            solara.Text(f"round {room.round}", classes=["probe"])

    _, rc = solara.render(Probe(), handle_error=False)
    try:
        def shown() -> str:
            return rc.find(v.Html, class_="probe").widget.children[0]

        threads = [threading.Thread(target=lambda: [room.advance() for _ in range(6)])
                   for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert room.round == 24
        deadline = time.monotonic() + 20
        while shown() != "round 24" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert shown() == "round 24"
    finally:
        rc.close()
