"""``trustsim figures``: run what is missing of experiments E1-E12 and draw their figures."""

from __future__ import annotations

import argparse
import os
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the ``figures`` subcommand."""
    p = sub.add_parser(
        "figures",
        help="build the paper figures (E1-E12) and their README",
        description=(
            "Run the experiments' missing results through the runner (finished runs are "
            "reused), write figures/<name>.png and .pdf, and rewrite figures/README.md (a full "
            "or --quick build; --smoke writes README.smoke.md) with each figure's claim, "
            "spec, command and finding."
        ),
    )
    size = p.add_mutually_exclusive_group()
    size.add_argument(
        "--quick",
        action="store_true",
        help="fewer replicates and points (trustsim/experiments/quick.toml): all twelve in minutes",
    )
    size.add_argument(
        "--smoke",
        action="store_true",
        help="a few points, one replicate: checks that every experiment still runs",
    )
    p.add_argument("--only", metavar="E1,E5", help="comma-separated experiments (default: all)")
    p.add_argument(
        "--results",
        type=Path,
        default=Path("results"),
        metavar="DIR",
        help="results root; runs are cached in DIR/<size>/ (default: results)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=Path("figures"),
        metavar="DIR",
        help="where the figures and their README go (default: figures)",
    )
    p.add_argument(
        "--specs",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder of the experiment specs and quick.toml (default: the packaged "
        "trustsim/experiments/)",
    )
    p.add_argument(
        "--fresh",
        action="store_true",
        help="recompute results even if finished ones exist (e.g. after a model change)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="worker processes for sweeps (default: the machine's cores)",
    )
    return p


def run(args: argparse.Namespace) -> int:
    """Build the requested figures and print one line per figure."""
    import sys

    from trustsim.errors import UserError
    from trustsim.figures import build_figures
    from trustsim.figures.core import SPEC_DIR, readme_name

    if args.workers < 1:
        raise UserError(f"--workers must be an integer >= 1, got {args.workers}")
    if args.specs is not None and not args.specs.is_dir():
        raise UserError(f"--specs: no such folder {args.specs}")
    size = "quick" if args.quick else "smoke" if args.smoke else "full"
    only = None
    if args.only is not None:
        only = [s.strip() for s in args.only.split(",") if s.strip()]
        if not only:
            raise UserError("--only names no experiment; give e.g. --only E1,E5 (or leave it out)")
    findings = build_figures(
        only,
        size=size,
        results=args.results,
        figures=args.out,
        workers=args.workers,
        progress=sys.stderr.isatty(),
        fresh=args.fresh,
        spec_dir=args.specs if args.specs is not None else SPEC_DIR,
    )
    for f in findings:
        mark = {True: "holds", False: "DOES NOT HOLD", None: "see README"}[f.holds]
        print(f"{f.experiment} {args.out / f.figure}.png ({mark}): {f.text}")
    print(f"wrote {args.out / readme_name(size)}")
    return 0
