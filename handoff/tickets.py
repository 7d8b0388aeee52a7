"""Tickets: handoff from a conversation, look-ups, customer status, and the agent reply path."""

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handoff.classification import classify
from handoff.conversations import find_conversation, get_or_create_customer, record_message
from handoff.models import Agent, Conversation, Message, OutboxItem, Ticket, TicketEvent, utcnow
from handoff.settings import get_settings
from handoff.sla import describe_wait, due_times

logger = logging.getLogger(__name__)

HANDOFF_REASONS = (
    "asked_for_human",
    "repeated_miss",
    "not_helped",
    "always_human_topic",
    "bot_unavailable",
)
OPEN_STATES = ("new", "in_progress", "awaiting_customer")
TICKET_NUMBER_OFFSET = 1000


class TicketNotFound(LookupError):
    """No ticket with that number (or not one the caller may see)."""


@dataclass(frozen=True)
class HandoffResult:
    """What the customer is told after a handoff."""

    ticket_number: int
    created: bool
    first_response_due: datetime
    wait: str  # e.g. "within 4 hours"


def add_event(
    session: Session, ticket: Ticket, kind: str, actor: str, **detail: Any
) -> TicketEvent:
    """Append one entry to a ticket's timeline."""
    event = TicketEvent(ticket_id=ticket.id, kind=kind, actor=actor, detail=detail)
    session.add(event)
    ticket.updated_at = utcnow()
    return event


def open_ticket_for_conversation(session: Session, conversation_id: int) -> Ticket | None:
    """The conversation's open ticket, if it has one."""
    return session.scalar(
        select(Ticket).where(Ticket.conversation_id == conversation_id, Ticket.is_open.is_(True))
    )


def latest_ticket_for_conversation(session: Session, conversation_id: int) -> Ticket | None:
    """The conversation's most recent ticket, open or not."""
    return session.scalar(
        select(Ticket).where(Ticket.conversation_id == conversation_id).order_by(Ticket.id.desc()).limit(1)
    )


def _customer_texts(session: Session, conversation_id: int) -> list[str]:
    query = (
        select(Message.text)
        .where(Message.conversation_id == conversation_id, Message.sender == "customer")
        .where(Message.payload.is_(None))
        .order_by(Message.id)
    )
    return [text for text in session.scalars(query) if text.strip()]


def hand_off(
    session: Session,
    *,
    conversation_public_id: str,
    reason: str,
    category_hint: str | None = None,
    channel: str = "web",
) -> HandoffResult:
    """Give the conversation to a person: one open ticket per conversation, however often called.

    The ticket carries the conversation (and so its full transcript), a category, a priority
    and SLA deadlines; from now on the conversation is in "human" mode and the bot stays silent.
    """
    if reason not in HANDOFF_REASONS:
        raise ValueError(f"unknown handoff reason {reason!r}")
    conversation = find_conversation(session, public_id=conversation_public_id)
    if conversation is None:
        # A conversation that reached Rasa without the gateway (rasa shell, a script).
        customer = get_or_create_customer(session, channel=channel, external_id=conversation_public_id)
        conversation = Conversation(
            public_id=conversation_public_id, customer_id=customer.id, channel=channel
        )
        session.add(conversation)
        session.flush()
    existing = open_ticket_for_conversation(session, conversation.id)
    if existing is not None:
        conversation.mode = "human"
        return _result(existing, created=False)
    try:
        with session.begin_nested():
            ticket = _create_ticket(session, conversation, reason, category_hint)
    except IntegrityError:
        # Another process handed this conversation off at the same moment: use its ticket.
        existing = open_ticket_for_conversation(session, conversation.id)
        if existing is None:
            raise
        return _result(existing, created=False)
    return _result(ticket, created=True)


def _create_ticket(
    session: Session, conversation: Conversation, reason: str, category_hint: str | None
) -> Ticket:
    texts = _customer_texts(session, conversation.id)
    classification = classify(" \n".join(texts), category_hint=category_hint)
    now = utcnow()
    due = due_times(now, classification.priority, get_settings())
    ticket = Ticket(
        conversation_id=conversation.id,
        subject=(texts[0] if texts else "Conversation handed off")[:300],
        reason=reason,
        category=classification.category,
        priority=classification.priority,
        skill_group=classification.skill_group,
        created_at=now,
        updated_at=now,
        first_response_due=due.first_response_due,
        resolution_due=due.resolution_due,
    )
    session.add(ticket)
    session.flush()
    ticket.number = TICKET_NUMBER_OFFSET + ticket.id
    conversation.mode = "human"
    add_event(
        session, ticket, "created", "bot",
        reason=reason, category=ticket.category, priority=ticket.priority,
        sentiment=classification.sentiment, skill_group=ticket.skill_group,
    )
    session.flush()
    logger.info("ticket created", extra={"ticket": ticket.number, "reason": reason})
    return ticket


def _result(ticket: Ticket, *, created: bool) -> HandoffResult:
    return HandoffResult(
        ticket_number=ticket.number or 0,
        created=created,
        first_response_due=ticket.first_response_due,
        wait=describe_wait(utcnow(), ticket.first_response_due),
    )


def get_ticket(session: Session, *, number: int) -> Ticket | None:
    """The ticket with this number, or None."""
    return session.scalar(select(Ticket).where(Ticket.number == number))


def list_tickets(
    session: Session, *, status: str | None = None, limit: int = 50, offset: int = 0
) -> tuple[list[Ticket], int]:
    """Tickets, most urgent deadline first, with the total count for paging."""
    query = select(Ticket)
    count_query = select(func.count(Ticket.id))
    if status:
        query = query.where(Ticket.status == status)
        count_query = count_query.where(Ticket.status == status)
    query = query.order_by(Ticket.is_open.desc(), Ticket.first_response_due, Ticket.id)
    tickets = list(session.scalars(query.limit(limit).offset(offset)))
    return tickets, session.scalar(count_query) or 0


def ticket_for_customer(
    session: Session, *, conversation_public_id: str, number: int
) -> Ticket | None:
    """The ticket if it belongs to the customer of this conversation; None otherwise.

    A wrong number and someone else's ticket look the same to the caller, on purpose.
    """
    conversation = find_conversation(session, public_id=conversation_public_id)
    ticket = get_ticket(session, number=number)
    if conversation is None or ticket is None:
        return None
    if ticket.conversation.customer_id != conversation.customer_id:
        return None
    return ticket


def note_customer_message(session: Session, *, conversation: Conversation, message: Message) -> Ticket | None:
    """Put a customer's message on the open ticket's timeline (human mode)."""
    ticket = open_ticket_for_conversation(session, conversation.id)
    if ticket is None:
        return None
    add_event(session, ticket, "customer_message", "customer", message_id=message.id)
    if ticket.status == "awaiting_customer":
        ticket.status = "in_progress"
        add_event(session, ticket, "status_changed", "customer", old="awaiting_customer", new="in_progress")
    return ticket


def add_agent_reply(session: Session, *, number: int, agent: Agent, text: str) -> Message:
    """An agent's public reply: stored in the log and queued in the outbox for the customer.

    The outbox row is written in the same transaction as the message, so a reply is delivered
    even if the gateway restarts before it is sent.
    """
    ticket = get_ticket(session, number=number)
    if ticket is None:
        raise TicketNotFound(number)
    conversation = ticket.conversation
    message = record_message(
        session, conversation=conversation, sender="agent", text=text,
        agent_id=agent.id, meta={"agent_name": agent.display_name, "ticket": number},
    )
    session.add(OutboxItem(message_id=message.id, channel=conversation.channel))
    actor = f"agent:{agent.id}"
    if ticket.assignee_id is None:
        ticket.assignee_id = agent.id
        add_event(session, ticket, "assigned", actor, assignee=agent.display_name)
    if ticket.first_responded_at is None:
        ticket.first_responded_at = message.created_at
    if ticket.status == "new":
        ticket.status = "in_progress"
        add_event(session, ticket, "status_changed", actor, old="new", new="in_progress")
    add_event(session, ticket, "agent_reply", actor, message_id=message.id)
    session.flush()
    return message
