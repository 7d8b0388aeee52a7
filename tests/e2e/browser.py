"""Debian's chromium for the end-to-end tests, and the people who use it: agents signed in to the
console and customers in the widget, each in a browser context of their own."""

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import Browser, BrowserContext, Dialog, Page, expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
BOT_TIMEOUT = 60_000
LIVE_TIMEOUT = 15_000


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's chromium, headless (never a downloaded browser)."""
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


class People:
    """Agents signed in to the console and customers on the help page, each in a browser of their own."""

    def __init__(self, browser: Browser, base_url: str, password: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.password = password
        self.contexts: list[BrowserContext] = []

    def _page(self, dialogs: list[str] | None) -> Page:
        context = self.browser.new_context(viewport={"width": 1400, "height": 900})
        self.contexts.append(context)
        page = context.new_page()
        if dialogs is not None:
            seen = dialogs

            def record(dialog: Dialog) -> None:
                seen.append(dialog.message)
                dialog.dismiss()

            page.on("dialog", record)
        return page

    def agent(self, email: str, path: str = "/console/tickets", dialogs: list[str] | None = None) -> Page:
        """Sign `email` in through the login form; returns the page at `path`."""
        page = self._page(dialogs)
        page.goto(f"{self.base_url}/console/login?next={quote(path, safe='')}")
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Password").fill(self.password)
        page.get_by_test_id("login-submit").click()
        page.wait_for_url(re.compile(re.escape(path.split("?", maxsplit=1)[0])))
        return page

    def customer(self) -> Page:
        """A customer on the demo help page with the chat widget open."""
        page = self._page(None)
        page.goto(self.base_url + "/")
        page.get_by_test_id("deskmate-launcher").click()
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def ask(page: Page, text: str) -> str:
    """The customer types in the widget; returns the text of the bot's newest reply."""
    replies = page.locator('[data-testid="deskmate-message"][data-sender="bot"]')
    before = replies.count()
    page.get_by_test_id("deskmate-input").fill(text)
    page.get_by_test_id("deskmate-send").click()
    expect(replies).to_have_count(before + 1, timeout=BOT_TIMEOUT)
    return replies.last.inner_text()


def save_screenshot(page: Page, name: str) -> None:
    if os.environ.get("DESKMATE_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)
