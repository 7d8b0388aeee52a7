"""The demo page in Debian's chromium: the widget chats, renders the answer link, and escapes HTML."""

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.e2e.conftest import RunningStack

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    tab = context.new_page()
    yield tab
    context.close()


def _ask(page: Page, text: str) -> None:
    page.get_by_test_id("deskmate-input").fill(text)
    page.get_by_test_id("deskmate-send").click()


def test_customer_chats_and_sees_the_article_link(stack: RunningStack, page: Page) -> None:
    page.goto(stack.base_url + "/")
    page.get_by_test_id("deskmate-launcher").click()
    _ask(page, "how do I reset my password? the link in the email expired")
    link = page.locator('[data-testid="deskmate-message"][data-sender="bot"] a').last
    expect(link).to_have_attribute("href", "https://help.ledgerly.example/articles/reset-password", timeout=60_000)
    expect(page.get_by_test_id("deskmate-button").first).to_be_visible()


def test_script_in_a_message_is_shown_as_text_and_never_runs(stack: RunningStack, page: Page) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(stack.base_url + "/")
    page.get_by_test_id("deskmate-launcher").click()
    payload = '<img src=x onerror="alert(1)"><script>alert(2)</script> hello'
    _ask(page, payload)
    customer = page.locator('[data-testid="deskmate-message"][data-sender="customer"]').last
    expect(customer).to_contain_text(payload, timeout=30_000)
    expect(page.locator('[data-testid="deskmate-message"][data-sender="bot"]').last).to_be_visible(timeout=60_000)
    assert page.locator("img[src=x]").count() == 0
    assert dialogs == []


def test_reload_keeps_the_conversation(stack: RunningStack, page: Page) -> None:
    page.goto(stack.base_url + "/")
    page.get_by_test_id("deskmate-launcher").click()
    _ask(page, "hello there")
    expect(page.locator('[data-testid="deskmate-message"][data-sender="bot"]').first).to_be_visible(timeout=60_000)
    page.reload()
    page.get_by_test_id("deskmate-launcher").click()
    expect(page.locator('[data-testid="deskmate-message"][data-sender="customer"]').first).to_contain_text(
        "hello there", timeout=30_000)


def test_widget_catches_up_after_losing_its_connection(stack: RunningStack, page: Page,
                                                       agent_api: httpx.Client) -> None:
    page.goto(stack.base_url + "/")
    page.get_by_test_id("deskmate-launcher").click()
    _ask(page, "I want to talk to a person")
    handoff = page.locator('[data-testid="deskmate-message"][data-sender="bot"]').last
    expect(handoff).to_contain_text("ticket #", timeout=60_000)
    number = int(re.search(r"ticket #(\d+)", handoff.inner_text()).group(1))  # type: ignore[union-attr]
    page.context.set_offline(True)
    for text in ("First reply while you were away", "Second reply while you were away"):
        assert agent_api.post(f"/api/agent/tickets/{number}/replies", json={"text": text}).status_code == 201
    page.wait_for_timeout(1500)
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    agent_messages = page.locator('[data-testid="deskmate-message"][data-sender="agent"]')
    expect(agent_messages).to_have_count(2, timeout=30_000)
    expect(agent_messages.nth(0)).to_contain_text("First reply while you were away")
    expect(agent_messages.nth(1)).to_contain_text("Second reply while you were away")
    page.wait_for_timeout(3000)  # a late duplicate from the live stream would show up here
    expect(agent_messages).to_have_count(2)
