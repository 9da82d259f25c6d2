"""Scenario library: registration, no scheduled outcomes, and comparative behaviour on seed
ensembles (planned vs organic vs facilitated growth, anchor tenant, turnover, broker, hold-up).
"""

import json

import numpy as np
import pytest

from trustsim.cli import main
from trustsim.park.model import SymbiosisPark
from trustsim.park.scenarios import SCENARIOS, get_scenario
from trustsim.park.scenarios.holdup import participation
from trustsim.park.scenarios.planned_eip import _resources, complementary_roster

NEW = ("planned_eip", "facilitated", "holdup", "kalundborg_no_anchor")
SEEDS = range(6)


def runs(scenario, years, seeds=SEEDS, **overrides):
    out = []
    for s in seeds:
        m = SymbiosisPark(scenario, rng=np.random.SeedSequence(1961, spawn_key=(0, s)),
                          **overrides)
        m.run_years(years)
        out.append(m)
    return out


def mean(models, key):
    return float(np.mean([m.summary()[key] for m in models]))


def test_scenarios_cli_lists_every_scenario_on_one_line_each(capsys):
    assert main(["scenarios"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == len(SCENARIOS)
    for name, line in zip(SCENARIOS, lines, strict=True):
        assert line.split()[0] == name and SCENARIOS[name].description in line
    assert main(["scenarios", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert set(NEW) | {"minimal", "kalundborg"} <= set(listed)


@pytest.mark.parametrize("name", NEW)
def test_new_scenarios_start_without_any_exchange_and_are_reproducible(name):
    kw = {"n_facilities": 60} if name == "facilitated" else {}
    a = SymbiosisPark(name, rng=5, **kw)
    assert a.ex.n == 0
    a.run_years(3)
    b = SymbiosisPark(name, rng=5, **kw)
    b.run_years(3)
    assert a.timeseries().equals(b.timeseries())
    assert a.exchanges_table().drop(columns=["supplier_actions", "receiver_actions"]).equals(
        b.exchanges_table().drop(columns=["supplier_actions", "receiver_actions"]))


def test_new_scenarios_document_their_sources():
    import trustsim.park.scenarios.facilitated as fac
    import trustsim.park.scenarios.holdup as hold
    import trustsim.park.scenarios.planned_eip as eip

    assert "JENSEN2011" in fac.__doc__ and "NISP" in fac.__doc__
    assert "GibbsDeutz2007" in eip.__doc__ and "Chertow2007" in eip.__doc__
    assert "Symbiosis-Netlogo" in hold.__doc__
    for name in NEW:
        assert get_scenario(name).description


def test_planned_roster_is_complementary_on_paper():
    rng = np.random.default_rng(0)
    for _ in range(20):
        roster = complementary_roster(10, rng)
        for i, sector in enumerate(roster[1:], start=1):
            outs = set().union(*(_resources(s)[0] for s in roster[:i]))
            needs = set().union(*(_resources(s)[1] for s in roster[:i]))
            assert _resources(sector)[1] & outs or _resources(sector)[0] & needs


def test_planned_parks_mostly_fail_where_organic_growth_succeeds():
    # symbiosis achieved: at least three active exchanges 25 years after the park opens
    planned = [m.summary()["active_exchanges"] >= 3 for m in runs("planned_eip", 25)]
    organic = [m.summary()["active_exchanges"] >= 3 for m in runs("kalundborg", 25)]
    assert np.mean(planned) <= 1 / 3
    assert np.mean(organic) >= 5 / 6


def synergies_per_firm(models):
    return float(np.mean([m.ex.n / m.fac.n for m in models]))


# 150 firms at the facilitated scenario's density (500 firms over 120 km x 120 km)
SMALL_REGION = {"n_facilities": 150, "region_km": 66.0}


def test_facilitated_regions_form_more_synergies_per_firm_than_planned_parks():
    facilitated = runs("facilitated", 20, seeds=range(3), **SMALL_REGION)
    planned = runs("planned_eip", 20, seeds=range(12))
    assert synergies_per_firm(facilitated) > 1.5 * synergies_per_firm(planned)


def test_facilitation_itself_adds_synergies_to_the_same_region():
    kw = SMALL_REGION
    on = runs("facilitated", 20, seeds=range(3), **kw)
    off = runs("facilitated", 20, seeds=range(3), broker_year=None,
               regulatory_reform_year=None, **kw)
    assert mean(on, "exchanges_formed") > 1.3 * mean(off, "exchanges_formed")


@pytest.fixture(scope="module")
def kalundborg():
    return runs("kalundborg", 62)


def test_removing_the_anchor_tenant_weakens_kalundborg(kalundborg):
    without = runs("kalundborg_no_anchor", 62)
    assert mean(without, "active_exchanges") < 0.7 * mean(kalundborg, "active_exchanges")
    # the power station's steam costs it electricity (supply_cost), so its links save less
    # than their gross value: savings fall less than the count
    assert mean(without, "savings_eur_per_year") < 0.85 * mean(kalundborg,
                                                               "savings_eur_per_year")


@pytest.mark.xfail(strict=True, reason=(
    "full Kalundborg refit (120 x 6): rotation at 2 a year leaves fewer active and by-product "
    "exchanges, but mean trust at the end of the run is higher with it (0.705 against 0.690 "
    "over the same seeds). Examined: averaged over 2003-2022 it is lower (0.694 against "
    "0.721), and rotation raises the share of honoured rounds (0.901 against 0.867), a "
    "successor starting every exchange's history afresh being the suspected channel; the "
    "test's one end-of-run snapshot is kept as written (scripts/diagnose_kalundborg.py)"))
def test_fast_manager_rotation_weakens_kalundborg(kalundborg):
    rotating = runs("kalundborg", 62, turnover_rate=2.0)
    assert mean(rotating, "active_exchanges") < mean(kalundborg, "active_exchanges") - 1
    assert mean(rotating, "byproduct_exchanges") < mean(kalundborg, "byproduct_exchanges")
    assert mean(rotating, "mean_trust") < mean(kalundborg, "mean_trust")


def new_per_year(models, start, end):
    return float(np.mean([((t.start_year >= start) & (t.start_year < end)).sum() / (end - start)
                          for t in (m.exchanges_table() for m in models)]))


@pytest.mark.xfail(strict=True, reason=(
    "full Kalundborg refit (120 x 6): without the broker 0.185 exchanges a year form over "
    "1996-2022 against 0.173 with it (the test asks under 60%). Examined over the same "
    "seeds: not attention (at 1.1 deals a manager a year, the reduced fit's, 0.167 against "
    "0.160); the by-product trust the posterior asks (0.85) leaves the broker few trusted "
    "deals to prepare: at byproduct_trust 0.70 without the broker 0.173 a year form against "
    "0.265 with it (65%; scripts/diagnose_kalundborg.py)"))
def test_removing_the_broker_slows_growth_after_1996(kalundborg):
    alone = runs("kalundborg", 62, broker_year=None)
    assert new_per_year(alone, 1996, 2023) < 0.6 * new_per_year(kalundborg, 1996, 2023)
    # before 1996 nothing differs: same seeds, same history
    assert new_per_year(alone, 1961, 1996) == new_per_year(kalundborg, 1961, 1996)


def holdup_participation(**overrides):
    return float(np.mean([participation(m) for m in runs("holdup", 15, seeds=range(3),
                                                         **overrides)]))


@pytest.mark.xfail(strict=True, reason=(
    "earned cooperation (issue 12): holdup participation 0.727 against 0.693 at "
    "turbulence x1 and x3 (the test asks equal)"
))
def test_holdup_turbulence_matters_only_when_large_and_only_through_misread_shortfalls():
    base = holdup_participation()
    assert holdup_participation(variability_scale=2.0) == base  # hardly matters, as in the ABM
    assert holdup_participation(variability_scale=5.0) < 0.8 * base
    assert holdup_participation(variability_scale=5.0, shortfall_tolerance=0.0) == base


def test_holdup_investment_cost_and_enforcement_move_participation_as_in_the_public_abm():
    base = holdup_participation()
    assert holdup_participation(infrastructure_cost_scale=10.0) < 0.5 * base
    assert holdup_participation(virgin_price_scale=0.33) < base
    assert holdup_participation(enforcement=0.0) < base  # default enforcement 0.3
