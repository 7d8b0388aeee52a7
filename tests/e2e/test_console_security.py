"""The console refuses what it must, in a real browser: another group's ticket, forms without
their CSRF token, HTML and scripts written by customers (widget and Telegram paths)."""

import re

import httpx
from playwright.sync_api import Page, expect

from bot.processes import ManagedProcess
from tests.e2e.browser import BOT_TIMEOUT, People, ask
from tests.e2e.conftest import (
    AGENT_EMAIL,
    LEAD_EMAIL,
    OUTSIDER_EMAIL,
    RunningStack,
    handed_off,
    ticket_number,
)
from tests.utils.telegram_standin import BotApiStandIn

PAYLOAD = '<img src=x onerror="alert(1)"><script>alert(2)</script> hello'


def test_agent_cannot_open_another_groups_ticket_by_url(stack: RunningStack, people: People) -> None:
    _customer, number = handed_off(stack, "speak to a person")
    olga = people.agent(OUTSIDER_EMAIL)
    expect(olga.locator(f'[data-testid="ticket-row"][data-number="{number}"]')).to_have_count(0)
    response = olga.goto(f"{stack.base_url}/console/tickets/{number}")
    assert response is not None and response.status == 403
    expect(olga.get_by_test_id("error-page")).to_contain_text("belongs to a group you are not in")
    panel = olga.request.get(f"{stack.base_url}/console/tickets/{number}/panel")
    assert panel.status == 403
    missing = olga.goto(f"{stack.base_url}/console/tickets/987654")
    assert missing is not None and missing.status == 404
    expect(olga.get_by_test_id("error-page")).to_contain_text("There is no ticket #987654")


def test_a_form_without_its_csrf_token_is_refused(
    stack: RunningStack, people: People, agent_api: httpx.Client
) -> None:
    _customer, number = handed_off(stack, "the stripe integration gives me an error", "human please")
    sam = people.agent(AGENT_EMAIL, f"/console/tickets/{number}")
    expect(sam.get_by_test_id("claim")).to_be_visible()
    # The same form a forger would send: right cookie (same browser), no token.
    sam.evaluate(
        """(number) => {
        const form = document.createElement('form');
        form.method = 'post';
        form.action = '/console/tickets/' + number + '/claim';
        document.body.appendChild(form);
        form.submit();
    }""",
        number,
    )
    expect(sam.get_by_test_id("error-page")).to_have_attribute("data-status", "403")
    expect(sam.get_by_test_id("error-page")).to_contain_text("security token")
    status = sam.evaluate(
        """(number) => fetch('/console/tickets/' + number + '/claim',
        {method: 'POST', headers: {'X-CSRF-Token': 'forged'}}).then((r) => r.status)""",
        number,
    )
    assert status == 403
    ticket = agent_api.get(f"/api/agent/tickets/{number}").json()["ticket"]
    assert ticket["assignee"] is None and ticket["status"] == "new"


def _assert_nothing_ran(page: Page, dialogs: list[str]) -> None:
    page.wait_for_timeout(500)
    assert dialogs == []
    assert page.locator("img[src=x]").count() == 0
    assert page.evaluate("document.querySelectorAll('main script').length") == 0


def test_html_from_the_widget_shows_as_text_and_never_runs(stack: RunningStack, people: People) -> None:
    customer = people.customer()
    ask(customer, PAYLOAD)
    number = ticket_number(ask(customer, "I want to talk to a person"))
    dialogs: list[str] = []
    lead = people.agent(LEAD_EMAIL, f"/console/tickets?q={number}", dialogs)
    expect(lead.locator(f'[data-testid="ticket-row"][data-number="{number}"]')).to_contain_text(PAYLOAD)
    _assert_nothing_ran(lead, dialogs)
    lead.goto(f"{stack.base_url}/console/tickets/{number}")
    first = lead.locator('[data-testid="message"][data-sender="customer"]').first
    expect(first.get_by_test_id("message-text")).to_have_text(PAYLOAD)
    expect(lead.get_by_test_id("summary")).to_contain_text(PAYLOAD)
    customer.get_by_test_id("deskmate-input").fill(PAYLOAD.replace("hello", "again, live"))
    customer.get_by_test_id("deskmate-send").click()
    live = lead.locator('[data-testid="message"][data-sender="customer"]').last
    expect(live).to_contain_text("again, live", timeout=BOT_TIMEOUT)  # arrived over the live stream
    expect(live.get_by_test_id("message-text")).to_have_text(PAYLOAD.replace("hello", "again, live"))
    _assert_nothing_ran(lead, dialogs)


def test_html_from_telegram_shows_as_text_and_never_runs(
    stack: RunningStack, people: People, standin: BotApiStandIn, telegram_gateway: ManagedProcess
) -> None:
    # Through the Telegram channel: a user with markup in their name writes markup, then asks for a person.
    user = 7_100_001
    name = '<img src=x onerror="alert(3)">Mallory'
    standin.push_message(user, PAYLOAD, first_name=name)
    seen = len(standin.wait_for(lambda: standin.sent(user) or None, timeout=BOT_TIMEOUT / 1000, what="a bot reply"))
    standin.push_message(user, "/human", first_name=name)
    handoff_reply = standin.wait_for(
        lambda: next((m for m in standin.sent(user)[seen:] if "ticket #" in m.text), None),
        timeout=BOT_TIMEOUT / 1000, what="the handoff message",
    )
    number = int(re.search(r"ticket #(\d+)", handoff_reply.text).group(1))  # type: ignore[union-attr]
    dialogs: list[str] = []
    lead = people.agent(LEAD_EMAIL, f"/console/tickets/{number}", dialogs)
    expect(lead.get_by_test_id("customer")).to_contain_text(name)
    expect(lead.locator('[data-testid="message"][data-sender="customer"]').first).to_contain_text(PAYLOAD)
    _assert_nothing_ran(lead, dialogs)
    lead.goto(f"{stack.base_url}/console/tickets?q=Mallory")
    expect(lead.locator(f'[data-testid="ticket-row"][data-number="{number}"]')).to_contain_text("Mallory")
    _assert_nothing_ran(lead, dialogs)
