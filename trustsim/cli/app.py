"""``trustsim app``: serve the classroom web app (Solara) on a local port."""

from __future__ import annotations

import argparse
import os
import sys
import warnings

from trustsim.app.ports import free_port

#: The app's Solara entry point, ``module:component``.
APP = "trustsim.app.page"
DEFAULT_PORT = 8765
#: Seconds a disconnected page's session is kept for a reconnect before it closes.
DISCONNECT_SECONDS = 20


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the ``app`` subcommand."""
    parser = sub.add_parser(
        "app",
        help="serve the classroom web app in the browser",
        description=(
            "Serve the classroom app: at / every browser tab gets its own park (map, levers, "
            "live plots, info page, play-as-a-plant-manager); at /teacher a teacher opens a "
            "shared park for the class and runs its clock, and students join it at "
            "/join?room=CODE, each playing one manager. Needs the optional extra: "
            "pip install 'trustsim[app]'."
        ),
    )
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port to listen on (default: {DEFAULT_PORT}; 0 picks a free one)",
    )
    parser.add_argument(
        "--disconnect-seconds",
        type=int,
        default=DISCONNECT_SECONDS,
        help="seconds after which a tab that lost its connection is closed and its seat in a "
        f"shared room freed (default: {DISCONNECT_SECONDS})",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1; 0.0.0.0 lets a classroom's LAN in)",
    )
    return parser


def missing_extra() -> str | None:
    """Return the name of a missing module the app needs, or None when all are there."""
    for module in ("solara", "mesa.visualization"):
        try:
            __import__(module)
        except ImportError:
            return module
    return None


def run(args: argparse.Namespace) -> int:
    """Serve the app until interrupted; exit 2 when the app extra is not installed."""
    from trustsim.errors import UserError

    seconds = getattr(args, "disconnect_seconds", DISCONNECT_SECONDS)
    if not 1 <= seconds <= 86400:
        raise UserError(f"--disconnect-seconds must be between 1 and 86400, got {seconds}")
    # read by Solara when it is first imported: a page gone this long ends its session
    os.environ["SOLARA_KERNEL_CULL_TIMEOUT"] = f"{seconds}s"
    missing = missing_extra()
    if missing is not None:
        print(
            f"trustsim app: the classroom app needs the optional extra 'app' ({missing} is "
            "missing); install it with: pip install 'trustsim[app]'",
            file=sys.stderr,
        )
        return 2
    if not 0 <= args.port <= 65535:
        raise UserError(f"--port must be between 0 and 65535, got {args.port}")
    port = free_port(args.host) if args.port == 0 else args.port
    import click
    from solara.__main__ import run as solara_run

    # a plain-http classroom server: Solara's advice on https cookies is noise here
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    print(f"trustsim app: serving the classroom app at http://{args.host}:{port}/ (Ctrl+C stops)")
    sys.stdout.flush()
    options = ["--production", "--no-open", "--no-check-version", "--log-level-uvicorn", "warning"]
    try:
        solara_run.main(
            [APP, "--host", args.host, "--port", str(port), *options], standalone_mode=False
        )
    except click.exceptions.Abort:
        print("trustsim app: stopped")
    return 0
