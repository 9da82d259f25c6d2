"""Benchmark the symbiosis model (prints figures; targets from issue 3).

Run: .venv/bin/python scripts/bench_model.py [--quick]
"""

import argparse
import time

import numpy as np

from trustsim.park.metrics import heat_cascade_grades
from trustsim.park.model import SymbiosisPark
from trustsim.park.operation import draw_round, play_round, play_round_reference


def best_of(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def round_speedup(n_active, strategy):
    """Time one round over n_active exchanges: array path vs per-exchange reference."""
    model = SymbiosisPark("region", rng=1, n_facilities=3000, region_km=230.0,
                          strategy=strategy, trust_prior=0.8, search_rate=5.0, broker_year=2000,
                          noise=0.01, turnover_rate=0.0, fragility_scale=0.0)
    while model.ex.active_ids().size < n_active and model.step_count < 400:
        model.step()
    ids = model.ex.active_ids()[:n_active]
    assert ids.size == n_active, f"only {ids.size} active exchanges"
    draws = draw_round(np.random.default_rng(0), model.ex.out[ids], model.fac.out_var)
    t_array = best_of(lambda: play_round(model.state, ids, draws), 20)
    t_ref = best_of(lambda: play_round_reference(model.state, ids, draws), 3)
    return t_array, t_ref


def run_time(scenario, repeats, steps=None, **overrides):
    """Median wall and CPU time of construction plus run, over seeds 0..repeats-1.

    Medians, not means: the machine is shared, and one run slowed by a neighbour would move a
    mean of five.
    """
    times, cpu = [], []
    for seed in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        model = SymbiosisPark(scenario, rng=seed, **overrides)
        if steps is None:
            model.run_years(model.default_years)
        else:
            for _ in range(steps):
                model.step()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return float(np.median(times)), float(np.median(cpu)), model


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    reps = 2 if args.quick else 5

    for strategy in ("forward_looking", "tit_for_tat"):
        t_a, t_r = round_speedup(1000, strategy)
        print(f"round, 1,000 active exchanges ({strategy}): array {t_a * 1e3:.2f} ms, "
              f"reference {t_r * 1e3:.1f} ms, speed-up {t_r / t_a:.0f}x (target >= 20x)")

    t, c, m = run_time("kalundborg", reps)
    print(f"kalundborg 1961-2025 quarterly ({m.step_count} steps), construction included: "
          f"{t:.3f} s per run, CPU {c:.3f} s (target < 0.5 s); "
          f"{m.summary()['active_exchanges']} active")

    t, c, m = run_time("region", reps, steps=500, n_facilities=200)
    print(f"200 facilities, 500 steps: {t:.3f} s per run, CPU {c:.3f} s (target < 0.2 s); "
          f"{m.ex.n} exchanges formed")

    # the generated region keeps its density: side 60 km x sqrt(2000 / 200)
    t, c, m = run_time("region", 1 if args.quick else 2, n_facilities=2000, region_km=190.0)
    print(f"generated region of 2,000 facilities (190 km square), 40 years: {t:.2f} s per run, "
          f"CPU {c:.2f} s (target < 10 s); "
          f"{m.ex.n} exchanges formed, {m.summary()['active_exchanges']} active")

    for firms in (14, 200):
        pairs = np.array([(a, b) for a in range(firms) for b in range(firms) if a != b])
        grade = np.arange(len(pairs)) % 5
        t = best_of(lambda p=pairs, g=grade: heat_cascade_grades(p[:, 0], p[:, 1], g), 5)
        print(f"heat cascade metric, {firms} firms with every heat edge ({len(pairs):,}): "
              f"{t * 1e3:.2f} ms (the simple-path walk took over 40 s at 14 firms)")


if __name__ == "__main__":
    main()
