"""The help desk through the agent API, against the real stack: lifecycle, dispatch, CSAT, status."""

import re
import threading

import httpx

from tests.e2e.conftest import LEAD_EMAIL, OUTSIDER_EMAIL, SECOND_AGENT_EMAIL, RunningStack, signed_in
from tests.utils.widget_client import WidgetClient, button


def _handoff(stack: RunningStack, *texts: str) -> tuple[WidgetClient, int, str]:
    customer = WidgetClient(stack.base_url)
    customer.start()
    for text in texts[:-1]:
        customer.send(text)
    reply = customer.send(texts[-1])[-1]["text"]
    found = re.search(r"ticket #(\d+)", reply)
    assert found, reply
    return customer, int(found.group(1)), reply


def test_handoff_message_promises_a_time_and_links_the_status_page(stack: RunningStack) -> None:
    _customer, number, reply = _handoff(stack, "I want to talk to a person about my plan")
    assert "reply" in reply
    link = re.search(r"(http://\S+/status/\d+\?sig=\w+)", reply)
    assert link, reply
    page = httpx.get(link.group(1))
    assert page.status_code == 200 and f"Ticket #{number}" in page.text
    wrong = httpx.get(f"{stack.base_url}/status/{number}?sig=forged")
    other = httpx.get(f"{stack.base_url}/status/999999?sig=forged")
    assert wrong.status_code == other.status_code == 404
    assert wrong.text == other.text


def test_template_reply_resolve_and_csat_reach_the_customer(stack: RunningStack, agent_api: httpx.Client) -> None:
    customer, number, _ = _handoff(stack, "how do I change my plan?", "I'd like to talk to a human")
    detail = agent_api.get(f"/api/agent/tickets/{number}").json()
    assert detail["ticket"]["skill_group"] == "general"
    assert detail["ticket"]["assignee"] == "Sam"  # tiered group: L1 is assigned automatically
    assert "change my plan" in detail["summary"]["text"]
    templates = agent_api.get("/api/agent/templates").json()
    greeting = next(t for t in templates if t["name"] == "Greeting")
    text = agent_api.post(f"/api/agent/templates/{greeting['id']}/render", json={"ticket_number": number}).json()["text"]
    assert f"#{number}" in text and "Sam" in text and "{" not in text
    assert agent_api.post(f"/api/agent/tickets/{number}/replies", json={"text": text}).status_code == 201
    resolved = agent_api.post(f"/api/agent/tickets/{number}/resolve", json={"reason": "answered"})
    assert resolved.json()["status"] == "resolved"
    question = customer.messages()[-1]
    assert "How would you rate" in question["text"]
    thanks = customer.press(button(question, '/csat{"score": 5}'))
    assert "Thank you" in thanks[-1]["text"]
    assert agent_api.get(f"/api/agent/tickets/{number}").json()["ticket"]["csat_score"] == 5


def test_invalid_transition_is_refused_with_409(stack: RunningStack, agent_api: httpx.Client) -> None:
    _customer, number, _ = _handoff(stack, "talk to a human please")
    agent_api.post(f"/api/agent/tickets/{number}/status", json={"status": "resolved"})
    assert agent_api.post(f"/api/agent/tickets/{number}/status", json={"status": "closed"}).status_code == 200
    refused = agent_api.post(f"/api/agent/tickets/{number}/status", json={"status": "awaiting_customer"})
    assert refused.status_code == 409
    assert "cannot go from closed to awaiting_customer" in refused.json()["detail"]


def test_two_agents_claiming_at_once_exactly_one_wins(stack: RunningStack, agent_api: httpx.Client) -> None:
    _customer, number, _ = _handoff(stack, "the stripe integration gives me an error", "human please")
    assert agent_api.get(f"/api/agent/tickets/{number}").json()["ticket"]["skill_group"] == "technical"
    kim = signed_in(stack, SECOND_AGENT_EMAIL)
    results: list[int] = []
    barrier = threading.Barrier(2)

    def claim(client: httpx.Client) -> None:
        barrier.wait()
        results.append(client.post(f"/api/agent/tickets/{number}/claim").status_code)

    threads = [threading.Thread(target=claim, args=(client,)) for client in (agent_api, kim)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [200, 409]
    events = agent_api.get(f"/api/agent/tickets/{number}").json()["events"]
    assert [e["kind"] for e in events].count("claimed") == 1


def test_agent_outside_the_group_gets_403(stack: RunningStack) -> None:
    _customer, number, _ = _handoff(stack, "speak to a person")
    olga = signed_in(stack, OUTSIDER_EMAIL)
    refused = olga.get(f"/api/agent/tickets/{number}")
    assert refused.status_code == 403
    assert number not in [t["number"] for t in olga.get("/api/agent/tickets").json()["data"]]


def test_lead_confirms_the_review_queue_and_escalates(stack: RunningStack, agent_api: httpx.Client) -> None:
    _customer, number, _ = _handoff(stack, "I need a receipt with our VAT number for my subscription", "agent please")
    lead = signed_in(stack, LEAD_EMAIL)
    queue = [t["number"] for t in lead.get("/api/agent/queues/review").json()["data"]]
    assert number in queue
    assigned = lead.post(f"/api/agent/tickets/{number}/assign", json={"agent_email": "sam@ledgerly.example"})
    assert assigned.json()["assignee"] == "Sam" and assigned.json()["status"] == "in_progress"
    escalated = agent_api.post(f"/api/agent/tickets/{number}/escalate", json={"note": "needs a refund decision"})
    assert (escalated.json()["skill_group"], escalated.json()["tier"]) == ("senior", 2)


def test_unknown_placeholder_is_refused_when_saving_a_template(stack: RunningStack) -> None:
    lead = signed_in(stack, LEAD_EMAIL)
    refused = lead.post("/api/agent/templates", json={"name": "Bad", "body": "Hi {first_name}"})
    assert refused.status_code == 422 and "{first_name}" in refused.json()["detail"]


def test_customer_reply_after_resolve_reopens_the_ticket(stack: RunningStack, agent_api: httpx.Client) -> None:
    customer, number, _ = _handoff(stack, "talk to someone please")
    agent_api.post(f"/api/agent/tickets/{number}/resolve", json={})
    assert customer.send("sorry, one more thing about this") == []
    ticket = agent_api.get(f"/api/agent/tickets/{number}").json()["ticket"]
    assert ticket["status"] == "in_progress" and ticket["reopened_count"] == 1


def test_status_question_is_answered_while_a_person_owns_the_conversation(
    stack: RunningStack, agent_api: httpx.Client
) -> None:
    customer, number, _ = _handoff(stack, "I need a person")
    _other, other_number, _ = _handoff(stack, "a human please")
    agent_api.post(f"/api/agent/tickets/{number}/resolve", json={})
    mine = customer.send(f"what's the status of ticket {number}?")
    assert f"Ticket #{number} is resolved" in mine[-1]["text"]
    theirs = customer.send(f"status of ticket {other_number}")
    assert f"couldn't find ticket #{other_number}" in theirs[-1]["text"]
    ticket = agent_api.get(f"/api/agent/tickets/{number}").json()["ticket"]
    assert ticket["status"] == "resolved" and ticket["reopened_count"] == 0


def test_agent_goes_away_and_back(stack: RunningStack) -> None:
    kim = signed_in(stack, SECOND_AGENT_EMAIL)
    me = kim.get("/api/agent/me").json()
    assert me["display_name"] == "Kim" and "general" in me["groups"]
    assert kim.patch("/api/agent/me", json={"is_available": True}).json()["is_available"] is True
    assert kim.patch("/api/agent/me", json={"is_available": False}).json()["is_available"] is False
