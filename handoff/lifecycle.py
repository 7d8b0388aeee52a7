"""The ticket lifecycle: which state changes are allowed, and what each change also does.

    new → in_progress ⇄ awaiting_customer → resolved → closed
    resolved → in_progress (reopened by the customer within the reopen window)
    in_progress / awaiting_customer → new (escalated to another group, pending acceptance there)

Every change is an event on the ticket's timeline with who, when and why. Time spent awaiting
the customer is recorded as an SLA pause.
"""

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from handoff.models import Ticket, utcnow
from handoff.timeline import add_event

logger = logging.getLogger(__name__)

STATES = ("new", "in_progress", "awaiting_customer", "resolved", "closed")
OPEN_STATES = ("new", "in_progress", "awaiting_customer")
STATE_LABELS = {
    "new": "New (pending acceptance)",
    "in_progress": "In progress",
    "awaiting_customer": "Awaiting customer",
    "resolved": "Resolved",
    "closed": "Closed",
}
ALLOWED: dict[str, frozenset[str]] = {
    "new": frozenset({"in_progress", "awaiting_customer", "resolved", "closed"}),
    "in_progress": frozenset({"awaiting_customer", "resolved", "new"}),
    "awaiting_customer": frozenset({"in_progress", "resolved", "new"}),
    "resolved": frozenset({"in_progress", "closed"}),
    "closed": frozenset(),
}


class InvalidTransition(ValueError):
    """A state change the lifecycle does not allow."""

    def __init__(self, ticket: Ticket, new: str) -> None:
        allowed = ", ".join(sorted(ALLOWED.get(ticket.status, ()))) or "none (the ticket is closed)"
        super().__init__(
            f"Ticket #{ticket.number} cannot go from {ticket.status} to {new}; allowed: {allowed}"
        )


def can_change(ticket: Ticket, new: str) -> bool:
    """Whether the lifecycle allows moving `ticket` to `new`."""
    return new in ALLOWED.get(ticket.status, frozenset())


def change_status(
    session: Session, ticket: Ticket, new: str, *, actor: str, reason: str | None = None,
    now: datetime | None = None,
) -> None:
    """Move the ticket to `new`, or raise `InvalidTransition`."""
    if new not in STATES:
        raise ValueError(f"unknown ticket state {new!r}")
    if not can_change(ticket, new):
        raise InvalidTransition(ticket, new)
    now = now or utcnow()
    old = ticket.status
    if old == "awaiting_customer":
        _end_pause(ticket, now)
        # Whoever ends the wait (the customer replying, an agent moving the card, an escalation),
        # the resolution deadline moves by the time spent waiting. Imported here because the SLA
        # service builds on this module.
        from handoff.sla_service import refresh_resolution_due  # noqa: PLC0415

        refresh_resolution_due(session, ticket, now=now)
    if new == "awaiting_customer":
        ticket.pauses = [*ticket.pauses, [now.isoformat(), None]]
    if new == "resolved":
        ticket.resolved_at = now
    if new == "closed":
        ticket.closed_at = now
        ticket.is_open = False
        ticket.conversation.mode = "bot"
    if old == "resolved" and new == "in_progress":
        ticket.reopened_count += 1
        ticket.resolved_at = None
        ticket.human_started_at = now
    ticket.status = new
    # Pauses start or end, the ticket is resolved, reopened or closed: its SLA clocks moved.
    schedule_sla_check(ticket, now)
    add_event(session, ticket, "status_changed", actor, old=old, new=new, reason=reason)
    logger.info("ticket %s: %s -> %s (%s)", ticket.number, old, new, reason or actor)


def schedule_sla_check(ticket: Ticket, at: datetime) -> None:
    """Have the SLA pass look at the ticket from `at` on, because something its SLA states
    depend on changed then (targets, first response, a pause, the state, the tier).

    The pass reads only tickets whose `sla_next_check_at` has come and sets the next moment
    itself (`handoff.sla_service.check_ticket`); a ticket that is no longer open has no SLA
    state left to change, so it is never read again.
    """
    ticket.sla_next_check_at = at if ticket.status in OPEN_STATES else None


def _end_pause(ticket: Ticket, now: datetime) -> None:
    if ticket.pauses and ticket.pauses[-1][1] is None:
        pauses = [list(pause) for pause in ticket.pauses]
        pauses[-1][1] = now.isoformat()
        ticket.pauses = pauses
