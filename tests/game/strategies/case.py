"""StrategyCase: the inherited checks every strategy's test class gets."""

from __future__ import annotations

import re
from importlib import resources
from typing import Any, ClassVar

import numpy as np

from trustsim.game.games import Action
from trustsim.game.match import play_match
from trustsim.game.strategies import STRATEGIES, History, Scripted, Strategy, get_strategy

C, D = Action.C, Action.D

__all__ = ["C", "D", "Scripted", "StrategyCase", "random_histories", "reference_keys"]


def reference_keys() -> set[str]:
    """Keys listed in trustsim/docs/references.md."""
    text = resources.files("trustsim").joinpath("docs/references.md").read_text("utf-8")
    return set(re.findall(r"^- \[([A-Za-z0-9]+)\]", text, flags=re.M))


def cited_keys(doc: str) -> set[str]:
    """Bibliography keys cited as [Key] in a docstring."""
    return set(re.findall(r"\[([A-Z][A-Za-z]+[0-9]{4}[a-z]?)\]", doc))


def random_histories(n: int, rng: np.random.Generator, max_len: int = 8) -> History:
    """n histories of random lengths 0..max_len and random actions, trust and reputation."""
    h = History.empty(n)
    lengths = rng.integers(0, max_len + 1, n)
    for r in range(max_len):
        h.record(rng.integers(0, 2, n), rng.integers(0, 2, n), lengths > r)
    h.trust[:] = rng.random(n)
    h.partner_reputation[:] = rng.random(n)
    return h


class StrategyCase:
    """Base of the per-strategy test classes (not collected itself: no ``Test`` prefix)."""

    strategy: ClassVar[type[Strategy]]
    expected_classifier: ClassVar[dict[str, Any]]
    params: ClassVar[dict[str, float]] = {}

    def make(self) -> Strategy:
        return self.strategy(**self.params)

    def versus(self, opponent: Strategy | str, expected: list[tuple[Action, Action]], **kw):
        """Play a match of len(expected) turns and compare the (mine, theirs) action pairs."""
        m = play_match(self.make(), opponent, turns=len(expected), **kw)
        got = [(Action(a), Action(b)) for a, b in zip(m.history_a, m.history_b)]
        assert got == expected

    # -- inherited checks ----------------------------------------------------------------------

    def test_registered(self):
        assert STRATEGIES[self.strategy.key] is self.strategy
        assert isinstance(get_strategy(self.strategy.key), self.strategy)
        assert self.strategy.name

    def test_classifier(self):
        assert self.strategy.classifier == self.expected_classifier

    def test_names_cited_in_references(self):
        doc = self.strategy.__doc__ or ""
        assert "Names:" in doc
        keys = cited_keys(doc.split("Names:", 1)[1])
        assert keys, "the Names: list cites no reference"
        assert keys <= reference_keys(), keys - reference_keys()

    def test_scalar_path_equals_array_path(self):
        rng = np.random.default_rng(11)
        h = random_histories(300, rng)
        u = rng.random(300)
        s = self.make()
        full = s.decide(h, u)
        assert full.dtype == np.bool_ and full.shape == (300,)
        one = [bool(s.decide(h.take([i]), u[i : i + 1])[0]) for i in range(300)]
        assert one == full.tolist()

    def test_uses_u_only_if_stochastic(self):
        rng = np.random.default_rng(12)
        h = random_histories(500, rng)
        s = self.make()
        a, b = s.decide(h, rng.random(500)), s.decide(h, rng.random(500))
        if self.strategy.classifier["stochastic"]:
            assert not np.array_equal(a, b)
        else:
            assert np.array_equal(a, b)

    def test_seeded_reproducibility_with_noise(self):
        first = play_match(self.make(), "random", turns=40, noise=0.1, rng=5)
        again = play_match(self.make(), "random", turns=40, noise=0.1, rng=5)
        assert np.array_equal(first.history_a, again.history_a)
        assert np.array_equal(first.history_b, again.history_b)

    def test_clone_equal(self):
        s = self.make()
        t = s.clone()
        assert t == s and t is not s and hash(t) == hash(s)
        assert repr(t) == repr(s)
