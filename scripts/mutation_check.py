"""Break the package one change at a time and check that the tests notice (a mutation score).

Each mutation below is a plausible bug in the results store, the runner, the seeding, the
park's accounting or the input checks: the kind of change the tests exist to catch (issue 17
lists the ones an earlier suite missed). The script applies one mutation to the source, runs
the tests that guard that code (stopping at the first failure), restores the file and
reports whether the mutant was killed. It prints one line per mutant and the score.

Why not mutmut: mutmut 3 mutates every operator of a module and reruns the suite per mutant
(hours on ``runner.py`` and ``model.py`` on a 2-core machine), and most of its mutants are
equivalent ones (a changed log message, ``<`` for ``<=`` on a bound no test reaches). A
curated list of behavioural mutants runs in minutes and each survivor names a real gap.

Usage: ``python scripts/mutation_check.py [--only NAME]`` from the repository root (files are
restored even on Ctrl-C). Exit status 1 when a mutant survives.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Mutant:
    name: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]


RESULTS = "trustsim/sweep/results.py"
RUNNER = "trustsim/sweep/runner.py"
MODEL = "trustsim/park/model.py"
STORE_TESTS = ("tests/sweep/test_store_integrity.py", "tests/sweep/test_results.py")
RUNNER_TESTS = ("tests/sweep/test_runner.py",)

MUTANTS = (
    Mutant(
        "an ended exchange never releases the receiver's need",
        MODEL,
        "        np.subtract.at(fac.need_met, ex.need[ids], ex.volume[ids])\n",
        "",
        ("tests/park/test_accounting.py",),
    ),
    Mutant(
        "an ended exchange never releases the supplier's output",
        MODEL,
        "        np.subtract.at(fac.out_committed, ex.out[ids], ex.volume[ids])\n",
        "",
        ("tests/park/test_accounting.py",),
    ),
    Mutant(
        "the runs part is written before its time series",
        RESULTS,
        """        runs = [[row["point"], row["replicate"]] for row in rows]
        if timeseries is not None:
            ts_table = pa.Table.from_pandas(timeseries, preserve_index=False)
            path = self._part_path(self.timeseries_dir, number)
            _write_atomic(_with_header(ts_table, header, runs, "timeseries"), path)
        table = _with_header(_rows_table(rows), header, runs, "runs")
        _write_atomic(table, self._part_path(self.runs_dir, number))""",
        """        runs = [[row["point"], row["replicate"]] for row in rows]
        table = _with_header(_rows_table(rows), header, runs, "runs")
        _write_atomic(table, self._part_path(self.runs_dir, number))
        if timeseries is not None:
            ts_table = pa.Table.from_pandas(timeseries, preserve_index=False)
            path = self._part_path(self.timeseries_dir, number)
            _write_atomic(_with_header(ts_table, header, runs, "timeseries"), path)""",
        ("tests/sweep/test_results.py",),
    ),
    Mutant(
        "parts are written in place, not to a temporary file renamed",
        RESULTS,
        """    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(table, tmp, write_page_checksum=True)
    os.replace(tmp, path)""",
        """    pq.write_table(table, path, write_page_checksum=True)""",
        ("tests/sweep/test_results.py",),
    ),
    Mutant(
        "parts are written without page checksums",
        RESULTS,
        "    pq.write_table(table, tmp, write_page_checksum=True)",
        "    pq.write_table(table, tmp)",
        ("tests/sweep/test_results.py",),
    ),
    Mutant(
        "the content hash is not checked",
        RESULTS,
        "    if content_hash(data) != digest:",
        "    if False:",
        STORE_TESTS,
    ),
    Mutant(
        "a part's ids are not checked against its header",
        RESULTS,
        "    if (table == \"runs\" and ids != runs)",
        "    if (False and ids != runs)",
        STORE_TESTS,
    ),
    Mutant(
        "duplicate parts are loaded twice",
        RESULTS,
        "        if run in owner:\n",
        "        if False:\n",
        STORE_TESTS,
    ),
    Mutant(
        "the spec is not checked again under the lock",
        RUNNER,
        "        metadata = _prepare(store, spec, resume)  # again under the lock: what counts\n",
        "        metadata = store.read_metadata() or _prepare(store, spec, resume)\n",
        ("tests/sweep/test_store_integrity.py",),
    ),
    Mutant(
        "foreign file names in runs/ are accepted",
        RESULTS,
        "        if match is None or not path.is_file():",
        "        if not path.is_file():",
        STORE_TESTS,
    ),
    Mutant(
        "load_results says nothing about an incomplete sweep",
        RESULTS,
        "    if n_rows < expected:",
        "    if False:",
        STORE_TESTS + RUNNER_TESTS,
    ),
    Mutant(
        "run seeds are keyed by (replicate, point)",
        "trustsim/sweep/seeding.py",
        "spawn_key=(point, replicate))\n\n\ndef design_rng",
        "spawn_key=(replicate, point))\n\n\ndef design_rng",
        RUNNER_TESTS,
    ),
    Mutant(
        "resume recomputes runs already done",
        RUNNER,
        "        if (point, replicate) not in done\n",
        "",
        RUNNER_TESTS,
    ),
    Mutant(
        "a run that kills its worker is blamed without isolation",
        RUNNER,
        "[c for c in pending if c.isolation > 2]",
        "[c for c in pending if c.isolation > 1]",
        ("tests/sweep/test_crash_isolation.py",),
    ),
    Mutant(
        "a bad run_fn return is not checked",
        RUNNER,
        "            summary, timeseries = _checked_output(output, chunk.stride)\n",
        "            summary, timeseries = output.summary, output.timeseries\n",
        ("tests/sweep/test_crash_isolation.py",),
    ),
    Mutant(
        "years of a spec are not bounded",
        "trustsim/sweep/spec.py",
        '        limits.check_bound(years, MAX_YEARS, f"{source}: [experiment]", "years")\n',
        "        pass\n",
        ("tests/sweep/test_spec_limits.py",),
    ),
    Mutant(
        "numpy scalars are not numbers to the parameters",
        "trustsim/park/params.py",
        "        if isinstance(value, np.generic):  # np.float32(0.5), np.int64(30), "
        "np.bool_(True)\n            value = value.item()\n",
        "",
        ("tests/park/test_api_edges.py",),
    ),
    Mutant(
        "run_years accepts any number",
        MODEL,
        "                or not 0 <= years <= MAX_YEARS):  # also rejects NaN",
        "                or False):",
        ("tests/park/test_api_edges.py",),
    ),
    Mutant(
        "trustsim run checks --out after the run",
        "trustsim/cli/run.py",
        "    check_output_dir(out, force=args.force)  # before the run, so that it is never lost\n",
        "",
        ("tests/cli/test_cli_edges.py",),
    ),
)


def run_tests(tests: tuple[str, ...]) -> tuple[bool, float]:
    """Run ``tests``; return whether they passed and the seconds taken."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
         "-p", "no:faulthandler", *tests],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "MPLBACKEND": "Agg"},
    )
    return done.returncode == 0, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run the mutants whose name contains this text")
    args = parser.parse_args()
    mutants = [m for m in MUTANTS if args.only is None or args.only in m.name]
    killed = 0
    for mutant in mutants:
        path = ROOT / mutant.path
        source = path.read_text(encoding="utf-8")
        if source.count(mutant.old) != 1:
            raise SystemExit(f"{mutant.name}: the code to mutate is not found once in {path}")
        try:
            path.write_text(source.replace(mutant.old, mutant.new), encoding="utf-8")
            passed, seconds = run_tests(mutant.tests)
        finally:
            path.write_text(source, encoding="utf-8")
        killed += not passed
        verdict = "killed  " if not passed else "SURVIVED"
        print(f"{verdict} {seconds:6.1f} s  {mutant.name}", flush=True)
    print(f"mutation score: {killed} of {len(mutants)} mutants killed")
    return 0 if killed == len(mutants) else 1


if __name__ == "__main__":
    raise SystemExit(main())
