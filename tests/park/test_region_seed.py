"""region_seed: a generated region held fixed across runs, behaviour still from the run's seed.

Same region_seed and different run seeds give the same facilities and different behaviour;
different region_seeds give different regions; the default (-1) is the code path from before
the parameter existed, bit for bit.
"""

import numpy as np
import pandas as pd
import pytest

import trustsim.park.model
from trustsim.park.model import SymbiosisPark
from trustsim.park.scenarios import get_scenario, layout_rng
from trustsim.park.scenarios.region import build_region
from trustsim.park.simulate import simulate

GENERATED = ("region", "facilitated", "planned_eip", "holdup")
SMALL = {"region": {"n_facilities": 60}, "facilitated": {"n_facilities": 60},
         "planned_eip": {}, "holdup": {}}


def layout(model):
    """Everything a scenario builder decides about the facilities, as comparable arrays.

    Exit steps are left out: facilities close during a run (behaviour, the run's seed).
    """
    f = model.fac
    return {
        "ids": np.array(f.ids), "sectors": np.array(f.sectors), "x": f.x, "y": f.y,
        "entry_step": f.entry_step, "fragility": f.fragility,
        "out_fac": f.out_fac, "out_res": f.out_res, "out_volume": f.out_volume,
        "need_fac": f.need_fac, "need_res": f.need_res, "need_volume": f.need_volume,
        "need_price": f.need_price,
    }


def same_layout(a, b):
    la, lb = layout(a), layout(b)
    return all(la[k].shape == lb[k].shape and np.array_equal(la[k], lb[k]) for k in la)


def run(scenario, seed, years=15, **overrides):
    model = SymbiosisPark(scenario, rng=seed, **(SMALL[scenario] | overrides))
    model.run_years(years)
    return model


@pytest.mark.parametrize("scenario", GENERATED)
def test_same_region_seed_same_facilities_different_behaviour(scenario):
    a = run(scenario, seed=3, region_seed=11)
    b = run(scenario, seed=4, region_seed=11)
    assert same_layout(a, b)
    # behaviour: social ties, patience and the run's history come from the run's seed
    assert not np.array_equal(a.patience, b.patience) or not np.array_equal(a.ties, b.ties)
    assert not a.timeseries().equals(b.timeseries())


@pytest.mark.parametrize("scenario", GENERATED)
def test_different_region_seeds_different_regions(scenario):
    a = run(scenario, seed=3, years=1, region_seed=11)
    b = run(scenario, seed=3, years=1, region_seed=12)
    assert not np.array_equal(a.fac.x, b.fac.x)
    assert not np.array_equal(layout(a)["out_volume"], layout(b)["out_volume"])


def test_region_seed_fixes_sectors_positions_and_volumes_across_a_sweep_of_seeds():
    models = [SymbiosisPark("region", rng=np.random.SeedSequence(5, spawn_key=(0, r)),
                            n_facilities=80, region_seed=2026) for r in range(4)]
    assert all(same_layout(models[0], m) for m in models[1:])
    # and the layout is the builder's, drawn from the region seed's own stream
    spec = build_region(models[0].params, layout_rng(2026, np.random.default_rng(0)))
    by_id = {f.id: f for f in spec.facilities}
    f0 = models[0].fac
    for i, fid in enumerate(f0.ids):
        assert (by_id[fid].x_km, by_id[fid].y_km) == (f0.x[i], f0.y[i])
        assert by_id[fid].sector == f0.sectors[i]


def test_without_region_seed_each_run_draws_its_own_region():
    a = SymbiosisPark("region", rng=3, n_facilities=60)
    b = SymbiosisPark("region", rng=4, n_facilities=60)
    assert not same_layout(a, b)


def test_layout_stream_is_not_the_run_stream_of_the_same_integer():
    # a run seeded 5 with region_seed 5 must not replay its layout draws as behaviour
    a = np.random.default_rng(5).random(8)
    b = layout_rng(5, np.random.default_rng(0)).random(8)
    assert not np.array_equal(a, b)


def test_default_is_the_code_path_from_before_bit_for_bit(monkeypatch):
    overrides = {"n_facilities": 60, "broker_year": 2005, "noise": 0.05, "turnover_rate": 0.3}
    default = run("region", seed=9, years=20, **overrides)
    explicit = run("region", seed=9, years=20, region_seed=-1, **overrides)
    # before region_seed, the builder drew from the run's generator: emulate that path
    monkeypatch.setattr(trustsim.park.model, "layout_rng", lambda region_seed, rng: rng)
    before = run("region", seed=9, years=20, **overrides)
    for other in (explicit, before):
        assert same_layout(default, other)
        pd.testing.assert_frame_equal(default.timeseries(), other.timeseries(), check_exact=True)
        pd.testing.assert_frame_equal(default.exchanges_table(), other.exchanges_table(),
                                      check_exact=True)
    # and the default layout is the one a fresh generator of the run's seed draws first
    spec = get_scenario("region").build(default.params, np.random.default_rng(9))
    xs = dict(zip(default.fac.ids, default.fac.x, strict=True))
    assert all(xs[f.id] == f.x_km for f in spec.facilities)


def test_data_scenarios_ignore_region_seed():
    a = simulate("kalundborg", seed=1, years=20, timeseries_stride=1)
    b = simulate("kalundborg", seed=1, years=20, overrides={"region_seed": 5},
                 timeseries_stride=1)
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries, check_exact=True)
