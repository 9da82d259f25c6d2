"""Classroom app without a browser: INFO.md, levers, session, map, plots and a Solara render."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import trustsim
from trustsim.app.levers import (
    ROOM_LABELS,
    SLIDERS,
    Levers,
    control_labels,
    parse_seed,
    presets,
    strategies,
)
from trustsim.app.park_map import Link, Node, park_svg, trust_colour
from trustsim.app.session import ClassroomSession
from trustsim.errors import UserError
from trustsim.park.params import PARAMETERS, validate_overrides

INFO = Path(trustsim.__file__).parent / "docs" / "INFO.md"
NETLOGO_HEADINGS = [
    "WHAT IS IT?",
    "HOW IT WORKS",
    "HOW TO USE IT",
    "THINGS TO NOTICE",
    "THINGS TO TRY",
    "EXTENDING THE MODEL",
    "RELATED MODELS",
    "CREDITS AND REFERENCES",
]


def info_sections() -> dict[str, str]:
    """INFO.md's level-2 sections: heading -> body."""
    parts = re.split(r"^## (.+)$", INFO.read_text(encoding="utf-8"), flags=re.M)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


def test_info_has_the_netlogo_headings_in_order():
    assert list(info_sections()) == NETLOGO_HEADINGS


def test_every_control_label_is_explained_under_how_to_use_it():
    body = info_sections()["HOW TO USE IT"]
    explained = set(re.findall(r"\*\*(.+?)\*\*", body))
    missing = [label for label in control_labels() if label not in explained]
    assert not missing, f"labels not explained in INFO.md HOW TO USE IT: {missing}"


def test_every_preset_and_strategy_label_is_named_under_how_to_use_it():
    body = " ".join(info_sections()["HOW TO USE IT"].split()).lower()
    for label in [*presets().values(), *strategies().values()]:
        assert label.split(" (")[0].lower() in body, label


def test_things_to_try_give_settings_then_a_question():
    body = info_sections()["THINGS TO TRY"]
    items = re.split(r"^- ", body, flags=re.M)[1:]
    assert len(items) >= 5
    labels = set(control_labels()) | set(presets().values())
    for item in items:
        text = " ".join(item.split())
        named = re.findall(r"\*\*(.+?)\*\*|\*(.+?)\*", text)
        assert any(a in labels or b in labels for a, b in named), text
        assert text.rstrip().endswith("?"), text


def test_levers_are_valid_model_parameters_within_their_ranges():
    for s in SLIDERS:
        p = PARAMETERS[s.name]
        assert p.low <= s.low < s.high <= p.high, s.name
    for name in presets():
        levers = Levers.for_scenario(name)
        assert validate_overrides(levers.overrides()) == levers.overrides()


def test_levers_start_at_the_scenario_defaults():
    from trustsim.park.scenarios import get_scenario

    levers = Levers.for_scenario("minimal", seed=7)
    scenario = get_scenario("minimal").defaults()
    overrides = levers.overrides()
    for name in ("patience", "turnover_rate", "noise", "social_cohesion", "enforcement"):
        assert overrides[name] == pytest.approx(scenario.get(name, PARAMETERS[name].default))
    assert levers.seed == 7


def test_broker_and_reform_switches_set_their_years():
    levers = Levers.for_scenario("minimal")
    assert levers.replace(broker=False).overrides()["broker_year"] is None
    assert levers.replace(broker=True).overrides()["broker_year"] == levers.broker_year
    assert levers.replace(reform=True).overrides()["regulatory_reform_year"] is not None
    assert levers.replace(reform=False).overrides()["regulatory_reform_year"] is None


@pytest.mark.parametrize("text", ["abc", "1.5", "-1", str(2**32)])
def test_bad_seed_is_a_user_error(text):
    with pytest.raises(UserError, match="seed"):
        parse_seed(text)


def test_session_steps_and_reports_time():
    session = ClassroomSession(Levers.for_scenario("minimal", seed=3))
    assert session.time == 0 and session.running
    for _ in range(3):
        session.step()
    assert session.time == 3
    assert len(session.park.timeseries()) == 3


def test_session_seat_choices_reach_the_model():
    session = ClassroomSession(Levers.for_scenario("minimal", seed=3))
    park = session.park
    while not park.ex.active_ids().size and session.time < 40:
        session.step()
    exchange = int(park.ex.active_ids()[0])
    plant, greenhouse = park.fac.index_of("plant"), park.fac.index_of("greenhouse")
    session.take_seat("plant")
    assert park.controlled[plant] and not park.controlled[greenhouse]
    session.set_choice(exchange, False)
    trust_before = park.trust[greenhouse, plant]
    session.step()
    assert session.seat.last_choices == {exchange: False}
    supplier, receiver = park.ex.histories()
    mine = supplier if park.ex.sup[exchange] == plant else receiver
    assert mine[exchange].endswith("D")
    assert park.trust[greenhouse, plant] < trust_before
    assert session.seat.honours(exchange)  # the cheat was for one round
    session.take_seat(None)
    assert session.seat is None and not park.controlled.any()


def test_play_stops_at_the_end_year():
    session = ClassroomSession(Levers.for_scenario("minimal"))
    for _ in range(25 * 4):
        assert session.step()
    assert session.park.year == session.end_year == 2025
    assert not session.running and not session.step()
    assert session.time == 100


def test_a_park_that_cannot_be_built_falls_back_with_a_message():
    session = ClassroomSession(Levers.for_scenario("minimal").replace(scenario="no_such_park"))
    assert session.park is not None
    assert "no_such_park" in session.message
    assert session.levers.scenario in presets()


def test_a_failing_step_stops_with_a_short_message_not_an_exception(monkeypatch):
    session = ClassroomSession(Levers.for_scenario("minimal"))

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(session.park, "step", broken)
    session.step()
    assert not session.running
    assert "RuntimeError" in session.message and "Reset" in session.message
    session.step()  # stays usable: stepping a stopped park does nothing
    assert session.time == 0


def test_taking_an_unknown_manager_is_a_message():
    session = ClassroomSession(Levers.for_scenario("minimal"))
    session.take_seat("nowhere")
    assert session.seat is None and "nowhere" in session.message


def test_map_svg_places_sizes_and_styles():
    nodes = [
        Node("a", "Plant <A>", "power", 0.0, 0.0, 10.0, "Plant A\nstrategy: grim"),
        Node("b", "Greenhouse", "farm", 2.0, 0.0, 1.0, "Greenhouse"),
    ]
    links = [
        Link("a", "b", byproduct=False, volume=5.0, trust=0.9, tooltip="heat"),
        Link("a", "b", byproduct=True, volume=1.0, trust=0.1, tooltip="ash"),
    ]
    svg = park_svg(nodes, links, [Link("a", "b", tooltip="friends")])
    assert svg.count('class="facility"') == 2
    assert "Plant &lt;A&gt;" in svg and "<A>" not in svg
    assert svg.count('class="exchange utility"') == 1
    assert svg.count('class="exchange byproduct"') == 1
    assert "stroke-dasharray" in svg.split('class="exchange byproduct"')[1].split(">")[0]
    assert svg.count('class="tie"') == 1
    radii = [float(r) for r in re.findall(r'<circle [^>]*r="([\d.]+)"', svg)]
    assert radii[0] > radii[1]
    xs = [float(x) for x in re.findall(r'<circle cx="([\d.]+)"', svg)]
    assert xs[0] < xs[1]  # west to east
    assert trust_colour(0.9) in svg and trust_colour(0.1) in svg
    assert trust_colour(0.0) != trust_colour(1.0)


def test_series_svg_draws_the_four_panels_with_axis_titles_and_years():
    from trustsim.app.plots import PANELS, series_svg

    session = ClassroomSession(Levers.for_scenario("minimal"))
    for _ in range(6):
        session.step()
    ts = session.park.timeseries()
    svg = series_svg(ts)
    panels = svg.split('<g class="panel"')[1:]
    assert len(panels) == len(PANELS)
    for panel, (title, (y_title, lines)) in zip(panels, PANELS.items(), strict=True):
        assert title in panel and y_title in panel and ">year</text>" in panel
        assert len(re.findall(r'class="ytick"', panel)) >= 3
        assert re.findall(r'class="xtick"[^>]*>(\d{4})<', panel)[:2] == ["2000", "2001"]
        drawn = re.findall(r'<polyline points="([^"]+)"', panel)
        finite = [ts[col].notna().sum() for col, _, _ in lines]
        assert sorted(len(p.split()) for p in drawn) == sorted(n for n in finite if n > 1)
    empty = series_svg(ts.iloc[:0], start=1961.0)
    assert ">1961<" in empty


def test_nice_ticks_are_round_and_cover_the_range():
    from trustsim.app.plots import nice_ticks

    assert nice_ticks(0.0, 1.0, 5) == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert nice_ticks(1961.0, 2026.0, 6) == [1980.0, 2000.0, 2020.0]
    assert nice_ticks(0.0, 7.0, 5) == [0.0, 2.0, 4.0, 6.0]


def test_panel_breaks_lines_at_missing_values():
    import numpy as np

    from trustsim.app.plots import panel_svg

    y = np.array([0.2, 0.4, np.nan, 0.6, 0.8, 1.0])
    svg = panel_svg("t", np.arange(6.0), [(y, "l", "#000")], share=True)
    assert [len(p.split()) for p in re.findall(r'points="([^"]+)"', svg)] == [2, 3]


@pytest.fixture
def rendered_page():
    """The app's page at / rendered without a server."""
    solara = pytest.importorskip("solara", reason="the app extra is not installed")

    from trustsim.app.solo import SoloPage

    _, rc = solara.render(SoloPage(), handle_error=False)
    yield rc
    rc.close()


def _status(rc) -> str:
    import ipyvuetify as v

    return rc.find(v.Html, class_="trustsim-status").widget.children[0]


def test_page_step_advances_the_status(rendered_page):
    import ipyvuetify as v

    assert "round 0" in _status(rendered_page)
    rendered_page.find(v.Btn, children=["Step"]).widget.click()
    assert "round 1" in _status(rendered_page)


def test_page_slider_then_reset_changes_the_parameter(rendered_page):
    import ipyvuetify as v

    slider = rendered_page.find(v.Slider, label="Noise (mistakes)").widget
    assert slider.thumb_label == "always"  # the value shows without dragging
    slider.v_model = 0.2
    assert "noise 0.20" not in _status(rendered_page)
    rendered_page.find(v.Btn, children=["Reset"]).widget.click()
    assert "noise 0.20" in _status(rendered_page)


def test_page_preset_switches_the_scenario(rendered_page):
    import ipyvuetify as v

    select = rendered_page.find(v.Select, label="Park").widget
    select.v_model = presets()["minimal"]
    assert _status(rendered_page).startswith("Park minimal | round 0")


def test_page_failing_preset_shows_a_notice_not_a_traceback(rendered_page, monkeypatch):
    import ipyvuetify as v

    from trustsim.app import solo

    def broken(*args, **kwargs):
        raise RuntimeError("scenario file unreadable")

    monkeypatch.setattr(solo.Levers, "for_scenario", broken)
    rendered_page.find(v.Select, label="Park").widget.v_model = presets()["minimal"]
    notices = rendered_page.find(v.Alert).widgets
    assert any("That did not work" in str(w.children) for w in notices)
    assert _status(rendered_page).startswith("Park kalundborg | round 0")
    rendered_page.find(v.Btn, children=["Step"]).widget.click()
    assert "round 1" in _status(rendered_page)


def test_page_shows_only_the_controls_a_class_needs(rendered_page):
    import ipyvuetify as v

    buttons = {str(w.children[0]) for w in rendered_page.find(v.Btn).widgets if w.children}
    assert {"Reset", "Step", "Play"} <= buttons
    for gone in ("Use Threads", "Play Interval (ms)", "Render Interval (steps)"):
        assert not rendered_page.find(v.Slider, label=gone).widgets
        assert not rendered_page.find(v.Switch, label=gone).widgets


def test_cli_app_without_the_extra_exits_2(monkeypatch, capsys):
    from trustsim.cli import app as cli_app

    monkeypatch.setattr(cli_app, "missing_extra", lambda: "solara")
    args = cli_app.argparse.Namespace(port=0, host="127.0.0.1", disconnect_seconds=20)
    assert cli_app.run(args) == 2
    assert "pip install 'trustsim[app]'" in capsys.readouterr().err


def test_map_pulls_in_far_outliers_but_keeps_the_order():
    nodes = [Node(str(i), str(i), "s", float(i), 0.0, 1.0, "") for i in range(5)]
    nodes.append(Node("far", "far", "s", 200.0, 0.0, 1.0, ""))
    xs = [float(x) for x in re.findall(r'<circle cx="([\d.]+)"', park_svg(nodes, []))]
    assert xs == sorted(xs)
    gaps = [b - a for a, b in zip(xs, xs[1:], strict=False)]
    assert gaps[-1] < 20 * gaps[0]  # without compression the last gap is 196 times the first


def test_classroom_guide_names_only_real_controls():
    guide = (INFO.parent / "CLASSROOM.md").read_text(encoding="utf-8")
    known = set(control_labels()) | set(ROOM_LABELS) | {"Info", "Park", "Cooperation rate"}
    named = set(re.findall(r"\*\*(.+?)\*\*", " ".join(guide.split())))
    lessons = {n for n in named if n[0].isdigit()}
    assert not named - lessons - known
    italics = re.findall(r"\*([^*]+?)\*", re.sub(r"\*\*.+?\*\*", "", " ".join(guide.split())))
    assert "Power plant" in italics
    short = {p.split(" (")[0].split(":")[0] for p in presets().values()}
    for name in italics:
        if name.split(" (")[0].split(":")[0] in short:
            assert name in presets().values(), name


def test_managers_can_be_taken_over_before_the_first_round():
    from trustsim.app.view import operating_facilities

    session = ClassroomSession(Levers.for_scenario("minimal"))
    assert set(operating_facilities(session.park)) == {"plant", "greenhouse"}


def test_cheating_student_sees_gossip_lower_trust_of_managers_never_dealt_with():
    from trustsim.app.view import seat_exchanges, trust_in

    session = ClassroomSession(Levers.for_scenario("kalundborg", seed=5).replace(gossip_reach=3))
    park = session.park
    for _ in range(80):
        session.step()
    ids = park.fac.ids
    seat = max(ids, key=lambda f: len(seat_exchanges(park, f)))
    session.take_seat(seat)
    for row in seat_exchanges(park, seat):
        session.set_choice(row.exchange_id, False)
    f = park.fac.index_of(seat)
    strangers = [j for j in range(len(ids)) if j != f and park.fac.active[j] and not park.met[j, f]]
    before = {j: park.trust[j, f] for j in strangers}
    session.step()
    fell = [j for j in strangers if not park.met[j, f] and park.trust[j, f] < before[j]]
    assert fell, "no manager outside the deals heard of the cheating"
    heard = {name for name, _, why in trust_in(park, seat) if why == "heard about you"}
    assert {park.fac.names[j] for j in fell} <= heard


def test_browser_tests_say_what_to_install_when_chromium_is_missing(monkeypatch):
    from trustsim.app import harness

    monkeypatch.setattr(harness, "find_chromium", lambda: None)
    reason = harness.browser_skip_reason()
    assert "chromium" in reason and "scripts/install_browser.sh" in reason
    with pytest.raises(RuntimeError, match="install_browser"):
        harness.launch_chromium(object())
