"""The app's Solara components: map, plots, a student's seat, the info page, shared pieces.

Every component that reads a park does it under the lock of its session or room (the ``lock``
argument), so the page never draws a park half-stepped, and re-renders when ``version`` moves.
A component that fails shows a one-line warning instead of itself; the traceback goes to the
server log, never to the page. No component loads anything from the internet (no KaTeX: the
info page is rendered to HTML on the server).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from importlib import resources
from typing import Any

import solara

from trustsim.app.park_map import legend_html, park_svg, short_name
from trustsim.app.plots import series_svg
from trustsim.app.seat import Seat
from trustsim.app.session import short_message
from trustsim.app.view import (
    ended_exchanges,
    manager_lines,
    map_exchanges,
    map_nodes,
    map_ties,
    seat_exchanges,
)

log = logging.getLogger(__name__)
NOBODY = "(nobody)"
HONOUR, CHEAT = "Honour", "Cheat"

#: The page's style sheet: a layout that works from a 1366x768 laptop to a projector.
CSS = """
.trustsim-app { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
.trustsim-side { flex: 0 0 290px; max-width: 290px; }
.trustsim-main { flex: 1 1 640px; min-width: 0; }
.trustsim-grid { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
.trustsim-grid > .trustsim-wide { flex: 3 1 560px; min-width: 0; }
.trustsim-grid > .trustsim-narrow { flex: 2 1 380px; min-width: 0; }
.trustsim-status { font-size: 13px; color: #333; }
.trustsim-money { font-size: 16px; font-weight: bold; }
.trustsim-exchange { border-top: 1px solid #ddd; padding: 6px 0; }
.trustsim-exchange .v-btn { text-transform: none; letter-spacing: 0; min-width: 88px; }
.trustsim-feed { font-size: 13px; line-height: 1.5; }
.trustsim-code { font-size: 34px; font-weight: bold; letter-spacing: 4px; line-height: 1.2; }
.trustsim-teacher .trustsim-side { flex: 0 0 380px; max-width: 380px; }
.trustsim-info { max-width: 60em; font-size: 15px; line-height: 1.5; }
.trustsim-seats td, .trustsim-seats th { padding: 2px 10px; text-align: left; }
.trustsim-line, .trustsim-code, .trustsim-waiting, .trustsim-room-status, span.trustsim-clock
  { display: block; margin: 2px 0; }
.trustsim-clock .v-btn-group { flex-wrap: wrap; height: auto !important; }
.trustsim-clock .v-btn-group .v-btn { height: 34px !important; }
.trustsim-side .v-slider.v-input { margin-top: 26px; }
@media (max-width: 1000px) { .trustsim-side { flex: 1 1 100%; max-width: none; } }
"""


def failed(what: str, err: BaseException) -> None:
    """Log a component failure and show a one-line warning in its place."""
    log.exception("%s failed", what)
    solara.Warning(f"The {what} could not be shown this round ({short_message(err)}).")


def guarded(action: Callable[[], Any], notice: Callable[[str], None]) -> Callable[..., None]:
    """Wrap a click handler: a user error becomes ``notice(message)``, never a traceback."""

    def run(*_args: Any) -> None:
        try:
            action()
            notice("")
        except Exception as err:  # noqa: BLE001 - shown as one line
            if type(err).__name__ != "UserError":
                log.exception("action failed")
            notice(short_message(err))

    return run


@solara.component
def ParkMap(park: Any, lock: Any, version: int, title: str = "The park"):
    """The park on a map (hover a facility or a line), the ties toggle and the inspector."""
    show_ties = solara.use_reactive(False)
    inspect = solara.use_reactive(NOBODY)
    with solara.Card(title, classes=["trustsim-park"]):
        try:
            with lock:
                nodes = map_nodes(park)
                ties = map_ties(park) if show_ties.value else []
                svg = park_svg(nodes, map_exchanges(park), ties)
                names = {n.name: n.id for n in nodes}
                lines = manager_lines(park, names[inspect.value]) if inspect.value in names else []
        except Exception as err:  # noqa: BLE001 - shown as one line
            failed("map", err)
            return
        solara.HTML(tag="div", unsafe_innerHTML=svg, classes=["trustsim-map-box"])
        solara.HTML(tag="div", unsafe_innerHTML=legend_html(nodes))
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Checkbox(label="Show social ties", value=show_ties)
            solara.Select("Inspect facility", values=[NOBODY, *names], value=inspect,
                          style={"max-width": "340px"})
        for line in lines:
            solara.Text(line, classes=["trustsim-inspect"])


@solara.component
def Plots(park: Any, lock: Any, version: int):
    """The four live plots."""
    try:
        with lock:
            svg = series_svg(park.timeseries(), start=float(park.start_year))
    except Exception as err:  # noqa: BLE001 - shown as one line
        failed("plots", err)
        return
    with solara.Card("Over time", classes=["trustsim-plots"]):
        solara.HTML(tag="div", unsafe_innerHTML=svg)


def money(eur: float) -> str:
    """A payoff in words a student reads at a glance: +64.9 thousand EUR."""
    sign = "+" if eur > 0 else "-" if eur < 0 else ""
    value = abs(eur)
    if value >= 1e6:
        return f"{sign}{value / 1e6:.2f} million EUR"
    return f"{sign}{value / 1e3:.1f} thousand EUR"


@solara.component
def SeatPanel(
    seat: Seat,
    park: Any,
    lock: Any,
    version: int,
    on_choice: Callable[[int, bool, bool], None],
    on_reoffer: Callable[[int], None],
    action_label: str,
    on_action: Callable[[], None],
    action_disabled: bool = False,
    note: str = "",
):
    """A student's seat: payoff, each exchange with the partner's trust and both choices.

    Args:
        seat: the seat shown.
        park: the park (read under ``lock``).
        lock: the session's or room's lock.
        version: moves when the park or the seat changed.
        on_choice: called with (exchange id, honour, keep cheating).
        on_reoffer: called with an ended exchange's id.
        action_label: the main button ("Play this round" or "I have chosen").
        on_action: the main button's handler.
        action_disabled: grey out the main button.
        note: a line under the main button (for example whom the room waits for).
    """
    try:
        with lock:
            f = park.fac.index_of(seat.facility_id)
            name = park.fac.names[f]
            rows = seat_exchanges(park, seat.facility_id)
            ended = ended_exchanges(park, seat.facility_id)
            exit_at, threshold = park.params["trust_exit"], park.params["trust_threshold"]
            choices = {r.exchange_id: seat.honours(r.exchange_id) for r in rows}
            keep = set(seat.keep_cheating)
            last = sum(seat.last_payoff.values())
            profit, feed = seat.profit, list(seat.feed)
            played = dict(seat.last_choices)
            ready = seat.ready
    except Exception as err:  # noqa: BLE001 - shown as one line
        failed("manager's seat", err)
        return
    played_text = ", ".join(f"#{e} {'honour' if h else 'cheat'}" for e, h in sorted(played.items()))
    trust_text = ", ".join(f"{short_name(r.partner)} {r.partner_trust:.2f} (partner)" for r in rows)
    solara.Text(
        f"You play {name} | last round: {played_text or 'none yet'} | trust in you: "
        f"{trust_text or 'no partners now'}",
        classes=["trustsim-seat-status"],
    )
    solara.Text(f"This round: {money(last)} | profit since you took over: {money(profit)}",
                classes=["trustsim-money"])
    if not rows:
        solara.Text("No deals running: play rounds until a partner signs one, or offer an "
                    "ended deal again below.")
    for row in rows:
        e = row.exchange_id
        kind = "by-product, hard to check" if row.byproduct else "utility, easy to check"
        role = "you supply it" if row.role == "supplier" else "you receive it"
        with solara.Column(classes=["trustsim-exchange", f"trustsim-exchange-{e}"], gap="2px"):
            solara.Text(f"#{e} {row.resource.capitalize()} with {row.partner} ({kind}; {role})")
            solara.HTML(tag="div", unsafe_innerHTML=trust_bar(row.partner, row.partner_trust,
                                                             threshold, exit_at))
            with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
                solara.ToggleButtonsSingle(
                    value=HONOUR if choices[e] else CHEAT,
                    values=[HONOUR, CHEAT],
                    on_value=lambda v, e=e: on_choice(e, v == HONOUR, False),
                    classes=[f"trustsim-choice-{e}"],
                )
                if not choices[e]:
                    solara.Checkbox(
                        label="keep cheating every round",
                        value=e in keep,
                        on_value=lambda k, e=e: on_choice(e, False, k),
                    )
    for e, line in ended:
        with solara.Row(style={"align-items": "center"}, classes=["trustsim-ended"]):
            solara.Text(line)
            solara.Button("Offer it again", small=True, on_click=lambda e=e: on_reoffer(e),
                          classes=[f"trustsim-reoffer-{e}"])
    with solara.Row(style={"align-items": "center"}):
        solara.Button(action_label, color="primary", on_click=on_action,
                      disabled=action_disabled, classes=["trustsim-action"])
        if note:
            solara.Text(note, classes=["trustsim-note"])
        elif ready:
            solara.Text("Chosen: waiting for the others.", classes=["trustsim-note"])
    if feed:
        with solara.Column(classes=["trustsim-feed"], gap="0px"):
            solara.Text("What happened:", style={"font-weight": "bold"})
            for line in feed:
                solara.Text(line)


def trust_bar(partner: str, trust: float, threshold: float, exit_at: float) -> str:
    """HTML: the partner's trust as a bar, with the levels at which it walks away marked."""
    pct = max(0.0, min(trust, 1.0)) * 100
    colour = "#009E73" if trust >= threshold else "#E69F00" if trust >= exit_at else "#D55E00"
    return (
        f'<div class="trustsim-trust" style="font-size:13px">{short_name(partner)} trusts you '
        f"<b>{trust:.2f}</b>. It walks away if it catches you cheating while its trust is "
        f"below {threshold:.2f}, and in any case below {exit_at:.2f}."
        f'<div style="position:relative;height:10px;background:#eee;border-radius:5px;'
        f'margin:3px 0;max-width:420px"><div style="width:{pct:.0f}%;height:10px;'
        f'background:{colour};border-radius:5px"></div>'
        f'<div style="position:absolute;left:{threshold * 100:.0f}%;top:-3px;width:2px;'
        f'height:16px;background:#333" title="walks away if it catches you cheating"></div>'
        f'<div style="position:absolute;left:{exit_at * 100:.0f}%;top:-3px;width:2px;'
        f'height:16px;background:#D55E00" title="walks away in any case"></div></div></div>'
    )


def info_html() -> str:
    """INFO.md as HTML (rendered on the server, no maths typesetting from a CDN)."""
    import markdown

    text = resources.files("trustsim").joinpath("docs", "INFO.md").read_text("utf-8")
    return markdown.markdown(text, extensions=["tables"])


@solara.component
def InfoPage():
    """The model's info page (INFO.md), NetLogo style."""
    html = solara.use_memo(info_html, [])
    with solara.Card(classes=["trustsim-info"]):
        solara.HTML(tag="div", unsafe_innerHTML=html)
