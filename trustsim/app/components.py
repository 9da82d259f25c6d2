"""The app's Solara components: levers, status line, park map, plots, manager's seat, info.

Each component that reads the park re-renders when Mesa's ``update_counter`` moves (after a
step or a reset). A component that fails shows a one-line warning instead of itself; the
traceback goes to the server log, never to the page.
"""

from __future__ import annotations

import logging
from importlib import resources

import solara
from mesa.visualization.utils import force_update, update_counter

from trustsim.app.levers import SLIDERS, SWITCHES, Levers, parse_seed, presets, strategies
from trustsim.app.park_map import (
    HEIGHT,
    WIDTH,
    Spot,
    facility_spots,
    legend_html,
    park_svg,
    short_name,
)
from trustsim.app.plots import series_svg
from trustsim.app.session import ClassroomSession, short_message
from trustsim.app.view import (
    ended_exchanges,
    manager_lines,
    map_exchanges,
    map_nodes,
    map_ties,
    operating_facilities,
    seat_exchanges,
    trust_in,
)
from trustsim.errors import UserError

log = logging.getLogger(__name__)
NOBODY = "(nobody)"
HONOUR, CHEAT = "Honour", "Cheat"


def _failed(what: str, err: BaseException) -> None:
    """Log a component failure and show a one-line warning in its place."""
    log.exception("%s failed", what)
    solara.Warning(f"The {what} could not be shown this round ({short_message(err)}).")


@solara.component
def LeversPanel(levers: solara.Reactive[Levers], model: solara.Reactive[ClassroomSession]):
    """The park preset, seed, strategy, sliders and switches (applied by Reset)."""
    seed_error = solara.use_reactive("")
    notice = solara.use_reactive("")
    current = levers.value
    park_labels = presets()
    strategy_labels = strategies()

    def guarded(handler):
        """Run ``handler``; a failure becomes a one-line notice under the levers."""

        def run(value) -> None:
            try:
                handler(value)
                notice.set("")
            except Exception as err:  # noqa: BLE001 - shown as one line
                log.exception("lever change failed")
                notice.set(f"That did not work: {short_message(err)}")

        return run

    @guarded
    def pick_park(label: str) -> None:
        name = next(k for k, v in park_labels.items() if v == label)
        new = Levers.for_scenario(name, seed=current.seed)
        levers.set(new)
        model.set(ClassroomSession(new))

    def set_seed(text: str) -> None:
        try:
            levers.set(levers.value.replace(seed=parse_seed(text)))
            seed_error.set("")
        except UserError as err:
            seed_error.set(str(err))

    def setter(name: str):
        return guarded(lambda value: levers.set(levers.value.replace(**{name: value})))

    with solara.Card("Levers", classes=["trustsim-levers"]):
        solara.Select(
            "Park",
            values=list(park_labels.values()),
            value=park_labels.get(current.scenario, current.scenario),
            on_value=pick_park,
        )
        solara.InputText(
            "Random seed",
            value=str(current.seed),
            on_value=set_seed,
            error=seed_error.value or False,
        )
        strategy_values = list(strategy_labels.values())
        solara.Select(
            "Managers' strategy",
            values=strategy_values,
            value=strategy_labels.get(current.strategy, current.strategy),
            on_value=guarded(
                lambda label: levers.set(
                    levers.value.replace(
                        strategy=next(k for k, v in strategy_labels.items() if v == label)
                    )
                )
            ),
        )
        for s in SLIDERS:
            widget = solara.SliderInt if isinstance(s.step, int) else solara.SliderFloat
            widget(
                s.label,
                value=getattr(current, s.name),
                min=s.low,
                max=s.high,
                step=s.step,
                on_value=setter(s.name),
            )
        for name, label in SWITCHES.items():
            solara.Switch(label=label, value=getattr(current, name), on_value=setter(name))
        if current != model.value.levers:
            solara.Info("Levers changed: press Reset to build the park with them.", dense=True)
        if notice.value:
            solara.Warning(notice.value, dense=True)


def status_text(session: ClassroomSession) -> str:
    """The one-line status of a session: park, round, year, seed and the settings in use."""
    park = session.park
    params = park.params
    broker = "off" if params["broker_year"] is None else f"from {params['broker_year']}"
    reform = "off" if params["regulatory_reform_year"] is None else "on"
    return (
        f"Park {session.levers.scenario} | round {session.time} | year {park.year:.2f} | "
        f"seed {session.levers.seed} | active exchanges {int(park.ex.active_ids().size)} | "
        f"strategy {params['strategy']}, patience {params['patience']:.2f}, "
        f"turnover {params['turnover_rate']:.2f}, cohesion {params['social_cohesion']:.2f}, "
        f"gossip {params['gossip_reach']}, enforcement {params['enforcement']:.2f}, "
        f"noise {params['noise']:.2f}, broker {broker}, reform {reform}"
    )


def seat_text(session: ClassroomSession) -> str:
    """The student's line: whom they play, their last choices and the partners' trust."""
    if session.seat is None:
        return "You play nobody: pick a manager under Play a plant manager."
    park = session.park
    name = park.fac.names[park.fac.index_of(session.seat)]
    played = (
        ", ".join(
            f"#{e} {'honour' if h else 'cheat'}" for e, h in sorted(session.last_round.items())
        )
        or "none yet"
    )
    trust = ", ".join(
        f"{short_name(who)} {t:.2f} ({why})" for who, t, why in trust_in(park, session.seat)
    )
    return f"You play {name} | last round: {played} | trust in you: {trust or 'nobody knows you'}"


@solara.component
def Status(session: ClassroomSession):
    """The status lines (parsed by the browser tests) and any message for the student."""
    update_counter.get()
    if session.message:
        solara.Warning(session.message, classes=["trustsim-message"], dense=True)
    try:
        solara.Text(status_text(session), classes=["trustsim-status"])
        solara.Text(seat_text(session), classes=["trustsim-seat-status"])
    except Exception as err:  # noqa: BLE001 - shown as one line
        _failed("status", err)


@solara.component
def FacilitySpot(spot: Spot, tooltip: str, on_click):
    """An invisible, clickable disc over one facility on the map, with its hover text."""
    disc = solara.v.Html(
        tag="circle",
        attributes={
            "cx": f"{spot.x:.1f}",
            "cy": f"{spot.y:.1f}",
            "r": f"{spot.r + 2:.1f}",
            "fill": "transparent",
            "style": "cursor: pointer; pointer-events: all",
            "class": "spot",
            "data-id": spot.id,
        },
        children=[solara.v.Html(tag="title", children=[tooltip])],
    )
    solara.v.use_event(disc, "click", lambda *_: on_click())
    return disc


@solara.component
def ParkMap(session: ClassroomSession):
    """The park on a map (hover or click a facility), the ties toggle and the inspector."""
    update_counter.get()
    show_ties = solara.use_reactive(False)
    inspect = solara.use_reactive(NOBODY)
    park = session.park
    with solara.Card("The park", classes=["trustsim-park"]):
        try:
            nodes = map_nodes(park)
            ties = map_ties(park) if show_ties.value else []
            svg = park_svg(nodes, map_exchanges(park), ties)
            spots = facility_spots(nodes)
            names = {n.name: n.id for n in nodes}
        except Exception as err:  # noqa: BLE001 - shown as one line
            _failed("map", err)
            return
        solara.Checkbox(label="Show social ties", value=show_ties)
        with solara.Div(style={"position": "relative", "max-width": f"{WIDTH}px"}):
            solara.HTML(tag="div", unsafe_innerHTML=svg, classes=["trustsim-map-box"])
            solara.v.Html(
                tag="svg",
                attributes={
                    "viewBox": f"0 0 {WIDTH} {HEIGHT}",
                    "class": "trustsim-spots",
                    "style": "position: absolute; left: 0; top: 0; width: 100%; height: 100%",
                },
                children=[
                    FacilitySpot(spot, node.tooltip, lambda name=node.name: inspect.set(name))
                    for spot, node in zip(spots, nodes, strict=True)
                ],
            )
        solara.HTML(tag="div", unsafe_innerHTML=legend_html([n.sector for n in nodes]))
        solara.Select("Inspect facility", values=[NOBODY, *names], value=inspect)
        if inspect.value in names:
            lines = manager_lines(park, names[inspect.value])
            solara.Markdown("\n".join(f"- {line}" for line in lines))


@solara.component
def Plots(session: ClassroomSession):
    """The four live plots."""
    update_counter.get()
    try:
        svg = series_svg(session.park.timeseries())
    except Exception as err:  # noqa: BLE001 - shown as one line
        _failed("plots", err)
        return
    with solara.Card("Over time", classes=["trustsim-plots"]):
        solara.HTML(tag="div", unsafe_innerHTML=svg)


@solara.component
def ManagerSeat(session: ClassroomSession):
    """Play a plant manager: take one over and honour or cheat on each of its exchanges."""
    update_counter.get()
    park = session.park

    def act(change) -> None:
        change()
        force_update()

    with solara.Card("Play a plant manager", classes=["trustsim-seat"]):
        try:
            operating = operating_facilities(park)
            rows = seat_exchanges(park, session.seat) if session.seat else []
        except Exception as err:  # noqa: BLE001 - shown as one line
            _failed("manager's seat", err)
            return
        by_name = {name: fid for fid, name in operating.items()}
        seat_name = operating.get(session.seat, NOBODY)
        solara.Select(
            "Take over a manager",
            values=[NOBODY, *by_name],
            value=seat_name,
            on_value=lambda name: act(lambda: session.take_seat(by_name.get(name))),
        )
        if session.seat is None:
            solara.Text("Pick a factory to decide for its manager.")
            return
        if not rows:
            solara.Text("No active exchanges: play rounds until a partner signs a deal.")
        for row in rows:
            kind = "by-product" if row.byproduct else "utility"
            with solara.Row(style={"align-items": "center"}):
                solara.Text(
                    f"#{row.exchange_id} {row.resource} ({kind}) with {row.partner}, you are the "
                    f"{row.role}. Their trust in you: {row.partner_trust:.2f}; "
                    f"yours in them: {row.my_trust:.2f}"
                )
                solara.ToggleButtonsSingle(
                    value=HONOUR if session.choices.get(row.exchange_id, True) else CHEAT,
                    values=[HONOUR, CHEAT],
                    on_value=lambda v, e=row.exchange_id: act(
                        lambda: session.set_choice(e, v == HONOUR)
                    ),
                    classes=[f"trustsim-choice-{row.exchange_id}"],
                )
        ended = ended_exchanges(park, session.seat)
        if ended:
            solara.Markdown("Ended exchanges:\n\n" + "\n".join(f"- {line}" for line in ended))
        with solara.Row():
            solara.Button(
                "Play this round",
                color="primary",
                on_click=lambda: act(session.step),
                disabled=not session.running,
            )
            solara.Button("Hand back", on_click=lambda: act(lambda: session.take_seat(None)))


@solara.component
def InfoPage(session: ClassroomSession):
    """The model's info page (INFO.md), NetLogo style."""
    text = solara.use_memo(
        lambda: resources.files("trustsim").joinpath("docs", "INFO.md").read_text("utf-8"), []
    )
    with solara.Card(classes=["trustsim-info"]):
        solara.Markdown(text)
