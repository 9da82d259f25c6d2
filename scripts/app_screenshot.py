"""Take the README's screenshot of the classroom app: Kalundborg after some decades of play.

Serves ``trustsim app``, opens it in headless Chromium, sets Render Interval so that one Step
click runs several years, shows the social ties, and saves a PNG.

    .venv/bin/python scripts/app_screenshot.py --out docs/app_screenshot.png
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from trustsim.app.harness import browser_skip_reason, launch_chromium, serve_app


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/app_screenshot.png"))
    parser.add_argument("--clicks", type=int, default=6, help="Step clicks (default 6)")
    args = parser.parse_args()
    if reason := browser_skip_reason():
        print(f"cannot run: {reason}", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    with serve_app() as url, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1400, "height": 980})
        page.set_default_timeout(120_000)
        page.goto(url)
        status = page.locator(".trustsim-status")
        status.wait_for()
        interval = page.locator(".v-input", has_text="Render Interval (steps)")
        slider = interval.get_by_role("slider")
        slider.focus()
        for _ in range(8):  # 1 + 2 * 8 = 17 rounds per click
            slider.press("ArrowRight")
        for _ in range(args.clicks):
            before = status.inner_text()
            page.get_by_role("button", name="Step").click()
            page.wait_for_function(
                "old => document.querySelector('.trustsim-status').innerText !== old", arg=before
            )
        page.get_by_text("Show social ties").click()
        page.locator("svg.trustsim-map line.tie").first.wait_for(state="attached")
        args.out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(args.out))
        print(f"{status.inner_text()}\nsaved {args.out}")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
