"""The ticket timeline: one event per change, with who, when, what and why."""

from typing import Any

from sqlalchemy.orm import Session

from handoff.models import Ticket, TicketEvent, utcnow


def add_event(session: Session, ticket: Ticket, kind: str, actor: str, **detail: Any) -> TicketEvent:
    """Append one entry to a ticket's timeline."""
    event = TicketEvent(ticket_id=ticket.id, kind=kind, actor=actor,
                        detail={key: value for key, value in detail.items() if value is not None})
    session.add(event)
    ticket.updated_at = utcnow()
    return event


def agent_actor(agent_id: int) -> str:
    """How an agent is named on the timeline."""
    return f"agent:{agent_id}"
