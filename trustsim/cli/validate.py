"""``trustsim validate kalundborg``: the Kalundborg scenario against its historical milestones."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the ``validate`` subcommand."""
    p = sub.add_parser(
        "validate",
        help="compare the Kalundborg scenario with its historical milestones",
        description=(
            "Run the Kalundborg scenario over N seeds, each run drawing its behavioural "
            "parameters from the calibration's posterior, and print, milestone by milestone, "
            "whether it was fitted (sample in, up to 1995) or held out (out), the historical "
            "value and band, the model's mean and posterior predictive 90% band, whether the "
            "observed value lies inside it and whether the mean held in the band; then the "
            "early-growth, first by-product, hub, utility-first, growth and link-ending "
            "patterns over the seeds."
        ),
    )
    p.add_argument("scenario", nargs="?", default="kalundborg",
                   help="kalundborg (default) or a kalundborg variant")
    p.add_argument("--seeds", type=int, default=20, metavar="N",
                   help="replicate runs (default 20)")
    p.add_argument("--root-seed", type=int, default=1961, metavar="S",
                   help="root of the replicates' seed sequences (default 1961)")
    p.add_argument("--set", dest="assign", action="extend", nargs="+", default=[],
                   metavar="NAME=VALUE",
                   help="set parameters on top of the scenario's defaults, e.g. --set "
                        "patience=0.9 noise=0.05 (repeatable)")
    p.add_argument("--calibration", type=Path, default=None, metavar="PATH",
                   help="calibration file (from `trustsim calibrate --out DIR`); default: the "
                        "packaged one")
    p.add_argument("--json", action="store_true", help="print the report as one JSON object")
    return p


def run(args: argparse.Namespace) -> int:
    """Run the ensemble and print the report."""
    from trustsim.cli.run import parse_assignments
    from trustsim.errors import UserError
    from trustsim.history.validation import validate
    from trustsim.park.scenarios.calibration import load_calibration

    if not 1 <= args.seeds <= 100_000:
        raise UserError(f"--seeds must be in [1, 100000], got {args.seeds}")
    if not 0 <= args.root_seed < 2**63:
        raise UserError(f"--root-seed must be in [0, 2**63 - 1], got {args.root_seed}")
    calibration = None if args.calibration is None else load_calibration(args.calibration)
    report = validate(args.scenario, seeds=args.seeds, root_seed=args.root_seed,
                      overrides=parse_assignments(args.assign), calibration=calibration)
    if args.json:
        print(json.dumps(report.to_dict()))
    else:
        print(report.format())
    return 0
