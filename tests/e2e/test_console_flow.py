"""The agent console in Debian's chromium against the real stack: the main story from the widget
to CSAT, live updates between agents, catch-up after a dropped connection, the board's rules.

Set DESKMATE_SCREENSHOTS=1 to refresh the README's screenshots in docs/screenshots/.
"""

import uuid

import httpx
from playwright.sync_api import expect

from tests.e2e.browser import LIVE_TIMEOUT, People, ask, save_screenshot
from tests.e2e.conftest import (
    AGENT_EMAIL,
    LEAD_EMAIL,
    SECOND_AGENT_EMAIL,
    RunningStack,
    handed_off,
    ticket_number,
)


def test_customer_hands_off_agent_answers_with_a_template_and_the_lead_sees_csat(
    stack: RunningStack,
    people: People,
) -> None:
    marker = uuid.uuid4().hex[:8]
    customer = people.customer()
    dialogs: list[str] = []
    agent = people.agent(AGENT_EMAIL, f"/console/tickets?q={marker}", dialogs)
    expect(agent.get_by_test_id("ticket-count")).to_have_text("0 tickets")
    expect(agent.get_by_test_id("live-status")).to_have_text("Live", timeout=LIVE_TIMEOUT)
    agent.evaluate("window.__sameDocument = true")

    ask(customer, f"the stripe integration gives me an error {marker}")
    number = ticket_number(ask(customer, "I want to talk to a person"))

    row = agent.locator(f'[data-testid="ticket-row"][data-number="{number}"]')
    expect(row).to_be_visible(timeout=LIVE_TIMEOUT)  # appeared live, without a reload
    assert agent.evaluate("window.__sameDocument") is True
    expect(row.get_by_test_id("sla")).to_contain_text("On track")
    row.get_by_test_id("ticket-link").click()
    expect(agent.get_by_test_id("ticket-group")).to_contain_text("technical")
    expect(agent.locator('[data-testid="message"][data-sender="customer"]').first).to_contain_text(marker)

    agent.get_by_test_id("claim").click()
    expect(agent.get_by_test_id("assignee")).to_have_text("Sam")
    expect(agent.get_by_test_id("ticket-state")).to_have_attribute("data-state", "in_progress")
    agent.get_by_test_id("template-picker").select_option(label="Greeting")
    expect(agent.get_by_test_id("reply-text")).to_have_value(
        f"Hi there, thanks for your patience. I'm Sam and I'm looking at ticket #{number} now."
    )
    agent.get_by_test_id("send-reply").click()
    expect(agent.locator('[data-testid="message"][data-sender="agent"]')).to_have_count(
        1, timeout=LIVE_TIMEOUT
    )
    save_screenshot(agent, "ticket")

    reply = customer.locator('[data-testid="deskmate-message"][data-sender="agent"]').last
    expect(reply).to_contain_text(f"looking at ticket #{number}", timeout=30_000)

    agent.get_by_test_id("resolve").click()
    expect(agent.get_by_test_id("ticket-state")).to_have_attribute("data-state", "resolved")
    five = customer.locator('[data-testid="deskmate-button"]', has_text="5 ★★★★★").last
    expect(five).to_be_enabled(timeout=30_000)
    five.click()
    expect(customer.locator('[data-testid="deskmate-message"]').last).to_contain_text(
        "Thank you for rating", timeout=30_000
    )
    expect(agent.get_by_test_id("ticket-csat")).to_have_text(
        "5/5", timeout=LIVE_TIMEOUT
    )  # live on the open page

    lead = people.agent(LEAD_EMAIL, f"/console/tickets?state=all&q={number}")
    lead_row = lead.locator(f'[data-testid="ticket-row"][data-number="{number}"]')
    expect(lead_row.get_by_test_id("csat")).to_have_text("5/5")
    expect(lead.get_by_test_id("csat-stats")).to_contain_text("/5 from")
    lead.goto(f"{stack.base_url}/console/tickets/{number}")
    expect(lead.get_by_test_id("ticket-csat")).to_have_text("5/5")
    expect(lead.get_by_test_id("timeline")).to_contain_text("The customer rated the help 5/5")
    assert dialogs == []


def test_two_agents_on_one_ticket_see_each_other_at_once(stack: RunningStack, people: People) -> None:
    _customer, number = handed_off(stack, "talk to a human please")
    sam = people.agent(AGENT_EMAIL, f"/console/tickets/{number}")
    kim = people.agent(SECOND_AGENT_EMAIL, f"/console/tickets/{number}")
    for page in (sam, kim):
        expect(page.get_by_test_id("live-status")).to_have_text("Live", timeout=LIVE_TIMEOUT)

    kim.get_by_test_id("reply-text").press_sequentially("I can take th")
    sam.get_by_test_id("reply-text").fill("On it")
    expect(sam.get_by_test_id("typing")).to_contain_text("Kim is also writing a reply", timeout=LIVE_TIMEOUT)

    sam.get_by_test_id("send-reply").click()
    expect(kim.locator('[data-testid="message"][data-sender="agent"]', has_text="On it")).to_have_count(
        1, timeout=3_000
    )
    kim.get_by_test_id("reply-text").fill("Customer is on the old plan, careful with the migration.")
    kim.get_by_test_id("add-note").click()
    note = sam.locator('[data-testid="message"][data-kind="note"]')
    expect(note).to_contain_text("careful with the migration", timeout=3_000)
    expect(note).to_contain_text("Internal note")


def test_ticket_page_catches_up_after_losing_its_connection(stack: RunningStack, people: People) -> None:
    customer, number = handed_off(stack, "I want to talk to a person")
    agent = people.agent(AGENT_EMAIL, f"/console/tickets/{number}")
    expect(agent.get_by_test_id("live-status")).to_have_text("Live", timeout=LIVE_TIMEOUT)
    customer_messages = agent.locator('[data-testid="message"][data-sender="customer"]')
    before = customer_messages.count()

    agent.context.set_offline(True)
    customer.send("First message while the agent was offline")
    customer.send("Second message while the agent was offline")
    agent.wait_for_timeout(1500)
    agent.context.set_offline(False)
    agent.evaluate("window.dispatchEvent(new Event('online'))")

    expect(customer_messages).to_have_count(before + 2, timeout=LIVE_TIMEOUT)
    expect(customer_messages.nth(before)).to_contain_text("First message while the agent was offline")
    expect(customer_messages.nth(before + 1)).to_contain_text("Second message while the agent was offline")
    agent.wait_for_timeout(3000)  # a late duplicate from the stream would show up here
    expect(customer_messages).to_have_count(before + 2)


def test_board_moves_follow_the_lifecycle(
    stack: RunningStack, people: People, agent_api: httpx.Client
) -> None:
    _customer, number = handed_off(stack, "talk to someone please")
    lead = people.agent(LEAD_EMAIL, "/console/board")
    card = lead.locator(f'[data-testid="card"][data-number="{number}"]')
    expect(card).to_be_visible()
    card.get_by_test_id("move-select").select_option("awaiting_customer")
    card.get_by_test_id("move").click()
    moved = lead.locator(
        f'[data-testid="column-awaiting_customer"] [data-testid="card"][data-number="{number}"]'
    )
    expect(moved).to_be_visible()
    save_screenshot(lead, "board")

    assert agent_api.post(f"/api/agent/tickets/{number}/resolve", json={}).status_code == 200
    assert agent_api.post(f"/api/agent/tickets/{number}/status", json={"status": "closed"}).status_code == 200
    closed = lead.locator(f'[data-testid="column-closed"] [data-testid="card"][data-number="{number}"]')
    expect(closed).to_be_visible(timeout=LIVE_TIMEOUT)  # the board follows changes made elsewhere
    closed.get_by_test_id("move-select").select_option("in_progress")
    closed.get_by_test_id("move").click()
    expect(lead.get_by_test_id("board-error")).to_contain_text(
        f"Ticket #{number} cannot go from closed to in_progress"
    )
    assert agent_api.get(f"/api/agent/tickets/{number}").json()["ticket"]["status"] == "closed"


def test_queues_and_review_queue(stack: RunningStack, people: People) -> None:
    _customer, claimable = handed_off(stack, "the stripe integration gives me an error", "human please")
    _customer, reviewed = handed_off(
        stack, "I need a receipt with our VAT number for my subscription", "agent please"
    )
    lead = people.agent(LEAD_EMAIL, "/console/queues")
    review_row = lead.locator(f'[data-testid="review-row"][data-number="{reviewed}"]')
    expect(review_row).to_contain_text("(recommended)")
    save_screenshot(lead, "queues")
    review_row.get_by_test_id("confirm-assignee").click()
    expect(lead.locator(f'[data-testid="review-row"][data-number="{reviewed}"]')).to_have_count(0)

    lead.goto(f"{stack.base_url}/console/tickets?state=all")
    save_screenshot(lead, "tickets")

    sam = people.agent(AGENT_EMAIL, "/console/queues")
    queued = sam.locator(
        f'[data-testid="queue-technical"] [data-testid="queue-row"][data-number="{claimable}"]'
    )
    queued.get_by_test_id("queue-claim").click()
    expect(sam.get_by_test_id("assignee")).to_have_text("Sam")
