"""Every experiment runs end to end at smoke size (a few points, one replicate), so none rots."""

import matplotlib
import pytest

matplotlib.use("Agg")

from trustsim.figures import EXPERIMENTS, build_figures, load_experiment_spec

MODEL_SPECS = [
    (k, i)
    for k, e in EXPERIMENTS.items()
    for i in range(len(e.specs))
    if "scenario" in load_experiment_spec(k, which=i)["experiment"]
]


@pytest.mark.parametrize(("key", "which"), MODEL_SPECS)
@pytest.mark.parametrize("size", ["full", "quick", "smoke"])
def test_model_specs_are_valid_runner_specs_at_every_size(key, which, size):
    from trustsim.sweep.spec import parse_spec

    spec = parse_spec(load_experiment_spec(key, size, which=which), source=key)
    assert spec.n_runs >= 1


@pytest.mark.parametrize(("key", "which"), MODEL_SPECS)
def test_smoke_is_smaller_than_quick_and_quick_than_full(key, which):
    from trustsim.sweep.spec import parse_spec

    sizes = ("smoke", "quick", "full")
    runs = [parse_spec(load_experiment_spec(key, s, which=which)).n_runs for s in sizes]
    assert runs[0] <= runs[1] <= runs[2], key


def _claimed(key):
    return any(load_experiment_spec(key, which=i).get("claim")
               for i in range(len(EXPERIMENTS[key].specs)))


@pytest.mark.parametrize("key", list(EXPERIMENTS))
def test_experiment_builds_its_figures_at_smoke_size(key, tmp_path, monkeypatch):
    from trustsim.figures.core import Context

    titles = []
    save = Context.save

    def recording(self, fig, stem):
        titles.extend(ax.get_title() for ax in fig.axes)
        return save(self, fig, stem)

    monkeypatch.setattr(Context, "save", recording)
    findings = build_figures(
        [key], size="smoke", results=tmp_path / "results", figures=tmp_path / "figures"
    )
    assert findings, key
    if _claimed(key):  # the spec states a claim: its figure has the ablation panel
        assert any("ablation" in t or "removing a cause" in t for t in titles), titles
        assert all("Claim (written in the spec before the run)" in f.text for f in findings)
    for finding in findings:
        assert finding.experiment == key and finding.size == "smoke"
        assert finding.text.strip()
        for suffix in (".png", ".pdf"):
            assert (tmp_path / "figures" / finding.figure).with_suffix(suffix).stat().st_size > 0
