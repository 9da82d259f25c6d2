"""Choosing in the app's drop-down menus from Playwright, as a student would."""

from __future__ import annotations


def pick(page, label: str, option: str) -> None:
    """Choose ``option`` in the drop-down menu labelled ``label``.

    Under load a click on an open menu's option is sometimes lost in the browser: the menu stays
    open, the field keeps its value and the server hears nothing (seen in 1 of 6 tries with
    three busy cores). A student would click again, and so does this, up to three times.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    select = page.locator(".v-select", has_text=label)
    choice = page.get_by_role("option", name=option, exact=True)
    for _ in range(3):
        if not choice.is_visible():
            select.locator(".v-field").click()
        choice.click()
        try:
            select.locator(".v-select__selection", has_text=option).wait_for(timeout=10_000)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"{label!r}: three clicks on {option!r} did not select it")
