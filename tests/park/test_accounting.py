"""Accounting invariants of the park, over random scenarios and parameters (hypothesis).

At every step, each output stream's committed volume equals the volume of the active exchanges
it supplies, and each need's met volume equals the volume of the active exchanges it receives;
neither exceeds the stream's or the need's own volume; no ended exchange stays active.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trustsim.park.model import SymbiosisPark
from trustsim.park.params import PARAMETERS

#: Behavioural parameters drawn over their whole range.
DRAWN = (
    "patience", "noise", "misperception", "shortfall_tolerance", "turnover_rate",
    "trust_prior", "trust_gain", "trust_loss", "trust_threshold", "byproduct_trust",
    "trust_exit", "social_cohesion", "gossip_weight", "search_rate", "utility_temptation",
    "byproduct_temptation", "enforcement", "formal_cost", "switching_margin",
    "min_volume_share", "fragility_scale", "variability_scale", "infrastructure_reuse",
)
SCENARIOS = ("minimal", "kalundborg", "region", "facilitated", "holdup", "planned_eip")


@st.composite
def parks(draw):
    scenario = draw(st.sampled_from(SCENARIOS))
    names = draw(st.lists(st.sampled_from(DRAWN), min_size=1, max_size=6, unique=True))
    overrides = {
        name: draw(st.floats(PARAMETERS[name].low, PARAMETERS[name].high, allow_nan=False))
        for name in names
    }
    if scenario in ("region", "holdup", "planned_eip"):
        overrides["n_facilities"] = draw(st.integers(4, 40))
    seed = draw(st.integers(0, 2**32))
    years = draw(st.integers(3, 8))
    return scenario, overrides, seed, years


def check_accounting(model: SymbiosisPark) -> None:
    fac, ex = model.fac, model.ex
    n = ex.n
    live = np.flatnonzero(ex.active[:n])
    committed = np.zeros_like(fac.out_committed)
    np.add.at(committed, ex.out[live], ex.volume[live])
    met = np.zeros_like(fac.need_met)
    np.add.at(met, ex.need[live], ex.volume[live])
    step = model.step_count
    np.testing.assert_allclose(fac.out_committed, committed, rtol=1e-9, atol=1e-6,
                               err_msg=f"committed volume per output at step {step}")
    np.testing.assert_allclose(fac.need_met, met, rtol=1e-9, atol=1e-6,
                               err_msg=f"met volume per need at step {step}")
    tolerance = 1e-6 * np.maximum(1.0, fac.out_volume)
    assert (committed <= fac.out_volume + tolerance).all(), f"an output over-committed at {step}"
    assert (met <= fac.need_volume + 1e-6 * np.maximum(1.0, fac.need_volume)).all()
    ended = ex.end[:n] >= 0
    assert not (ended & ex.active[:n]).any(), f"an ended exchange is still active at {step}"


@pytest.mark.slow
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parks())
def test_committed_volume_is_the_sum_of_active_exchanges_at_every_step(case):
    scenario, overrides, seed, years = case
    model = SymbiosisPark(scenario, rng=seed, **overrides)
    check_accounting(model)
    for _ in range(years * model.steps_per_year):
        model.step()
        check_accounting(model)
