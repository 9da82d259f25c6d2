"""Load check of the shared park: one teacher and a class of students in one room.

Serves ``trustsim app`` (or uses --url), opens the teacher's page in headless Chromium and opens
a room (a generated region of 200 firms by default, so that every student gets a manager), then
opens one browser context per student, all at once, each joining the room and taking a
manager. Then, for each of --rounds rounds, every student chooses at the same moment (a third
of them cheat on their first deal) and presses "I have chosen"; the clock advances when the
last one has. Each student takes a manager of their own (the names are read from the menu
first), so no two ask for the same one. Prints: page load (open /join until the manager form
shows), join (press "Take this manager" until the seat shows), round latency (the last
student's click until every page shows the new round), and the server's resident memory
before and after.

    .venv/bin/python scripts/load_app.py --students 30 [--rounds 5]

Everything runs on this machine: the server and all browser pages share its cores, which a
classroom does not (each student's browser runs on their own computer).

Exit status 1 if a page shows an error or a round never reaches every page.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import time

from trustsim.app.harness import (
    CHROMIUM_ARGS,
    SERVER_PIDS,
    browser_skip_reason,
    find_chromium,
    memory_mb,
    serve_app,
)

TIMEOUT_MS = 300_000


async def free_managers(browser, url: str, code: str) -> list[str]:
    """The names of the room's free managers, as a student's menu lists them."""
    context = await browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    await page.goto(f"{url}join?room={code}")
    await page.locator(".v-select", has_text="Free managers").locator(".v-field").click()
    await page.get_by_role("option").first.wait_for()
    names = [name.strip() for name in await page.get_by_role("option").all_inner_texts()]
    await context.close()
    return names


async def student(browser, url: str, code: str, k: int, manager: str, times: dict):
    """Open the join page for student ``k`` and take ``manager``; return the page."""
    context = await browser.new_context(viewport={"width": 1366, "height": 768})
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    page.errors = []
    page.on("pageerror", lambda err: page.errors.append(f"student {k}: {err}"))
    t0 = time.perf_counter()
    await page.goto(f"{url}join?room={code}")
    await page.get_by_label("Your name").wait_for()
    times["load"].append(time.perf_counter() - t0)
    await page.get_by_label("Your name").fill(f"Student {k}")
    t0 = time.perf_counter()
    await page.locator(".v-select", has_text="Free managers").locator(".v-field").click()
    await page.get_by_role("option", name=manager, exact=True).click()
    await page.get_by_role("button", name="Take this manager").click()
    await page.locator(".trustsim-seat-status").wait_for()
    times["join"].append(time.perf_counter() - t0)
    return page


async def one_round(pages: list, teacher, n: int, times: dict) -> None:
    """Every student chooses at once; time from the last click to every page at round n."""

    async def choose(k: int, page) -> float:
        exchanges = page.locator(".trustsim-exchange")
        if k % 3 == 0 and await exchanges.count():
            await exchanges.first.get_by_role("button", name="Cheat").click()
        await page.get_by_role("button", name="I have chosen").click()
        return time.perf_counter()

    clicked = await asyncio.gather(*(choose(k, p) for k, p in enumerate(pages)))
    last = max(clicked)
    pattern = re.compile(rf"^Round {n} ")
    try:
        await asyncio.gather(*(p.locator(".trustsim-room-status", has_text=pattern).wait_for(
            timeout=TIMEOUT_MS) for p in [teacher, *pages]))
    except Exception:
        print("waiting:", await teacher.locator(".trustsim-clock").inner_text())
        for k, page in enumerate(pages):
            print(k, await page.locator(".trustsim-room-status").inner_text(),
                  await page.locator(".trustsim-action").count())
        raise
    times["round"].append(time.perf_counter() - last)


async def run(url: str, students: int, rounds: int, park: str) -> int:
    """Run the class against ``url``; print figures; return the exit status."""
    from playwright.async_api import async_playwright

    times: dict[str, list[float]] = {"load": [], "join": [], "round": []}
    errors: list[str] = []
    pid = SERVER_PIDS.get(url)
    memory = {"start": memory_mb(pid) if pid else float("nan")}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=find_chromium(), headless=True, args=list(CHROMIUM_ARGS)
        )
        context = await browser.new_context(viewport={"width": 1920, "height": 1080})
        context.set_default_timeout(TIMEOUT_MS)
        teacher = await context.new_page()
        teacher.on("pageerror", lambda err: errors.append(f"teacher: {err}"))
        await teacher.goto(url + "teacher")
        await teacher.locator(".v-select", has_text="Park").locator(".v-field").click()
        await teacher.get_by_role("option", name=park, exact=True).click()
        await teacher.get_by_role("button", name="Open the room").click()
        code_text = await teacher.locator(".trustsim-code").inner_text()
        code = re.search(r"[A-Z]{4}", code_text)[0]
        managers = await free_managers(browser, url, code)
        if len(managers) < students:
            print(f"the park has {len(managers)} free managers for {students} students",
                  file=sys.stderr)
            return 2
        t0 = time.perf_counter()
        pages = await asyncio.gather(*(student(browser, url, code, k, managers[k], times)
                                       for k in range(students)))
        seated = time.perf_counter() - t0
        memory["seated"] = memory_mb(pid) if pid else float("nan")
        for n in range(1, rounds + 1):
            await one_round(pages, teacher, n, times)
        memory["end"] = memory_mb(pid) if pid else float("nan")
        for k, page in enumerate([teacher, *pages]):
            if "Traceback" in await page.locator("body").inner_text():
                errors.append(f"page {k}: a traceback is on the page")
            errors.extend(getattr(page, "errors", []))
        await browser.close()
    print(f"room {code} ({park}): {students} students seated in {seated:.1f} s, "
          f"{rounds} rounds played")
    for what, values in times.items():
        if values:
            print(f"{what:>5}: n={len(values):3d}  median {statistics.median(values):6.2f} s  "
                  f"max {max(values):6.2f} s")
    print("server memory (RSS): " + ", ".join(f"{k} {v:.0f} MB" for k, v in memory.items()))
    for problem in errors:
        print(problem, file=sys.stderr)
    return 1 if errors else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30, help="students (default 30)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds played (default 5)")
    parser.add_argument("--park", default="A region of 200 firms (generated)",
                        help="the park's label in the teacher's menu")
    parser.add_argument("--url", help="use a running app instead of serving one")
    args = parser.parse_args()
    if reason := browser_skip_reason():
        print(f"cannot run: {reason}", file=sys.stderr)
        return 2
    if args.url:
        return asyncio.run(run(args.url, args.students, args.rounds, args.park))
    with serve_app() as url:
        return asyncio.run(run(url, args.students, args.rounds, args.park))


if __name__ == "__main__":
    sys.exit(main())
