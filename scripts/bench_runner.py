"""Benchmark the sweep runner against calling the model in a plain loop.

Prints the figures of issue 5:

1. the runner's overhead with one worker against a plain loop of ``trustsim.simulate`` over the
   same runs (target under 5 %), in wall and CPU time, and within the same sweep as the time
   spent outside ``simulate`` over the time inside it (immune to load changing between runs);
2. the speed-up with two workers against one (target at least 1.8 on an idle 2-core machine);
3. the wall time of a 1,000-run sweep of the minimal scenario over 25 years on 2 workers
   (target under 60 s);
4. the same 2-worker speed-up from a multi-threaded session such as a notebook, where workers
   come from a forkserver: for the session's first sweep (which starts the forkserver) and the
   next ones.

Like the ``trustsim`` command, this script keeps BLAS and Arrow to one thread, so figures 1-3
use forked workers (:mod:`trustsim.sweep.workers`); figure 4 runs in a subprocess without
that limit.

Timings on a shared machine are only as good as the CPU it gives: each line also shows the
cores the sweep actually used (CPU time of this process and its pool workers over wall time),
and the load average is printed, so a slow figure can be told from a busy machine.

Usage: ``python scripts/bench_runner.py [--runs 500] [--years 25] [--big-runs 1000]``.
"""

from __future__ import annotations

import sys

from trustsim.sweep.workers import limit_native_threads

if "--forkserver-session" not in sys.argv:
    limit_native_threads()  # as the trustsim command does, before numpy loads

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from trustsim import simulate  # noqa: E402
from trustsim.sweep.runner import run_sweep  # noqa: E402
from trustsim.sweep.seeding import run_seed  # noqa: E402
from trustsim.sweep.spec import parse_spec  # noqa: E402
from trustsim.sweep.workers import SINGLE_THREADED  # noqa: E402


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


def cpu_times() -> float:
    """CPU seconds of this process and its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def plain_loop(raw: dict) -> tuple[float, float]:
    """Wall and CPU time of calling simulate for every run of the spec."""
    parsed = parse_spec(raw)
    start, cpu = time.perf_counter(), cpu_times()
    for point, values in enumerate(parsed.points):
        for replicate in range(parsed.replicates):
            simulate(
                parsed.scenario,
                seed=run_seed(parsed.seed, point, replicate),
                years=parsed.years,
                overrides={**parsed.fixed, **values},
            )
    return time.perf_counter() - start, cpu_times() - cpu


class TimedSimulate:
    """``simulate`` that adds up the wall time spent inside it (for in-process sweeps)."""

    def __init__(self) -> None:
        self.inside = 0.0

    def __call__(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return simulate(*args, **kwargs)
        finally:
            self.inside += time.perf_counter() - start


def timed_sweep(raw: dict, workers: int, root: Path, run_fn=None) -> tuple[float, float]:
    """Wall time and CPU time (this process and its pool workers) of a sweep."""
    out = root / f"w{workers}-{time.monotonic_ns()}"
    start, cpu = time.perf_counter(), cpu_times()
    report = run_sweep(raw, out, workers=workers, progress=False, run_fn=run_fn)
    elapsed = time.perf_counter() - start, cpu_times() - cpu
    if report.n_failed:
        raise SystemExit(f"{report.n_failed} runs failed in {out}")
    method = json.loads((out / "metadata.json").read_text())["sessions"][-1]["start_method"]
    if workers > 1 and method != START_METHOD:
        raise SystemExit(f"workers started by {method}, not {START_METHOD}")
    shutil.rmtree(out)
    return elapsed


#: How this process expects its pool workers to start (``forkserver`` in figure 4's subprocess).
START_METHOD = "fork"


def forkserver_session(raw: dict, repeats: int) -> None:
    """Figure 4, in this process: 1 worker, then 2 workers from a forkserver, cold then warm."""
    import numpy  # noqa: F401 - starts BLAS threads, as in a notebook

    global START_METHOD
    START_METHOD = "forkserver"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        timed_sweep(spec(2, 1, "warm_up"), 1, root)
        one = min(timed_sweep(raw, 1, root)[0] for _ in range(repeats))
        cold = timed_sweep(raw, 2, root)[0]
        warm = min(timed_sweep(raw, 2, root)[0] for _ in range(repeats))
    print(json.dumps({"one": one, "cold": cold, "warm": warm}))


def worker_start_up() -> float:
    """CPU seconds a fresh interpreter spends importing what a pool worker needs."""
    before = cpu_times()
    subprocess.run([sys.executable, "-c", "import trustsim.park.model, trustsim.sweep.runner"],
                   check=True)
    return cpu_times() - before


def line(label: str, wall: float, cpu: float, extra: str = "") -> str:
    return (
        f"  {label:<26} wall {wall:7.2f} s  cpu {cpu:7.2f} s  cores used {cpu / wall:4.2f}{extra}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500, help="runs of the short sweep")
    parser.add_argument("--years", type=int, default=25, help="years of each short run")
    parser.add_argument("--big-runs", type=int, default=1000, help="runs of the 25-year sweep")
    parser.add_argument("--repeats", type=int, default=2, help="best of this many timings")
    parser.add_argument("--forkserver-session", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    short = spec(args.runs, args.years, "bench_short")
    if args.forkserver_session:
        forkserver_session(short, args.repeats)
        return
    n = parse_spec(short).n_runs
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        timed_sweep(spec(2, 1, "warm_up"), 1, root)  # one-off imports, as in any session
        start_up = worker_start_up()
        loops, ones, twos, outside = [], [], [], []
        for _ in range(args.repeats):  # interleaved, so a change of machine load hits all
            loops.append(plain_loop(short))
            timed = TimedSimulate()
            ones.append(timed_sweep(short, 1, root, run_fn=timed))
            outside.append(ones[-1][0] / timed.inside - 1)
            twos.append(timed_sweep(short, 2, root))
        big = spec(args.big_runs, 25, "bench_big")
        n_big = parse_spec(big).n_runs
        big_wall, big_cpu = timed_sweep(big, 2, root)
    unlimited = {k: v for k, v in os.environ.items() if k not in SINGLE_THREADED}
    session = subprocess.run(
        [sys.executable, __file__, "--forkserver-session", *sys.argv[1:]],
        env=unlimited,
        capture_output=True,
        text=True,
    )
    if session.returncode:
        raise SystemExit(f"the forkserver session failed:\n{session.stderr}")
    notebook = json.loads(session.stdout.strip().splitlines()[-1])
    loop, loop_cpu = min(loops)
    one, one_cpu = min(ones)
    two, two_cpu = min(twos)

    print(f"load average before {load_before:.2f}, after {os.getloadavg()[0]:.2f}; 2 cores")
    print(f"worker start-up (imports in a fresh interpreter): {start_up:.2f} s CPU")
    print(
        f"short sweep: {n} runs of the minimal scenario over {args.years} years, best of "
        f"{args.repeats}"
    )
    print(
        line("plain loop of simulate", loop, loop_cpu, f"  ({1000 * loop_cpu / n:.2f} ms CPU/run)")
    )
    print(
        line(
            "runner, 1 worker",
            one,
            one_cpu,
            f"  overhead wall {100 * (one / loop - 1):+.1f} %, "
            f"CPU {100 * (one_cpu / loop_cpu - 1):+.1f} %",
        )
    )
    print(f"  {'':<26} same sweep: time outside simulate / inside {100 * min(outside):+.1f} %")
    print(
        line(
            "runner, 2 workers",
            two,
            two_cpu,
            f"  speed-up {one / two:.2f} x vs 1 worker, {loop / two:.2f} x vs the loop",
        )
    )
    print(f"big sweep: {n_big} runs of the minimal scenario over 25 years")
    print(
        line("runner, 2 workers", big_wall, big_cpu, f"  ({1000 * big_cpu / n_big:.2f} ms CPU/run)")
    )
    print("short sweep from a multi-threaded session (workers from a forkserver):")
    print(f"  {'runner, 1 worker':<26} wall {notebook['one']:7.2f} s")
    for label in ("cold", "warm"):
        wall = notebook[label]
        first = "first sweep: starts the forkserver" if label == "cold" else "later sweeps"
        print(
            f"  {'runner, 2 workers, ' + label:<26} wall {wall:7.2f} s  speed-up "
            f"{notebook['one'] / wall:.2f} x  ({first})"
        )


if __name__ == "__main__":
    main()
