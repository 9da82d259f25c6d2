"""E10: the posterior predictive replay of Kalundborg and a verdict the record itself passes."""

import pandas as pd

from trustsim.figures import build_figures
from trustsim.figures.e10_kalundborg import HELD_OUT_SHARE, historical, verdict
from trustsim.history.validation import FIT_UNTIL


def test_history_passes_its_own_verdict():
    starts, miles = historical()
    held = miles[miles.year > FIT_UNTIL]
    # the record as a model: every published count is inside a band made of itself
    inside = [bool(v <= v <= v) for v in held.value]
    rate = len(starts) / (int(starts.year.max()) - 1961 + 1)
    assert 0.4 < rate < 0.5  # the old 0.5-1 a year criterion rejected it
    assert verdict(inside, rate, (rate, rate))
    assert not verdict(inside, rate, (0.5, 1.0))
    share = int(HELD_OUT_SHARE * len(inside))
    assert not verdict([True] * (share - 1) + [False] * (len(inside) - share + 1), rate,
                       (0.0, 1.0))
    assert not verdict([], rate, (0.0, 1.0))


def test_e10_smoke_build_draws_the_replicates_from_the_posterior(tmp_path):
    findings = build_figures(["E10"], size="smoke", results=tmp_path / "r",
                             figures=tmp_path / "f", workers=1)
    assert [f.experiment for f in findings] == ["E10"]
    assert "held-out published counts" in findings[0].text
    assert (tmp_path / "f" / "E10_kalundborg_replay.png").stat().st_size > 0
    def runs(name):  # the runs of the spec called name (its folder: name-<hash>)
        folders = [d for d in (tmp_path / "r" / "smoke").iterdir()
                   if d.name.rsplit("-", 1)[0] == name]
        assert len(folders) == 1, (name, folders)
        return pd.concat([pd.read_parquet(p) for p in folders[0].glob("runs/*.parquet")])

    main = runs("kalundborg_replay")
    assert len(main) == 2 and main["status"].eq("ok").all()
    for switch in ("trust_built_by_repeated_interaction", "social_ties", "broker"):
        off = runs(f"kalundborg_replay-without-{switch}")
        assert len(off) == 2 and off["status"].eq("ok").all()
    assert "Claim (written in the spec before the run)" in findings[0].text


def test_a_switch_replaces_the_posterior_draw_of_its_parameter():
    from importlib import resources

    import numpy as np

    from trustsim.history.validation import posterior_simulate
    from trustsim.park.scenarios.calibration import parse_calibration
    from trustsim.park.simulate import simulate

    text = resources.files("trustsim.park.scenarios").joinpath(
        "kalundborg_calibration.toml").read_text("utf-8")
    seed = np.random.SeedSequence(7, spawn_key=(0, 1))
    kw = {"years": 30, "calibration_text": text, "replicates": 4}
    off = {"trust_gain": 0.0}
    cal = parse_calibration(text, "posterior")
    particle = cal.particle(cal.draw(4)[1])
    assert particle["trust_gain"] > 0  # the posterior has the parameter: it would win
    got = posterior_simulate("kalundborg", seed=seed, overrides=dict(off), switch=off, **kw)
    want = simulate("kalundborg", seed=seed, years=30, overrides={**particle, **off})
    assert got.summary == want.summary
    drawn = posterior_simulate("kalundborg", seed=seed, overrides=dict(off), **kw)
    assert drawn.summary != got.summary
