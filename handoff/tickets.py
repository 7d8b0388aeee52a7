"""Tickets: handoff from a conversation, the agent's actions on it, and what the customer sees.

Every function here is a service call: it changes the ticket, records the change on the
timeline, and queues anything the customer must be told in the outbox.
"""

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handoff.classification import Classification, classify
from handoff.classifier import combine
from handoff.classifier_training import predict_category
from handoff.conversations import find_conversation, get_or_create_customer, record_message
from handoff.dispatch import dispatch, group_for
from handoff.helpdesk_config import policy
from handoff.lifecycle import OPEN_STATES, change_status
from handoff.models import Agent, Conversation, Message, OutboxItem, Ticket, utcnow
from handoff.sla_clock import first_reply_promise
from handoff.sla_service import (
    apply_targets,
    calendar_named,
    measure_first_response,
    measure_resolution,
)
from handoff.timeline import add_event, agent_actor

logger = logging.getLogger(__name__)

HANDOFF_REASONS = (
    "asked_for_human",
    "repeated_miss",
    "not_helped",
    "always_human_topic",
    "bot_unavailable",
    "follow_up",
)
TICKET_NUMBER_OFFSET = 1000
CSAT_BUTTONS = [{"title": f"{score} " + "★" * score, "payload": f'/csat{{"score": {score}}}'} for score in range(1, 6)]
CSAT_COMMENT_WINDOW = timedelta(minutes=30)


class TicketNotFound(LookupError):
    """No ticket with that number (or not one the caller may see)."""


@dataclass(frozen=True)
class HandoffResult:
    """What the customer is told after a handoff."""

    ticket_number: int
    created: bool
    first_response_due: datetime
    promise: str  # an honest sentence on when a person will answer


def open_ticket_for_conversation(session: Session, conversation_id: int) -> Ticket | None:
    """The conversation's ticket that is not closed (resolved ones can still be reopened)."""
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

    The ticket carries the conversation (and so its full transcript), a category, a priority,
    a skill group and SLA deadlines; from now on the conversation is in "human" mode and the
    bot stays silent.
    """
    if reason not in HANDOFF_REASONS:
        raise ValueError(f"unknown handoff reason {reason!r}")
    conversation = find_conversation(session, public_id=conversation_public_id)
    if conversation is None:
        # A conversation that reached Rasa without the gateway (rasa shell, a script).
        customer = get_or_create_customer(session, channel=channel, external_id=conversation_public_id)
        conversation = Conversation(public_id=conversation_public_id, customer_id=customer.id, channel=channel)
        session.add(conversation)
        session.flush()
    existing = open_ticket_for_conversation(session, conversation.id)
    if existing is not None:
        conversation.mode = "human"
        if existing.status == "resolved":
            reopen(session, existing, actor="customer", reason=f"handoff again ({reason})")
        return _result(session, existing, created=False)
    try:
        with session.begin_nested():
            ticket = create_ticket(session, conversation, reason=reason, category_hint=category_hint)
    except IntegrityError:
        # Another process handed this conversation off at the same moment: use its ticket.
        existing = open_ticket_for_conversation(session, conversation.id)
        if existing is None:
            raise
        return _result(session, existing, created=False)
    return _result(session, ticket, created=True)


def create_ticket(
    session: Session, conversation: Conversation, *, reason: str, category_hint: str | None = None,
    previous: Ticket | None = None,
) -> Ticket:
    """Open a ticket for the conversation: classify, pick the group, set the SLA, dispatch."""
    texts = _customer_texts(session, conversation.id)
    classification = classify(" \n".join(texts), category_hint=category_hint)
    category, confidence, method = _category(classification, texts, category_hint)
    knobs = policy()
    now = utcnow()
    # A follow-up to a closed ticket comes from the ticket thread, not from a talk with the bot.
    bot_seconds = None if previous is not None else _seconds_with_bot(session, conversation, now)
    ticket = Ticket(
        conversation=conversation,
        subject=(texts[0] if texts else "Conversation handed off")[:300],
        reason=reason,
        category=category,
        priority=classification.priority,
        sentiment=classification.sentiment,
        category_method=method,
        category_confidence=confidence,
        created_at=now,
        updated_at=now,
        first_response_due=now,
        resolution_due=now,
        previous_ticket_id=previous.id if previous else None,
        bot_seconds=bot_seconds,
    )
    if knobs.urgent_to_senior and ticket.priority == "urgent":
        negative_or_urgent = True
    else:
        negative_or_urgent = classification.sentiment == "negative"
    group = group_for(session, category=ticket.category, negative=negative_or_urgent,
                      senior_for_negative=knobs.negative_sentiment_to_senior or knobs.urgent_to_senior)
    if group is not None:
        ticket.group = group
        ticket.tier = group.tier
        ticket.skill_group = group.name
    session.add(ticket)
    apply_targets(session, ticket, start=now)
    session.flush()
    ticket.number = TICKET_NUMBER_OFFSET + ticket.id
    conversation.mode = "human"
    add_event(
        session, ticket, "created", "bot",
        reason=reason, category=ticket.category, priority=ticket.priority, sentiment=ticket.sentiment,
        group=ticket.skill_group, topic=classification.always_human_topic,
        previous_ticket=previous.number if previous else None,
    )
    dispatch(session, ticket)
    session.flush()
    logger.info("ticket %s created (%s) for group %s", ticket.number, reason, ticket.skill_group)
    return ticket


def _seconds_with_bot(session: Session, conversation: Conversation, now: datetime) -> float:
    """Wall-clock seconds the customer spent with the bot before this handoff.

    The bot took the conversation when it started, or again when its last ticket was closed.
    """
    back_to_bot = session.scalar(select(func.max(Ticket.closed_at)).where(Ticket.conversation_id == conversation.id))
    start = max(conversation.created_at, back_to_bot) if back_to_bot is not None else conversation.created_at
    return max(0.0, (now - start).total_seconds())


def _category(classification: Classification, texts: list[str], hint: str | None) -> tuple[str, float, str]:
    """Rules first; then the learned classifier; then the KB article's category; else general."""
    if classification.rule_matched:
        return classification.category, 1.0, "rules"
    category, confidence, method = combine(None, predict_category(" ".join(texts)))
    if method == "default" and hint:
        return hint, 0.5, "kb_article"
    return category, confidence, method


def _result(session: Session, ticket: Ticket, *, created: bool) -> HandoffResult:
    calendar = calendar_named(session, ticket.sla_calendar)
    return HandoffResult(
        ticket_number=ticket.number or 0,
        created=created,
        first_response_due=ticket.first_response_due,
        promise=first_reply_promise(calendar, utcnow(), ticket.first_response_due),
    )


def get_ticket(session: Session, *, number: int) -> Ticket | None:
    """The ticket with this number, or None."""
    return session.scalar(select(Ticket).where(Ticket.number == number))


def require_ticket(session: Session, *, number: int) -> Ticket:
    """The ticket with this number, or `TicketNotFound`."""
    ticket = get_ticket(session, number=number)
    if ticket is None:
        raise TicketNotFound(number)
    return ticket


def list_tickets(
    session: Session, *, status: str | None = None, limit: int = 50, offset: int = 0
) -> tuple[list[Ticket], int]:
    """Tickets, open ones with the nearest first-response deadline first, with the total count."""
    query = select(Ticket)
    count_query = select(func.count(Ticket.id))
    if status:
        query = query.where(Ticket.status == status)
        count_query = count_query.where(Ticket.status == status)
    query = query.order_by(Ticket.is_open.desc(), Ticket.first_response_due, Ticket.id)
    tickets = list(session.scalars(query.limit(limit).offset(offset)))
    return tickets, session.scalar(count_query) or 0


def ticket_for_customer(session: Session, *, conversation_public_id: str, number: int) -> Ticket | None:
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


def notify_customer(session: Session, ticket: Ticket, text: str, buttons: list[dict[str, str]] | None = None) -> Message:
    """A notice to the customer in their channel (state changes, the CSAT question)."""
    conversation = ticket.conversation
    message = record_message(session, conversation=conversation, sender="system", text=text,
                             buttons=buttons, meta={"ticket": ticket.number})
    session.add(OutboxItem(message_id=message.id, channel=conversation.channel))
    return message


def handle_customer_message(session: Session, *, conversation: Conversation, message: Message) -> Ticket | None:
    """A customer wrote while a person owns the conversation: put it on the ticket.

    A reply to a resolved ticket reopens it within the reopen window; after the window the old
    ticket is closed and a new one, linked to it, is opened. A message right after a CSAT click
    is the rating's comment, not a reopen.
    """
    ticket = open_ticket_for_conversation(session, conversation.id)
    if ticket is None:
        return None
    now = utcnow()
    if ticket.status == "resolved":
        if _is_csat_comment(ticket, now):
            ticket.csat_comment = message.text[:2000]
            add_event(session, ticket, "csat_comment", "customer", message_id=message.id)
            return ticket
        window = timedelta(days=policy().reopen_window_days)
        if ticket.resolved_at is not None and now - ticket.resolved_at > window:
            change_status(session, ticket, "closed", actor="system", reason="reopen window passed")
            new = create_ticket(session, conversation, reason="follow_up", category_hint=ticket.category,
                                previous=ticket)
            add_event(session, new, "customer_message", "customer", message_id=message.id)
            return new
        reopen(session, ticket, actor="customer", reason="customer replied")
    add_event(session, ticket, "customer_message", "customer", message_id=message.id)
    if ticket.status == "awaiting_customer":
        change_status(session, ticket, "in_progress", actor="customer", reason="customer replied", now=now)
    return ticket


def _is_csat_comment(ticket: Ticket, now: datetime) -> bool:
    last = ticket.events[-1] if ticket.events else None
    return (last is not None and last.kind == "csat" and ticket.csat_comment is None
            and now - last.created_at <= CSAT_COMMENT_WINDOW)


def reopen(session: Session, ticket: Ticket, *, actor: str, reason: str) -> None:
    """Reopen a resolved ticket: back to in progress, SLA counted again from now."""
    change_status(session, ticket, "in_progress", actor=actor, reason=reason)
    apply_targets(session, ticket, start=utcnow())
    ticket.first_responded_at = None
    # The measured durations belong to the cycle that just ended; the new one measures afresh.
    ticket.first_response_business_minutes = ticket.resolution_business_minutes = None
    ticket.conversation.mode = "human"


def add_agent_reply(session: Session, *, number: int, agent: Agent, text: str,
                    await_customer: bool = False) -> Message:
    """An agent's public reply: stored in the log and queued in the outbox for the customer.

    The outbox row is written in the same transaction as the message, so a reply is delivered
    even if the gateway restarts before it is sent.
    """
    ticket = require_ticket(session, number=number)
    if ticket.status == "closed":
        raise InvalidReply(f"Ticket #{number} is closed")
    message = record_message(
        session, conversation=ticket.conversation, sender="agent", text=text,
        agent_id=agent.id, meta={"agent_name": agent.display_name, "ticket": number},
    )
    session.add(OutboxItem(message_id=message.id, channel=ticket.conversation.channel))
    actor = agent_actor(agent.id)
    if ticket.assignee_id is None:
        ticket.assignee_id = agent.id
        add_event(session, ticket, "assigned", actor, assignee=agent.display_name, assignee_id=agent.id,
                  reason="replied")
    if ticket.first_responded_at is None:
        ticket.first_responded_at = message.created_at
        measure_first_response(session, ticket)
        add_event(session, ticket, "first_response", actor, message_id=message.id)
    add_event(session, ticket, "agent_reply", actor, message_id=message.id)
    if ticket.status in ("new", "resolved"):
        change_status(session, ticket, "in_progress", actor=actor, reason="agent replied")
    if await_customer and ticket.status == "in_progress":
        change_status(session, ticket, "awaiting_customer", actor=actor, reason="waiting for the customer's answer")
    session.flush()
    return message


class InvalidReply(ValueError):
    """A reply that cannot be sent (for example to a closed ticket)."""


def add_internal_note(session: Session, *, number: int, agent: Agent, text: str) -> Message:
    """A note for the team only: on the transcript and timeline, never sent to the customer."""
    ticket = require_ticket(session, number=number)
    message = record_message(session, conversation=ticket.conversation, sender="agent", text=text,
                             agent_id=agent.id, internal=True,
                             meta={"agent_name": agent.display_name, "ticket": number, "note": True})
    add_event(session, ticket, "internal_note", agent_actor(agent.id), message_id=message.id)
    return message


def resolve(session: Session, *, number: int, actor: str, reason: str | None = None) -> Ticket:
    """Resolve the ticket and ask the customer, in their channel, how we did (CSAT 1–5)."""
    ticket = require_ticket(session, number=number)
    change_status(session, ticket, "resolved", actor=actor, reason=reason)
    measure_resolution(session, ticket)
    notify_customer(
        session, ticket,
        f"Your ticket #{ticket.number} has been resolved. How would you rate the help you got?",
        buttons=CSAT_BUTTONS,
    )
    add_event(session, ticket, "csat_requested", "system")
    return ticket


def move_ticket(session: Session, ticket: Ticket, status: str, *, actor: str, reason: str | None = None) -> None:
    """Move a ticket to `status` as an agent asked; resolving also asks the customer for CSAT."""
    if status == "resolved":
        resolve(session, number=ticket.number or 0, actor=actor, reason=reason)
    else:
        change_status(session, ticket, status, actor=actor, reason=reason)


def record_csat(session: Session, *, conversation: Conversation, score: int) -> Ticket | None:
    """Store a CSAT score (1–5) on the conversation's latest ticket."""
    if not 1 <= score <= 5:
        raise ValueError("CSAT score must be between 1 and 5")
    ticket = latest_ticket_for_conversation(session, conversation.id)
    if ticket is None:
        return None
    ticket.csat_score = score
    add_event(session, ticket, "csat", "customer", score=score)
    return ticket


def parse_csat_payload(payload: str) -> int | None:
    """The score in a `/csat{"score": N}` button payload, or None."""
    if not payload.startswith("/csat"):
        return None
    try:
        score = json.loads(payload[len("/csat"):] or "{}").get("score")
        return int(score)
    except (ValueError, TypeError, AttributeError):
        return None


def correct_classification(
    session: Session, *, number: int, agent: Agent, category: str | None = None, priority: str | None = None
) -> Ticket:
    """An agent corrects category or priority; the correction is kept to retrain the classifier.

    SLA policies are chosen by priority and category, so an open ticket gets the targets of its
    corrected classification, counted from the start of its human side as before.
    """
    ticket = require_ticket(session, number=number)
    actor = agent_actor(agent.id)
    changed = False
    if category and category != ticket.category:
        add_event(session, ticket, "category_corrected", actor, old=ticket.category, new=category)
        ticket.category = category
        ticket.category_method = "agent"
        changed = True
    if priority and priority != ticket.priority:
        if priority not in ("low", "normal", "high", "urgent"):
            raise ValueError(f"unknown priority {priority!r}")
        add_event(session, ticket, "priority_changed", actor, old=ticket.priority, new=priority)
        ticket.priority = priority
        changed = True
    if changed and ticket.status in OPEN_STATES:
        apply_targets(session, ticket, start=ticket.human_started_at or ticket.created_at)
    return ticket
