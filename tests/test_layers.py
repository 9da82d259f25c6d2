"""The package's imports: no circles, lower layers never import higher ones, a Mesa-free kernel.

Imports are read from the source (module level and inside functions); those under
``if TYPE_CHECKING:`` are annotations only and are left out.
"""

import ast
from functools import cache
from pathlib import Path

import networkx as nx
import pytest

import trustsim

ROOT = Path(trustsim.__file__).parent
#: Layers from the bottom up; a module may import its own layer and those below.
LAYERS = ["errors", "game", "park", "sweep", "history", "figures", "app", "cli"]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    skip = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and _type_checking(node)
            for n in ast.walk(node) if n is not node}
    found = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return found


@cache
def graph() -> nx.DiGraph:
    files = {module_name(p): p for p in ROOT.rglob("*.py")}
    g = nx.DiGraph()
    g.add_nodes_from(files)
    for name, path in files.items():
        for imp in imports_of(path):
            if imp in files and imp != name and not name.startswith(imp + "."):
                g.add_edge(name, imp)
    return g


def layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else None


def test_the_package_has_no_import_circle():
    cycles = list(nx.simple_cycles(graph()))
    assert not cycles, cycles[:5]


def test_lower_layers_never_import_higher_ones():
    bad = [(a, b) for a, b in graph().edges
           if layer(a) is not None and layer(b) is not None and layer(b) > layer(a)]
    assert not bad, bad


@pytest.mark.parametrize("path", sorted((ROOT / "game").rglob("*.py")), ids=str)
def test_the_kernel_imports_neither_mesa_nor_the_park(path):
    for imp in imports_of(path):
        top = imp.split(".")[0]
        assert top != "mesa", f"{path.name} imports {imp}"
        inside = imp.startswith(("trustsim.game", "trustsim.errors"))
        assert not imp.startswith("trustsim.") or inside, imp


def test_submodels_take_the_state_not_the_model_class():
    g = graph()
    allowed = {"trustsim.park.simulate", "trustsim.park"}
    users = {a for a, b in g.edges if b == "trustsim.park.model" and a.startswith("trustsim.park")}
    assert users <= allowed, users - allowed


def test_the_walker_sees_imports():
    g = graph()
    assert g.has_edge("trustsim.park.model", "trustsim.park.state")
    assert g.number_of_edges() > 100
