"""E1's closed-form boundary and its switch detector, on inputs with known answers."""

import numpy as np
import pandas as pd
import pytest

from trustsim.figures.e01_shadow import closed_form, empirical_boundary


def test_closed_form_is_the_median_grim_threshold_of_the_sides():
    # R / g per side at temptation t: (T - R)/(T - P) = g/(R + g) = t/(r + t)
    sides = {"reward_per_temptation": [0.5, 1.0, 4.0]}
    for t in (0.2, 1.0):
        expected = np.median([t / (r + t) for r in sides["reward_per_temptation"]])
        assert closed_form(t, sides) == pytest.approx(expected)
    assert np.isnan(closed_form(0.5, {"reward_per_temptation": []}))


def grid(switch_at, theory, patience=(0.1, 0.3, 0.5, 0.7, 0.9)):
    return pd.DataFrame({
        "utility_temptation": 0.5, "patience": patience, "theory": theory,
        "cooperation_rate": [float(p >= switch_at) for p in patience],
    })


def test_switch_within_one_step_of_theory_agrees_and_far_from_it_does_not():
    near = empirical_boundary(grid(0.5, 0.42)).iloc[0]
    assert near.high == 0.5 and near.agrees and near.monotone
    far = empirical_boundary(grid(0.9, 0.42)).iloc[0]
    assert far.high == 0.9 and not far.agrees


def test_no_cooperative_cell_agrees_only_with_a_boundary_at_the_top():
    assert empirical_boundary(grid(2.0, 0.85)).iloc[0].agrees
    assert not empirical_boundary(grid(2.0, 0.3)).iloc[0].agrees


def test_a_defecting_cell_above_the_switch_is_not_monotone():
    cells = grid(0.5, 0.45)
    cells.loc[cells.patience == 0.7, "cooperation_rate"] = 0.0
    assert not empirical_boundary(cells).iloc[0].monotone

