"""The classroom app in a real browser: Playwright drives Debian's headless Chromium.

One server (``trustsim app`` on a free port) and one Chromium serve the whole module; each test
gets a fresh browser context, that is a new browser session with its own park. Screenshots go
to tests/artifacts/. Needs ``bash scripts/install_browser.sh`` (run as root) once.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from trustsim.app.harness import browser_skip_reason, launch_chromium, serve_app
from trustsim.app.levers import presets

from ._menus import pick

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif((reason := browser_skip_reason()) is not None, reason=reason or ""),
]

ARTIFACTS = Path(__file__).parent / "artifacts"
TIMEOUT = 120_000  # ms: the machine may be busy; this bounds waits, it asserts no speed


@pytest.fixture(scope="module")
def app_url():
    with serve_app() as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, app_url):
    """A new browser session on the app, with console errors collected in ``page.errors``
    and every address it fetched in ``page.fetched``."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(TIMEOUT)
    tab = context.new_page()
    tab.errors, tab.fetched = [], []
    tab.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda err: tab.errors.append(str(err)))
    tab.on("request", lambda request: tab.fetched.append(request.url))
    tab.goto(app_url)
    for part in (".trustsim-status", "svg.trustsim-map", ".trustsim-plots svg"):
        tab.locator(part).wait_for()
    yield tab
    context.close()


def status(page) -> str:
    return page.locator(".trustsim-status").inner_text()


def wait_status(page, pattern: str) -> str:
    """Wait until the status line matches ``pattern`` (a regex); return it."""
    page.locator(".trustsim-status", has_text=re.compile(pattern)).wait_for()
    return status(page)


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def switch_park(page, scenario: str) -> None:
    pick(page, "Park", presets()[scenario])
    wait_status(page, rf"^Park {scenario} \| round 0 ")


def step(page, n: int) -> None:
    page.get_by_role("button", name="Step").click()
    wait_status(page, rf"\| round {n} \|")


def test_page_loads_offline_without_errors(page, app_url):
    assert page.locator("svg.trustsim-map").count() == 1
    assert page.locator(".trustsim-plots svg").count() == 1
    for label in ("Levers", "Controls", "The park", "Over time", "Play a plant manager"):
        assert page.get_by_text(label, exact=True).first.is_visible(), label
    for gone in ("Use Threads", "Model Parameters", "Play Interval (ms)"):
        assert page.get_by_text(gone).count() == 0, gone
    assert "Traceback" not in page.locator("body").inner_text()
    page.get_by_role("tab", name="Info").click()
    page.get_by_role("heading", name="HOW TO USE IT").wait_for()
    outside = [url for url in page.fetched if not url.startswith(app_url.rstrip("/"))
               and not url.startswith(("data:", "blob:"))]
    assert outside == []  # an offline classroom: no CDN (KaTeX, fonts) is ever asked for
    shot(page, "app_loaded")
    assert page.errors == []


def test_sliders_show_their_values_and_change_the_models_parameter(page):
    assert " noise 0.01," in status(page)
    noise = page.locator(".v-input", has_text="Noise (mistakes)")
    assert noise.locator(".v-slider-thumb__label").first.inner_text() == "0.01"
    slider = noise.get_by_role("slider")
    slider.focus()
    for _ in range(4):
        slider.press("ArrowRight")
    assert slider.get_attribute("aria-valuenow") == "0.05"
    page.get_by_text("Levers changed: press Reset").wait_for()
    page.get_by_role("button", name="Reset").click()
    wait_status(page, r" noise 0\.05,")
    assert page.errors == []


def test_step_advances_the_counter_and_the_plots(page):
    plots = page.locator(".trustsim-plots svg")
    before = plots.inner_html()
    for n in (1, 2, 3):
        step(page, n)
    page.locator(".trustsim-clock", has_text="Round 3, year 1961.75").wait_for()
    assert plots.inner_html() != before
    assert plots.locator("polyline").count() >= 2
    assert plots.get_by_text("year", exact=True).count() == 4  # every panel: x axis title
    shot(page, "app_stepped")
    assert page.errors == []


def test_fast_play_never_shows_a_traceback_and_pauses(page):
    page.get_by_role("button", name="Fast").click()
    page.get_by_role("button", name="Play").click()
    wait_status(page, r"\| round (1\d|[2-9]\d) \|")  # ten rounds or more
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Play").wait_for()
    page.wait_for_timeout(1000)  # a round already computing when Pause was pressed may land
    stopped = status(page)
    page.wait_for_timeout(1500)
    assert status(page) == stopped
    body = page.locator("body").inner_text()
    assert "Traceback" not in body and "Too many renders" not in body
    assert page.errors == []


def test_preset_switches_the_scenario_and_the_map_explains_itself(page):
    assert status(page).startswith("Park kalundborg")
    switch_park(page, "minimal")
    facilities = page.locator("svg.trustsim-map g.facility")
    assert facilities.count() == 2
    assert "opens in the first round" in facilities.first.locator("title").text_content()
    step(page, 1)
    greenhouse = page.locator("svg.trustsim-map g.facility[data-id=greenhouse] title")
    greenhouse.filter(has_text="years in the job").wait_for(state="attached")
    assert "strategy: forward_looking" in greenhouse.text_content()
    assert page.locator("svg.trustsim-map text.flow", has_text="heat").count() == 1
    legend = page.locator(".trustsim-legend").inner_text()
    assert "greenhouse growing" in legend and "power station" in legend
    assert "_" not in legend
    assert page.locator("svg.trustsim-map line.tie").count() == 0
    page.get_by_text("Show social ties").click()
    page.locator("svg.trustsim-map line.tie").first.wait_for(state="attached")
    pick(page, "Inspect facility", "Greenhouse")
    page.locator(".trustsim-inspect", has_text="Greenhouse (greenhouse growing)").wait_for()
    assert page.errors == []


@pytest.mark.parametrize("width", [1400, 1920])
def test_playing_a_manager_from_round_0_cheat_once_then_earn_trust_back(browser, app_url, width):
    context = browser.new_context(viewport={"width": width, "height": 1000})
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    page.goto(app_url)
    page.locator(".trustsim-status").wait_for()
    switch_park(page, "minimal")
    pick(page, "Take over a manager", "Power plant")  # before the first round
    seat = page.locator(".trustsim-seat-status")
    seat.filter(has_text="You play Power plant").wait_for()
    play = page.get_by_role("button", name="Play this round")
    for n in range(1, 9):
        play.click()
        wait_status(page, rf"\| round {n} \|")
    card = page.locator(".trustsim-seat").bounding_box()
    cheat = page.locator(".trustsim-choice-0").get_by_role("button", name="Cheat")
    box = cheat.bounding_box()
    assert cheat.inner_text() == "Cheat"  # the whole word, inside its card
    assert card["x"] <= box["x"] and box["x"] + box["width"] <= card["x"] + card["width"]
    trust_before = float(re.search(r"Greenhouse (\d\.\d\d) \(partner\)", seat.inner_text())[1])
    cheat.click()
    play.click()
    seat.filter(has_text="last round: #0 cheat").wait_for()
    trust_after = float(re.search(r"Greenhouse (\d\.\d\d)", seat.inner_text())[1])
    assert trust_after < trust_before
    page.get_by_text("caught you cheating").first.wait_for()
    assert "thousand EUR" in page.locator(".trustsim-money").inner_text()
    play.click()
    seat.filter(has_text="last round: #0 honour").wait_for()  # a cheat lasts one round
    cheat.click()
    page.get_by_text("keep cheating every round").click()
    ended = page.locator(".trustsim-ended")
    for _ in range(10):
        if ended.count():
            break
        play.click()
        page.wait_for_timeout(300)
    ended.first.wait_for()
    assert page.locator(".trustsim-seat h1, .trustsim-seat h2").count() == 0  # plain text
    assert "no longer trusts you" in ended.first.inner_text()
    page.get_by_role("button", name="Offer it again").click()
    page.locator(".trustsim-exchange-1").wait_for()
    shot(page, f"app_manager_reoffered_{width}")
    page.get_by_role("button", name="Hand back").click()
    seat.filter(has_text="You play nobody").wait_for()
    assert "Traceback" not in page.locator("body").inner_text()
    context.close()


def test_sessions_keep_their_own_models(browser, app_url, page):
    step(page, 1)
    other = browser.new_context().new_page()
    other.goto(app_url)
    other.locator(".trustsim-status").wait_for(timeout=TIMEOUT)
    assert "| round 0 |" in other.locator(".trustsim-status").inner_text()
    assert "| round 1 |" in status(page)
    other.context.close()


def test_bad_seed_shows_a_short_message_and_the_app_keeps_working(page):
    seed = page.get_by_label("Random seed")
    seed.fill("not a number")
    seed.press("Enter")
    page.get_by_text("the random seed must be a whole number").wait_for()
    step(page, 1)
    assert "Traceback" not in page.locator("body").inner_text()


def test_info_tab_shows_the_netlogo_headings(page):
    page.get_by_role("tab", name="Info").click()
    for heading in ("WHAT IS IT?", "HOW TO USE IT", "THINGS TO TRY"):
        page.get_by_role("heading", name=heading).wait_for()
    shot(page, "app_info")
    assert page.errors == []
