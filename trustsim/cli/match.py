"""``trustsim match A B``: play two strategies against each other and show the rounds."""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

#: Default number of rounds: short enough to read round by round in class.
DEFAULT_TURNS = 10
#: How the plain output names each game class.
CLASS_LABELS = {
    "prisoners_dilemma": "prisoner's dilemma",
    "stag_hunt": "stag hunt",
    "snowdrift": "snowdrift",
    "harmony": "harmony",
    "other": "other game",
}
#: Above this many rounds the plain output shows the actions as strings, not a table.
TABLE_ROWS = 40


def _number(low: float, high: float, *, integer: bool = False, open_high: bool = False):
    """An argparse type accepting numbers in [low, high] (or [low, high)), naming the range."""
    bracket = ")" if open_high else "]"
    kind = "an integer" if integer else "a number"
    rng = f"[{low:d}, {high:d}{bracket}" if integer else f"[{low:g}, {high:g}{bracket}"

    def parse(text: str) -> float | int:
        try:
            value = int(text) if integer else float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {kind} in {rng}, got {text!r}") from None
        ok = low <= value < high if open_high else low <= value <= high
        if not ok or (not integer and not math.isfinite(value)):
            raise argparse.ArgumentTypeError(f"must be {kind} in {rng}, got {text!r}")
        return value

    return parse


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the ``match`` subcommand."""
    p = sub.add_parser(
        "match",
        help="play two strategies against each other",
        description=(
            "Play an iterated exchange game between strategies A and B and print the rounds. "
            "A strategy is a key (see the error for the list) with optional parameters, e.g. "
            "generous_tit_for_tat:generosity=0.2 or random:p=0.7."
        ),
    )
    p.add_argument("a", metavar="A", help="strategy of player A, e.g. tit_for_tat")
    p.add_argument("b", metavar="B", help="strategy of player B, e.g. all_d")
    length = p.add_mutually_exclusive_group()
    length.add_argument(
        "--turns",
        type=_number(1, 10_000_000, integer=True),
        metavar="N",
        help=f"rounds per match (default {DEFAULT_TURNS})",
    )
    length.add_argument(
        "--continuation",
        type=_number(0, 1, open_high=True),
        metavar="W",
        help="probability that another round follows (random length, mean 1/(1-W))",
    )
    p.add_argument(
        "--repetitions",
        type=_number(1, 10_000_000, integer=True),
        default=1,
        metavar="K",
        help="number of matches; means are over all of them (default 1)",
    )
    p.add_argument(
        "--noise",
        type=_number(0, 1),
        default=0.0,
        metavar="E",
        help="probability that an intended action is flipped (default 0)",
    )
    p.add_argument(
        "--seed",
        type=_number(0, 2**63 - 1, integer=True),
        default=0,
        metavar="S",
        help="random seed (default 0)",
    )
    for name, default, letter in (
        ("reward", 3.0, "R"),
        ("sucker", 0.0, "S"),
        ("temptation", 5.0, "T"),
        ("punishment", 1.0, "P"),
    ):
        p.add_argument(
            f"--{name}",
            type=_number(-1e12, 1e12),
            default=default,
            metavar=letter,
            help=f"payoff {letter} (default {default:g})",
        )
    p.add_argument("--json", action="store_true", help="print one JSON object instead")
    return p


def parse_strategy(text: str) -> Any:
    """Build a strategy from ``key`` or ``key:name=value,name=value``."""
    from trustsim.errors import UserError
    from trustsim.game.strategies import get_strategy

    key, _, rest = text.partition(":")
    params: dict[str, float] = {}
    for item in filter(None, rest.split(",")):
        name, eq, value = item.partition("=")
        try:
            if not eq:
                raise ValueError
            number = float(value)
        except ValueError:
            raise UserError(
                f"strategy parameters look like {key}:name=number, got {item!r}"
            ) from None
        if name.strip() in params:
            raise UserError(f"strategy {key}: parameter {name.strip()!r} is given twice")
        params[name.strip()] = number
    return get_strategy(key.strip(), **params)


def run(args: argparse.Namespace) -> int:
    """Play the matches and print them."""
    from trustsim.game.games import StageGame
    from trustsim.game.match import play_batch, play_match

    a, b = parse_strategy(args.a), parse_strategy(args.b)
    game = StageGame(
        reward=args.reward,
        sucker=args.sucker,
        temptation=args.temptation,
        punishment=args.punishment,
    )
    turns = args.turns
    if turns is None and args.continuation is None:
        turns = DEFAULT_TURNS
    setup = {"turns": turns, "continuation": args.continuation, "noise": args.noise}
    res = play_batch(a, b, args.repetitions, game, rng=args.seed, keep_history=False, **setup)
    first = play_match(a, b, game, rng=args.seed, match_index=0, **setup)  # = batch match 0
    if args.json:
        out = {
            "player_a": a.key,
            "player_b": b.key,
            "params_a": a.params,
            "params_b": b.params,
            "game": {
                "reward": game.reward,
                "sucker": game.sucker,
                "temptation": game.temptation,
                "punishment": game.punishment,
            },
            "turns": turns,
            "continuation": args.continuation,
            "noise": args.noise,
            "seed": args.seed,
            "repetitions": args.repetitions,
            "history_a": first.history_string("a"),
            "history_b": first.history_string("b"),
            "score_a": first.score_a,
            "score_b": first.score_b,
            "mean_score_a": res.mean_score_a,
            "mean_score_b": res.mean_score_b,
        }
        print(json.dumps(out))
        return 0

    length = f"{turns} rounds" if turns is not None else f"continuation {args.continuation:g}"
    print(f"A: {a}    B: {b}")
    print(
        f"Game: R={game.reward:g} S={game.sucker:g} T={game.temptation:g} "
        f"P={game.punishment:g} ({CLASS_LABELS[game.classify()]}); {length}; "
        f"noise {args.noise:g}; seed {args.seed}"
    )
    print()
    if first.turns <= TABLE_ROWS:
        print("round   A  B   payoff A  payoff B")
        for r in range(first.turns):
            print(
                f"{r + 1:5d}   {'CD'[first.history_a[r]]}  {'CD'[first.history_b[r]]}   "
                f"{first.payoffs_a[r]:8g}  {first.payoffs_b[r]:8g}"
            )
        print(f"total          {first.score_a:9g} {first.score_b:9g}")
    else:
        print(f"A: {first.history_string('a')}")
        print(f"B: {first.history_string('b')}")
        print(f"{first.turns} rounds; total A {first.score_a:g}, B {first.score_b:g}")
    print(
        f"cooperation: A {first.cooperation_a:.0%}, B {first.cooperation_b:.0%}; "
        f"per round: A {first.score_a / first.turns:.3g}, B {first.score_b / first.turns:.3g}"
    )
    if args.repetitions > 1:
        print()
        print(
            f"Over {args.repetitions} matches: mean total A {res.mean_score_a:.4g}, "
            f"B {res.mean_score_b:.4g}; mean length {res.lengths.mean():.4g} rounds"
        )
    return 0
