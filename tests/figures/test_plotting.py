import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes

from trustsim.figures import plotting
from trustsim.figures.styles import OKABE_ITO, paper


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _grid():
    xs, ys = np.linspace(0, 1, 5), np.linspace(0, 1, 4)
    return pd.DataFrame([(x, y, float(y >= x)) for x in xs for y in ys], columns=["x", "y", "v"])


def _lines():
    return pd.DataFrame(
        {"x": [0, 1, 2] * 2, "m": [1, 2, 3, 2, 3, 4], "g": ["a"] * 3 + ["b"] * 3}
    ).assign(lo=lambda d: d.m - 0.5, hi=lambda d: d.m + 0.5)


def _graph():
    g = nx.MultiGraph()
    g.add_edge("a", "b", kind="utility")
    g.add_edge("a", "c", kind="by_product")
    g.add_edge("a", "b", kind="by_product")
    return g


CALLS = {
    "phase": lambda ax: plotting.plot_phase_diagram(
        _grid(), x="x", y="y", value="v", boundary=lambda x: x, ax=ax
    ),
    "lines": lambda ax: plotting.plot_lines(
        _lines(), x="x", y="m", hue="g", lo="lo", hi="hi", ax=ax
    ),
    "bars": lambda ax: plotting.plot_bars(_lines(), x="x", y="m", hue="g", lo="lo", hi="hi", ax=ax),
    "band": lambda ax: plotting.plot_band(
        _lines()[lambda d: d.g == "a"],
        x="x",
        mid="m",
        lo="lo",
        hi="hi",
        observed=pd.DataFrame({"year": [1], "value": [2.5]}),
        ax=ax,
    ),
    "reference": lambda ax: plotting.plot_reference(
        [1, 2], [1, 2], estimate=[1.1, 1.9], error=[0.1, 0.1], ax=ax
    ),
    "sobol": lambda ax: plotting.plot_sobol(
        pd.DataFrame(
            {
                "parameter": ["p", "q"],
                "S1": [0.5, 0.1],
                "ST": [0.6, 0.2],
                "S1_conf": [0.05, 0.05],
                "ST_conf": [0.05, 0.05],
            }
        ),
        ax=ax,
    ),
    "degree": lambda ax: plotting.plot_degree_distribution({"on": [1, 2, 5], "off": [1, 1]}, ax=ax),
    "network": lambda ax: plotting.plot_network(_graph(), edge_attr="kind", ax=ax),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_plot_functions_draw_on_the_given_axes_and_return_it(name):
    fig, ax = plt.subplots()
    out = CALLS[name](ax)
    assert out is ax
    assert ax.has_data() or ax.collections or ax.patches


@pytest.mark.parametrize("name", sorted(CALLS))
def test_plot_functions_make_their_own_axes_without_one(name):
    ax = CALLS[name](None)
    assert isinstance(ax, Axes)


def test_phase_diagram_cells_hold_the_grid_values():
    ax = CALLS["phase"](None)
    mesh = ax.collections[0]
    values = np.asarray(mesh.get_array()).reshape(4, 5)
    assert values[0, 0] == 1.0 and values[0, 4] == 0.0 and values[3, 4] == 1.0


def test_degree_distribution_is_a_complementary_cdf():
    ax = plotting.plot_degree_distribution({"g": [1, 1, 3]})
    ys = ax.lines[0].get_ydata()
    assert ys[0] == 1.0 and ys[1] == 1.0 and ys[2] == pytest.approx(1 / 3)


def test_paper_style_uses_okabe_ito_and_truetype_fonts():
    with plt.style.context("trustsim.figures.styles.paper"):
        assert plt.rcParams["pdf.fonttype"] == 42
        assert not plt.rcParams["text.usetex"]
        cycle = [c.upper() for c in plt.rcParams["axes.prop_cycle"].by_key()["color"]]
        assert cycle == [c.upper() for c in OKABE_ITO]
    with paper():
        assert plt.rcParams["pdf.fonttype"] == 42


def _draw(path):
    with paper():
        fig, axes = plt.subplots(1, 2)
        CALLS["phase"](axes[0])
        CALLS["network"](axes[1])
        return plotting.save_figure(fig, path)


def test_same_data_give_byte_identical_files(tmp_path):
    first = _draw(tmp_path / "a" / "fig")
    second = _draw(tmp_path / "b" / "fig")
    assert [p.suffix for p in first] == [".png", ".pdf"]
    for p, q in zip(first, second, strict=True):
        assert p.read_bytes() == q.read_bytes()
    assert b"CreationDate" not in first[1].read_bytes()


def test_plot_effects_draws_one_row_per_condition_with_the_legend_above_the_rows():
    table = pd.DataFrame([
        {"condition": c, "where": w, "estimate": e, "lo": e - 1.0, "hi": e + 1.0}
        for c, e in (("everything on", 3.0), ("no gossip", 0.5))
        for w in ("at the defaults", "across the sweep")
    ])
    ax = plotting.plot_effects(table, threshold=1.0)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["everything on", "no gossip"]
    long = table.assign(condition=table.condition.replace(
        "no gossip", "no trust built by repeated interaction (claim)"))
    ax = plotting.plot_effects(long, ax=plt.figure().add_subplot())
    assert all(len(line) <= 26 for t in ax.get_yticklabels() for line in t.get_text().split("\n"))
    assert ax.get_ylim()[1] > max(ax.get_yticks()) + 0.5  # room above the top row
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["at the defaults",
                                                                   "across the sweep"]
