"""docs/ODD.md: the seven ODD elements in order, and every name it cites exists."""

import importlib
import re
from importlib import resources

from trustsim.park.model import SymbiosisPark
from trustsim.park.params import PARAMETERS

ELEMENTS = [
    "Purpose and patterns",
    "Entities, state variables, and scales",
    "Process overview and scheduling",
    "Design concepts",
    "Initialization",
    "Input data",
    "Submodels",
]
DESIGN_CONCEPTS = [
    "Basic principles", "Emergence", "Adaptation", "Objectives", "Learning", "Prediction",
    "Sensing", "Interaction", "Stochasticity", "Collectives", "Observation",
]


def read(name):
    return resources.files("trustsim").joinpath("docs", name).read_text(encoding="utf-8")


def headings(text, level):
    return re.findall(rf"^{'#' * level} (.+)$", text, flags=re.M)


def test_seven_elements_in_order():
    assert headings(read("ODD.md"), 2) == ELEMENTS


def test_design_concepts_subheadings():
    text = read("ODD.md")
    section = text.split("## Design concepts")[1].split("## Initialization")[0]
    assert headings(section, 3) == DESIGN_CONCEPTS


def resolve(dotted):
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise AssertionError(dotted)


def test_every_named_function_exists():
    text = read("ODD.md")
    names = set(re.findall(r"`(trustsim(?:\.\w+)+)", text))
    assert len(names) > 30
    for name in sorted(names):
        resolve(name)  # raises if missing
    methods = set(re.findall(r"`SymbiosisPark\.(\w+)", text))
    for m in sorted(methods):
        assert hasattr(SymbiosisPark, m) or m in vars(SymbiosisPark("minimal", rng=0)), m


def test_the_schedule_names_every_submodel_the_step_calls():
    import inspect

    import trustsim.park.model as model_module

    schedule = read("ODD.md").split("## Process overview and scheduling")[1].split("## ")[0]
    source = inspect.getsource(SymbiosisPark.step)
    called = set(re.findall(r"\b([a-z_]+(?:\.[a-z_]+)?)\(s\b", source)) - {"play"}
    called |= {"play_round"}  # ``play`` is play_round (or the reference, for tests)
    assert len(called) >= 9, called
    for name in sorted(called):
        obj = model_module
        for part in name.split("."):
            obj = getattr(obj, part)
        assert f"`{obj.__module__}.{obj.__name__}`" in schedule, name


def test_every_parameter_documented():
    text = read("ODD.md")
    for name in PARAMETERS:
        assert f"`{name}`" in text, name


def test_every_citation_has_a_reference():
    keys = set(re.findall(r"^- \[([^\]]+)\]", read("references.md"), flags=re.M))
    cited = set()
    for group in re.findall(r"\[([A-Z][A-Za-z0-9;, -]+\d{4}[a-z]?)\]", read("ODD.md")):
        cited.update(k.strip() for k in group.split(";"))
    assert cited and cited <= keys, sorted(cited - keys)
