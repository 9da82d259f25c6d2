"""Cross-validation against the Axelrod library, run in a subprocess (see axelrod_oracle.py)."""

import itertools
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from trustsim.game.games import StageGame
from trustsim.game.match import play_batch, play_match
from trustsim.game.tournament import round_robin

pytest.importorskip("axelrod")

DETERMINISTIC = [
    "all_c",
    "all_d",
    "tit_for_tat",
    "suspicious_tit_for_tat",
    "tit_for_two_tats",
    "two_tits_for_tat",
    "grim_trigger",
    "win_stay_lose_shift",
    "alternator",
    "go_by_majority",
]
LENGTHS = [1, 2, 5, 50, 200]
GAMES = [(3, 0, 5, 1), (4, 1, 5, 2), (2, -1, 3, 0), (4, 0, 3, 2)]
PAIRS = list(itertools.product(DETERMINISTIC, repeat=2))
NOISY = [
    ("tit_for_tat", "win_stay_lose_shift"),
    ("generous_tit_for_tat", "all_d"),
    ("grim_trigger", "tit_for_two_tats"),
    ("go_by_majority", "alternator"),
]
NOISY_REPS, NOISY_TURNS, NOISE = 200, 40, 0.05
SCORE_TURNS = 20


def deterministic_job():
    matches = [
        {"a": a, "b": b, "turns": n, "game": list(GAMES[0])} for a, b in PAIRS for n in LENGTHS
    ]
    matches += [
        {"a": a, "b": b, "turns": SCORE_TURNS, "game": list(g)} for a, b in PAIRS for g in GAMES[1:]
    ]
    return {"matches": matches}


def noisy_job():
    return {
        "matches": [
            {
                "a": a,
                "b": b,
                "turns": NOISY_TURNS,
                "game": list(GAMES[0]),
                "noise": NOISE,
                "repetitions": NOISY_REPS,
                "seed": 1,
            }
            for a, b in NOISY
        ]
    }


def ask_axelrod(spec):
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("axelrod_oracle.py"))],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        check=True,
        timeout=1800,
    )
    return spec, json.loads(proc.stdout)


@pytest.fixture(scope="module")
def both_oracles():
    # One subprocess: importing axelrod alone costs tens of seconds of CPU.
    det, noisy = deterministic_job(), noisy_job()
    _, out = ask_axelrod({"matches": det["matches"] + noisy["matches"]})
    n = len(det["matches"])
    return (det, {"matches": out["matches"][:n]}), (noisy, {"matches": out["matches"][n:]})


@pytest.fixture(scope="module")
def oracle(both_oracles):
    return both_oracles[0]


@pytest.fixture(scope="module")
def noisy_oracle(both_oracles):
    return both_oracles[1]


def _game(rstp):
    r, s, t, p = rstp
    return StageGame(reward=r, sucker=s, temptation=t, punishment=p)


def test_deterministic_action_sequences_and_scores_agree(oracle):
    spec, out = oracle
    checked = 0
    for j, got in zip(spec["matches"], out["matches"]):
        m = play_match(j["a"], j["b"], _game(j["game"]), turns=j["turns"])
        assert (m.history_string("a"), m.history_string("b")) == (got["a"], got["b"]), j
        assert m.score_a == pytest.approx(got["score_a"]) and m.score_b == pytest.approx(
            got["score_b"]
        ), j
        checked += 1
    assert checked == len(PAIRS) * (len(LENGTHS) + len(GAMES) - 1)


def test_batch_agrees_with_axelrod_too(oracle):
    spec, out = oracle
    for j, got in zip(spec["matches"], out["matches"]):
        if j["turns"] != 200:
            continue
        res = play_batch(j["a"], j["b"], 3, _game(j["game"]), turns=200, rng=0)
        for i in range(3):
            assert "".join("CD"[x] for x in res.actions_a[i]) == got["a"]
            assert "".join("CD"[x] for x in res.actions_b[i]) == got["b"]


def test_noisy_mean_scores_agree_statistically(noisy_oracle):
    spec, out = noisy_oracle
    for j, got in zip(spec["matches"], out["matches"]):
        res = play_batch(
            j["a"], j["b"], 20_000, _game(j["game"]), turns=NOISY_TURNS, noise=NOISE, rng=3
        )
        for ours, theirs in ((res.score_a, got["mean_a"]), (res.score_b, got["mean_b"])):
            se = ours.std(ddof=1) * np.sqrt(1 / ours.size + 1 / NOISY_REPS)
            assert abs(ours.mean() - theirs) <= 4 * se, (j, ours.mean(), theirs, se)


@pytest.mark.parametrize("g", GAMES[1:])
def test_tournament_score_matrix_agrees(oracle, g):
    # Axelrod's tournament payoff matrix is the per-turn score of each match (one repetition);
    # built here from the library's matches, since its Tournament is slow.
    spec, out = oracle
    want = {
        (j["a"], j["b"]): got["score_a"] / j["turns"]
        for j, got in zip(spec["matches"], out["matches"])
        if j["game"] == list(g)
    }
    res = round_robin(DETERMINISTIC, _game(g), turns=SCORE_TURNS)
    for i, a in enumerate(DETERMINISTIC):
        for k, b in enumerate(DETERMINISTIC):
            assert res.scores[i, k] == pytest.approx(want[(a, b)]), (a, b)
