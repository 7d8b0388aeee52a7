"""What the ticket page shows: transcript, summary, timeline, customer, and the actions allowed now.

A page shows the latest `TRANSCRIPT_WINDOW` messages of the conversation, however long it is
(a customer may chat on Telegram for months in one conversation); a link at the top of the
transcript leads to the earlier ones, a page back (`?before=<message id>`), and from there back to
the latest. The summary reads the same window, so neither grows with the history.
"""

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from bot.console.queries import active_agents, agent_names, categories, earlier_tickets
from bot.console.views import PRIORITIES, MessageView, event_view, message_view, sla_view
from handoff import Agent, Message, Ticket, list_messages, templates_for
from handoff.lifecycle import ALLOWED
from handoff.models import OutboxItem
from handoff.summary import SummaryMessage, TicketSummary, summarize

MAX_TRANSCRIPT = 10_000
TRANSCRIPT_WINDOW = 100


def customer_name(ticket: Ticket) -> str:
    customer = ticket.conversation.customer
    return (customer.display_name or "Customer") if customer else "Customer"


def transcript(session: Session, ticket: Ticket, *, after: int = 0) -> list[Message]:
    """The conversation's messages after `after`, internal notes included, oldest first."""
    return list_messages(
        session,
        conversation_id=ticket.conversation_id,
        after=after,
        include_internal=True,
        limit=MAX_TRANSCRIPT,
    )


@dataclass(frozen=True)
class TranscriptWindow:
    """The messages a ticket page shows, oldest first, and how many come before them."""

    messages: list[Message]
    earlier: int


def transcript_window(session: Session, ticket: Ticket, *, before: int | None = None) -> TranscriptWindow:
    """The latest `TRANSCRIPT_WINDOW` messages (internal notes included), or those before `before`."""
    query = select(Message).where(Message.conversation_id == ticket.conversation_id)
    if before is not None:
        query = query.where(Message.id < before)
    messages = list(session.scalars(query.order_by(Message.id.desc()).limit(TRANSCRIPT_WINDOW)))
    messages.reverse()
    earlier = 0
    if len(messages) == TRANSCRIPT_WINDOW:
        earlier = session.scalar(
            select(func.count()).where(Message.conversation_id == ticket.conversation_id,
                                       Message.id < messages[0].id)
        ) or 0
    return TranscriptWindow(messages, earlier)


def earlier_url(ticket: Ticket, window: TranscriptWindow) -> str:
    """Where the messages before the window are, or "" when the window starts the conversation."""
    if not window.earlier or not window.messages:
        return ""
    return f"/console/tickets/{ticket.number}?before={window.messages[0].id}"


def delivery_states(messages: list[Message]) -> dict[int, str]:
    """Outbox state of the messages that go out to the customer's channel, by message id."""
    session = object_session(messages[0]) if messages else None
    if session is None:
        return {}
    rows = session.execute(
        select(OutboxItem.message_id, OutboxItem.status).where(OutboxItem.message_id.in_([m.id for m in messages]))
    )
    return {message_id: status for message_id, status in rows}


def message_views(ticket: Ticket, messages: list[Message]) -> list[MessageView]:
    name = customer_name(ticket)
    states = delivery_states(messages)
    return [replace(message_view(message, name), delivery=states.get(message.id)) for message in messages]


def ticket_summary(ticket: Ticket, messages: list[Message]) -> TicketSummary:
    public = [m for m in messages if not m.internal]
    return summarize(
        [SummaryMessage(sender=m.sender, text=m.text, payload=m.payload, meta=m.meta or {}) for m in public],
        reason=ticket.reason,
    )


def last_article_url(messages: list[Message]) -> str:
    """The link of the last article the bot showed (fills {article_link} in templates)."""
    for message in reversed(messages):
        article = (message.meta or {}).get("article") if message.sender == "bot" else None
        if isinstance(article, dict) and article.get("url"):
            return str(article["url"])
    return ""


def panel_context(
    session: Session,
    *,
    ticket: Ticket,
    agent: Agent,
    now: Any,
    messages: list[Message] | None = None,
    error: str = "",
    notice: str = "",
) -> dict[str, Any]:
    """Everything the side panel needs: state, SLA, actions, classification, summary, customer, timeline."""
    messages = transcript_window(session, ticket).messages if messages is None else messages
    names = agent_names(session)
    group = ticket.group
    is_lead = agent.role in ("lead", "admin")
    return {
        "ticket": ticket,
        "sla": sla_view(ticket, now),
        "error": error,
        "notice": notice,
        "customer": ticket.conversation.customer,
        "customer_name": customer_name(ticket),
        "channel": ticket.conversation.channel,
        "earlier": earlier_tickets(session, ticket=ticket),
        "summary": ticket_summary(ticket, messages),
        "timeline": [event_view(event, names) for event in reversed(ticket.events)],
        "last_event_id": ticket.events[-1].id if ticket.events else 0,
        "next_states": sorted(
            ALLOWED.get(ticket.status, frozenset()),
            key=["new", "in_progress", "awaiting_customer", "resolved", "closed"].index,
        ),
        "can_claim": ticket.status == "new" and ticket.assignee_id is None,
        "can_assign": is_lead and ticket.status not in ("resolved", "closed"),
        "can_resolve": ticket.status in ("new", "in_progress", "awaiting_customer"),
        "escalation_target": group.escalation_group if group is not None else None,
        "can_escalate": ticket.status not in ("resolved", "closed")
        and group is not None
        and group.escalation_group is not None,
        "agents": active_agents(session) if is_lead else [],
        "categories": categories(session),
        "priorities": PRIORITIES,
    }


def latest_message_id(session: Session, ticket: Ticket) -> int:
    return int(session.scalar(
        select(func.max(Message.id)).where(Message.conversation_id == ticket.conversation_id)
    ) or 0)


def page_context(
    session: Session,
    *,
    ticket: Ticket,
    agent: Agent,
    now: datetime,
    error: str = "",
    before: int | None = None,
) -> dict[str, Any]:
    """The whole ticket page: the panel plus the transcript (its latest part, or the part before
    `before`) and the reply box."""
    window = transcript_window(session, ticket, before=before)
    messages = window.messages
    context = panel_context(session, ticket=ticket, agent=agent, now=now, messages=messages, error=error)
    newest = messages[-1].id if messages and before is None else latest_message_id(session, ticket)
    context.update(
        {
            "messages": message_views(ticket, messages),
            "earlier_url": earlier_url(ticket, window),
            "earlier_count": window.earlier,
            # An earlier page links back to the latest messages and takes no new ones: appended
            # below its window they would sit in the middle of the conversation.
            "latest_url": f"/console/tickets/{ticket.number}" if before is not None else "",
            # Live updates (the panel, an earlier page's none) continue after the newest message.
            "last_message_id": newest,
            "templates": templates_for(session, category=ticket.category),
            "article_link": last_article_url(messages),
            "reply_text": "",
        }
    )
    return context
