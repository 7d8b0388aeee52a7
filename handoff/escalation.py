"""Escalation: move a ticket up a tier, to the next group, and tell that group."""

import logging

from sqlalchemy.orm import Session

from handoff.dispatch import dispatch
from handoff.lifecycle import change_status, schedule_sla_check
from handoff.models import Ticket, utcnow
from handoff.timeline import add_event

logger = logging.getLogger(__name__)

ESCALATION_REASONS = ("agent", "unanswered", "urgency", "sentiment")


class CannotEscalate(ValueError):
    """The ticket is closed, or already with the top tier."""


def escalate(session: Session, ticket: Ticket, *, actor: str, reason: str, note: str | None = None) -> None:
    """Move the ticket to its group's escalation group (one tier up) and dispatch it there."""
    if ticket.status in ("resolved", "closed"):
        raise CannotEscalate(f"Ticket #{ticket.number} is {ticket.status}; reopen it first")
    current = ticket.group
    target = current.escalation_group if current is not None else None
    if target is None:
        raise CannotEscalate(f"Ticket #{ticket.number} is already with the top tier ({current.name if current else 'no group'})")
    ticket.group_id = target.id
    ticket.group = target
    ticket.tier = target.tier
    ticket.skill_group = target.name
    ticket.assignee_id = None
    ticket.recommended_assignee_id = None
    ticket.escalated_count += 1
    # A new tier: the unanswered-ticket escalation is counted again there.
    schedule_sla_check(ticket, utcnow())
    add_event(
        session, ticket, "escalated", actor, reason=reason, note=note,
        from_group=current.name if current else None, to_group=target.name, tier=target.tier,
    )
    # The group hears about it on its board (console) from this event.
    add_event(session, ticket, "group_notified", "system", group=target.name, why=f"escalated ({reason})")
    if ticket.status != "new":
        change_status(session, ticket, "new", actor=actor, reason=f"escalated to {target.name}")
    dispatch(session, ticket)
