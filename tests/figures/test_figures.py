import argparse
import json

import matplotlib
import pytest

matplotlib.use("Agg")

from trustsim.cli import figures as figures_cli
from trustsim.errors import UserError
from trustsim.figures import (
    EXPERIMENTS,
    build_figures,
    core,
    e12_validation,
    load_experiment_spec,
    resolve_keys,
)


def test_every_registered_experiment_has_its_spec_file():
    for key, exp in EXPERIMENTS.items():
        for spec in exp.specs:
            assert (core.SPEC_DIR / spec).is_file(), key
        assert exp.claims and all(c.startswith("P") for c in exp.claims)


def test_resolve_keys_accepts_short_padded_and_lower_case_names():
    assert resolve_keys(["e12"]) == ["E12"]
    assert resolve_keys(["E012", "E12"]) == ["E12"]
    assert resolve_keys(None) == list(EXPERIMENTS)


def test_resolve_keys_rejects_unknown_experiments_with_the_allowed_list():
    with pytest.raises(UserError, match="unknown experiment 'E99'.*allowed: .*E12"):
        resolve_keys(["E99"])


def test_quick_and_smoke_sizes_shrink_the_spec():
    full = load_experiment_spec("E12", "full")
    quick = load_experiment_spec("E12", "quick")
    smoke = load_experiment_spec("E12", "smoke")
    assert quick["ohtsuki"]["runs"] < full["ohtsuki"]["runs"]
    assert smoke["ohtsuki"]["runs"] < quick["ohtsuki"]["runs"]
    assert quick["ohtsuki"]["nodes"] == full["ohtsuki"]["nodes"]  # merged key by key
    assert "smoke" not in quick and "smoke" not in smoke
    with pytest.raises(UserError, match="size must be one of"):
        load_experiment_spec("E12", "huge")


def test_smoke_thins_grid_lists_and_replicates():
    raw = {
        "experiment": {"name": "x", "replicates": 20, "n": 64},
        "sweep": {"a": [1, 2, 3, 4, 5], "b": {"low": 0, "high": 1, "num": 9}, "c": [7]},
    }
    out = core._smoke(raw)
    assert out["experiment"]["replicates"] == 1 and out["experiment"]["n"] == 4
    assert out["sweep"]["a"] == [1, 5] and out["sweep"]["b"]["num"] == 2
    assert out["sweep"]["c"] == [7]
    assert raw["sweep"]["a"] == [1, 2, 3, 4, 5]  # the input is not modified


def test_merge_replaces_sweep_axes_and_merges_tables():
    base = {"experiment": {"name": "x", "replicates": 9}, "sweep": {"a": [1, 2], "b": [3]}}
    out = core._merge(base, {"experiment": {"replicates": 2}, "sweep": {"a": [5]}})
    assert out == {"experiment": {"name": "x", "replicates": 2}, "sweep": {"a": [5], "b": [3]}}


def test_zero_crossing_interpolates_and_reports_none():
    import numpy as np

    x = np.array([0.0, 1.0, 2.0])
    assert e12_validation.zero_crossing(x, np.array([1.0, 0.5, -0.5])) == pytest.approx(1.5)
    assert np.isnan(e12_validation.zero_crossing(x, np.array([1.0, 1.0, 1.0])))


def test_weighted_crossing_recovers_a_known_line():
    import numpy as np

    x = np.array([1.0, 2.0, 3.0, 4.0])
    root, se = e12_validation.weighted_crossing(x, 0.5 + 0.25 * x, np.full(4, 0.01))
    assert root == pytest.approx(2.0) and se > 0


def test_readme_lists_every_experiment_and_unbuilt_ones(tmp_path):
    finding = {
        "experiment": "E12",
        "figure": "E12_validation_gallery",
        "title": "T",
        "claims": ["P6"],
        "spec": "experiments/x.toml",
        "size": "quick",
        "text": "measured 0.318",
        "holds": False,
    }
    path = tmp_path / "README.md"
    core.write_readme(path, {"E12": [finding]}, size="quick")
    text = path.read_text()
    for key, exp in EXPERIMENTS.items():
        assert f"## {key}: {exp.title}" in text
    assert "measured 0.318" in text and "does NOT show it" in text
    assert "trustsim figures --quick --only E12" in text


@pytest.fixture(scope="module")
def e12_smoke(tmp_path_factory):
    root = tmp_path_factory.mktemp("e12")
    findings = build_figures(["E12"], size="smoke", results=root / "res", figures=root / "fig")
    return root, findings


def test_build_writes_png_pdf_readme_and_findings(e12_smoke):
    root, findings = e12_smoke
    assert [f.experiment for f in findings] == ["E12"]
    stem = root / "fig" / findings[0].figure
    assert stem.with_suffix(".png").stat().st_size > 0
    assert stem.with_suffix(".pdf").read_bytes().startswith(b"%PDF")
    readme = (root / "fig" / "README.smoke.md").read_text()
    assert not (root / "fig" / "README.md").exists()  # smoke numbers are no results
    assert findings[0].text in readme
    stored = json.loads((root / "res" / "smoke" / "findings.json").read_text())
    assert stored["E12"][0]["text"] == findings[0].text


def test_rebuild_reuses_results_and_gives_identical_files(e12_smoke, monkeypatch):
    root, findings = e12_smoke
    stem = root / "fig" / findings[0].figure
    before = {s: stem.with_suffix(s).read_bytes() for s in (".png", ".pdf")}

    def fail(raw):
        raise AssertionError("results should have been reused")

    monkeypatch.setattr(e12_validation, "compute", fail)
    again = build_figures(["E12"], size="smoke", results=root / "res", figures=root / "fig")
    assert again[0].text == findings[0].text
    for suffix, content in before.items():
        assert stem.with_suffix(suffix).read_bytes() == content


def test_cli_builds_the_requested_experiment(tmp_path, capsys):
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    figures_cli.add_parser(sub)
    args = parser.parse_args(
        [
            "figures",
            "--smoke",
            "--only",
            "E12",
            "--results",
            str(tmp_path / "r"),
            "--out",
            str(tmp_path / "f"),
            "--workers",
            "1",
        ]
    )
    assert figures_cli.run(args) == 0
    out = capsys.readouterr().out
    assert "E12" in out and "README.smoke.md" in out
    assert (tmp_path / "f" / "E12_validation_gallery.pdf").is_file()


def test_cli_rejects_unknown_experiment(tmp_path):
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    figures_cli.add_parser(sub)
    args = parser.parse_args(["figures", "--only", "E77", "--results", str(tmp_path)])
    with pytest.raises(UserError, match="E77"):
        figures_cli.run(args)


def test_e6_direct_reruns_are_the_runners_runs(tmp_path):
    from trustsim.figures import e06_anchor

    ctx = core.Context("smoke", tmp_path / "res", tmp_path / "fig", workers=1)
    for which in range(2):
        runs = ctx.sweep("E6", which).sort_values("replicate")
        nets = e06_anchor.networks(ctx, which)
        assert nets["centralization"] == pytest.approx(runs.degree_centralization.tolist())


def test_contrast_matches_a_welch_interval_by_hand():
    import pandas as pd
    from scipy import stats

    from trustsim.figures.common import contrast

    runs = pd.DataFrame({"g": [0.0] * 4 + [1.0] * 5, "y": [1, 2, 3, 4, 5, 7, 6, 9, 8]})
    c = contrast(runs, "y", {"g": 0.0}, {"g": 1.0})
    ref = stats.ttest_ind([5, 7, 6, 9, 8], [1, 2, 3, 4], equal_var=False)
    low, high = ref.confidence_interval(0.95)
    assert c.diff == pytest.approx(4.5)
    assert (c.low, c.high) == pytest.approx((low, high))
    assert c.significant


def test_blocked_contrast_is_a_paired_t_interval_over_regions():
    import pandas as pd
    from scipy import stats

    from trustsim.figures.common import contrast, per_region, region_blocks, variance_split

    # three regions with very different levels, two run seeds per region and setting
    level = {1: 0.0, 2: 10.0, 3: 20.0}
    effect = {1: 1.0, 2: 2.0, 3: 1.5}
    rows = []
    for region in level:
        for g in (0.0, 1.0):
            for rep, noise in enumerate((-0.1, 0.1)):
                y = level[region] + g * effect[region] + noise * (1 + g)
                rows.append({"region_seed": region, "g": g, "replicate": rep, "y": y})
    runs = pd.DataFrame(rows)
    assert region_blocks(runs) == "region_seed"
    c = contrast(runs, "y", {"g": 0.0}, {"g": 1.0}, block="region_seed")
    means = runs.groupby(["region_seed", "g"]).y.mean().unstack()
    d = (means[1.0] - means[0.0]).to_numpy()
    ref = stats.ttest_1samp(d, 0.0).confidence_interval(0.95)
    assert c.diff == pytest.approx(d.mean()) == pytest.approx(1.5)
    assert (c.low, c.high) == pytest.approx((ref.low, ref.high))
    assert c.significant
    # ignoring the blocks, region levels swamp the effect
    assert not contrast(runs, "y", {"g": 0.0}, {"g": 1.0}).significant
    # per-region means: one row per group and region
    units = per_region(runs, ["y"], ["g"])
    assert len(units) == 6 and set(units.columns) == {"g", "region_seed", "y"}
    split = variance_split(runs, "y", ["g"])
    assert split.region_share > 0.9
    # a region missing one side is left out, and the description says so
    part = runs[~((runs.region_seed == 3) & (runs.g == 1.0))]
    c2 = contrast(part, "y", {"g": 0.0}, {"g": 1.0}, block="region_seed")
    assert c2.diff == pytest.approx(1.5) and "2 of 3 region_seed blocks" in c2.describe()


def test_region_note_describes_the_design():
    import pandas as pd

    from trustsim.figures.common import region_blocks, region_note

    one = pd.DataFrame({"region_seed": [4, 4], "y": [1.0, 2.0]})
    assert region_blocks(one) is None
    assert "region_seed = 4" in region_note(one)
    none = pd.DataFrame({"y": [1.0, 2.0]})
    assert "draws its own region" not in region_note(none)
    assert "region_seed holds a region fixed" in region_note(none)
    default = pd.DataFrame({"region_seed": [-1, -1], "y": [1.0, 2.0]})
    assert "region_seed holds a region fixed" in region_note(default)
    blocked = pd.DataFrame({"region_seed": [1, 1, 2, 2, 5, 5], "g": [0] * 6,
                            "y": [1.0, 1.2, 3.0, 3.1, 5.0, 5.3]})
    text = region_note(blocked, "y", ["g"])
    assert "3 generated regions (region_seed 1, 2, 5), 2 run seeds each" in text
    assert "region-to-region variation is" in text


def test_fresh_recomputes_and_findings_record_the_commit(tmp_path, monkeypatch):
    calls = []
    real = e12_validation.compute

    def counting(raw):
        calls.append(1)
        return real(raw)

    monkeypatch.setattr(e12_validation, "compute", counting)
    kw = {"size": "smoke", "results": tmp_path / "r", "figures": tmp_path / "f"}
    first = build_figures(["E12"], **kw)
    build_figures(["E12"], **kw)
    assert len(calls) == 1
    build_figures(["E12"], fresh=True, **kw)
    assert len(calls) == 2
    assert first[0].commit  # the git commit, or "unknown" outside a repository
    readme = (tmp_path / "f" / "README.smoke.md").read_text()
    assert "Results computed with trustsim at commit" in readme


def test_cli_rejects_a_missing_specs_folder(tmp_path):
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    figures_cli.add_parser(sub)
    args = parser.parse_args(["figures", "--specs", str(tmp_path / "nope")])
    with pytest.raises(UserError, match="--specs: no such folder"):
        figures_cli.run(args)


def test_results_commit_counts_only_sessions_that_computed_runs():
    one = {"git_commit": "aaa", "sessions": [{"new_runs": 5}]}
    assert core.computed_with(one) == ["aaa"]
    resumed = {
        "git_commit": "ccc",
        "sessions": [
            {"new_runs": 5, "git_commit": "aaa"},
            {"new_runs": 3, "git_commit": "bbb"},
            {"new_runs": 0, "git_commit": "ccc"},
        ],
    }
    assert core.computed_with(resumed) == ["aaa", "bbb"]
    old = {"git_commit": "ccc", "sessions": [{"new_runs": 5}, {"new_runs": 0, "git_commit": "c"}]}
    assert core.computed_with(old) == [None]
