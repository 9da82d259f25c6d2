"""Load check of the classroom app: many browser sessions at once, each with its own park.

Serves ``trustsim app`` (or uses --url), opens N sessions (browser contexts) in one headless
Chromium, and once every session has its page, in all of them at the same time: sets its own
seed, presses Reset, then steps a session-specific number of rounds. Checks that each session
ends on its own seed and round count (no shared model) and prints response times: page load,
Reset, and each Step (click until the status line shows the new round).

    .venv/bin/python scripts/load_app.py --sessions 20 [--open-at-once 4]

The page loads are the slow part when all tabs run in one Chromium on the server's own cores;
``--open-at-once`` opens them in smaller batches (as a class does), the rest stays concurrent.

Exit status 1 if any session shows another's model, an error, or a timeout.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import time
from contextlib import nullcontext

from trustsim.app.harness import CHROMIUM_ARGS, browser_skip_reason, find_chromium, serve_app

TIMEOUT_MS = 180_000


async def one_session(
    browser,
    url: str,
    i: int,
    times: dict[str, list[float]],
    gate: asyncio.Semaphore,
    loaded: asyncio.Barrier,
) -> str | None:
    """Drive session ``i``; return None if it kept its own model, else what went wrong.

    The session opens the page (at most ``gate``'s value at a time), waits at ``loaded`` until
    every session has its page, then all act at the same time.
    """
    seed, rounds = 1000 + i, 1 + i % 4
    context = await browser.new_context(viewport={"width": 1300, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    status = page.locator(".trustsim-status")
    try:
        async with gate:
            t0 = time.perf_counter()
            await page.goto(url)
            await status.wait_for()
            times["load"].append(time.perf_counter() - t0)
        await loaded.wait()
        box = page.get_by_label("Random seed")
        await box.fill(str(seed))
        await box.press("Enter")
        await page.get_by_text("Levers changed: press Reset").wait_for()
        t0 = time.perf_counter()
        await page.get_by_role("button", name="Reset").click()
        await page.locator(".trustsim-status", has_text=f"| seed {seed} |").wait_for()
        times["reset"].append(time.perf_counter() - t0)
        for n in range(1, rounds + 1):
            t0 = time.perf_counter()
            await page.get_by_role("button", name="Step").click()
            pattern = re.compile(rf"\| round {n} \|.*\| seed {seed} \|")
            await page.locator(".trustsim-status", has_text=pattern).wait_for()
            times["step"].append(time.perf_counter() - t0)
        await asyncio.sleep(1.0)  # let other sessions' steps land, then check ours again
        text = await status.inner_text()
        if f"| round {rounds} |" not in text or f"| seed {seed} |" not in text:
            return f"session {i}: expected round {rounds}, seed {seed}; status says {text!r}"
        if errors:
            return f"session {i}: page errors {errors}"
        return None
    except Exception as err:  # noqa: BLE001 - reported per session
        loaded.abort()
        return f"session {i}: {type(err).__name__}: {str(err).splitlines()[0]}"
    finally:
        await context.close()


async def run(url: str, sessions: int, open_at_once: int) -> int:
    """Run ``sessions`` sessions against ``url``; print figures; return the exit status."""
    from playwright.async_api import async_playwright

    times: dict[str, list[float]] = {"load": [], "reset": [], "step": []}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=find_chromium(), headless=True, args=list(CHROMIUM_ARGS)
        )
        gate, loaded = asyncio.Semaphore(open_at_once), asyncio.Barrier(sessions)
        t0 = time.perf_counter()
        problems = await asyncio.gather(
            *(one_session(browser, url, i, times, gate, loaded) for i in range(sessions))
        )
        wall = time.perf_counter() - t0
        await browser.close()
    failed = [p for p in problems if p]
    print(
        f"{sessions} sessions open at once (pages opened {open_at_once} at a time), "
        f"{sessions - len(failed)} kept their own model"
    )
    for what, values in times.items():
        if values:
            print(
                f"{what:>5}: n={len(values):3d}  median {statistics.median(values):6.2f} s  "
                f"max {max(values):6.2f} s"
            )
    print(f"wall time {wall:.1f} s")
    for problem in failed:
        print(problem, file=sys.stderr)
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20, help="browser sessions (default 20)")
    parser.add_argument("--url", help="use a running app instead of serving one")
    parser.add_argument(
        "--open-at-once",
        type=int,
        default=None,
        help="pages opened at the same time (default: all); the sessions then act all at once",
    )
    args = parser.parse_args()
    if reason := browser_skip_reason():
        print(f"cannot run: {reason}", file=sys.stderr)
        return 2
    with nullcontext(args.url) if args.url else serve_app() as url:
        return asyncio.run(run(url, args.sessions, args.open_at_once or args.sessions))


if __name__ == "__main__":
    sys.exit(main())
