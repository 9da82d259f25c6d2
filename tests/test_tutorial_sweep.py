"""docs/tutorial_sweep.ipynb runs from top to bottom in a Jupyter kernel (nbclient)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "tutorial_sweep.ipynb"


def test_the_sweep_tutorial_runs_in_a_kernel(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    shutil.copy(NOTEBOOK, tmp_path)
    nb = nbformat.read(tmp_path / NOTEBOOK.name, as_version=4)
    nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    outputs = {  # each code cell's value (streams and the progress bar's displays left out)
        i: "".join(o.get("data", {}).get("text/plain", "") for o in c.outputs
                   if o.get("output_type") == "execute_result")
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code"
    }
    assert "'run_sweep'" in outputs[1] and "'load_results'" in outputs[1]
    assert outputs[4].strip().endswith("(9, 9, 0)")
    assert "share_still_active" in outputs[6]
    assert "'design': 'grid'" in outputs[9]
    assert outputs[11].strip() == "0"
    assert len(list((tmp_path / "tutorial_results" / "runs").glob("part-*.parquet"))) >= 2
