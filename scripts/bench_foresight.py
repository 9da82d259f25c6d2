"""Benchmark the forward-looking valuation (prints figures; issue 12).

Speed: exchanges solved per second by :func:`trustsim.park.foresight.solve`, median of the
repeats, at grid 101 and 201 and patience 0.95 and 0.99, on random park-like rules.
Grid error: the same rules solved at grid 801 are the reference; printed are the largest
relative error of the honour and cheat values at random trust levels (median, 99th percentile
and largest, relative to the exchange's largest value), the share of (exchange, trust) queries
whose decision differs from the reference's, and the largest regret of those decisions (the
reference value given up, relative to the exchange's largest value).

Run: .venv/bin/python scripts/bench_foresight.py [--quick]
"""

import argparse
import time

import numpy as np

from trustsim.park.foresight import Rules, solve


def park_rules(n: int, patience: float, rng: np.random.Generator) -> Rules:
    """Random rules of the park's kind: S = -g, T = R + g, trust rules near the defaults."""
    reward = rng.uniform(1.0, 4.0, n)
    gain = rng.uniform(0.2, 2.0, n) * reward
    return Rules(reward=reward, sucker=-gain, temptation=reward + gain,
                 gain=rng.uniform(0.05, 0.3, n), loss=rng.uniform(0.2, 0.8, n),
                 detection=rng.choice([1.0, 0.8], n), misperception=rng.uniform(0.0, 0.1, n),
                 partner_cheats_below=rng.choice([0.0, 0.4, 0.5], n),
                 exit_below=rng.uniform(0.1, 0.3, n), fine=rng.choice([0.0, 0.5], n) * reward,
                 reputation=rng.choice([0.0, 2.0], n) * reward, patience=patience)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer exchanges and repeats")
    args = parser.parse_args()
    n, repeats = (64, 1) if args.quick else (256, 3)
    rng = np.random.default_rng(2026)
    trust = rng.uniform(0.3, 1.0, (n, 50))
    print(f"{n} exchanges, median of {repeats} solves")
    print(f"{'grid':>5} {'patience':>8} {'exchanges/s':>12} {'sweeps':>6} "
          f"{'value err p50':>13} {'p99':>9} {'max':>9} {'decisions differ':>16} {'regret':>8}")
    for patience in (0.95, 0.99):
        rules = park_rules(n, patience, np.random.default_rng(7))
        ref = solve(rules, 801)
        ref_h, ref_c = ref.values(trust)
        scale = np.maximum(np.abs(ref_h), np.abs(ref_c)).max(axis=1, keepdims=True)
        for grid in (101, 201):
            times = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                valuation = solve(rules, grid)
                times.append(time.perf_counter() - t0)
            h, c = valuation.values(trust)
            rel = np.maximum(np.abs(h - ref_h), np.abs(c - ref_c)) / scale
            p50, p99, top = np.percentile(rel, [50, 99, 100])
            wrong = (h >= c) != (ref_h >= ref_c)
            regret = (np.abs(ref_h - ref_c) * wrong / scale).max()
            print(f"{grid:>5} {patience:>8} {n / np.median(times):>12.0f} "
                  f"{valuation.iterations:>6} {p50:>13.1e} {p99:>9.1e} {top:>9.1e} "
                  f"{wrong.mean():>16.4f} {regret:>8.1e}")


if __name__ == "__main__":
    main()
