"""``trustsim scenarios``: list the registered scenarios with a one-line description each."""

from __future__ import annotations

import argparse
import json


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the ``scenarios`` subcommand."""
    p = sub.add_parser("scenarios", help="list the scenarios with a one-line description",
                       description="List every registered scenario and what it stands for.")
    p.add_argument("--json", action="store_true", help="print {name: description} as JSON")
    return p


def run(args: argparse.Namespace) -> int:
    """Print the scenario list."""
    from trustsim.park.scenarios import SCENARIOS

    if args.json:
        print(json.dumps({name: sc.description for name, sc in SCENARIOS.items()}))
        return 0
    width = max(len(name) for name in SCENARIOS)
    for name, sc in SCENARIOS.items():
        print(f"{name:<{width}}  {sc.description}")
    return 0
