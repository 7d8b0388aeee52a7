"""The ticket lifecycle: allowed and refused transitions, reopen, CSAT, notes — on both databases."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from handoff import (
    InvalidTransition,
    OutboxItem,
    add_agent_reply,
    add_internal_note,
    change_status,
    get_ticket,
    hand_off,
    handle_customer_message,
    move_ticket,
    record_csat,
    record_message,
    resolve,
)
from handoff.models import Message, Ticket, utcnow
from tests.utils.factories import make_agent, make_conversation


def _ticket(session: Session, *texts: str) -> Ticket:
    conversation = make_conversation(session, *(texts or ("I need help with my invoice",)))
    result = hand_off(session, conversation_public_id=conversation.public_id, reason="asked_for_human")
    ticket = get_ticket(session, number=result.ticket_number)
    assert ticket is not None
    return ticket


def _customer_writes(session: Session, ticket: Ticket, text: str) -> Ticket | None:
    message = record_message(session, conversation=ticket.conversation, sender="customer", text=text)
    return handle_customer_message(session, conversation=ticket.conversation, message=message)


def test_invalid_transition_is_refused_with_a_clear_error(session: Session) -> None:
    ticket = _ticket(session)
    change_status(session, ticket, "resolved", actor="agent:1")
    change_status(session, ticket, "closed", actor="agent:1")
    with pytest.raises(InvalidTransition, match="cannot go from closed to in_progress"):
        change_status(session, ticket, "in_progress", actor="agent:1")


def test_awaiting_customer_pauses_and_a_reply_resumes(session: Session) -> None:
    ticket = _ticket(session)
    agent = make_agent(session)
    add_agent_reply(session, number=ticket.number or 0, agent=agent, text="Which invoice?", await_customer=True)
    assert ticket.status == "awaiting_customer"
    assert ticket.pauses[-1][1] is None
    _customer_writes(session, ticket, "INV-0042")
    assert ticket.status == "in_progress"
    assert ticket.pauses[-1][1] is not None


def test_reply_to_resolved_ticket_within_window_reopens_it(session: Session) -> None:
    ticket = _ticket(session)
    resolve(session, number=ticket.number or 0, actor="agent:1")
    assert ticket.status == "resolved"
    _customer_writes(session, ticket, "Actually it happened again")
    assert ticket.status == "in_progress"
    assert ticket.reopened_count == 1


def test_reply_after_the_window_opens_a_new_linked_ticket(session: Session) -> None:
    ticket = _ticket(session)
    resolve(session, number=ticket.number or 0, actor="agent:1")
    ticket.resolved_at = ticket.resolved_at - timedelta(days=30)  # type: ignore[operator]
    new = _customer_writes(session, ticket, "Hello again, new problem")
    assert new is not None and new.id != ticket.id
    assert ticket.status == "closed"
    assert new.previous_ticket_id == ticket.id
    assert new.reason == "follow_up"


def test_resolve_asks_for_csat_in_the_channel(session: Session) -> None:
    ticket = _ticket(session)
    resolve(session, number=ticket.number or 0, actor="agent:1")
    question = session.scalars(select(Message).where(Message.conversation_id == ticket.conversation_id)
                               .order_by(Message.id.desc())).first()
    assert question is not None and question.sender == "system"
    assert [b["payload"] for b in question.buttons][-1] == '/csat{"score": 5}'
    assert session.scalar(select(OutboxItem).where(OutboxItem.message_id == question.id)) is not None


def test_csat_score_and_comment_are_stored_without_reopening(session: Session) -> None:
    ticket = _ticket(session)
    resolve(session, number=ticket.number or 0, actor="agent:1")
    record_csat(session, conversation=ticket.conversation, score=5)
    _customer_writes(session, ticket, "Quick and friendly, thanks!")
    assert ticket.csat_score == 5
    assert ticket.csat_comment == "Quick and friendly, thanks!"
    assert ticket.status == "resolved"


def test_internal_note_never_goes_to_the_outbox(session: Session) -> None:
    ticket = _ticket(session)
    agent = make_agent(session)
    note = add_internal_note(session, number=ticket.number or 0, agent=agent, text="Customer is a VIP")
    assert note.internal
    assert session.scalar(select(OutboxItem).where(OutboxItem.message_id == note.id)) is None
    assert "internal_note" in [event.kind for event in ticket.events]


def test_every_change_is_on_the_timeline_with_who_and_why(session: Session) -> None:
    ticket = _ticket(session)
    agent = make_agent(session)
    add_agent_reply(session, number=ticket.number or 0, agent=agent, text="On it")
    resolve(session, number=ticket.number or 0, actor=f"agent:{agent.id}", reason="fixed the sync")
    resolved = [e for e in ticket.events if e.kind == "status_changed" and e.detail["new"] == "resolved"]
    assert resolved[0].actor == f"agent:{agent.id}"
    assert resolved[0].detail["reason"] == "fixed the sync"


def test_pause_moves_the_resolution_deadline_and_escalation_works_while_paused(session: Session) -> None:
    from handoff import escalate

    ticket = _ticket(session)
    agent = make_agent(session)
    add_agent_reply(session, number=ticket.number or 0, agent=agent, text="Which invoice?", await_customer=True)
    now = utcnow()
    ticket.sla_calendar = "always"  # open around the clock, so the arithmetic is plain
    ticket.human_started_at = now - timedelta(hours=5)
    ticket.pauses = [[(now - timedelta(hours=3)).isoformat(), None]]  # awaiting the customer for 3 hours
    _customer_writes(session, ticket, "INV-0042")
    expected = ticket.human_started_at + timedelta(minutes=ticket.resolution_minutes, hours=3)
    assert abs((ticket.resolution_due - expected).total_seconds()) < 60
    change_status(session, ticket, "awaiting_customer", actor="agent:1")
    escalate(session, ticket, actor="agent:1", reason="agent")
    assert ticket.status in ("new", "in_progress") and ticket.tier == 2


def test_an_agent_ending_the_wait_moves_the_resolution_deadline_too(session: Session) -> None:
    ticket = _ticket(session)
    agent = make_agent(session)
    add_agent_reply(session, number=ticket.number or 0, agent=agent, text="Which invoice?", await_customer=True)
    now = utcnow()
    ticket.sla_calendar = "always"
    ticket.human_started_at = now - timedelta(hours=5)
    ticket.pauses = [[(now - timedelta(hours=2)).isoformat(), None]]  # awaiting the customer for 2 hours

    move_ticket(session, ticket, "in_progress", actor=f"agent:{agent.id}", reason="found it myself")

    expected = ticket.human_started_at + timedelta(minutes=ticket.resolution_minutes, hours=2)
    assert abs((ticket.resolution_due - expected).total_seconds()) < 60
    assert ticket.pauses[-1][1] is not None
