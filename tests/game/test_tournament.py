import numpy as np
import pytest

from trustsim.errors import UserError
from trustsim.game.games import StageGame
from trustsim.game.match import play_batch
from trustsim.game.strategies import get_strategy
from trustsim.game.tournament import round_robin


def test_score_matrix_of_deterministic_players():
    res = round_robin(["all_c", "all_d", "tit_for_tat"], turns=10)
    assert res.names == ["Always Cooperate", "Always Defect", "Tit For Tat"]
    # Row player's payoff per round against the column player.
    want = np.array(
        [
            [3.0, 0.0, 3.0],
            [5.0, 1.0, (5 + 9 * 1) / 10],
            [3.0, (0 + 9 * 1) / 10, 3.0],
        ]
    )
    assert np.allclose(res.scores, want)
    assert np.allclose(res.cooperation[2], [1.0, 0.1, 1.0])
    ranking = res.ranking()
    # All-defect 7.4/3 beats tit-for-tat 6.9/3 in this small field.
    assert [name for name, _ in ranking] == ["Always Defect", "Tit For Tat", "Always Cooperate"]
    assert ranking[0][1] == pytest.approx(np.mean(want[1]))


def test_without_self_play_the_diagonal_is_empty():
    res = round_robin(["all_c", "all_d"], turns=5, self_play=False)
    assert np.isnan(np.diag(res.scores)).all()
    assert res.mean_scores().tolist() == [0.0, 5.0]
    assert len(res.records) == 1


def test_tidy_table_and_repetitions():
    res = round_robin(
        ["random", "tit_for_tat", "win_stay_lose_shift"],
        continuation=0.9,
        noise=0.05,
        repetitions=4,
        rng=3,
    )
    table = res.table()
    assert len(table) == 6 * 4  # 3 pairs + 3 self-pairs, 4 repetitions each
    assert list(table.columns) == [
        "player_a",
        "player_b",
        "repetition",
        "turns",
        "score_a",
        "score_b",
        "cooperation_a",
        "cooperation_b",
    ]
    assert table["cooperation_a"].between(0, 1).all()
    # Per-round score of a pair = total payoff / total rounds over its matches.
    pair = table[(table.player_a == "Random (p=0.5)") & (table.player_b == "Tit For Tat")]
    assert res.scores[0, 1] == pytest.approx(pair.score_a.sum() / pair.turns.sum())
    assert res.scores[1, 0] == pytest.approx(pair.score_b.sum() / pair.turns.sum())


def test_seeded_and_each_pairing_is_a_batch():
    kw = {"turns": 20, "noise": 0.1, "repetitions": 5, "rng": 11}
    first = round_robin(["random", "generous_tit_for_tat"], **kw)
    again = round_robin(["random", "generous_tit_for_tat"], **kw)
    assert np.array_equal(first.scores, again.scores)
    batch = play_batch(
        "random",
        "generous_tit_for_tat",
        5,
        turns=20,
        noise=0.1,
        rng=np.random.SeedSequence(11, spawn_key=(0, 1)),
    )
    assert np.allclose(first.table().query("repetition >= 0").score_a.iloc[5:10], batch.score_a)


def test_repeated_strategies_are_numbered_and_parameters_shown():
    res = round_robin(
        [get_strategy("random", p=0.2), get_strategy("random", p=0.2), "all_c"],
        StageGame.trust_game(),
        turns=3,
    )
    assert res.names == ["Random (p=0.2) #1", "Random (p=0.2) #2", "Always Cooperate"]


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"strategies": ["all_c"]}, "at least 2 strategies"),
        ({"repetitions": 0}, "repetitions must be an integer >= 1"),
        ({"rng": -1}, "rng must be an int seed >= 0"),
        ({"noise": 3}, r"noise must be in \[0, 1\]"),
    ],
)
def test_bad_input(kw, message):
    args = {"strategies": ["all_c", "all_d"], **kw}
    with pytest.raises(UserError, match=message):
        round_robin(args.pop("strategies"), **args)
