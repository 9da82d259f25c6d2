"""Take the README's screenshots: the page at / on a laptop, the teacher's room on a projector.

Serves ``trustsim app`` and drives headless Chromium: Kalundborg after 40 years at 1366x768
(``docs/app_screenshot.png``), and a room opened in 2000 with one student seated, one round
played, at 1920x1080 (``docs/teacher_screenshot.png``).

    .venv/bin/python scripts/app_screenshot.py [--out-dir docs]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from trustsim.app.harness import browser_skip_reason, launch_chromium, serve_app


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=Path("docs"))
    parser.add_argument("--steps", type=int, default=20, help="Step clicks of 2 years each")
    args = parser.parse_args()
    if reason := browser_skip_reason():
        print(f"cannot run: {reason}", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    args.out_dir.mkdir(parents=True, exist_ok=True)
    with serve_app() as url, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.set_default_timeout(120_000)
        page.goto(url)
        status = page.locator(".trustsim-status")
        status.wait_for()
        slider = page.locator(".v-input", has_text="Rounds per step").get_by_role("slider")
        slider.focus()
        for _ in range(7):
            slider.press("ArrowRight")
        for n in range(1, args.steps + 1):
            page.get_by_role("button", name="Step").click()
            status.filter(has_text=re.compile(rf"\| round {8 * n} \|")).wait_for()
        page.screenshot(path=str(args.out_dir / "app_screenshot.png"))
        print(f"{status.inner_text()}\nsaved {args.out_dir / 'app_screenshot.png'}")

        teacher = browser.new_page(viewport={"width": 1920, "height": 1080})
        teacher.set_default_timeout(120_000)
        teacher.goto(url + "teacher")
        teacher.get_by_label("Start in year").fill("2000")
        teacher.get_by_role("button", name="Open the room").click()
        code = re.search(r"[A-Z]{4}", teacher.locator(".trustsim-code").inner_text())[0]
        student = browser.new_page(viewport={"width": 1366, "height": 768})
        student.set_default_timeout(120_000)
        student.goto(f"{url}join?room={code}")
        student.get_by_label("Your name").fill("Ada")
        student.locator(".v-select", has_text="Free managers").locator(".v-field").click()
        student.get_by_role("option", name="Asnaes power station").click()
        student.get_by_role("button", name="Take this manager").click()
        student.locator(".trustsim-seat-status").wait_for()
        teacher.get_by_role("button", name="By hand").click()
        for n in (1,):
            teacher.get_by_role("button", name="Advance one round now").click()
            teacher.locator(".trustsim-room-status", has_text=f"Round {n} ").wait_for()
        teacher.screenshot(path=str(args.out_dir / "teacher_screenshot.png"))
        print(f"room {code}: saved {args.out_dir / 'teacher_screenshot.png'}; the student's "
              f"page says {student.locator('.trustsim-room-status').inner_text()!r}")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
