"""What a wheel carries: the experiment specs, the licence, the type marker, the version."""

import tomllib
from importlib import resources
from pathlib import Path

import trustsim
from trustsim.figures.core import EXPERIMENTS, SPEC_DIR

ROOT = Path(__file__).resolve().parents[1]


def test_every_experiment_spec_ships_inside_the_package():
    packaged = resources.files("trustsim").joinpath("experiments")
    assert SPEC_DIR == Path(str(packaged))
    for exp in EXPERIMENTS.values():
        for name in exp.specs:
            assert packaged.joinpath(name).is_file(), name
    assert packaged.joinpath("quick.toml").is_file()
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "experiments/*.toml" in data["tool"]["setuptools"]["package-data"]["trustsim"]


def test_licence_citation_and_type_marker():
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    citation = (ROOT / "CITATION.cff").read_text()
    assert f'version: "{trustsim.__version__}"' in citation
    assert "license: MIT" in citation
    assert resources.files("trustsim").joinpath("py.typed").is_file()


def test_all_extra_leaves_out_the_dev_tools():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    assert "dev" not in extras["all"][0]
    assert any(req.startswith("dask-jobqueue") for req in extras["cluster"])


def test_dir_lists_the_lazy_exports_for_tab_completion():
    listed = dir(trustsim)
    for name in trustsim.__all__:
        assert name in listed
    assert callable(trustsim.run_sweep)


def test_figures_find_the_packaged_specs_from_any_directory(tmp_path, monkeypatch):
    import pytest

    from trustsim.errors import UserError
    from trustsim.figures.core import load_experiment_spec

    monkeypatch.chdir(tmp_path)
    assert load_experiment_spec("E1", "quick")["experiment"]["name"]
    with pytest.raises(UserError, match=r"no such spec file \(experiment E1\); --specs DIR"):
        load_experiment_spec("E1", spec_dir=tmp_path)
