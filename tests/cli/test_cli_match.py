import json
import subprocess
import sys

import pytest

from trustsim.cli import main
from trustsim.game.match import play_batch
from trustsim.game.strategies import STRATEGIES


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_fields(capsys):
    code, out, _ = run_cli(
        capsys, "match", "tit_for_tat", "all_d", "--turns", "4", "--repetitions", "3", "--json"
    )
    assert code == 0
    data = json.loads(out)
    assert data["history_a"] == "CDDD" and data["history_b"] == "DDDD"
    assert data["score_a"] == 3.0 and data["score_b"] == 8.0
    assert data["mean_score_a"] == 3.0 and data["mean_score_b"] == 8.0


def test_json_matches_the_kernel_with_noise_and_payoffs(capsys):
    args = ["--continuation", "0.9", "--repetitions", "50", "--noise", "0.1", "--seed", "7"]
    game = ["--reward", "4", "--sucker", "1", "--temptation", "5", "--punishment", "2"]
    code, out, _ = run_cli(capsys, "match", "random", "win_stay_lose_shift", *args, *game, "--json")
    assert code == 0
    data = json.loads(out)
    from trustsim.game.games import StageGame

    res = play_batch(
        "random",
        "win_stay_lose_shift",
        50,
        StageGame(4, 1, 5, 2),
        continuation=0.9,
        noise=0.1,
        rng=7,
    )
    first = res.match(0)
    assert data["history_a"] == first.history_string("a")
    assert data["history_b"] == first.history_string("b")
    assert data["score_a"] == first.score_a and data["score_b"] == first.score_b
    assert data["mean_score_a"] == pytest.approx(res.mean_score_a)
    assert data["mean_score_b"] == pytest.approx(res.mean_score_b)


def test_plain_output_is_a_round_table(capsys):
    code, out, _ = run_cli(capsys, "match", "tit_for_tat", "alternator", "--turns", "3")
    assert code == 0
    assert "prisoner's dilemma" in out
    lines = [ln.split() for ln in out.splitlines() if ln.strip()[:1].isdigit()]
    assert [ln[1:3] for ln in lines] == [["C", "C"], ["C", "D"], ["D", "C"]]
    assert "total" in out


def test_long_match_prints_strings_and_means(capsys):
    code, out, _ = run_cli(
        capsys, "match", "tit_for_tat", "alternator", "--turns", "100", "--repetitions", "2"
    )
    assert code == 0
    assert "A: C" in out and "Over 2 matches" in out


def test_strategy_parameters(capsys):
    code, out, _ = run_cli(capsys, "match", "random:p=1", "all_d", "--turns", "5", "--json")
    assert json.loads(out)["history_a"] == "CCCCC"


def test_unknown_strategy_lists_valid_ones(capsys):
    code, _, err = run_cli(capsys, "match", "tit_for_tatt", "all_d")
    assert code == 2
    assert "did you mean 'tit_for_tat'" in err
    assert all(key in err for key in STRATEGIES)
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--noise", "2"], r"--noise: must be a number in [0, 1], got '2'"),
        (["--noise", "x"], r"--noise: must be a number in [0, 1]"),
        (["--turns", "0"], r"--turns: must be an integer in [1, 10000000]"),
        (["--continuation", "1"], r"--continuation: must be a number in [0, 1)"),
        (["--repetitions", "-1"], "--repetitions: must be an integer in [1, "),
        (["--reward", "nan"], "--reward: must be a number in"),
        (["--seed", "-1"], "--seed: must be an integer in [0, "),
    ],
)
def test_bad_numbers_give_the_range(capsys, argv, message):
    with pytest.raises(SystemExit) as exc:
        main(["match", "tit_for_tat", "all_d", *argv])
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_bad_strategy_parameter(capsys):
    code, _, err = run_cli(capsys, "match", "random:p=3", "all_d")
    assert code == 2 and "random p must be in [0, 1], got 3.0" in err
    code, _, err = run_cli(capsys, "match", "random:q", "all_d")
    assert code == 2 and "name=number" in err


def test_no_traceback_from_the_command_line():
    proc = subprocess.run(
        [sys.executable, "-m", "trustsim", "match", "nobody", "all_d"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("trustsim match: error: unknown strategy 'nobody'")
    assert "Traceback" not in proc.stderr


def test_demo_prints_rounds_and_writes_figure(capsys, tmp_path):
    out_png = tmp_path / "demo.png"
    code, out, _ = run_cli(capsys, "demo", "--out", str(out_png))
    assert code == 0
    assert "quarter" in out and "power station" in out
    assert sum(ln.strip()[:1].isdigit() for ln in out.splitlines()) == 12
    assert out_png.stat().st_size > 10_000
