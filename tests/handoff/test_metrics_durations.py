"""The durations the dashboard aggregates are measured on the ticket when they happen."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from handoff import (
    Conversation,
    add_agent_reply,
    escalate,
    get_ticket,
    hand_off,
    handle_customer_message,
    record_message,
    reopen,
    resolve,
)
from handoff.models import Ticket, utcnow
from handoff.sla_service import measure_first_response, measure_resolution
from tests.handoff.metrics_history import at, customer_back, handed_off, reply, resolved
from tests.utils.factories import make_agent, make_conversation


def _ticket(session: Session, text: str = "how do I change my password",
            conversation: Conversation | None = None) -> Ticket:
    """A normal-priority ticket on the Berlin business calendar (Mon–Fri 08:00–18:00)."""
    conversation = conversation or make_conversation(session, text)
    result = hand_off(session, conversation_public_id=conversation.public_id, reason="asked_for_human")
    ticket = get_ticket(session, number=result.ticket_number)
    assert ticket is not None and ticket.priority == "normal" and ticket.sla_calendar == "default"
    return ticket


@pytest.mark.parametrize(("started", "answered"), [
    # Friday 17:30 CET to Monday 09:00 CEST: the clocks went forward on Sunday 29 March.
    (datetime(2026, 3, 27, 16, 30, tzinfo=UTC), datetime(2026, 3, 30, 7, 0, tzinfo=UTC)),
    # Friday 17:30 CEST to Monday 09:00 CET: the clocks went back on Sunday 25 October.
    (datetime(2026, 10, 23, 15, 30, tzinfo=UTC), datetime(2026, 10, 26, 8, 0, tzinfo=UTC)),
])
def test_first_response_counts_business_minutes_across_the_weekend_and_a_clock_change(
    session: Session, started: datetime, answered: datetime
) -> None:
    ticket = _ticket(session)
    ticket.human_started_at, ticket.first_responded_at = started, answered
    measure_first_response(session, ticket)
    assert ticket.first_response_business_minutes == pytest.approx(30 + 60)


def test_an_agents_first_reply_stores_its_business_minutes(session: Session) -> None:
    ticket = _ticket(session)
    add_agent_reply(session, number=ticket.number or 0, agent=make_agent(session), text="Hi")
    measured = ticket.first_response_business_minutes
    assert measured is not None
    measure_first_response(session, ticket)  # the same arithmetic over the stored times
    assert ticket.first_response_business_minutes == measured


def test_resolving_stores_the_resolution_time_without_time_awaiting_the_customer(session: Session) -> None:
    conversation = make_conversation(session, "refund please")
    ticket = handed_off(session, conversation, at(25, 9, 5), "not_helped")
    reply(session, ticket, make_agent(session), at(25, 10, 5), await_customer=True)
    customer_back(session, ticket, at(26, 9, 5))
    resolved(session, ticket, at(26, 11, 5))
    # Wednesday 10:05–11:05 and Thursday 10:05–12:05 Berlin; the night and the wait do not count.
    assert ticket.resolution_business_minutes == pytest.approx(180)
    # 1440 business minutes from Wednesday 10:05 Berlin would end Friday 14:05; the wait moves the
    # deadline on: Wed 60 + Thu 475 + Fri 600 + Mon 305 minutes = Monday 13:05 CEST (11:05 UTC).
    assert ticket.resolution_due == datetime(2026, 3, 30, 11, 5, tzinfo=UTC)


def test_resolve_through_the_service_fills_the_resolution_time(session: Session) -> None:
    ticket = _ticket(session)
    resolve(session, number=ticket.number or 0, actor="agent:1")
    assert ticket.resolution_business_minutes is not None
    measured = ticket.resolution_business_minutes
    measure_resolution(session, ticket)
    assert ticket.resolution_business_minutes == measured


def test_a_reopen_restarts_the_clock(session: Session) -> None:
    conversation = make_conversation(session, "how do I change my password")
    ticket = handed_off(session, conversation, at(24, 9), "asked_for_human")
    agent = make_agent(session)
    reply(session, ticket, agent, at(24, 10))
    resolved(session, ticket, at(24, 12))
    assert (ticket.first_response_business_minutes, ticket.resolution_business_minutes) == (60, 180)
    reopen(session, ticket, actor="customer", reason="customer replied")
    assert ticket.first_response_business_minutes is None and ticket.resolution_business_minutes is None
    assert ticket.human_started_at is not None and ticket.human_started_at > at(24, 12)


def test_handoff_measures_the_time_with_the_bot(session: Session) -> None:
    conversation = make_conversation(session, "how do I change my password")
    conversation.created_at = utcnow() - timedelta(minutes=5)
    result = hand_off(session, conversation_public_id=conversation.public_id, reason="asked_for_human")
    ticket = get_ticket(session, number=result.ticket_number)
    assert ticket is not None and ticket.bot_seconds is not None
    assert 300 <= ticket.bot_seconds < 360


def test_time_with_the_bot_starts_again_when_the_last_ticket_was_closed(session: Session) -> None:
    conversation = make_conversation(session, "how do I change my password")
    conversation.created_at = utcnow() - timedelta(days=3)
    earlier = Ticket(conversation=conversation, reason="asked_for_human", first_response_due=utcnow(),
                     resolution_due=utcnow(), status="closed", is_open=False,
                     closed_at=utcnow() - timedelta(minutes=2))
    session.add(earlier)
    session.flush()
    result = hand_off(session, conversation_public_id=conversation.public_id, reason="asked_for_human")
    ticket = get_ticket(session, number=result.ticket_number)
    assert ticket is not None and ticket.bot_seconds is not None
    assert 120 <= ticket.bot_seconds < 180


def test_a_follow_up_to_a_closed_ticket_has_no_time_with_the_bot(session: Session) -> None:
    conversation = make_conversation(session, "how do I change my password")
    ticket = _ticket(session, conversation=conversation)
    resolve(session, number=ticket.number or 0, actor="agent:1")
    ticket.resolved_at = utcnow() - timedelta(days=30)  # long past the reopen window
    message = record_message(session, conversation=conversation, sender="customer", text="it broke again")
    follow_up = handle_customer_message(session, conversation=conversation, message=message)
    assert follow_up is not None and follow_up.reason == "follow_up" and follow_up.bot_seconds is None


def test_each_escalation_is_counted(session: Session) -> None:
    ticket = _ticket(session, "my bank feed stopped updating")
    assert ticket.escalated_count == 0
    escalate(session, ticket, actor="agent:1", reason="agent")
    escalate(session, ticket, actor="agent:1", reason="agent")
    assert (ticket.escalated_count, ticket.tier) == (2, 3)
