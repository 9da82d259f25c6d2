"""``trustsim params``: every model parameter with its unit, default and allowed values."""

from __future__ import annotations

import argparse
import json


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the ``params`` subcommand."""
    p = sub.add_parser(
        "params",
        help="list every model parameter with unit, default and allowed range",
        description=(
            "List the parameters that `--set NAME=VALUE`, a spec's [fixed] and [sweep] tables "
            "and SymbiosisPark(**overrides) accept: unit, default (a scenario's own default "
            "with --scenario), allowed values and what each one is."
        ),
    )
    p.add_argument("match", nargs="?", default="",
                   help="show only parameters whose name contains this text")
    p.add_argument("--scenario", metavar="NAME",
                   help="show this scenario's defaults instead of the model's")
    p.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    return p


def run(args: argparse.Namespace) -> int:
    """Print the parameter table."""
    from trustsim.park.params import PARAMETERS, validate_overrides
    from trustsim.park.scenarios import get_scenario

    defaults = {name: p.default for name, p in PARAMETERS.items()}
    if args.scenario is not None:
        defaults.update(validate_overrides(get_scenario(args.scenario).defaults()))
    rows = [
        {"name": name, "unit": p.unit, "default": defaults[name], "kind": p.kind,
         "allowed": p.allowed(), "doc": p.doc}
        for name, p in PARAMETERS.items()
        if args.match in name
    ]
    if args.json:
        print(json.dumps(rows))
        return 0
    if not rows:
        print(f"no parameter name contains {args.match!r}")
        return 0
    cells = [(r["name"], r["unit"], _show(r["default"]), r["allowed"]) for r in rows]
    widths = [max(len(c[i]) for c in [("name", "unit", "default", "allowed"), *cells])
              for i in range(4)]
    print("  ".join(h.ljust(w) for h, w in zip(("name", "unit", "default", "allowed"), widths)))
    for cell, row in zip(cells, rows):
        print("  ".join(c.ljust(w) for c, w in zip(cell, widths)) + f"  {row['doc']}")
    return 0


def _show(value: object) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
