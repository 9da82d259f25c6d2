"""``trustsim calibrate kalundborg``: fit behavioural parameters to the historical milestones."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the ``calibrate`` subcommand."""
    p = sub.add_parser(
        "calibrate",
        help="fit the Kalundborg scenario's behavioural parameters to its milestones",
        description=(
            "Fit the behavioural parameters the data cannot fix (trust prior and learning, "
            "search and discovery, gossip) to the Kalundborg milestones: a Sobol stage then "
            "bounded Nelder-Mead on the weighted squared relative distance of the ensemble "
            "means to the milestone bands, over a fixed set of seeds. Writes the fitted values "
            "and the fit report as TOML (by default the file the scenario loads)."
        ),
    )
    p.add_argument("scenario", nargs="?", default="kalundborg", choices=["kalundborg"],
                   help="the scenario to fit (kalundborg)")
    p.add_argument("--seeds", type=int, default=8, metavar="N",
                   help="replicate runs per parameter set (default 8)")
    p.add_argument("--budget", type=int, default=120, metavar="B",
                   help="parameter sets evaluated in total (default 120)")
    p.add_argument("--root-seed", type=int, default=1961, metavar="S",
                   help="root of the replicate seeds and the Sobol scrambling (default 1961)")
    p.add_argument("--out", type=Path, default=None, metavar="FILE",
                   help="output TOML (default: the packaged "
                        "trustsim/park/scenarios/kalundborg_calibration.toml)")
    p.add_argument("--quiet", action="store_true", help="do not print improvements")
    return p


def run(args: argparse.Namespace) -> int:
    """Fit, write the file, print the fitted values and the milestone table."""
    from trustsim.history.calibration import calibrate, write_calibration

    result = calibrate(seeds=args.seeds, budget=args.budget, root_seed=args.root_seed,
                       scenario=args.scenario, progress=not args.quiet)
    path = write_calibration(result, args.out)
    print(f"objective {result.objective_start:.4f} (start) -> {result.objective_best:.4f} "
          f"after {result.evaluations} evaluations x {result.seeds} seeds")
    for k, v in result.parameters.items():
        print(f"  {k} = {v:g} (start {result.start[k]:g})")
    held = sum(m.held for m in result.milestones if m.weight > 0)
    total = sum(m.weight > 0 for m in result.milestones)
    print(f"milestones held at the optimum: {held} of {total}")
    print(f"wrote {path}")
    return 0
