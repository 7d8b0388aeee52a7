"""One real conversation after another through the gateway, Rasa and the action server."""

from typing import Any

import httpx

from tests.e2e.conftest import RunningStack
from tests.utils.widget_client import WidgetClient, button

ARTICLE_BASE = "https://help.ledgerly.example/articles/"


def _customer(stack: RunningStack) -> WidgetClient:
    client = WidgetClient(stack.base_url)
    client.start()
    return client


def _ticket_number(reply: dict[str, Any]) -> int:
    import re

    found = re.search(r"ticket #(\d+)", reply["text"])
    assert found, reply["text"]
    return int(found.group(1))


def test_kb_question_is_answered_with_the_article_link(stack: RunningStack) -> None:
    customer = _customer(stack)
    replies = customer.send("how do I reset my password? the link in the email expired")
    assert f"{ARTICLE_BASE}reset-password" in replies[-1]["text"]
    payloads = [item["payload"] for item in replies[-1]["buttons"]]
    assert payloads == ["/feedback_helped", "/feedback_not_helped"]


def test_that_helped_is_acknowledged_without_a_ticket(stack: RunningStack, agent_api: httpx.Client) -> None:
    customer = _customer(stack)
    replies = customer.send("how do I turn on two factor authentication?")
    thanks = customer.press(button(replies[-1], "/feedback_helped"))
    assert thanks and "ticket" not in thanks[-1]["text"].lower()


def test_out_of_scope_question_gets_i_dont_know_and_a_human_offer(stack: RunningStack) -> None:
    customer = _customer(stack)
    replies = customer.send("Which pizza place in Naples would you recommend for a team dinner?")
    assert "don't know" in replies[-1]["text"]
    assert button(replies[-1], "/request_human")["title"] == "Talk to a person"


def test_asking_for_a_human_makes_one_ticket_with_the_whole_transcript(
    stack: RunningStack, agent_api: httpx.Client
) -> None:
    customer = _customer(stack)
    customer.send("hi")
    customer.send("how can I connect my bank account?")
    handoff = customer.send("I'd like to talk to a real person please")
    number = _ticket_number(handoff[-1])
    again = customer.send("human please")
    assert again == []  # the bot is silent now: a person owns the conversation
    detail = agent_api.get(f"/api/agent/tickets/{number}").json()
    transcript = [message["text"] for message in detail["transcript"]]
    for text in ("hi", "how can I connect my bank account?", "I'd like to talk to a real person please",
                 "human please"):
        assert text in transcript
    assert any(message["sender"] == "bot" for message in detail["transcript"])
    assert detail["ticket"]["reason"] == "asked_for_human"
    numbers = [t["number"] for t in agent_api.get("/api/agent/tickets").json()["data"]]
    assert numbers.count(number) == 1


def test_later_messages_land_on_the_ticket_not_in_rasa(stack: RunningStack, agent_api: httpx.Client) -> None:
    customer = _customer(stack)
    number = _ticket_number(customer.send("I want to speak to an agent")[-1])
    assert customer.send("how do I reset my password?") == []
    detail = agent_api.get(f"/api/agent/tickets/{number}").json()
    assert detail["transcript"][-1]["text"] == "how do I reset my password?"
    assert "customer_message" in [event["kind"] for event in detail["events"]]


def test_no_that_did_not_help_hands_off(stack: RunningStack, agent_api: httpx.Client) -> None:
    customer = _customer(stack)
    replies = customer.send("my bank feed stopped updating last week")
    handoff = customer.press(button(replies[-1], "/feedback_not_helped"))
    number = _ticket_number(handoff[-1])
    assert agent_api.get(f"/api/agent/tickets/{number}").json()["ticket"]["reason"] == "not_helped"


def test_two_misses_in_a_row_hand_off(stack: RunningStack, agent_api: httpx.Client) -> None:
    customer = _customer(stack)
    first = customer.send("Can you recommend a good accountant in Hamburg?")
    assert "don't know" in first[-1]["text"]
    second = customer.send("Do you sell office furniture as well?")
    number = _ticket_number(second[-1])
    assert agent_api.get(f"/api/agent/tickets/{number}").json()["ticket"]["reason"] == "repeated_miss"


def test_always_human_topic_goes_straight_to_a_ticket(stack: RunningStack, agent_api: httpx.Client) -> None:
    customer = _customer(stack)
    number = _ticket_number(customer.send("Please delete my account and erase all my data")[-1])
    assert agent_api.get(f"/api/agent/tickets/{number}").json()["ticket"]["reason"] == "always_human_topic"


def test_agent_reply_reaches_the_open_widget(stack: RunningStack, agent_api: httpx.Client) -> None:
    customer = _customer(stack)
    number = _ticket_number(customer.send("talk to a human")[-1])
    last_id = customer.messages()[-1]["id"]
    response = agent_api.post(f"/api/agent/tickets/{number}/replies", json={"text": "Hi, Sam here. Looking now."})
    assert response.status_code == 201
    streamed = customer.stream_until(lambda message: message["sender"] == "agent", after=last_id)
    assert streamed[-1]["text"] == "Hi, Sam here. Looking now."
    assert streamed[-1]["agent_name"] == "Sam"


def test_customer_sees_status_of_own_ticket_only(stack: RunningStack) -> None:
    owner = _customer(stack)
    number = _ticket_number(owner.send("I need a person")[-1])
    stranger = _customer(stack)
    reply = stranger.send(f"what is the status of ticket {number}?")
    assert "couldn't find ticket" in reply[-1]["text"]


def test_same_browser_resumes_the_same_conversation(stack: RunningStack) -> None:
    customer = _customer(stack)
    customer.send("hello")
    reloaded = WidgetClient(stack.base_url, customer.conversation_id, customer.token)
    body = reloaded.start()
    assert body["conversation_id"] == customer.conversation_id
    assert [m["text"] for m in body["messages"]][0] == "hello"
