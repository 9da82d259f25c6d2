"""Every scenario's tables against the digest committed before the last refactor.

A refactor (a move, a cache, a speed pass) must leave every table bit-identical; a change of
behaviour rewrites the digest on purpose (``python scripts/model_digest.py --write``). Floats
count to 10 significant digits, so the digest holds on any CPU (numpy's SIMD math differs in
the last bit between AVX2 and AVX-512 machines).
"""

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("model_digest", ROOT / "scripts" / "model_digest.py")
model_digest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(model_digest)
EXPECTED = json.loads((Path(__file__).parent / "digest.json").read_text())


@pytest.mark.parametrize("case", model_digest.cases(), ids=lambda c: f"{c[0]}-{c[1]}")
def test_tables_match_the_committed_digest(case):
    name, seed, overrides = case
    assert model_digest.digest_of(name, seed, overrides) == EXPECTED[f"{name}/{seed}"]


def test_digest_covers_every_registered_scenario():
    from trustsim.park.scenarios import SCENARIOS

    assert set(SCENARIOS) <= set(model_digest.YEARS)
