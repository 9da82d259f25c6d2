"""Serve the app in a subprocess and drive it with Debian's headless Chromium.

Used by the browser tests and ``scripts/load_app.py``. Playwright's own browser download does
not work offline, so Playwright launches the system Chromium (``scripts/install_browser.sh``
installs it and Solara's front-end files).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from trustsim.app.ports import free_port

#: Chromium flags: headless, no sandbox (root in CI), nothing that phones home.
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
INSTALL_HINT = "run `bash scripts/install_browser.sh` as root"
#: Process id of the server behind each URL :func:`serve_app` yields (for CPU and memory).
SERVER_PIDS: dict[str, int] = {}


def find_chromium() -> str | None:
    """Return the Chromium executable (``$TRUSTSIM_CHROMIUM`` or Debian's), or None."""
    candidates = [os.environ.get("TRUSTSIM_CHROMIUM"), "/usr/bin/chromium", "chromium"]
    for candidate in candidates:
        if candidate and (path := shutil.which(candidate)):
            return path
    return None


def missing_assets() -> list[str]:
    """Return the Solara front-end packages missing from the local asset cache."""
    import ipyvue
    from solara.server import settings

    cache = Path(settings.assets.proxy_cache_dir)
    app = "solara-vuetify3-app" if ipyvue.__version__.startswith("3") else "solara-vuetify-app"
    text = (Path(settings.__file__).parent / "templates" / "solara.html.j2").read_text()
    needed = {part.split("/dist/")[0] for part in text.split("{{cdn}}/@widgetti/")[1:]}
    needed = {f"@widgetti/{name}" for name in needed if name.startswith(app + "@")}
    return sorted(name for name in needed if not (cache / name).is_dir())


def browser_skip_reason() -> str | None:
    """Return why browser tests cannot run here, or None when they can."""
    if find_chromium() is None:
        return f"Debian's chromium is not installed ({INSTALL_HINT})"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is missing (pip install 'trustsim[dev]')"
    if missing := missing_assets():
        return f"Solara's offline front-end files are missing: {missing} ({INSTALL_HINT})"
    return None


@contextmanager
def serve_app(
    host: str = "127.0.0.1", timeout: float = 90.0, disconnect_seconds: int = 3
) -> Iterator[str]:
    """Run ``trustsim app`` on a free port in a subprocess; yield its URL, stop it after.

    Args:
        host: Address to listen on.
        timeout: Seconds to wait for the server to answer.
        disconnect_seconds: Seconds after which a disconnected page's session closes (and
            frees its seat in a shared room); short in tests.

    Yields:
        The app's URL, e.g. ``http://127.0.0.1:40123/``.

    Raises:
        RuntimeError: The server exited or did not answer in time (its log is in the message).
    """
    port = free_port(host)
    url = f"http://{host}:{port}/"
    log = tempfile.NamedTemporaryFile(prefix="trustsim-app-", suffix=".log", delete=False)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "trustsim", "app", "--host", host, "--port", str(port),
               "--disconnect-seconds", str(disconnect_seconds)]
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        _wait_until_up(url, proc, timeout, Path(log.name))
        SERVER_PIDS[url] = proc.pid
        yield url
    finally:
        SERVER_PIDS.pop(url, None)
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _wait_until_up(url: str, proc: subprocess.Popen, timeout: float, log: Path) -> None:
    """Poll ``url`` until it answers 200; raise with the server's log if it never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"trustsim app exited ({proc.returncode}):\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"trustsim app did not answer within {timeout:.0f} s:\n{log.read_text()}")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by process ``pid`` and its threads (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_mb(pid: int) -> float:
    """Resident memory of process ``pid`` in MB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def launch_chromium(playwright: Any) -> Any:
    """Launch Debian's Chromium headless with Playwright (a fresh temporary profile).

    Args:
        playwright: The object ``playwright.sync_api.sync_playwright().start()`` returns.

    Returns:
        A Playwright ``Browser``; each ``new_context()`` is an isolated browser session.
    """
    executable = find_chromium()
    if executable is None:
        raise RuntimeError(f"chromium is not installed ({INSTALL_HINT})")
    return playwright.chromium.launch(
        executable_path=executable, headless=True, args=list(CHROMIUM_ARGS)
    )
