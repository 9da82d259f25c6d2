"""Match throughput of trustsim's batch kernel against the Axelrod library.

Plays the same memory-one pairings (200 turns, execution noise) with
``trustsim.game.match.play_batch`` and with ``axelrod.Match`` in a loop, and prints matches per
second for both and the ratio.
CPU time (``time.process_time``) is the headline because shared machines make wall time noisy;
wall time is printed too.

    python scripts/bench_kernel.py [--matches 20000] [--axelrod-matches 100] [--turns 200]
"""

from __future__ import annotations

import argparse
import time
import warnings

PAIRS = [
    ("tit_for_tat", "win_stay_lose_shift"),
    ("generous_tit_for_tat", "all_d"),
    ("win_stay_lose_shift", "win_stay_lose_shift"),
    ("grim_trigger", "tit_for_tat"),
]
AXELROD = {
    "tit_for_tat": "TitForTat",
    "win_stay_lose_shift": "WinStayLoseShift",
    "generous_tit_for_tat": "GTFT",
    "all_d": "Defector",
    "grim_trigger": "Grudger",
}


def timed(fn):
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w0, time.process_time() - c0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--matches", type=int, default=20_000, help="trustsim matches per pairing")
    ap.add_argument("--axelrod-matches", type=int, default=100, help="Axelrod matches per pairing")
    ap.add_argument("--turns", type=int, default=200)
    ap.add_argument("--noise", type=float, default=0.05)
    args = ap.parse_args()

    from trustsim.game.match import play_batch

    play_batch("tit_for_tat", "all_d", 10, turns=5)  # warm up imports
    ours = {}
    for a, b in PAIRS:
        res, wall, cpu = timed(
            lambda a=a, b=b: play_batch(
                a, b, args.matches, turns=args.turns, noise=args.noise, rng=1
            )
        )
        ours[(a, b)] = (res.mean_score_a, res.mean_score_b, wall, cpu)

    warnings.simplefilter("ignore")
    import axelrod as axl  # after trustsim's timing: importing it changes process settings

    theirs = {}
    for a, b in PAIRS:

        def loop(a=a, b=b):
            sa = sb = 0.0
            for i in range(args.axelrod_matches):
                players = (getattr(axl, AXELROD[a])(), getattr(axl, AXELROD[b])())
                m = axl.Match(players, turns=args.turns, noise=args.noise, seed=i)
                m.play()
                x, y = m.final_score()
                sa, sb = sa + x, sb + y
            return sa / args.axelrod_matches, sb / args.axelrod_matches

        (ma, mb), wall, cpu = timed(loop)
        theirs[(a, b)] = (ma, mb, wall, cpu)

    print(
        f"{args.turns} turns, noise {args.noise:g}; trustsim {args.matches} matches per pairing "
        f"(play_batch), Axelrod {axl.__version__} {args.axelrod_matches} (axl.Match loop)"
    )
    print(
        f"{'pairing':44s} {'mean A/B trustsim':>18s} {'mean A/B axelrod':>18s} "
        f"{'trustsim/s':>11s} {'axelrod/s':>10s} {'ratio':>7s}"
    )
    tot = [0.0, 0.0, 0.0, 0.0]
    for a, b in PAIRS:
        oa, ob, ow, oc = ours[(a, b)]
        ta, tb, tw, tc = theirs[(a, b)]
        r_ours, r_theirs = args.matches / oc, args.axelrod_matches / tc
        tot = [tot[0] + oc, tot[1] + tc, tot[2] + ow, tot[3] + tw]
        print(
            f"{a + ' vs ' + b:44s} {oa:8.1f}/{ob:<9.1f} {ta:8.1f}/{tb:<9.1f} "
            f"{r_ours:11.0f} {r_theirs:10.1f} {r_ours / r_theirs:7.0f}x"
        )
    n_ours, n_theirs = args.matches * len(PAIRS), args.axelrod_matches * len(PAIRS)
    cpu_ratio = (n_ours / tot[0]) / (n_theirs / tot[1])
    wall_ratio = (n_ours / tot[2]) / (n_theirs / tot[3])
    print(
        f"overall (CPU time): trustsim {n_ours / tot[0]:.0f} matches/s, Axelrod "
        f"{n_theirs / tot[1]:.1f} matches/s, ratio {cpu_ratio:.0f}x"
    )
    print(
        f"overall (wall time): trustsim {n_ours / tot[2]:.0f} matches/s, Axelrod "
        f"{n_theirs / tot[3]:.1f} matches/s, ratio {wall_ratio:.0f}x"
    )


if __name__ == "__main__":
    main()
