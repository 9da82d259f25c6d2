"""The `trustsim` command: one module per subcommand in this package.

Each subcommand module defines ``add_parser(subparsers)`` and ``run(args) -> int``; heavy
imports stay inside ``run`` so that ``trustsim --help`` is fast. A :class:`UserError`, or an
``OSError`` from the user's filesystem, is printed as one line and exits with status 2, never
as a traceback; commands check their output paths before they compute. The command keeps BLAS
and Arrow to one thread: its parallelism is processes (see :mod:`trustsim.sweep.workers`).
"""

from __future__ import annotations

import argparse
import importlib
import sys

from trustsim import __version__
from trustsim.errors import UserError
from trustsim.sweep.workers import limit_native_threads

#: Subcommand modules, in the order ``trustsim --help`` lists them.
COMMANDS = [
    "run",
    "demo",
    "match",
    "sweep",
    "figures",
    "app",
    "validate",
    "calibrate",
    "scenarios",
    "params",
    "discover",
]


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="trustsim",
        description="Game-theoretic trust simulator of industrial symbiosis.",
    )
    parser.add_argument("--version", action="version", version=f"trustsim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"trustsim.cli.{name}")
        module.add_parser(sub).set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit status."""
    limit_native_threads()  # before numpy loads: one thread, so sweeps fork their workers
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except UserError as err:
        print(f"trustsim {args.command}: error: {err}", file=sys.stderr)
        return 2
    except OSError as err:  # the user's filesystem: a path that cannot be read or written
        where = f"{err.filename}: " if err.filename else ""
        print(f"trustsim {args.command}: error: {where}{err.strerror or err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"trustsim {args.command}: interrupted", file=sys.stderr)
        return 130
