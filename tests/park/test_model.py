"""Model invariants: reproducibility, order independence, array vs reference round, accounting."""

import dataclasses

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import trustsim
from trustsim.errors import UserError
from trustsim.park.exchanges import END_REASONS
from trustsim.park.model import SymbiosisPark
from trustsim.park.scenarios import SCENARIOS, get_scenario, register_scenario
from trustsim.park.simulate import simulate

SUMMARY_KEYS = [
    "facilities", "active_exchanges", "utility_exchanges", "byproduct_exchanges",
    "exchanges_formed", "exchanges_ended", "cooperation_rate", "mean_trust",
    "degree_centralization", "hub", "tonnes_diverted_per_year", "savings_eur_per_year",
    "co2_avoided_t_per_year", "water_uses",
]

NOISY = {"noise": 0.05, "misperception": 0.05, "turnover_rate": 0.3, "broker_year": 1975,
         "sanction_strength": 0.2, "patience_spread": 0.05}


def run(scenario="kalundborg", seed=1, years=30, reference=False, **overrides):
    model = SymbiosisPark(scenario, rng=seed, **overrides)
    model.use_reference_round = reference
    model.run_years(years)
    return model


def test_exports():
    assert trustsim.SymbiosisPark is SymbiosisPark
    assert trustsim.simulate is simulate
    assert "patience" in trustsim.PARAMETERS


def test_summary_keys_of_issue_3():
    s = run("minimal", years=5).summary()
    for key in SUMMARY_KEYS + ["reward", "sucker", "temptation", "punishment"]:
        assert key in s, key
    s = run("kalundborg", years=40).summary()
    for key in SUMMARY_KEYS + ["potential_matches", "realized_share"]:
        assert key in s, key
    assert s["hub"] in run("kalundborg", years=1).fac.ids


def test_same_seed_same_results_bit_for_bit():
    a = run(seed=7, **NOISY)
    b = run(seed=7, **NOISY)
    pd.testing.assert_frame_equal(a.timeseries(), b.timeseries(), check_exact=True)
    pd.testing.assert_frame_equal(a.exchanges_table(), b.exchanges_table(), check_exact=True)
    assert np.array_equal(a.trust, b.trust)
    c = run(seed=8, **NOISY)
    assert not a.timeseries().equals(c.timeseries())


@pytest.mark.parametrize("strategy", ["forward_looking", "tit_for_tat", "random",
                                      "trust_threshold", "image_scoring",
                                      "generous_tit_for_tat"])
def test_array_round_equals_reference_round(strategy):
    overrides = {**NOISY, "strategy": strategy, "broker_year": 2005, "n_facilities": 80,
                 "shortfall_tolerance": 0.8}
    a = run("region", seed=3, years=30, **overrides)
    b = run("region", seed=3, years=30, reference=True, **overrides)
    assert a.ex.n >= 10 and a.timeseries().active_exchanges.max() >= 5
    pd.testing.assert_frame_equal(a.timeseries(), b.timeseries(), check_exact=True)
    pd.testing.assert_frame_equal(a.exchanges_table(), b.exchanges_table(), check_exact=True)
    assert np.array_equal(a.trust, b.trust)
    assert np.array_equal(a.ties, b.ties)


def _permuted(name, rng):
    spec = get_scenario(name).build({}, rng)
    order = rng.permutation(len(spec.facilities))
    facilities = tuple(
        dataclasses.replace(f, outputs=tuple(reversed(f.outputs)), needs=tuple(reversed(f.needs)))
        for f in (spec.facilities[i] for i in order)
    )
    return dataclasses.replace(spec, facilities=facilities)


def test_results_do_not_depend_on_facility_order():
    spec = _permuted("kalundborg", np.random.default_rng(0))
    original = get_scenario("kalundborg")
    register_scenario("kalundborg_permuted", "test", lambda p, r: spec, original.defaults)
    try:
        a = run("kalundborg", seed=5, **NOISY)
        b = run("kalundborg_permuted", seed=5, **NOISY)
    finally:
        del SCENARIOS["kalundborg_permuted"]
    cols = [c for c in a.timeseries().columns]
    pd.testing.assert_frame_equal(a.timeseries()[cols], b.timeseries()[cols], check_exact=True)
    pd.testing.assert_frame_equal(a.exchanges_table(), b.exchanges_table(), check_exact=True)


def test_agents_one_per_operating_facility():
    m = run("kalundborg", seed=2, years=50, **NOISY)
    managed = sorted(a.facility for a in m.agents)
    assert managed == np.flatnonzero(m.fac.active).tolist()
    mgr = m.managers[m.fac.index_of("asnaes")]
    assert mgr.strategy == "forward_looking"
    assert 0.0 <= mgr.tenure_years <= 50
    assert all(0.0 <= v <= 1.0 for v in mgr.trust().values())


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_accounting_invariants(seed):
    m = SymbiosisPark("region", rng=seed, n_facilities=80, fragility_scale=5.0,
                      variability_scale=3.0, **NOISY | {"broker_year": 2005})
    fac, ex = m.fac, m.ex
    for _ in range(25 * 4):
        m.step()
        assert (fac.out_committed >= 0).all() and (fac.need_met >= 0).all()
        assert (fac.out_committed <= fac.out_volume * (1 + 1e-9)).all()
        assert (fac.need_met <= fac.need_volume * (1 + 1e-9)).all()
        for pairs in (m.trust, m.ties):  # the stored pairs, and every pair never written
            assert ((pairs.values >= 0) & (pairs.values <= 1)).all() and 0 <= pairs.default <= 1
        ids = ex.active_ids()
        assert fac.active[ex.sup[ids]].all() and fac.active[ex.rec[ids]].all()
    table = m.exchanges_table()
    assert (table.volume > 0).all()
    ended = table[~table.active]
    assert len(ended) > 0
    assert (ended.end_step >= ended.start_step).all()
    assert ended.end_reason.isin(END_REASONS[1:]).all()
    assert table[table.active].end_step.isna().all() and ended.end_step.notna().all()
    assert (table.rounds == table.supplier_actions.str.len()).all()
    # shipped volume: committed volumes per stream never exceed production
    committed = table[table.active].groupby(ex.out[: ex.n][table.active.to_numpy()]).volume.sum()
    assert (committed.to_numpy() <= fac.out_volume[committed.index.to_numpy()] * (1 + 1e-9)).all()


def test_timeseries_network_and_exchanges():
    m = run("kalundborg", seed=4, years=40)
    ts = m.timeseries()
    assert len(ts) == 160 and list(ts.step) == list(range(160))
    assert all(c == c.lower() for c in ts.columns)
    g = m.network()
    assert isinstance(g, nx.MultiGraph)
    assert g.number_of_edges() == m.summary()["active_exchanges"]
    assert m.network(step=0).number_of_edges() <= ts.active_exchanges.iloc[0]
    mid = m.network(step=80)
    assert mid.number_of_edges() == ts.active_exchanges.iloc[80]
    table = m.exchanges_table()
    assert {"supplier", "receiver", "kind", "contract", "start_year", "end_reason",
            "supplier_actions", "receiver_actions"} <= set(table.columns)


def test_exchanges_table_marks_an_unended_life_missing(tmp_path):
    """Active exchanges have NA end_step and end_reason (nullable dtypes), NaN end_year."""
    m = SymbiosisPark("region", rng=0, n_facilities=80, **NOISY)
    m.run_years(15)
    table = m.exchanges_table()
    assert str(table.end_step.dtype) == "Int64" and str(table.end_reason.dtype) == "string"
    live, ended = table[table.active], table[~table.active]
    assert len(live) and len(ended)
    assert live.end_step.isna().all() and live.end_reason.isna().all()
    assert live.end_year.isna().all()
    assert ended[["end_step", "end_reason", "end_year"]].notna().all().all()
    assert set(ended.end_reason) <= set(END_REASONS[1:])
    # the end is known exactly where the model's own record has one
    assert (table.end_step.isna().to_numpy() == (m.ex.end[: m.ex.n] < 0)).all()
    # NA survives Parquet (what `trustsim run --out` writes) with the dtypes
    table.to_parquet(tmp_path / "exchanges.parquet", index=False)
    back = pd.read_parquet(tmp_path / "exchanges.parquet")
    assert str(back.end_step.dtype) == "Int64"
    assert back.end_step.isna().sum() == back.end_reason.isna().sum() == len(live)


def test_simulate_contract():
    out = simulate("minimal", seed=np.random.SeedSequence(1, spawn_key=(0, 1)), years=5,
                   overrides={"patience": 0.9}, timeseries_stride=3)
    assert out.summary["active_exchanges"] == 1
    assert list(out.timeseries.step) == [0, 3, 6, 9, 12, 15, 18, 19]
    assert simulate("minimal", seed=1, years=2).timeseries is None
    with pytest.raises(UserError, match="timeseries_stride"):
        simulate("minimal", seed=1, timeseries_stride=0)
    with pytest.raises(UserError, match="unknown scenario 'kalundborgg'.*'kalundborg'"):
        simulate("kalundborgg", seed=1)


def test_take_control_and_choose():
    m = SymbiosisPark("minimal", rng=0)
    m.step()
    (eid,) = m.ex.active_ids().tolist()
    with pytest.raises(UserError, match="no student-controlled side"):
        m.choose(eid, honour=False)
    manager = m.take_control("plant")
    assert manager.controlled
    m.choose(eid, honour=False)
    m.step()
    table = m.exchanges_table()
    assert table.supplier_actions[0] == "CD"
    with pytest.raises(UserError, match="not an active exchange"):
        m.choose(99, honour=True)
    with pytest.raises(UserError, match="unknown facility"):
        m.take_control("nowhere")


def test_release_control_hands_the_manager_back_to_its_strategy():
    untouched = SymbiosisPark("kalundborg", rng=4)
    released = SymbiosisPark("kalundborg", rng=4)
    for park in (untouched, released):
        park.run_years(25)
    seat = released.fac.ids[int(released.ex.sup[released.ex.active_ids()[0]])]
    released.take_control(seat)
    (eid, *_) = [e for e in released.ex.active_ids().tolist()
                 if released.fac.ids[int(released.ex.sup[e])] == seat]
    released.choose(eid, honour=False)
    released.release_control(seat)
    assert not released.managers[released.fac.index_of(seat)].controlled
    assert not released.choices  # the pending cheat is dropped with the seat
    with pytest.raises(UserError, match="no student-controlled side"):
        released.choose(eid, honour=False)
    for park in (untouched, released):
        park.run_years(20)
    pd.testing.assert_frame_equal(untouched.timeseries(), released.timeseries(), check_exact=True)
    with pytest.raises(UserError, match="unknown facility"):
        released.release_control("nowhere")


class FullNegotiation(SymbiosisPark):
    """Re-examines every known match each step (the optimisation switched off)."""

    def _negotiate(self, t, year):
        self._market_dirty = True
        super()._negotiate(t, year)


@pytest.mark.parametrize(("scenario", "overrides"), [
    ("kalundborg", {"noise": 0.03, "turnover_rate": 0.3}),
    ("region", {"n_facilities": 120, "broker_year": 2010, "noise": 0.05}),
])
def test_incremental_negotiation_equals_full(scenario, overrides):
    a = SymbiosisPark(scenario, rng=2, **overrides)
    b = FullNegotiation(scenario, rng=2, **overrides)
    a.run_years(40)
    b.run_years(40)
    pd.testing.assert_frame_equal(a.timeseries(), b.timeseries(), check_exact=True)
    pd.testing.assert_frame_equal(a.exchanges_table(), b.exchanges_table(), check_exact=True)


def test_network_at_past_steps_matches_the_time_series():
    m = SymbiosisPark("region", rng=1, n_facilities=60, fragility_scale=10.0)
    m.run_years(20)
    ts = m.timeseries()
    assert ts.facilities.iloc[-1] < ts.facilities.max()  # some facilities closed
    for step in (0, 20, 45, 79):
        g = m.network(step=step)
        assert g.number_of_nodes() == ts.facilities.iloc[step]
        assert g.number_of_edges() == ts.active_exchanges.iloc[step]
