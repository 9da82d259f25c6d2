"""``trustsim sweep``: run an experiment spec's sweep into a results directory."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the ``sweep`` subcommand."""
    parser = sub.add_parser(
        "sweep",
        help="run an experiment spec (TOML) as a parameter sweep",
        description=(
            "Run every run of an experiment spec and write Parquet part-files and metadata.json "
            "to --out. Load them with trustsim.load_results(DIR). Exit status: 0 every run ok; "
            "1 some runs failed (recorded with their error); 2 a bad spec, option or folder; "
            "3 the Dask cluster stopped the sweep; 130 (Ctrl-C) or 143 (SIGTERM) interrupted. "
            "Finished parts are always kept: continue with --resume."
        ),
    )
    parser.add_argument("spec", type=Path, help="experiment spec (TOML), e.g. my_sweep.toml")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="results directory")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="processes computing runs, this one included (default: the machine's cores); "
        "with --backend dask and no --scheduler, the LocalCluster's workers",
    )
    parser.add_argument(
        "--backend", choices=("local", "dask"), default="local", help="where runs execute"
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="Dask scheduler address, e.g. tcp://host:8786 (default: a LocalCluster); "
        "see trustsim/docs/cluster.md for SLURM",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="compute only the runs missing from DIR (same spec only)",
    )
    parser.add_argument(
        "--chunk-size",
        type=int,
        default=None,
        metavar="RUNS",
        help="runs per task and part-file (default: auto)",
    )
    parser.add_argument(
        "--calibration",
        type=Path,
        default=None,
        metavar="PATH",
        help="calibration file for a calibrated scenario (kalundborg), from `trustsim calibrate "
        "--out DIR`; its hash and parameters enter the spec hash and metadata.json (default: "
        "the packaged calibration)",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    """Run the sweep; exit 1 when some runs failed, 3 when the cluster stopped it."""
    from trustsim.errors import SweepStopped
    from trustsim.sweep.results import resume_hint
    from trustsim.sweep.runner import Terminated, run_sweep
    from trustsim.sweep.spec import load_spec, parse_spec

    spec = load_spec(args.spec)
    if args.calibration is not None:
        raw = {**spec.raw, "calibration": {"file": str(args.calibration)}}
        spec = parse_spec(raw, source=str(args.spec))
    try:
        report = run_sweep(
            spec,
            args.out,
            workers=args.workers,
            backend=args.backend,
            scheduler=args.scheduler,
            resume=args.resume,
            chunk_size=args.chunk_size,
        )
    except SweepStopped as err:
        hint = resume_hint(args.out, {"spec_source": str(args.spec)})
        print(f"trustsim sweep: stopped: {err}; continue with {hint}", file=sys.stderr)
        return 3
    except KeyboardInterrupt as err:
        print(
            f"trustsim sweep: interrupted; finished runs are kept in {args.out}, continue with "
            f"--resume",
            file=sys.stderr,
        )
        return 143 if isinstance(err, Terminated) else 130
    for path in report.removed:
        print(f"trustsim sweep: removed incomplete {path}; its runs were redone", file=sys.stderr)
    for path, moved, why in report.quarantined:
        print(
            f"trustsim sweep: {path} failed verification ({why}); moved to {moved}, its runs "
            "were redone",
            file=sys.stderr,
        )
    print(
        f"{report.n_runs} runs in {report.out} ({report.n_new} computed now, "
        f"{report.n_runs - report.n_new} already there)"
    )
    if report.n_failed:
        print(
            f"trustsim sweep: {report.n_failed} of {report.n_runs} runs failed; see the status "
            f"and error columns of trustsim.load_results({str(report.out)!r})",
            file=sys.stderr,
        )
        return 1
    return 0
