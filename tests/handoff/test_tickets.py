"""Handoff and the agent reply path, on SQLite and PostgreSQL."""

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from handoff import (
    OutboxItem,
    TicketNotFound,
    add_agent_reply,
    get_ticket,
    hand_off,
    list_messages,
    start_conversation,
    ticket_for_customer,
)
from tests.utils.factories import make_agent, make_conversation


def test_hand_off_creates_one_ticket_per_conversation(session: Session) -> None:
    conversation = make_conversation(session, "my bank feed stopped updating", "still broken")
    first = hand_off(session, conversation_public_id=conversation.public_id, reason="repeated_miss")
    again = hand_off(session, conversation_public_id=conversation.public_id, reason="asked_for_human")
    assert first.created and not again.created
    assert first.ticket_number == again.ticket_number
    ticket = get_ticket(session, number=first.ticket_number)
    assert ticket is not None
    assert ticket.reason == "repeated_miss"
    assert ticket.subject == "my bank feed stopped updating"
    assert ticket.category == "integrations"
    assert ticket.conversation.mode == "human"
    assert ticket.first_response_due > ticket.created_at
    assert [event.kind for event in ticket.events][:2] == ["created", "queued"]  # technical: claim mode


def test_ticket_transcript_holds_every_message(session: Session) -> None:
    conversation = make_conversation(session, "hello", "refund please")
    result = hand_off(session, conversation_public_id=conversation.public_id, reason="asked_for_human")
    ticket = get_ticket(session, number=result.ticket_number)
    assert ticket is not None
    texts = [message.text for message in list_messages(session, conversation_id=ticket.conversation_id)]
    assert texts == ["hello", "Answer to: hello", "refund please", "Answer to: refund please"]


def test_angry_customer_gets_high_priority(session: Session) -> None:
    conversation = make_conversation(session, "This is the third time the sync broke, I'm furious")
    result = hand_off(session, conversation_public_id=conversation.public_id, reason="asked_for_human")
    ticket = get_ticket(session, number=result.ticket_number)
    assert ticket is not None and ticket.priority == "high"


def test_unknown_reason_is_refused(session: Session) -> None:
    conversation = make_conversation(session, "hi")
    with pytest.raises(ValueError, match="unknown handoff reason"):
        hand_off(session, conversation_public_id=conversation.public_id, reason="because")


def test_agent_reply_is_queued_in_the_outbox(session: Session) -> None:
    conversation = make_conversation(session, "I need a person")
    result = hand_off(session, conversation_public_id=conversation.public_id, reason="asked_for_human")
    agent = make_agent(session)
    message = add_agent_reply(session, number=result.ticket_number, agent=agent, text="Hi, Alex here.")
    outbox = session.scalar(select(OutboxItem).where(OutboxItem.message_id == message.id))
    assert outbox is not None and outbox.status == "pending" and outbox.channel == "web"
    ticket = get_ticket(session, number=result.ticket_number)
    assert ticket is not None
    assert ticket.status == "in_progress"
    assert ticket.assignee_id == agent.id
    assert ticket.first_responded_at is not None


def test_reply_to_unknown_ticket_is_refused(session: Session) -> None:
    agent = make_agent(session)
    with pytest.raises(TicketNotFound):
        add_agent_reply(session, number=999_999, agent=agent, text="hello?")


def test_customer_sees_only_their_own_ticket(session: Session) -> None:
    mine = make_conversation(session, "help me")
    theirs = make_conversation(session, "help them")
    my_ticket = hand_off(session, conversation_public_id=mine.public_id, reason="asked_for_human")
    their_ticket = hand_off(session, conversation_public_id=theirs.public_id, reason="asked_for_human")
    assert ticket_for_customer(session, conversation_public_id=mine.public_id, number=my_ticket.ticket_number)
    assert ticket_for_customer(session, conversation_public_id=mine.public_id,
                               number=their_ticket.ticket_number) is None
    assert ticket_for_customer(session, conversation_public_id=mine.public_id, number=4242424) is None


def test_conversation_resumes_only_with_its_token(session: Session) -> None:
    from handoff import resume_conversation

    conversation, token = start_conversation(session, channel="web")
    assert resume_conversation(session, public_id=conversation.public_id, token=token) is conversation
    assert resume_conversation(session, public_id=conversation.public_id, token="guess") is None
