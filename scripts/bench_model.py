"""Benchmark the symbiosis model (prints figures; targets from issues 3 and 16).

Run: .venv/bin/python scripts/bench_model.py [--quick] [--scale-only] [--imitation]

The scale figures (issue 16) run a facilitated region of 2,000 and of 20,000 firms over 20
years, each in a fresh process whose address space is capped (``--memory-gb``, as
``ulimit -v``), and print median wall and CPU time, peak resident memory and their ratios.
``--imitation`` runs them with imitating managers (a fifth of them always defecting), whose
neighbour lists are sparse like the rest of the per-pair state.
"""

import argparse
import math
import multiprocessing
import resource
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


#: The imitation variant of the scale runs: two strategies, so managers have something to copy.
IMITATION = {"adaptation": "imitation", "rival_strategy": "all_d", "rival_share": 0.2}


def _scale_run(n_firms, seed, memory_gb, overrides, out):
    """One facilitated region of ``n_firms`` over 20 years in this (child) process."""
    cap = int(memory_gb * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))  # ulimit -v for this process only
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        # the NISP-like density of the scenario's default (500 firms on a 120 km square)
        model = SymbiosisPark("facilitated", rng=seed, n_facilities=n_firms,
                              region_km=120.0 * math.sqrt(n_firms / 500), **overrides)
        model.run_years(20)
        s = model.state
        out.put({"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0,
                 "peak_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
                 "candidates": len(s.cand), "formed": int(model.ex.n),
                 "active": int(model.ex.active_ids().size),
                 "pairs": {name: int(getattr(s, name).keys.size)
                           for name in ("trust", "ties", "met", "near", "corridors")}})
    except MemoryError:
        out.put({"error": f"over the {memory_gb:g} GB address-space cap"})


def scale_runs(n_firms, repeats, memory_gb, overrides):
    """Medians of wall time, CPU time and peak memory over seeds 0..repeats-1."""
    ctx = multiprocessing.get_context("spawn")
    runs = []
    for seed in range(repeats):
        out = ctx.Queue()
        child = ctx.Process(target=_scale_run, args=(n_firms, seed, memory_gb, overrides, out))
        child.start()
        result = out.get()
        child.join()
        if "error" in result:
            raise SystemExit(f"{n_firms:,} firms, seed {seed}: {result['error']}")
        runs.append(result)
    med = {k: float(np.median([r[k] for r in runs])) for k in ("wall", "cpu", "peak_gb")}
    return med, runs[-1]


def scale(repeats, memory_gb, overrides):
    """Print the 2,000 vs 20,000-firm facilitated-region figures (issue 16 targets)."""
    small, s_last = scale_runs(2000, repeats, memory_gb, overrides)
    big, b_last = scale_runs(20000, repeats, memory_gb, overrides)
    if overrides:
        print("with " + ", ".join(f"{k}={v}" for k, v in overrides.items()))
    for n, med, last in ((2000, small, s_last), (20000, big, b_last)):
        pairs = ", ".join(f"{k} {v:,}" for k, v in last["pairs"].items())
        print(f"facilitated region of {n:,} firms, 20 years (median of {repeats}): "
              f"{med['wall']:.1f} s, CPU {med['cpu']:.1f} s, peak {med['peak_gb']:.2f} GB; "
              f"{last['candidates']:,} candidate matches, {last['formed']:,} exchanges formed, "
              f"{last['active']:,} active; stored pairs: {pairs}")
    print(f"20,000 vs 2,000 firms: wall {big['wall'] / small['wall']:.1f}x, "
          f"CPU {big['cpu'] / small['cpu']:.1f}x (target <= 15x); "
          f"peak {big['peak_gb']:.2f} GB (target < 4 GB; cap {memory_gb:g} GB)")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--scale-only", action="store_true",
                        help="only the 2,000 vs 20,000-firm figures")
    parser.add_argument("--memory-gb", type=float, default=6.0,
                        help="address-space cap of each scale run, GB (as ulimit -v)")
    parser.add_argument("--imitation", action="store_true",
                        help="scale runs with imitating managers (" +
                        ", ".join(f"{k}={v}" for k, v in IMITATION.items()) + ")")
    args = parser.parse_args()
    overrides = IMITATION if args.imitation else {}
    reps = 2 if args.quick else 5
    if args.scale_only:
        scale(1 if args.quick else 3, args.memory_gb, overrides)
        return

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

    scale(1 if args.quick else 3, args.memory_gb, overrides)


if __name__ == "__main__":
    main()
