"""What the ticket page shows: transcript, summary, timeline, customer, and the actions allowed now."""

from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from bot.console.queries import active_agents, agent_names, categories, earlier_tickets
from bot.console.views import PRIORITIES, MessageView, event_view, message_view, sla_view
from handoff import Agent, Message, Ticket, list_messages, templates_for
from handoff.lifecycle import ALLOWED
from handoff.models import OutboxItem
from handoff.summary import SummaryMessage, TicketSummary, summarize

MAX_TRANSCRIPT = 10_000


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
    messages = transcript(session, ticket) if messages is None else messages
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


def page_context(
    session: Session, *, ticket: Ticket, agent: Agent, now: Any, error: str = ""
) -> dict[str, Any]:
    """The whole ticket page: the panel plus the transcript and the reply box."""
    messages = transcript(session, ticket)
    context = panel_context(session, ticket=ticket, agent=agent, now=now, messages=messages, error=error)
    context.update(
        {
            "messages": message_views(ticket, messages),
            "last_message_id": messages[-1].id if messages else 0,
            "templates": templates_for(session, category=ticket.category),
            "article_link": last_article_url(messages),
            "reply_text": "",
        }
    )
    return context
