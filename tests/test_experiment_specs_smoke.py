"""Every experiment runs end to end at smoke size (a few points, one replicate), so none rots."""

import matplotlib
import pytest

matplotlib.use("Agg")

from trustsim.figures import EXPERIMENTS, build_figures, load_experiment_spec

MODEL_EXPERIMENTS = [
    k for k, e in EXPERIMENTS.items() if "scenario" in load_experiment_spec(k)["experiment"]
]


@pytest.mark.parametrize("key", MODEL_EXPERIMENTS)
@pytest.mark.parametrize("size", ["full", "quick", "smoke"])
def test_model_specs_are_valid_runner_specs_at_every_size(key, size):
    from trustsim.experiment import parse_spec

    spec = parse_spec(load_experiment_spec(key, size), source=key)
    assert spec.n_runs >= 1


def test_smoke_is_smaller_than_quick_and_quick_than_full():
    from trustsim.experiment import parse_spec

    for key in MODEL_EXPERIMENTS:
        runs = [parse_spec(load_experiment_spec(key, s)).n_runs for s in ("smoke", "quick", "full")]
        assert runs[0] <= runs[1] <= runs[2], key


@pytest.mark.parametrize("key", list(EXPERIMENTS))
def test_experiment_builds_its_figures_at_smoke_size(key, tmp_path):
    findings = build_figures(
        [key], size="smoke", results=tmp_path / "results", figures=tmp_path / "figures"
    )
    assert findings, key
    for finding in findings:
        assert finding.experiment == key and finding.size == "smoke"
        assert finding.text.strip()
        for suffix in (".png", ".pdf"):
            assert (tmp_path / "figures" / finding.figure).with_suffix(suffix).stat().st_size > 0
