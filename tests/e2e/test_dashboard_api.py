"""The dashboard JSON API and /metrics on the real stack: customers talk to the bot through the
widget, an agent answers through the agent API, and both read-outs follow."""

import re
import time
from collections.abc import Callable
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.conftest import AGENT_EMAIL, LEAD_EMAIL, RunningStack, signed_in
from tests.utils.widget_client import WidgetClient, button

WAIT_SECONDS = 30.0


def metrics(stack: RunningStack) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = httpx.get(stack.base_url + "/metrics", timeout=30.0)
    assert response.status_code == 200
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def sample(values: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return values.get((name, frozenset(labels.items())), 0.0)


def outcome_counts(lead: httpx.Client) -> dict[str, int]:
    body = lead.get("/api/dashboard/tables/bot_outcomes", params={"days": 1, "fresh": "true"}).json()
    return {row[0]: row[1] for row in body["table"]["rows"]}


def figure(lead: httpx.Client, key: str) -> Any:
    # fresh: figures just after a change (by default a build up to a minute old is served)
    response = lead.get(f"/api/dashboard/figures/{key}", params={"days": 1, "fresh": "true"})
    return response.json()["figure"]["value"]


def eventually(check: Callable[[], bool]) -> None:
    """Wait for the outbox worker (it polls) without asserting how long it takes."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not check():
        assert time.monotonic() < deadline, "the change never showed"
        time.sleep(0.2)


def test_a_confirmed_answer_and_a_handoff_show_in_the_json_and_in_metrics(stack: RunningStack) -> None:
    lead = signed_in(stack, LEAD_EMAIL)
    before, outcomes_before = metrics(stack), outcome_counts(lead)
    tickets_before = figure(lead, "tickets_created")

    helped = WidgetClient(stack.base_url)
    helped.start()
    replies = helped.send("how do I turn on two factor authentication?")
    helped.press(button(replies[-1], "/feedback_helped"))
    person = WidgetClient(stack.base_url)
    person.start()
    handoff = person.send("I'd like to talk to a real person please")
    found = re.search(r"ticket #(\d+)", handoff[-1]["text"])
    assert found, handoff
    number = int(found.group(1))

    after, outcomes_after = metrics(stack), outcome_counts(lead)
    assert (
        outcomes_after["Resolved by the bot, confirmed"]
        == outcomes_before.get("Resolved by the bot, confirmed", 0) + 1
    )
    assert figure(lead, "tickets_created") == tickets_before + 1

    def grew(name: str, **labels: str) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    assert grew("deskmate_messages_total", channel="web", sender="customer") == 3
    assert grew("deskmate_messages_total", channel="web", sender="bot") >= 3
    assert grew("deskmate_bot_reply_seconds_count", outcome="ok") == 3
    assert grew("deskmate_kb_decisions_total", decision="answer") == 1
    assert grew("deskmate_tickets_created_total", reason="asked_for_human", channel="web") == 1
    assert (
        grew(
            "deskmate_http_request_seconds_count",
            method="POST",
            route="/api/widget/conversations/{conversation_id}/messages",
            status="200",
        )
        >= 3
    )

    agent = signed_in(stack, LEAD_EMAIL)
    assert (
        agent.post(f"/api/agent/tickets/{number}/replies", json={"text": "Hi, Lee here."}).status_code == 201
    )
    eventually(
        lambda: (
            sample(
                metrics(stack),
                "deskmate_outbox_deliveries_total",
                channel="web",
                sender="agent",
                outcome="delivered",
            )
            > sample(
                before, "deskmate_outbox_deliveries_total", channel="web", sender="agent", outcome="delivered"
            )
        )
    )


def test_agents_cannot_read_the_dashboard_api(stack: RunningStack) -> None:
    agent = signed_in(stack, AGENT_EMAIL)
    response = agent.get("/api/dashboard")
    assert response.status_code == 403
    assert response.json() == {"detail": "Only leads and admins may do this"}
