"""The Telegram channel end to end: a Bot API stand-in, a gateway with a bot token, real Rasa.

The stand-in plays Telegram and its users; a second gateway on the shared stack runs the
channel against it. Tests that restart or kill that gateway come last.
"""

import itertools
import os
import re
import signal
import time
from collections.abc import Callable
from typing import Any

import httpx

from bot.processes import ManagedProcess
from handoff import list_messages, session_scope, start_conversation
from handoff.conversations import latest_conversation_for_customer
from tests.e2e.conftest import RunningStack
from tests.utils.telegram_standin import BotApiStandIn, SentMessage

ARTICLE_BASE = "https://help.ledgerly.example/articles/"
TEXT_ONLY = "I can only read text here"
_users = itertools.count(7_000_001)


def _reply(standin: BotApiStandIn, user: int, seen: int,
           until: Callable[[SentMessage], bool] = lambda _m: True, what: str = "a reply") -> SentMessage:
    """The first message to `user` after the first `seen` ones that satisfies `until`."""
    return standin.wait_for(
        lambda: next((message for message in standin.sent(user)[seen:] if until(message)), None),
        timeout=90, what=f"{what} to user {user}",
    )


def _send(standin: BotApiStandIn, user: int, text: str,
          until: Callable[[SentMessage], bool] = lambda _m: True, what: str = "a reply") -> SentMessage:
    seen = len(standin.sent(user))
    standin.push_message(user, text)
    return _reply(standin, user, seen, until, what)


def _ticket_number(text: str) -> int:
    found = re.search(r"ticket #(\d+)", text)
    assert found, text
    return int(found.group(1))


def _has_ticket(message: SentMessage) -> bool:
    return "ticket #" in message.text


def _stored(stack: RunningStack, user: int) -> list[Any]:
    """The user's latest conversation as stored: every message, both directions."""
    with session_scope(stack.config.database_url) as session:
        conversation = latest_conversation_for_customer(session, channel="telegram", external_id=str(user))
        assert conversation is not None
        return list_messages(session, conversation_id=conversation.id, include_internal=True)


def _customer_texts(stack: RunningStack, user: int) -> list[str]:
    return [message.text for message in _stored(stack, user) if message.sender == "customer"]


def _all_handled(standin: BotApiStandIn) -> bool:
    return not standin.pending_update_ids()


def test_full_conversation_from_question_to_csat(
    stack: RunningStack, agent_api: httpx.Client, standin: BotApiStandIn, telegram_gateway: ManagedProcess
) -> None:
    user = next(_users)
    greeting = _send(standin, user, "/start", what="the greeting")
    assert "/human" in greeting.text and "/status" in greeting.text

    answer = _send(standin, user, "how do I reset my password? the link in the email expired",
                   until=lambda m: bool(m.links), what="an answer with a link")
    assert answer.parse_mode == "HTML"
    assert answer.links[0][1] == f"{ARTICLE_BASE}reset-password"
    assert answer.callback_data() == ["/feedback_helped", "/feedback_not_helped"]

    seen = len(standin.sent(user))
    query = standin.push_callback(user, answer, "/feedback_not_helped")
    handoff = _reply(standin, user, seen, _has_ticket, "the handoff")
    number = _ticket_number(handoff.text)
    assert standin.answered(query)
    assert next(m for m in standin.sent(user) if m.message_id == answer.message_id).reply_markup is None

    detail = agent_api.get(f"/api/agent/tickets/{number}").json()
    assert detail["ticket"]["reason"] == "not_helped"
    assert detail["ticket"]["channel"] == "telegram"
    customer_said = [m["text"] for m in detail["transcript"] if m["sender"] == "customer"]
    assert "how do I reset my password? the link in the email expired" in customer_said
    assert "No, I need more help" in customer_said

    seen = len(standin.sent(user))
    response = agent_api.post(f"/api/agent/tickets/{number}/replies",
                              json={"text": "Hi, Sam here. I've reset it."})
    assert response.status_code == 201, response.text
    assert _reply(standin, user, seen, what="the agent's reply").text == "Hi, Sam here. I've reset it."

    seen = len(standin.sent(user))
    assert agent_api.post(f"/api/agent/tickets/{number}/resolve", json={}).status_code == 200
    question = _reply(standin, user, seen, lambda m: bool(m.reply_markup), "the CSAT question")
    assert '/csat{"score": 5}' in question.callback_data()
    seen = len(standin.sent(user))
    standin.push_callback(user, question, '/csat{"score": 5}')
    assert "Thank you" in _reply(standin, user, seen, what="thanks for the rating").text
    assert agent_api.get(f"/api/agent/tickets/{number}").json()["ticket"]["csat_score"] == 5

    # The agent's reply and the CSAT question went out through Telegram: Prometheus counts them.
    metrics_url = telegram_gateway.health_url.rsplit("/", 1)[0] + "/metrics"
    scraped = httpx.get(metrics_url, timeout=10).text
    delivered = [
        float(line.rsplit(" ", 1)[1]) for line in scraped.splitlines()
        if line.startswith("deskmate_outbox_deliveries_total{")
        and all(label in line for label in ('channel="telegram"', 'sender="agent"', 'outcome="delivered"'))
    ]
    assert delivered and delivered[0] >= 1, scraped[:2000]


def test_status_shows_the_customers_own_ticket_only(
    stack: RunningStack, standin: BotApiStandIn, telegram_gateway: ManagedProcess
) -> None:
    owner, stranger = next(_users), next(_users)
    number = _ticket_number(_send(standin, owner, "/human", _has_ticket, "the handoff").text)

    refused = _send(standin, stranger, f"/status {number}", what="the status answer")
    assert f"couldn't find ticket #{number}" in refused.text

    # The owner asks from a later conversation (a person owns the first one, the bot stays out of it).
    with session_scope(stack.config.database_url) as session:
        start_conversation(session, channel="telegram", external_id=str(owner))
    shown = _send(standin, owner, f"/status {number}", what="the status answer")
    assert shown.text.startswith(f"Ticket #{number} is")
    assert _customer_texts(stack, owner) == [f"status of ticket {number}"]


def test_429_and_500_on_send_are_retried_until_delivered(
    stack: RunningStack, standin: BotApiStandIn, telegram_gateway: ManagedProcess
) -> None:
    user = next(_users)
    standin.fail("sendMessage", status=429, retry_after=2, chat_id=user)
    standin.fail("sendMessage", status=500, chat_id=user)
    greeting = _send(standin, user, "/start", what="the greeting, after two failures")
    attempts = standin.calls("sendMessage", chat_id=user)
    assert [call.status for call in attempts] == [429, 500, 200]
    assert attempts[1].at - attempts[0].at >= 1.9  # retry_after honoured
    assert [m.text for m in standin.sent(user)] == [greeting.text]


def test_cant_parse_entities_falls_back_to_plain_text(
    stack: RunningStack, agent_api: httpx.Client, standin: BotApiStandIn, telegram_gateway: ManagedProcess
) -> None:
    user = next(_users)
    number = _ticket_number(_send(standin, user, "/human", _has_ticket, "the handoff").text)
    standin.fail("sendMessage", status=400, chat_id=user,
                 description="Bad Request: can't parse entities: Unsupported start tag at byte offset 4")
    seen = len(standin.sent(user))
    agent_api.post(f"/api/agent/tickets/{number}/replies",
                   json={"text": "See [Exporting data](https://help.ledgerly.example/articles/export)"})
    reply = _reply(standin, user, seen, what="the plain-text reply")
    assert reply.parse_mode is None
    assert reply.text == "See Exporting data (https://help.ledgerly.example/articles/export)"


def test_long_reply_is_split_and_markup_escaped(
    stack: RunningStack, agent_api: httpx.Client, standin: BotApiStandIn, telegram_gateway: ManagedProcess
) -> None:
    user = next(_users)
    number = _ticket_number(_send(standin, user, "/human", _has_ticket, "the handoff").text)
    steps = "\n\n".join(f"Step {n}: " + "open the settings page and check the export options. " * 12
                        for n in range(1, 11))
    text = f"Type <b>&</b> exactly as shown, then:\n\n{steps}"
    assert 4096 < len(text) < 10_000
    seen = len(standin.sent(user))
    agent_api.post(f"/api/agent/tickets/{number}/replies", json={"text": text}).raise_for_status()
    first = _reply(standin, user, seen, what="the first part")
    parts = standin.wait_for_sent(user, seen + 2)[seen:]
    assert len(parts) == 2 and parts[0] == first
    assert all(part.parse_mode == "HTML" and len(part.text) <= 4096 for part in parts)
    assert parts[0].text.startswith("Type <b>&</b> exactly as shown")
    assert " ".join(" ".join(part.text for part in parts).split()) == " ".join(text.split())


def test_edited_message_updates_the_stored_one(
    stack: RunningStack, standin: BotApiStandIn, telegram_gateway: ManagedProcess
) -> None:
    user = next(_users)
    seen = len(standin.sent(user))
    message_id = standin.push_message(user, "how do I export my data?")
    _reply(standin, user, seen, what="the answer")
    standin.wait_for(lambda: _all_handled(standin), what="all updates handled")
    seen = len(standin.sent(user))

    standin.push_edit(user, message_id, "how do I export my invoices as CSV?")
    def stored_edit() -> Any:
        return next((m for m in _stored(stack, user) if m.edited_at is not None), None)

    edited = standin.wait_for(stored_edit, what="the edit stored")
    assert edited.text == "how do I export my invoices as CSV?"
    assert edited.meta["previous_texts"] == ["how do I export my data?"]
    assert _customer_texts(stack, user) == ["how do I export my invoices as CSV?"]
    standin.wait_for(lambda: _all_handled(standin), what="the edit handled")
    time.sleep(1.5)
    assert len(standin.sent(user)) == seen  # not answered again as a new question


def test_non_text_messages_get_a_polite_reply_and_stay_on_the_ticket(
    stack: RunningStack, agent_api: httpx.Client, standin: BotApiStandIn, telegram_gateway: ManagedProcess
) -> None:
    user = next(_users)
    for kind in ("sticker", "location", "contact", "document", "voice"):
        seen = len(standin.sent(user))
        standin.push_attachment(user, kind)
        assert TEXT_ONLY in _reply(standin, user, seen, what=f"the reply to a {kind}").text
    stored = {m.text: m.meta for m in _stored(stack, user) if m.sender == "customer"}
    assert stored["[location]"]["attachment"] == {"kind": "location", "latitude": 52.52, "longitude": 13.405}
    assert stored["[document]"]["attachment"]["file_name"] == "invoice.pdf"

    number = _ticket_number(_send(standin, user, "/human", _has_ticket, "the handoff").text)
    seen = len(standin.sent(user))
    standin.push_attachment(user, "photo", caption="this is the error I get")
    reply = _reply(standin, user, seen, what="the reply to a photo")
    assert reply.text.startswith(TEXT_ONLY) and "photo" in reply.text
    detail = agent_api.get(f"/api/agent/tickets/{number}").json()
    transcript = [(m["sender"], m["text"]) for m in detail["transcript"]]
    photo = transcript.index(("customer", "[photo] this is the error I get"))
    assert ("bot", reply.text) in transcript[photo:]


def test_startup_survives_429_and_500(
    stack: RunningStack, standin: BotApiStandIn, telegram_gateway: ManagedProcess
) -> None:
    telegram_gateway.stop()
    user = next(_users)
    standin.push_message(user, "/start")  # written while the gateway is down
    standin.fail("getMe", status=429, retry_after=1, times=2)
    standin.fail("deleteWebhook", status=500)
    calls_before = len(standin.calls("getMe"))
    telegram_gateway.start()
    telegram_gateway.wait_healthy(90)
    greeting = _reply(standin, user, 0, what="the greeting after a slow start")
    assert "/human" in greeting.text
    assert [call.status for call in standin.calls("getMe")[calls_before:]] == [429, 429, 200]
    assert telegram_gateway.is_running()


def test_gateway_killed_mid_conversation_loses_and_doubles_nothing(
    stack: RunningStack, standin: BotApiStandIn, telegram_gateway: ManagedProcess
) -> None:
    user = next(_users)
    hello = _send(standin, user, "hi", what="the greeting")
    seen = len(standin.sent(user))
    question = "how do I export my data to a spreadsheet?"
    standin.push_message(user, question)
    update_id = standin.last_update_id
    standin.wait_for(lambda: standin.fetched(update_id), what="the question fetched by the gateway",
                     interval=0.005)
    assert telegram_gateway.process is not None
    os.killpg(telegram_gateway.process.pid, signal.SIGKILL)
    telegram_gateway.process.wait()

    standin.push_message(user, "thank you")  # written while the gateway is down
    telegram_gateway.start()
    telegram_gateway.wait_healthy(90)
    standin.wait_for(lambda: _all_handled(standin), what="every update handled after the restart")
    welcome = _reply(standin, user, seen, lambda m: "welcome" in m.text.lower(), "the answer to the thanks")

    assert _customer_texts(stack, user) == ["hi", question, "thank you"]
    # One reply to the question (its answer or, if the kill cut its turn short, a request to send
    # it again), then the one to the thanks; nothing from before the kill is sent again.
    after_kill = [m.text for m in standin.sent(user)[seen:]]
    assert len(after_kill) == 2 and after_kill[-1] == welcome.text, after_kill
    assert [m.text for m in standin.sent(user)].count(hello.text) == 1
