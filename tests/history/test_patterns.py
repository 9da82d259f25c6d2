"""Pattern-oriented checks [Grimm2005] of the calibrated Kalundborg scenario, over seeds.

Each pattern is a sourced observation (data/kalundborg/README.md), tested on the posterior
predictive ensemble of ``trustsim validate`` (each run draws its parameters from the packaged
posterior). A pattern the model does not reproduce is marked ``xfail(strict=True)`` with the
reason, so that the suite says plainly what fails and notices when it starts to hold.
"""

import pytest

from trustsim.history.validation import ensemble, validate

SEEDS = 20
#: Patterns that the model on this branch does not reproduce (see the reason of each).
FAILING: dict[str, str] = {
    "early": "the utility links that pay from the start (Forsyning's water to the refinery and "
             "Asnaes, steam once oil prices rise) form in the 1960s: 2.85, 2.8 and 2.85 active "
             "in 1971 at root seeds 1961, 7 and 2024 (full refit, 120 x 6, on the "
             "forward-looking rule); history's single pipeline until 1972 is not earned",
    "streams_2022": "the sourced streams allow 35-36 paying matches in 2022 but the model keeps "
                    "13.7 active on average (root 1961; 13.2-13.7 at three roots; realized "
                    "share 0.44-0.46; about 16 form by 2025 and 3 of them end): not for want of "
                    "attention (posterior median 3.16 deals a manager a year). Tested: the "
                    "by-product trust the posterior asks (median 0.85) is the brake, and it "
                    "is what keeps the 1960s quiet: with --set byproduct_trust=0.70 "
                    "(validate, 20 seeds) "
                    "15.2 are active in 2022, 20.8 form and 3 of 7 held-out milestones fall "
                    "inside, but 4.75 are active in 1971 and the first by-product forms in 1962 "
                    "(the refinery's cooling water and gas to Asnaes pay from 1961; history: "
                    "1987 and 1992)",
    "hub": "the power station is the hub in 1995 in 65% of runs at root 1961 (65% and 60% at "
           "roots 7 and 2024), under the 70% the record implies: the full refit (ESS 4 of "
           "120) leaves the 1995 network at about 10.5 exchanges against the record's 16",
}


def _mark(name):
    if name in FAILING:
        return pytest.mark.xfail(strict=True, reason=FAILING[name])
    return lambda f: f


@pytest.fixture(scope="module")
def report():
    return validate("kalundborg", seeds=SEEDS, root_seed=1961)


@pytest.mark.slow
@_mark("early")
def test_at_most_two_active_exchanges_before_1972(report):
    # NAP1994: the 1961 water pipeline is the only exchange until the 1972 gas to Gyproc
    assert report.patterns["active_exchanges_1971"]["mean"] <= 2.0


@pytest.mark.slow
@_mark("first_byproduct")
def test_the_first_byproduct_exchange_comes_between_1969_and_1976(report):
    # NAP1994, TRAP: refinery gas to Gyproc in 1972, the first by-product exchange
    assert 1969 <= report.patterns["first_byproduct_year"]["median"] <= 1976


@pytest.mark.slow
@_mark("utility_first")
def test_utilities_dominate_the_first_ten_exchanges(report):
    # exchanges.csv: the documented first ten are mostly water, steam and heat
    assert report.patterns["utility_share_first10"]["mean"] > 0.5


@pytest.mark.slow
@_mark("hub")
def test_the_power_station_is_the_hub_in_1995_in_most_runs(report):
    # README (derived from exchanges.csv rows 1-17): Asnaes the hub from the early 1980s
    assert report.patterns["power_station_hub_share_1995"]["mean"] >= 0.7


@pytest.mark.slow
@_mark("no_burst")
def test_no_more_than_three_new_exchanges_in_a_year(report):
    # README: growth of about 0.5-1 exchange a year, never a burst (the record's largest year,
    # 2009 with the Inbicon plant, has 4 documented starts: the check allows 3 in most runs)
    assert report.patterns["max_new_in_a_year"]["mean"] <= 3.0


@pytest.mark.slow
@_mark("streams_2022")
def test_more_than_25_active_exchanges_by_2022_if_the_sourced_streams_allow(report):
    # WATERCYCLEDK: more than 30 streams in 2022; the scenario holds only the sourced streams
    runs = ensemble("kalundborg", 3, 1961, years=[2022])
    potential = min(r["at"][2022]["potential_matches"] for r in runs)
    if potential <= 25:
        pytest.fail(f"the sourced streams allow only {potential:g} paying matches in 2022: "
                    "more than 25 active exchanges cannot happen")
    active = [m for m in report.milestones if m.key == "exchanges_2022"][0]
    assert active.model_mean > 25
