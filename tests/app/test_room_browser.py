"""The shared park in a real browser: a teacher and a class of students in one room.

Playwright drives Debian's headless Chromium against ``trustsim app``: the teacher opens a
room at /teacher, students join at /join?room=CODE, each takes a manager and chooses honour or
cheat; the clock advances when everyone has chosen. Needs ``bash scripts/install_browser.sh``.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from trustsim.app.harness import browser_skip_reason, launch_chromium, serve_app

from ._menus import pick

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif((reason := browser_skip_reason()) is not None, reason=reason or ""),
]

ARTIFACTS = Path(__file__).parent / "artifacts"
TIMEOUT = 60_000  # ms: bounds waits on a busy machine, asserts no speed


@pytest.fixture(scope="module")
def app_url():
    with serve_app(disconnect_seconds=2) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def new_page(browser, url: str, width: int = 1366, height: int = 768, wait: bool = True):
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda err: page.errors.append(str(err)))
    page.goto(url, wait_until="load" if wait else "commit")
    return page


def open_room(browser, url: str, park: str | None = None):
    """The teacher opens a room; return (teacher's page, room code)."""
    teacher = new_page(browser, url + "teacher", 1920, 1080)
    if park:
        pick(teacher, "Park", park)
    teacher.get_by_role("button", name="Open the room").click()
    code = re.search(r"Room code: ([A-Z]{4})", teacher.locator(".trustsim-code").inner_text())[1]
    return teacher, code


def join(browser, url: str, code: str, name: str, manager: str | None = None, page=None):
    """A student joins room ``code`` and takes ``manager`` (default: the first free one)."""
    page = page or new_page(browser, f"{url}join?room={code}")
    page.get_by_label("Your name").fill(name)
    if manager is None:
        page.locator(".v-select", has_text="Free managers").locator(".v-field").click()
        manager = page.get_by_role("option").first.inner_text()
    pick(page, "Free managers", manager)
    page.get_by_role("button", name="Take this manager").click()
    page.locator(".trustsim-seat-status").wait_for()
    return page


def room_round(page) -> int:
    return int(re.search(r"Round (\d+)", page.locator(".trustsim-room-status").inner_text())[1])


def wait_round(page, n: int) -> None:
    page.locator(".trustsim-room-status", has_text=re.compile(rf"^Round {n} ")).wait_for()


def test_a_class_of_ten_plays_five_rounds_in_one_room(browser, app_url):
    started = time.perf_counter()
    teacher, code = open_room(browser, app_url, park="Planned park (designed all at once)")
    probe = new_page(browser, f"{app_url}join?room={code}")
    probe.locator(".v-select", has_text="Free managers").locator(".v-field").click()
    probe.get_by_role("option").first.wait_for()
    managers = probe.get_by_role("option").all_inner_texts()[:10]  # one each: no two collide
    probe.context.close()
    pages = [new_page(browser, f"{app_url}join?room={code}", wait=False) for _ in range(10)]
    students = [join(browser, app_url, code, f"Student {k}", managers[k], page=page)
                for k, page in enumerate(pages)]  # the pages loaded side by side
    print(f"10 students seated at {time.perf_counter() - started:.1f} s")
    seats = teacher.locator(".trustsim-seats tr")
    seats.nth(10).wait_for()
    assert seats.count() == 11  # header and ten students
    names = [s.locator(".trustsim-seat-status").inner_text() for s in students]
    assert len({re.search(r"You play (.+?) \|", n)[1] for n in names}) == 10
    cheated = {}
    for n in range(1, 6):
        for k, student in enumerate(students):
            exchanges = student.locator(".trustsim-exchange")
            if k % 3 == 0 and exchanges.count():
                box = exchanges.first
                e = int(re.search(r"#(\d+)", box.inner_text())[1])
                box.get_by_role("button", name="Cheat").click()
                box.get_by_role("button", name="Cheat").and_(
                    student.locator(".v-btn--active")).wait_for()
                cheated.setdefault(k, []).append((n, e))
            student.get_by_role("button", name="I have chosen").click()
            student.locator(".trustsim-note", has_text="Chosen").or_(student.locator(
                ".trustsim-room-status", has_text=re.compile(rf"^Round {n} "))).wait_for()
        for student in [teacher, *students]:
            wait_round(student, n)
    assert all("Traceback" not in s.locator("body").inner_text() for s in [teacher, *students])
    assert cheated, "no student had a deal to cheat on in five rounds"
    teacher.locator(".trustsim-room-status", has_text=re.compile(r"^Round 5 ")).wait_for()
    with teacher.expect_download() as download:
        teacher.get_by_text("Download the room's history (CSV)").click()
    text = Path(download.value.path()).read_text()
    choices = [line.split(",") for line in text.splitlines() if line.startswith("choices,")]
    for k, rounds in cheated.items():
        for n, e in rounds:  # each student's cheat reached the model in that round
            rows = [r for r in choices if r[1] == str(n) and r[3] == f"Student {k}"
                    and r[5] == str(e)]
            assert rows and rows[0][8] == "False", (k, n, e)
    assert sum(1 for r in choices if r[8] == "True") > 0
    ARTIFACTS.mkdir(exist_ok=True)
    teacher.screenshot(path=str(ARTIFACTS / "room_teacher.png"), full_page=True)
    students[0].screenshot(path=str(ARTIFACTS / "room_student.png"), full_page=True)
    for page in [teacher, *students]:
        assert page.errors == [], page.errors
        page.context.close()
    print(f"teacher + 10 students, 5 rounds: {time.perf_counter() - started:.1f} s")


def test_a_disconnect_frees_the_seat_and_rooms_are_isolated(browser, app_url):
    teacher_a, code_a = open_room(browser, app_url)
    teacher_b, code_b = open_room(browser, app_url, park="Minimal: two managers, one exchange")
    assert code_a != code_b
    student_b = join(browser, app_url, code_b, "Bo", "Power plant")
    student_a = join(browser, app_url, code_a, "Ada")
    teacher_b.locator(".trustsim-seats td", has_text="Bo").wait_for()
    assert "Bo" not in teacher_a.locator(".trustsim-seats-card").inner_text()
    teacher_a.get_by_role("button", name="Advance one round now").click()
    wait_round(student_a, 1)
    assert room_round(teacher_b) == 0 and room_round(student_b) == 0
    student_b.get_by_role("button", name="I have chosen").click()  # Bo is alone: advances
    wait_round(teacher_b, 1)
    assert room_round(teacher_a) == 1
    student_b.context.close()  # the tab goes away without a word
    teacher_b.locator(".trustsim-seats-card", has_text="Nobody has joined yet").wait_for()
    again = join(browser, app_url, code_b, "Cy", "Power plant")  # the seat is free again
    assert "You play Power plant" in again.locator(".trustsim-seat-status").inner_text()
    bad = new_page(browser, f"{app_url}join?room=ZZZZ")
    bad.get_by_text("no room with the code ZZZZ").wait_for()
    for page in (teacher_a, teacher_b, student_a, again, bad):
        assert "Traceback" not in page.locator("body").inner_text()
        page.context.close()


def test_closing_a_playing_tab_stops_its_play_loop(browser, app_url):
    from trustsim.app.harness import SERVER_PIDS, cpu_seconds

    page = new_page(browser, app_url)
    page.locator(".trustsim-status").wait_for()
    page.get_by_role("button", name="Fast").click()
    page.get_by_role("button", name="Play").click()
    page.locator(".trustsim-status", has_text=re.compile(r"\| round [5-9]\d* \|")).wait_for()
    page.context.close()  # the tab goes away while playing
    time.sleep(2 + 3)  # the disconnect timeout, then some slack
    pid = SERVER_PIDS[app_url]
    before = cpu_seconds(pid)
    time.sleep(3)
    assert cpu_seconds(pid) - before < 0.5  # idle: nothing steps a park nobody watches
