import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import trustsim
from trustsim.errors import UserError
from trustsim.game.strategies import STRATEGIES, History, Strategy, get_strategy, register

from .case import StrategyCase, cited_keys, reference_keys

PACKAGE = __name__.rsplit(".", 1)[0]


def test_every_key_has_a_test_class():
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if info.name.startswith("test_"):
            importlib.import_module(f"{PACKAGE}.{info.name}")
    tested = {c.strategy.key for c in StrategyCase.__subclasses__()}
    assert set(STRATEGIES) <= tested, set(STRATEGIES) - tested


def test_every_citation_in_the_kernel_is_listed():
    keys = reference_keys()
    files = sorted((Path(trustsim.__file__).parent / "game").rglob("*.py"))
    assert len(files) > 10
    for path in files:
        cited = cited_keys(path.read_text("utf-8"))
        assert cited <= keys, f"{path.name}: {cited - keys}"


def test_every_strategy_names_a_reference():
    for strat in STRATEGIES.values():
        doc = inspect.getdoc(strat) or ""
        assert "Names:" in doc and cited_keys(doc.split("Names:")[1]) <= reference_keys()


def test_duplicate_key_refused():
    class Copy(Strategy):
        key, name = "tit_for_tat", "Copy"
        classifier = dict(STRATEGIES["tit_for_tat"].classifier)

    with pytest.raises(ValueError, match="duplicate strategy key 'tit_for_tat'"):
        register(Copy)


def test_incomplete_classifier_refused():
    class Bad(Strategy):
        key, name = "bad_one", "Bad"
        classifier = {"memory_depth": 1}

    with pytest.raises(ValueError, match="classifier lacks stochastic"):
        register(Bad)
    assert "bad_one" not in STRATEGIES


def test_unknown_key_lists_valid_ones():
    with pytest.raises(UserError, match="did you mean 'tit_for_tat'.*valid strategies: all_c"):
        get_strategy("tit_for_tatt")


def test_history_mask_leaves_finished_entries():
    h = History.empty(2)
    h.record([1, 1], [1, 0])
    h.record([0, 0], [0, 1], mask=[True, False])
    assert h.turn.tolist() == [2, 1]
    assert h.their_last.tolist() == [0, 0] and h.their_last2.tolist() == [1, -1]
    assert h.their_c.tolist() == [1, 1] and h.their_d.tolist() == [1, 0]
    assert h.their_ever_defected.tolist() == [True, False]
    assert h.my_last.tolist() == [0, 1]


def test_history_from_bad_actions():
    with pytest.raises(UserError, match="actions must be C or D"):
        History.from_actions("CX", "CC")
