"""A free TCP port for the app's server (``trustsim app --port 0``, the browser harness)."""

from __future__ import annotations

import socket

__all__ = ["free_port"]


def free_port(host: str) -> int:
    """Return a TCP port that is free on ``host`` now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])
