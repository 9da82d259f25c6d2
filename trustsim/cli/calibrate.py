"""``trustsim calibrate kalundborg --out DIR``: an ABC-SMC posterior of behavioural parameters."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the ``calibrate`` subcommand."""
    p = sub.add_parser(
        "calibrate",
        help="fit the Kalundborg behavioural parameters (ABC-SMC posterior) to the record to 1995",
        description=(
            "Fit a posterior over the behavioural parameters the record cannot fix (trust prior "
            "and learning, search and discovery, gossip, the broker, managerial attention, the "
            "trust a by-product needs) by ABC-SMC (pyabc; pip install 'trustsim[calibrate]') on "
            "the milestones up to 1995; the later ones are held out for `trustsim validate`. "
            "Writes kalundborg_calibration.toml, posterior.csv, diagnostics.json and pyabc's "
            "abc.db to DIR (never into the installed package). Use the file with "
            "--calibration PATH in run, validate and sweep. A fit costs about population x "
            "generations x 2-4 runs of up to 1995 (120 x 6: 2,316 runs, 4 min on two quiet "
            "workers; 60 x 6 took 32 min on two heavily loaded ones); --quick is a tiny "
            "population and two generations."
        ),
    )
    p.add_argument("scenario", nargs="?", default="kalundborg", choices=["kalundborg"],
                   help="the scenario to fit (kalundborg)")
    p.add_argument("--out", type=Path, required=True, metavar="DIR",
                   help="output directory (created)")
    p.add_argument("--population", type=int, default=200, metavar="N",
                   help="particles per generation (default 200)")
    p.add_argument("--generations", type=int, default=8, metavar="G",
                   help="most ABC-SMC generations (default 8)")
    p.add_argument("--quick", action="store_true",
                   help="a tiny population (8) and two generations, for a first look or a test")
    p.add_argument("--workers", type=int, default=1, metavar="N",
                   help="local worker processes (default 1)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run the simulations on a Dask scheduler instead of local workers")
    p.add_argument("--root-seed", type=int, default=1961, metavar="S",
                   help="root of every seed of the fit (default 1961)")
    p.add_argument("--quiet", action="store_true", help="do not print each generation")
    return p


def run(args: argparse.Namespace) -> int:
    """Fit, write the files, print the posterior summary."""
    from trustsim.history.calibration import QUICK, calibrate

    sizes = QUICK if args.quick else {"population": args.population,
                                      "generations": args.generations}
    done = calibrate(args.out, root_seed=args.root_seed, workers=args.workers,
                     scheduler=args.scheduler, scenario=args.scenario,
                     progress=not args.quiet, **sizes)
    r = done.result
    print(f"ABC-SMC: {len(r.generations)} generations of {r.population} particles, "
          f"{r.simulations} simulations in {r.seconds:.0f} s on {r.workers} worker(s); "
          f"final epsilon {r.generations[-1]['epsilon']:.4f}")
    print(f"fitted on {', '.join(r.fitted)}; held out: {', '.join(r.held_out)}")
    for k, v in done.parameters.items():
        print(f"  {k} = {v:g}")
    print(f"wrote {done.calibration}, {done.posterior}, {done.diagnostics}")
    return 0
