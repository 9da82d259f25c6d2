"""``trustsim demo``: two plant managers and one by-product exchange, round by round.

The power station supplies surplus steam to the refinery every quarter. Each quarter both
managers either honour the deal (C: deliver the agreed steam, pay the agreed price) or cut
corners (D). The payoffs are the default exchange game (R, S, T, P) = (3, 0, 5, 1). The demo
prints one exchange quarter by quarter, then draws the cumulative payoffs of three pairings of
strategies to ``figures/demo_cumulative_payoffs.png``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

#: Pairings drawn in the figure: (power station, refinery).
PAIRINGS = (
    ("tit_for_tat", "tit_for_tat"),
    ("tit_for_tat", "all_d"),
    ("generous_tit_for_tat", "tit_for_tat"),
)
DEFAULT_OUT = Path("figures/demo_cumulative_payoffs.png")


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the ``demo`` subcommand."""
    p = sub.add_parser(
        "demo",
        help="two plant managers, one exchange, round by round, and a figure",
        description=(
            "A power station sells surplus steam to a refinery. Each quarter both managers "
            "honour the deal or cut corners; watch trust being built and lost, then compare "
            "three pairings of strategies in figures/demo_cumulative_payoffs.png."
        ),
    )
    p.add_argument("--a", default="tit_for_tat", help="power station manager's strategy")
    p.add_argument("--b", default="win_stay_lose_shift", help="refinery manager's strategy")
    p.add_argument("--turns", type=int, default=12, metavar="N", help="quarters (default 12)")
    p.add_argument(
        "--noise",
        type=float,
        default=0.1,
        metavar="E",
        help="chance that a manager's intention goes wrong (default 0.1)",
    )
    p.add_argument("--seed", type=int, default=45, metavar="S", help="random seed (default 45)")
    p.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, metavar="PNG", help=f"figure ({DEFAULT_OUT})"
    )
    p.add_argument("--no-figure", action="store_true", help="print the exchange only")
    return p


def run(args: argparse.Namespace) -> int:
    """Print the exchange and write the figure."""
    import numpy as np

    from trustsim.cli.match import parse_strategy
    from trustsim.game.games import StageGame
    from trustsim.game.match import play_match

    game = StageGame()
    a, b = parse_strategy(args.a), parse_strategy(args.b)
    if not args.no_figure:
        check_figure_path(args.out)
    m = play_match(a, b, game, turns=args.turns, noise=args.noise, rng=args.seed)
    word = {0: "honours  ", 1: "cuts corners"}
    print("A power station (A) sells surplus steam to a refinery (B), quarter by quarter.")
    print(
        f"A plays {a}, B plays {b}. Honouring both: {game.reward:g} each; cheating an honest "
        f"partner: {game.temptation:g} (the partner gets {game.sucker:g}); both cheat: "
        f"{game.punishment:g} each. Mistakes happen with probability {args.noise:g}."
    )
    print()
    print("quarter  power station   refinery        payoff A  payoff B   total A  total B")
    ca, cb = np.cumsum(m.payoffs_a), np.cumsum(m.payoffs_b)
    for r in range(m.turns):
        print(
            f"{r + 1:7d}  {word[int(m.history_a[r])]:<14}  {word[int(m.history_b[r])]:<14}"
            f"  {m.payoffs_a[r]:8g}  {m.payoffs_b[r]:8g}  {ca[r]:8g} {cb[r]:8g}"
        )
    print()
    print(
        f"After {m.turns} quarters: A earned {m.score_a:g}, B earned {m.score_b:g} "
        f"(always honouring would give {game.reward * m.turns:g} each)."
    )
    if not args.no_figure:
        path = draw_pairings(args.out, turns=max(args.turns, 40), noise=args.noise, seed=args.seed)
        print(f"Figure: {path}")
    return 0


def check_figure_path(out: Path) -> None:
    """Check, before the match, that the figure can be written at ``out`` in its format.

    Raises:
        UserError: An unknown image format, or a path that cannot be written.
    """
    from matplotlib.figure import Figure

    from trustsim.cli.paths import check_output_file
    from trustsim.errors import UserError

    formats = Figure().canvas.get_supported_filetypes()
    suffix = out.suffix.lstrip(".").lower() or "png"
    if suffix not in formats:
        raise UserError(
            f"--out {out}: unknown image format {suffix!r}; allowed: {', '.join(sorted(formats))}"
        )
    check_output_file(out)


def draw_pairings(out: Path, *, turns: int, noise: float, seed: int) -> Path:
    """Plot the cumulative payoffs of :data:`PAIRINGS` and save the PNG at ``out``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from trustsim.figures import styles
    from trustsim.figures.plotting import save_figure
    from trustsim.game.games import StageGame
    from trustsim.game.match import play_match
    from trustsim.game.strategies import get_strategy

    with styles.paper():
        fig, axes = plt.subplots(1, len(PAIRINGS), figsize=(9, 3), sharey=True)
        for ax, (ka, kb) in zip(axes, PAIRINGS, strict=True):
            a, b = get_strategy(ka), get_strategy(kb)
            m = play_match(a, b, turns=turns, noise=noise, rng=seed)
            x = np.arange(1, m.turns + 1)
            ax.plot(x, np.cumsum(m.payoffs_a), label=f"A: {a.name}")
            ax.plot(x, np.cumsum(m.payoffs_b), linestyle="--", label=f"B: {b.name}")
            ax.plot(
                x, StageGame().reward * x, color="0.6", linewidth=0.8, label="both always honour"
            )
            ax.set_title(f"{a.name} vs {b.name}", fontsize=9)
            ax.set_xlabel("quarter")
            ax.legend(fontsize=7, loc="upper left")
        axes[0].set_ylabel("cumulative payoff")
        out = Path(out)
        (path,) = save_figure(fig, out.with_suffix(""), formats=(out.suffix.lstrip(".") or "png",))
        plt.close(fig)
    return path
