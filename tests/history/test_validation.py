import csv
import json
from importlib import resources

import numpy as np
import pandas as pd
import pytest

from trustsim.cli import main
from trustsim.errors import UserError
from trustsim.history.validation import (
    Milestone,
    _patterns,
    milestones,
    pattern_stats,
    summarize,
    validate,
)


def csv_rows():
    path = resources.files("trustsim.history.data").joinpath("kalundborg", "milestones.csv")
    with path.open(encoding="utf-8") as fh:
        return {(r["year"], r["metric"]): float(r["value"]) for r in csv.DictReader(fh)}


def test_milestones_come_from_the_packaged_data():
    rows = csv_rows()
    by_key = {m.key: m for m in milestones()}
    assert by_key["exchanges_1961"].observed == rows[("1961", "active_exchanges")] == 1
    assert by_key["exchanges_1994"].observed == rows[("1994", "contracts")] == 16
    assert by_key["exchanges_2000"].observed == rows[("2000", "streams")]
    assert by_key["exchanges_2022"].observed == rows[("2022", "streams")]
    assert by_key["tonnes_diverted"].observed == rows[("seed", "material_diverted")] == 635000
    assert by_key["savings"].observed == rows[("seed", "savings")] == 24
    assert by_key["co2_avoided"].observed == rows[("seed", "co2_avoided")] == 240000
    found = rows[("2015", "potential_symbioses_found")]
    selected = rows[("2015", "potential_symbioses_selected")]
    assert by_key["realized_share_2015"].observed == pytest.approx(selected / found)
    for m in milestones():
        assert m.low <= m.observed <= m.high or m.key == "power_station_hub_1985"
        assert m.low <= m.high


def fake_runs(values, metric="active_exchanges", year=1994):
    return [{"at": {year: {metric: v}}, "patterns": {}} for v in values]


def test_held_means_the_mean_lies_in_the_band_and_covered_the_band_covers_history():
    mark = Milestone("x", 1994, "active_exchanges", 16, 14, 19, "IISD")
    inside = summarize(fake_runs([12, 14, 16, 18, 20]), [mark])[0]
    assert inside.model_mean == 16 and inside.held and inside.covered
    assert inside.model_low == pytest.approx(np.quantile([12, 14, 16, 18, 20], 0.05))
    assert inside.model_high == pytest.approx(np.quantile([12, 14, 16, 18, 20], 0.95))
    below = summarize(fake_runs([5, 6, 7]), [mark])[0]
    assert not below.held and not below.covered
    wide = summarize(fake_runs([0, 40, 0, 40]), [mark])[0]
    assert not wide.held and wide.covered


def test_patterns_of_an_exchange_table():
    kinds = ["utility"] * 8 + ["byproduct"] * 2 + ["byproduct"] * 3 + ["utility"]
    starts = [1961.0, 1962, 1962.5, 1970, 1975, 1981, 1985, 1990, 1991, 1993, 2001, 2005, 2010,
              2011]
    ended = [np.nan] * 12 + [2015.0, 2016.0]
    table = pd.DataFrame({
        "exchange_id": range(14), "kind": kinds, "start_year": starts,
        "start_step": [(s - 1961) * 4 for s in starts], "end_year": ended,
        "end_reason": pd.array([None] * 12 + ["breach", "exit"], dtype="string"),
    })
    p = _patterns(table, 1961, 2023)
    assert p["utility_share_first10"] == 0.8
    assert p["utility_share_rest"] == 0.25
    assert p["exchanges_formed"] == 14 and p["exchanges_ended"] == 2
    assert p["ended_breach"] == 1 and p["ended_exit"] == 1
    assert p["new_per_year_1961s"] == pytest.approx(4 / 10)
    assert p["new_per_year_2011s"] == pytest.approx(1 / 10)
    assert p["max_new_in_a_year"] == 2


def test_pattern_stats_count_missing_end_reasons_as_zero():
    runs = [{"at": {}, "patterns": {"ended_breach": 2.0}}, {"at": {}, "patterns": {}}]
    assert pattern_stats(runs)["ended_breach"]["mean"] == 1.0


@pytest.fixture(scope="module")
def report_json():
    from contextlib import redirect_stdout
    from io import StringIO

    buf = StringIO()
    with redirect_stdout(buf):
        code = main(["validate", "kalundborg", "--seeds", "3", "--json"])
    assert code == 0
    return json.loads(buf.getvalue())


def test_validate_json_has_every_milestone_with_its_fields(report_json):
    keys = {m.key for m in milestones()}
    rows = report_json["milestones"]
    assert {r["key"] for r in rows} == keys
    for r in rows:
        assert {"year", "metric", "observed", "model_mean", "model_low", "model_high",
                "held"} <= set(r)
        assert isinstance(r["held"], bool)
        if r["model_mean"] is not None:
            assert r["model_low"] <= r["model_mean"] + 1e-9 <= r["model_high"] + 2e-9
    assert report_json["seeds"] == 3
    patterns = report_json["patterns"]
    for name in ("power_station_hub_share_1985", "utility_share_first10",
                 "utility_share_rest", "new_per_year_1991s", "max_new_in_a_year",
                 "exchanges_ended", "active_exchanges_1971"):
        assert name in patterns and {"mean", "low", "high"} <= set(patterns[name])
    assert {"median", "low", "high"} <= set(patterns["first_byproduct_year"])
    for r in rows:
        assert r["sample"] == ("in" if r["year"] <= 1995 else "out")
        assert isinstance(r["inside"], bool)
    k, n = report_json["inside_out_of_sample"]
    assert n == sum(r["weight"] > 0 and r["sample"] == "out" for r in rows) and 0 <= k <= n
    assert report_json["calibration"]["source"] == "packaged"


def test_validation_is_reproducible(report_json):
    again = validate("kalundborg", seeds=3).to_dict()
    assert again["milestones"] == report_json["milestones"]


def test_counts_are_read_at_the_end_of_each_year_as_the_time_series_records_them():
    from trustsim.history.validation import run_observations
    from trustsim.park.model import SymbiosisPark

    years = [1961, 1975, 1994, 2000]
    obs = run_observations("kalundborg", 7, years)
    model = SymbiosisPark("kalundborg", rng=7)
    model.run_years(2001 - 1961)
    ts = model.timeseries()
    for y in years:
        last_step = ts[ts["year"] < y + 1].iloc[-1]
        assert obs["at"][y]["active_exchanges"] == last_step["active_exchanges"]
        assert obs["at"][y]["degree_centralization"] == pytest.approx(
            last_step["degree_centralization"])


def test_validate_plain_output_names_each_milestone(capsys):
    assert main(["validate", "--seeds", "1"]) == 0
    out = capsys.readouterr().out
    for m in milestones():
        assert m.key in out
    assert "inside the predictive band, held out (sample out)" in out
    assert "power_station_hub_share_1985" in out and "first_byproduct_year" in out


@pytest.mark.parametrize("argv", [["validate", "region"], ["validate", "--seeds", "0"]])
def test_validate_rejects_bad_arguments(argv, capsys):
    assert main(argv) == 2
    assert "error" in capsys.readouterr().err


def test_validate_rejects_zero_seeds_in_python():
    with pytest.raises(UserError, match="seeds"):
        validate("kalundborg", seeds=0)


def test_json_is_strict(report_json):
    json.dumps(report_json, allow_nan=False)


def test_closer_source_picks_the_band_nearer_the_model_mean():
    from trustsim.history.validation import ValidationReport

    marks = [m for m in milestones() if m.key.startswith(("co2_avoided", "tonnes_diverted"))]
    runs = [{"at": {2022: {"co2_avoided_t_per_year": 600_000.0,
                           "tonnes_diverted_per_year": 600_000.0}}, "patterns": {}}]
    report = ValidationReport("kalundborg", 1, 0, {}, summarize(runs, marks))
    assert report.closer_source() == {"tonnes_diverted": "seed essay",
                                      "co2_avoided": "alternative (seed note (EMF))"}


def test_kalundborg_grows_utility_first_around_the_power_station():
    # P2 and P3 on a seed ensemble of the calibrated scenario
    report = validate("kalundborg", seeds=6)
    p = report.patterns
    assert p["utility_share_first10"]["mean"] > p["utility_share_rest"]["mean"] + 0.15
    assert p["power_station_hub_share_1995"]["mean"] >= 0.5
    # P1: no burst, every decade adds exchanges at well under two a year
    assert p["max_new_in_a_year"]["mean"] <= 4
    assert all(p[f"new_per_year_{d}s"]["mean"] < 2 for d in (1961, 1971, 1981, 1991, 2001))


def test_inside_means_the_observed_value_lies_in_the_predictive_band():
    late = Milestone("x", 2000, "active_exchanges", 19, 19, 22, "SAIKKU")
    r = summarize(fake_runs([10, 12, 14, 20, 25], year=2000), [late])[0]
    assert r.sample == "out" and r.inside and not r.held
    early = Milestone("y", 1994, "active_exchanges", 16, 14, 19, "IISD")
    r = summarize(fake_runs([1, 2, 3]), [early])[0]
    assert r.sample == "in" and not r.inside
    hub = Milestone("h", 1985, "anchor_is_hub", 1.0, 0.5, 1.0, "README")
    r = summarize(fake_runs([0.0] * 10 + [1.0] * 4, "anchor_is_hub", 1985), [hub])[0]
    assert r.covered and not r.inside  # a share of runs: judged by its mean, not the band


def test_first_byproduct_year_is_a_median_that_ranks_never_last():
    runs = [{"at": {}, "patterns": {"first_byproduct_year": y}}
            for y in (1970.0, 1975.0, float("nan"))]
    st = pattern_stats(runs)["first_byproduct_year"]
    assert st["median"] == 1975.0 and st["never"] == 1 and st["high"] == float("inf")


def test_each_run_draws_its_parameters_from_the_posterior():
    from trustsim.park.scenarios.calibration import parse_calibration

    text = ("[parameters]\ntrust_prior = 0.5\n[posterior]\nweights = [0.5, 0.5]\n"
            "trust_prior = [0.2, 0.8]\n")
    cal = parse_calibration(text, "two")
    mixed = validate("kalundborg", seeds=2, calibration=cal)
    low = validate("kalundborg", seeds=2, overrides={"trust_prior": 0.2})
    assert mixed.calibration["sha256"] == cal.sha256 and mixed.calibration["particles"] == 2
    # run 0 draws the first particle (0.2): the same run as the override 0.2 with that seed
    from trustsim.history.validation import ensemble

    runs = ensemble("kalundborg", 2, 1961, per_run=[cal.particle(i) for i in cal.draw(2)])
    again = ensemble("kalundborg", 2, 1961, {"trust_prior": 0.2})
    assert runs[0] == again[0] and runs[1] != again[1]
    assert mixed.to_dict()["milestones"] != low.to_dict()["milestones"]


def test_posterior_simulate_runs_replicate_r_with_its_particle():
    from trustsim.history.validation import posterior_simulate
    from trustsim.park.simulate import simulate

    text = ("[parameters]\ntrust_prior = 0.5\n[posterior]\nweights = [0.5, 0.5]\n"
            "trust_prior = [0.2, 0.8]\n")
    for r, value in ((0, 0.2), (1, 0.8)):
        seed = np.random.SeedSequence(3, spawn_key=(0, r))
        got = posterior_simulate("kalundborg", seed=seed, years=20, calibration_text=text,
                                 replicates=2, overrides={"trust_prior": 0.5})
        want = simulate("kalundborg", seed=np.random.SeedSequence(3, spawn_key=(0, r)),
                        years=20, overrides={"trust_prior": value})
        assert got.summary == want.summary
