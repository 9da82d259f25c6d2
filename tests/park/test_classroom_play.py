"""The model's classroom API: seats, per-side choices for one round, re-offering a broken deal."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from trustsim.errors import UserError
from trustsim.park.model import SymbiosisPark


def test_a_seat_can_be_taken_before_the_first_round():
    park = SymbiosisPark("minimal", rng=0)
    assert park.take_control("plant") is None  # opens in the first round, in the student's hands
    park.step()
    assert park.managers[park.fac.index_of("plant")].controlled
    with pytest.raises(UserError, match="not operating"):
        SymbiosisPark("kalundborg", rng=0).take_control("novo")


def test_a_choice_lasts_one_round():
    park = SymbiosisPark("minimal", rng=0, patience=0.95)
    park.run_years(2)  # trust has grown: one cheat does not end the deal
    (e,) = park.ex.active_ids().tolist()
    park.take_control("plant")
    park.choose(e, honour=False)
    park.step()
    park.step()
    assert park.ex.active[e]
    assert park.exchanges_table().supplier_actions[0][-3:] == "CDC"


@pytest.mark.parametrize("reference", [False, True])
def test_choices_are_kept_per_side(reference):
    park = SymbiosisPark("minimal", rng=0, patience=0.95)
    park.use_reference_round = reference
    park.step()
    (e,) = park.ex.active_ids().tolist()
    park.take_control("plant")
    park.take_control("greenhouse")
    with pytest.raises(UserError, match="two student-controlled sides"):
        park.choose(e, honour=False)
    park.choose(e, honour=False, facility_id="greenhouse")
    park.choose(e, honour=True, facility_id="plant")
    park.step()
    row = park.exchanges_table().iloc[0]
    assert (row.supplier_actions[-1], row.receiver_actions[-1]) == ("C", "D")
    park.release_control("greenhouse")
    park.choose(e, honour=False)  # one side left: no facility_id needed
    assert park.choices == {(e, 0): False}
    with pytest.raises(UserError, match="not a student-controlled side"):
        park.choose(e, honour=False, facility_id="greenhouse")


def test_array_and_reference_rounds_agree_with_students_on_both_sides():
    tables = []
    for reference in (False, True):
        park = SymbiosisPark("kalundborg", rng=5)
        park.use_reference_round = reference
        park.run_years(20)
        ids = park.ex.active_ids()
        seats = {park.fac.ids[int(park.ex.sup[ids[0]])], park.fac.ids[int(park.ex.rec[ids[1]])]}
        for seat in sorted(seats):
            park.take_control(seat)
        for k in range(12):
            for e in park.ex.active_ids().tolist():
                for side, f in enumerate((park.ex.sup[e], park.ex.rec[e])):
                    if park.controlled[f]:
                        park.choose(e, honour=(k + e + side) % 3 != 0,
                                    facility_id=park.fac.ids[int(f)])
            park.step()
        tables.append((park.timeseries(), park.exchanges_table(), park.trust.copy()))
    pd.testing.assert_frame_equal(tables[0][0], tables[1][0], check_exact=True)
    pd.testing.assert_frame_equal(tables[0][1], tables[1][1], check_exact=True)
    assert np.array_equal(tables[0][2], tables[1][2])


def _broken_deal(park: SymbiosisPark) -> int:
    """Cheat on the minimal park's heat deal every round until the greenhouse ends it."""
    park.step()
    (e,) = park.ex.active_ids().tolist()
    park.take_control("plant")
    while park.ex.active[e]:
        park.choose(e, honour=False)
        park.step()
    return e


def test_a_broken_deal_can_be_reoffered_and_trust_earned_back():
    park = SymbiosisPark("minimal", rng=0, patience=0.95)
    e = _broken_deal(park)
    plant, greenhouse = park.fac.index_of("plant"), park.fac.index_of("greenhouse")
    low = float(park.trust[greenhouse, plant])
    assert park.exchanges_table().end_reason[e] == "breach"
    exit_at, loss = park.params["trust_exit"], park.params["trust_loss"]
    assert exit_at * (1 - loss) <= low < exit_at  # the last straw: it walked away
    for _ in range(8):  # negotiation alone never brings it back: the greenhouse distrusts
        park.step()
    assert not park.ex.active_ids().size
    again = park.reoffer(e)
    assert park.ex.active[again] and again != e
    for _ in range(8):
        park.step()  # the student honours (the default); the greenhouse's trust grows back
    assert park.trust[greenhouse, plant] > park.params["trust_threshold"] > low
    assert park.exchanges_table().receiver_actions[again].endswith("CC")
    with pytest.raises(UserError, match="not an ended exchange"):
        park.reoffer(again)


def test_a_partner_who_trusts_too_little_refuses_a_reoffer():
    park = SymbiosisPark("minimal", rng=0, patience=0.95)
    e = _broken_deal(park)
    park.state.trust[park.fac.index_of("greenhouse"), park.fac.index_of("plant")] = 0.05
    with pytest.raises(UserError, match=r"Greenhouse.* refuses: its trust in you \(0\.\d\d\)"):
        park.reoffer(e)
    park.release_control("plant")
    with pytest.raises(UserError, match="no student-controlled side"):
        park.reoffer(e)
