"""Benchmark the sweep runner against calling the model in a plain loop.

Prints three figures (issue 5):

1. the runner's overhead with one worker against a plain loop of ``trustsim.simulate`` over the
   same runs (target under 5 %);
2. the speed-up with two workers against one (target at least 1.8 on an idle 2-core machine);
3. the wall time of a 1,000-run sweep of the minimal scenario over 25 years on 2 workers
   (target under 60 s).

Usage: ``python scripts/bench_runner.py [--runs 500] [--years 5] [--big-runs 1000]``.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from trustsim import simulate
from trustsim.experiment import parse_spec
from trustsim.runner import run_sweep
from trustsim.seeding import run_seed


def spec(runs: int, years: int, name: str) -> dict:
    points = 10
    return {
        "experiment": {
            "name": name,
            "scenario": "minimal",
            "years": years,
            "replicates": max(1, runs // points),
            "seed": 20261128,
        },
        "fixed": {"noise": 0.02},
        "sweep": {"patience": {"low": 0.3, "high": 0.95, "num": points}},
    }


def plain_loop(raw: dict) -> float:
    parsed = parse_spec(raw)
    start = time.perf_counter()
    for point, values in enumerate(parsed.points):
        for replicate in range(parsed.replicates):
            simulate(
                parsed.scenario,
                seed=run_seed(parsed.seed, point, replicate),
                years=parsed.years,
                overrides={**parsed.fixed, **values},
            )
    return time.perf_counter() - start


def timed_sweep(raw: dict, workers: int, root: Path) -> float:
    out = root / f"w{workers}-{time.monotonic_ns()}"
    start = time.perf_counter()
    report = run_sweep(raw, out, workers=workers, progress=False)
    elapsed = time.perf_counter() - start
    if report.n_failed:
        raise SystemExit(f"{report.n_failed} runs failed in {out}")
    shutil.rmtree(out)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500, help="runs of the short sweep")
    parser.add_argument("--years", type=int, default=5, help="years of each short run")
    parser.add_argument("--big-runs", type=int, default=1000, help="runs of the 25-year sweep")
    parser.add_argument("--repeats", type=int, default=2, help="best of this many timings")
    args = parser.parse_args()

    short = spec(args.runs, args.years, "bench_short")
    n = parse_spec(short).n_runs
    simulate("minimal", seed=0, years=1)  # warm imports and caches once
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        loop = min(plain_loop(short) for _ in range(args.repeats))
        one = min(timed_sweep(short, 1, root) for _ in range(args.repeats))
        two = min(timed_sweep(short, 2, root) for _ in range(args.repeats))
        big = spec(args.big_runs, 25, "bench_big")
        n_big = parse_spec(big).n_runs
        big_time = timed_sweep(big, 2, root)

    print(f"short sweep: {n} runs of the minimal scenario over {args.years} years")
    print(f"  plain loop of simulate      {loop:8.2f} s  ({1000 * loop / n:.2f} ms/run)")
    print(f"  runner, 1 worker            {one:8.2f} s  overhead {100 * (one / loop - 1):+.1f} %")
    print(f"  runner, 2 workers           {two:8.2f} s  speed-up {one / two:.2f} x vs 1 worker,")
    print(f"                                          {loop / two:.2f} x vs the plain loop")
    print(f"big sweep: {n_big} runs of the minimal scenario over 25 years, 2 workers")
    print(
        f"  runner, 2 workers           {big_time:8.2f} s  ({1000 * big_time / n_big:.2f} ms/run)"
    )


if __name__ == "__main__":
    main()
