"""``trustsim discover``: the parameter regions of a sweep where an outcome happens (PRIM)."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the ``discover`` subcommand."""
    p = sub.add_parser(
        "discover",
        help="scenario discovery: where in parameter space an outcome happens (PRIM)",
        description=(
            "Read a sweep's results, mark the runs where --outcome holds, and print the "
            "parameter boxes PRIM finds for them (coverage: share of those runs in the box; "
            "density: share of the box's runs where it holds), the restricted ranges and the "
            "feature scores of the parameters; plot the peeling trajectory and the boxes. "
            "Needs EMA Workbench: pip install 'trustsim[discovery]'."
        ),
    )
    p.add_argument("results", type=Path, help="results directory of `trustsim sweep`")
    p.add_argument("--outcome", required=True, metavar="CONDITION",
                   help="condition over the summary columns, e.g. \"active_exchanges < 5\"")
    p.add_argument("--threshold", type=float, default=0.8,
                   help="least density of a chosen box (default: 0.8)")
    p.add_argument("--boxes", type=int, default=2, help="most boxes to find (default: 2)")
    p.add_argument("--plot", type=Path, default=Path("discovery.png"), metavar="FILE",
                   help="where the figure goes (default: discovery.png; PNG or PDF)")
    return p


def run(args: argparse.Namespace) -> int:
    """Print the boxes and feature scores and write the figure."""
    from trustsim.sweep.discovery import discover
    from trustsim.sweep.results import load_results

    found = discover(load_results(args.results), args.outcome, threshold=args.threshold,
                     max_boxes=args.boxes)
    print(f"{found.outcome}: {found.n_hits} of {found.n_runs} runs "
          f"({found.n_hits / found.n_runs:.0%})")
    print("feature scores: " + ", ".join(f"{k} {v:.2f}" for k, v in found.scores.items()))
    for k, box in enumerate(found.boxes, start=1):
        print(f"box {k}: coverage {box.coverage:.2f}, density {box.density:.2f}, "
              f"mass {box.mass:.2f} (peeling step {box.step})")
        if box.limits.empty:
            print("  no restriction: the whole swept space")
        for name, row in box.limits.iterrows():
            if row["values"] is not None:
                kept = ", ".join(map(str, row["values"]))
                print(f"  {name} in {{{kept}}}  (qp {row['qp']:.1g})")
            else:
                print(f"  {row['low']:.4g} <= {name} <= {row['high']:.4g}  of "
                      f"[{row['range_low']:.4g}, {row['range_high']:.4g}]  (qp {row['qp']:.1g})")
    if not found.boxes:
        print("PRIM found no box")
    _plot(found, args.plot)
    print(f"wrote {args.plot}")
    return 0


def _plot(found, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from trustsim.figures.plotting import plot_box_limits, plot_peeling_trajectory

    n = max(len(found.boxes), 1)
    with plt.style.context("trustsim.figures.styles.paper"):
        fig, axes = plt.subplots(n, 2, figsize=(9, 3.2 * n), squeeze=False)
        for k, box in enumerate(found.boxes):
            plot_peeling_trajectory(box.trajectory, chosen=box.step, ax=axes[k, 0])
            axes[k, 0].set_title(f"box {k + 1}: peeling trajectory")
            plot_box_limits(box.limits, ax=axes[k, 1])
            axes[k, 1].set_title(f"box {k + 1}: coverage {box.coverage:.2f}, "
                                 f"density {box.density:.2f}")
        fig.suptitle(found.outcome)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path)
        plt.close(fig)
