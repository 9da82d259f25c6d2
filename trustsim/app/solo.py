"""The page at ``/``: a student's own park, with the clock, the levers and a seat to play.

Solara renders :func:`SoloPage` once per browser session, so every student gets their own
levers and park: the state lives in this component's hooks, never in module globals. The
clock (Reset, Step, Play/Pause at a safe speed, rounds per step) is the app's own: playing stops
at the scenario's end year, when the page goes away, or when the student presses Pause.
"""

from __future__ import annotations

import solara

from trustsim.app.components import (
    CSS,
    NOBODY,
    InfoPage,
    ParkMap,
    Plots,
    SeatPanel,
    failed,
    guarded,
)
from trustsim.app.levers import SLIDERS, SWITCHES, Levers, parse_seed, presets, strategies
from trustsim.app.live import current_context, start_loop
from trustsim.app.session import ClassroomSession, default_levers
from trustsim.app.view import operating_facilities
from trustsim.errors import UserError

TITLE = "Trust in an industrial-symbiosis park"
#: Play speeds: label -> seconds between rounds (the fastest is the safe minimum).
SPEEDS = {"Slow": 1.0, "Normal": 0.5, "Fast": 0.25}


def status_text(session: ClassroomSession) -> str:
    """The one-line status of a session: park, round, year, seed and the settings in use."""
    park = session.park
    params = park.params
    broker = "off" if params["broker_year"] is None else f"from {params['broker_year']}"
    reform = "off" if params["regulatory_reform_year"] is None else (
        f"from {params['regulatory_reform_year']}")
    return (
        f"Park {session.levers.scenario} | round {session.time} | year {park.year:.2f} | "
        f"seed {session.levers.seed} | active exchanges {int(park.ex.active_ids().size)} | "
        f"strategy {params['strategy']}, patience {params['patience']:.2f}, "
        f"turnover {params['turnover_rate']:.2f}, cohesion {params['social_cohesion']:.2f}, "
        f"gossip {params['gossip_reach']}, enforcement {params['enforcement']:.2f}, "
        f"noise {params['noise']:.2f}, broker {broker}, reform {reform} | "
        f"ends {session.end_year:.0f}"
    )


@solara.component
def LeversPanel(levers: solara.Reactive[Levers], session: ClassroomSession, on_park):
    """The park preset, seed, strategy, sliders and switches (applied by Reset)."""
    seed_error = solara.use_reactive("")
    notice = solara.use_reactive("")
    current = levers.value
    park_labels = presets()
    strategy_labels = strategies()

    def pick_park(label: str) -> None:
        name = next(k for k, v in park_labels.items() if v == label)
        new = Levers.for_scenario(name, seed=current.seed)
        levers.set(new)
        on_park(new)

    def set_seed(text: str) -> None:
        try:
            levers.set(levers.value.replace(seed=parse_seed(text)))
            seed_error.set("")
        except UserError as err:
            seed_error.set(str(err))

    def setter(name: str):
        return lambda value: guarded(
            lambda: levers.set(levers.value.replace(**{name: value})), notice.set)()

    with solara.Card("Levers", classes=["trustsim-levers"]):
        solara.Select("Park", values=list(park_labels.values()),
                      value=park_labels.get(current.scenario, current.scenario),
                      on_value=lambda label: guarded(lambda: pick_park(label), notice.set)())
        solara.InputText("Random seed", value=str(current.seed), on_value=set_seed,
                         error=seed_error.value or False)
        solara.Select(
            "Managers' strategy",
            values=list(strategy_labels.values()),
            value=strategy_labels.get(current.strategy, current.strategy),
            on_value=setter_strategy(levers, strategy_labels),
        )
        for s in SLIDERS:
            widget = solara.SliderInt if isinstance(s.step, int) else solara.SliderFloat
            value = getattr(current, s.name)
            widget(s.label, value=value, min=s.low, max=s.high, step=s.step,
                   on_value=setter(s.name), thumb_label="always")
        for name, label in SWITCHES.items():
            solara.Switch(label=label, value=getattr(current, name), on_value=setter(name))
        if current != session.levers:
            solara.Info("Levers changed: press Reset to build the park with them.", dense=True)
        if notice.value:
            solara.Warning(f"That did not work: {notice.value}", dense=True)


def setter_strategy(levers: solara.Reactive[Levers], labels: dict[str, str]):
    """The handler of the strategy menu."""

    def set_strategy(label: str) -> None:
        levers.set(levers.value.replace(strategy=next(k for k, v in labels.items() if v == label)))

    return set_strategy


@solara.component
def SoloPage():
    """The whole app for one browser session."""
    first_levers = solara.use_memo(default_levers, [])
    levers = solara.use_reactive(first_levers)
    first_session = solara.use_memo(lambda: ClassroomSession(first_levers), [])
    session_ref = solara.use_reactive(first_session)
    session = session_ref.value
    version = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive("Normal")
    per_step = solara.use_reactive(1)
    tab = solara.use_reactive(0)
    context = solara.use_memo(current_context, [])

    def bump() -> None:
        version.set(version.value + 1)

    def rounds() -> bool:
        played = False
        for _ in range(per_step.value):
            played = session.step() or played
        bump()
        return played and session.running

    def loop():
        if not playing.value:
            return None
        return start_loop(context, SPEEDS[speed.value], rounds, lambda: playing.set(False))

    solara.use_effect(loop, [playing.value, session, speed.value])

    def rebuild(new: Levers) -> None:
        playing.set(False)
        session_ref.set(ClassroomSession(new))
        bump()

    def act(change) -> None:
        change()
        bump()

    solara.Title(TITLE)
    solara.Style(CSS)
    with solara.Div(classes=["trustsim-app"]):
        with solara.Column(classes=["trustsim-side"]):
            solara.Text(TITLE, style={"font-size": "20px", "font-weight": "bold"})
            with solara.Card("Controls", classes=["trustsim-controls"]):
                with solara.Row(style={"flex-wrap": "wrap"}):
                    solara.Button("Reset", on_click=lambda: rebuild(levers.value))
                    solara.Button("Step", on_click=lambda: rounds(), disabled=playing.value
                                  or not session.running)
                    solara.Button("Pause" if playing.value else "Play", color="primary",
                                  on_click=lambda: playing.set(not playing.value),
                                  disabled=not session.running and not playing.value)
                solara.ToggleButtonsSingle(value=speed, values=list(SPEEDS), dense=True)
                solara.SliderInt("Rounds per step", value=per_step, min=1, max=8,
                                 thumb_label="always")
                solara.Text(f"One step = {per_step.value} round(s) = "
                            f"{per_step.value / session.park.steps_per_year:g} years",
                            classes=["trustsim-line"])
                solara.Text(f"Round {session.time}, year {session.park.year:.2f}; play stops in "
                            f"{session.end_year:.0f}.", classes=["trustsim-clock"])
            LeversPanel(levers, session, rebuild)
        with solara.Column(classes=["trustsim-main"]):
            with solara.v.Tabs(v_model=tab.value, on_v_model=tab.set):
                solara.v.Tab(children=["Park"])
                solara.v.Tab(children=["Info"])
            if tab.value == 1:
                InfoPage()
                return
            if session.message:
                solara.Warning(session.message, classes=["trustsim-message"], dense=True)
            try:
                with session.lock:
                    solara.Text(status_text(session), classes=["trustsim-status"])
            except Exception as err:  # noqa: BLE001 - shown as one line
                failed("status", err)
            with solara.Div(classes=["trustsim-grid"]):
                with solara.Div(classes=["trustsim-wide"]):
                    ParkMap(session.park, session.lock, version.value)
                    Plots(session.park, session.lock, version.value)
                with solara.Div(classes=["trustsim-narrow"]):
                    SoloSeat(session, version.value, lambda c: act(c), rounds, playing.value)


@solara.component
def SoloSeat(session: ClassroomSession, version: int, act, play_round, playing: bool):
    """Play a plant manager in one's own park."""
    with solara.Card("Play a plant manager", classes=["trustsim-seat"]):
        try:
            with session.lock:
                operating = operating_facilities(session.park)
        except Exception as err:  # noqa: BLE001 - shown as one line
            failed("manager's seat", err)
            return
        by_name = {name: fid for fid, name in operating.items()}
        seat = session.seat
        solara.Select(
            "Take over a manager",
            values=[NOBODY, *by_name],
            value=operating.get(seat.facility_id, NOBODY) if seat else NOBODY,
            on_value=lambda name: act(lambda: session.take_seat(by_name.get(name))),
        )
        if seat is None:
            solara.Text("You play nobody: pick a factory to decide for its manager.",
                        classes=["trustsim-seat-status"])
            return
        SeatPanel(
            seat, session.park, session.lock, version,
            on_choice=lambda e, honour, keep: act(lambda: session.set_choice(e, honour, keep)),
            on_reoffer=lambda e: act(lambda: session.reoffer(e)),
            action_label="Play this round",
            on_action=play_round,
            action_disabled=playing or not session.running,
        )
        solara.Button("Hand back", on_click=lambda: act(lambda: session.take_seat(None)),
                      small=True)

