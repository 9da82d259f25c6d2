"""Every promise of the lesson plan (trustsim/docs/CLASSROOM.md), run at the step's settings.

Each test names the step it checks; the text of the step says what the test asserts.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import trustsim
from trustsim.app.levers import Levers
from trustsim.app.room import ROOMS
from trustsim.app.session import ClassroomSession
from trustsim.app.solo import SPEEDS

GUIDE = Path(trustsim.__file__).parent / "docs" / "CLASSROOM.md"
INFO = GUIDE.parent / "INFO.md"


def minimal(**levers) -> ClassroomSession:
    return ClassroomSession(Levers.for_scenario("minimal").replace(**levers))


def test_step_1_patient_managers_keep_the_deal_impatient_ones_break_it_at_once():
    patient = minimal(patience=0.95)
    for _ in range(6):
        patient.step()
    ts = patient.park.timeseries()
    assert int(patient.park.ex.active_ids().size) == 1
    assert ts.cooperation_rate.iloc[:2].eq(1.0).all() and ts.cooperation_rate.lt(1.0).any()
    assert ts.mean_trust.iloc[-1] > ts.mean_trust.iloc[0]
    impatient = minimal(patience=0.5)
    for _ in range(6):
        impatient.step()
    table = impatient.park.exchanges_table()
    assert len(table) == 1 and table.end_reason[0] == "breach"
    assert table.start_year[0] == 2000.0 and table.end_year[0] <= 2002.0  # broken at once
    assert impatient.park.timeseries().cooperation_rate.min() < 1.0
    assert not impatient.park.ex.active_ids().size
    assert "from 2000 to\n2025" in GUIDE.read_text() or "from 2000 to 2025" in " ".join(
        GUIDE.read_text().split())
    assert patient.end_year == 2025


def test_step_2_one_cheat_pays_once_keep_cheating_ends_the_deal_reoffer_earns_trust_back():
    session = minimal(patience=0.95)
    session.take_seat("plant")  # before the first round
    park = session.park
    plant, greenhouse = park.fac.index_of("plant"), park.fac.index_of("greenhouse")
    for _ in range(8):
        session.step()
    (e,) = park.ex.active_ids().tolist()
    honest = session.seat.last_payoff[e]
    trust = park.trust[greenhouse, plant]
    session.set_choice(e, honour=False)
    session.step()
    assert session.seat.last_payoff[e] > honest  # that round pays more
    assert park.trust[greenhouse, plant] < trust  # the greenhouse catches you
    assert park.ex.active[e]  # and the deal goes on
    assert "caught you cheating" in session.seat.feed[0]
    session.step()
    assert session.seat.last_choices == {e: True}  # the cheat lasted one round
    session.set_choice(e, honour=False, keep=True)
    for _ in range(10):
        if not park.ex.active[e]:
            break
        session.step()
    assert not park.ex.active[e]
    assert any("no longer trusts you" in line for line in session.seat.feed[:3])
    profit_when_ended = session.seat.profit
    session.reoffer(e)
    (again,) = park.ex.active_ids().tolist()
    assert session.message is None and again != e
    fresh = park.trust[greenhouse, plant]
    assert fresh == pytest.approx(park.params["trust_threshold"])  # a fresh start
    for _ in range(6):
        session.step()
    assert park.trust[greenhouse, plant] > fresh  # honouring earns trust back
    assert park.ex.active[again] and session.seat.profit != profit_when_ended
    honest_student = minimal(patience=0.95)
    honest_student.take_seat("plant")
    for _ in range(session.time):
        honest_student.step()
    # the comparison the step asks for: here the cheat and the fresh start paid (the guide says so)
    assert session.seat.profit > honest_student.seat.profit
    assert "the cheat and the fresh start paid" in " ".join(GUIDE.read_text().split())


def test_step_3_kalundborg_years_the_first_exchanges_and_every_lever_changes_the_park():
    base = Levers.for_scenario("kalundborg")
    session = ClassroomSession(base)
    params = session.park.params
    text = " ".join(GUIDE.read_text().split())
    assert params["regulatory_reform_year"] == 1991 and params["broker_year"] == 1996
    assert "from 1961 to 2026" in text and "reform comes in 1991" in text
    assert "broker in 1996" in text and session.end_year == 2026
    assert 8 / session.park.steps_per_year == 2  # Rounds per step 8 = two years
    for _ in range(50 * 4):
        session.step()
    first = session.park.exchanges_table().sort_values(["start_year", "exchange_id"]).head(3)
    assert set(first.supplier) == {"forsyning"}  # the water utility's pipelines come first
    assert set(first.receiver) <= {"refinery", "asnaes", "novo", "gyproc"}
    assert "the water utility's pipelines to the refinery and the power station" in text
    default = session.park.timeseries()
    assert session.park.year == 2011
    for change in ({"turnover_rate": 0.5}, {"social_cohesion": 0.1}, {"gossip_reach": 0},
                   {"gossip_reach": 3}, {"broker": False}, {"reform": False}):
        group = ClassroomSession(base.replace(**change))
        for _ in range(50 * 4):
            group.step()
        with pytest.raises(AssertionError):
            pd.testing.assert_frame_equal(group.park.timeseries(), default)


def test_step_4_the_rooms_parks_seat_what_the_guide_says():
    text = " ".join(GUIDE.read_text().split())
    room = ROOMS.open(Levers.for_scenario("kalundborg"), start_year=2000)
    try:
        assert room.park.year == 2000 and len(room.free_managers()) == 11
        assert int(room.park.ex.active_ids().size) >= 5
        assert "eleven managers and their exchanges" in text
    finally:
        ROOMS.close(room.code)
    region = ROOMS.open(Levers.for_scenario("region"))
    try:
        assert len(region.free_managers()) > 150 and "more than 150 managers" in text
    finally:
        ROOMS.close(region.code)


def test_step_6_the_clock_modes_do_what_the_guide_says():
    room = ROOMS.open(Levers.for_scenario("minimal"))
    try:
        room.join("plant", "Ada", "page-a")
        room.join("greenhouse", "Bo", "page-b")
        room.advance()  # the deal is signed
        (e,) = room.park.ex.active_ids().tolist()
        room.ready("page-a", "plant")
        assert room.round == 1  # waits for Bo
        room.ready("page-b", "greenhouse")
        assert room.round == 2  # played as soon as the last one chose
        room.set_clock("manual")
        room.set_choice("page-a", "plant", e, honour=False)  # Ada chose, Bo did not
        room.ready("page-a", "plant")
        room.ready("page-b", "greenhouse")
        assert room.round == 2  # by hand: waits for the teacher
        room.advance()
        last = [r for r in room.records if r.round == 3]
        assert {(r.student, r.honour) for r in last} == {("Ada", False), ("Bo", True)}
        room.set_choice("page-b", "greenhouse", e, honour=False)  # chosen, never confirmed
        room.advance()  # what a timer does: the choice stands
        assert [r.honour for r in room.records if r.round == 4 and r.student == "Bo"] == [False]
        room.leave("page-a")
        assert "plant" in room.free_managers()
    finally:
        ROOMS.close(room.code)


def test_the_info_page_states_the_end_years_and_speeds():
    text = " ".join(INFO.read_text().split())
    assert "(Kalundborg: 2026, the planned park and the minimal park: 2025)" in text
    for name in ("kalundborg", "planned_eip", "minimal"):
        session = ClassroomSession(Levers.for_scenario(name))
        assert f"{session.end_year:.0f}" in text
    assert min(SPEEDS.values()) == 0.25 and "every quarter of a second" in text
    assert re.search(r"at Kalundborg from 1991", text) and re.search(r"from 1996", text)
    assert np.isclose(SPEEDS["Slow"], 1.0)
