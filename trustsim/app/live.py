"""Keeping pages live: a play loop per page, and pages told when a shared room changes.

Both run work outside the page's own event handlers, so both enter the page's Solara kernel
context before they touch its state, and both stop when the page's kernel closes (the tab was
closed, or it disconnected and did not come back within the kernel's cull timeout).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

log = logging.getLogger(__name__)

#: Threads that re-render pages after a room changed (one page's render never waits on
#: another's, and the student whose click advanced the clock gets their answer at once).
_NOTIFY = ThreadPoolExecutor(max_workers=4, thread_name_prefix="trustsim-notify")
#: Shortest pause between two rounds while playing, in seconds.
MIN_INTERVAL = 0.25


def current_context() -> Any | None:
    """The Solara kernel context of the page being rendered (None outside a server)."""
    try:
        from solara.server import kernel_context

        return kernel_context.get_current_context()
    except Exception:  # noqa: BLE001 - no server: solara.render in tests
        return None


def run_in(context: Any | None, fn: Callable[[], None]) -> None:
    """Run ``fn`` inside the kernel ``context`` (directly when there is none); skip if closed."""
    if context is None:
        fn()
        return
    if context.closed_event.is_set():
        return
    with context:
        fn()


def notify_later(context: Any | None, fn: Callable[[], None]) -> None:
    """Run ``fn`` in ``context`` on a notification thread.

    A failure is logged, never raised.
    """

    def job() -> None:
        try:
            run_in(context, fn)
        except Exception:  # noqa: BLE001 - a closed page must not stop the others
            log.exception("re-rendering a page failed")

    _NOTIFY.submit(job)


def on_close(context: Any | None, fn: Callable[[], None]) -> None:
    """Call ``fn`` when the page's kernel closes (the seat's release on a disconnect)."""
    if context is not None:
        context.on_close(fn)


def start_loop(
    context: Any | None, interval: float, step: Callable[[], bool], done: Callable[[], None]
) -> Callable[[], None]:
    """Call ``step`` every ``interval`` seconds (at least :data:`MIN_INTERVAL`) on a thread.

    The loop stops when ``step`` returns False (then it calls ``done``), when the returned
    function is called, or when the page's kernel closes.

    Returns:
        A function that stops the loop.
    """
    stop = threading.Event()
    pause = max(float(interval), MIN_INTERVAL)

    def one_round(outcome: list[bool]) -> None:
        if stop.is_set():  # paused while the round waited for the page's kernel: skip it
            outcome.append(True)
            return
        outcome.append(bool(step()))

    def loop() -> None:
        while not stop.wait(pause):
            if context is not None and context.closed_event.is_set():
                return
            outcome: list[bool] = []
            try:
                run_in(context, partial(one_round, outcome))
            except Exception:  # noqa: BLE001 - the session reports its own failures
                log.exception("play loop failed")
            if not any(outcome):
                run_in(context, done)
                return

    threading.Thread(target=loop, daemon=True, name="trustsim-play").start()
    return stop.set
