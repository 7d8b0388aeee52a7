"""The sets of tickets several sections count, defined once so every view agrees.

- *created in the period*: tickets.created_at in the period;
- *resolved in the period*: tickets moved to "resolved" in the period, read from the timeline
  (status_changed events), so a ticket reopened since still counts where it was resolved;
- *first responded in* / *resolution measured in the period*: the measured business-minute
  durations, on the ticket's current human cycle (a reopen starts a new one).
"""

import logging

from sqlalchemy import ColumnElement, Subquery, func, select

from handoff.metrics.filters import DashboardFilters, ticket_conditions
from handoff.metrics.period import Period
from handoff.models import Ticket, TicketEvent

logger = logging.getLogger(__name__)


def new_status() -> ColumnElement[str]:
    """The state a status_changed event moved the ticket to (its detail's "new")."""
    return TicketEvent.detail["new"].as_string()


def old_status() -> ColumnElement[str]:
    """The state a status_changed event moved the ticket from (its detail's "old")."""
    return TicketEvent.detail["old"].as_string()


def created_in(period: Period, filters: DashboardFilters) -> list[ColumnElement[bool]]:
    """Conditions on Ticket: created in the period and matching the filters."""
    return [Ticket.created_at >= period.start, Ticket.created_at < period.end, *ticket_conditions(filters)]


def resolutions(period: Period, filters: DashboardFilters) -> Subquery:
    """(ticket_id, resolved_at): tickets resolved in the period, with their first resolution in it."""
    return (
        select(TicketEvent.ticket_id.label("ticket_id"), func.min(TicketEvent.created_at).label("resolved_at"))
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(TicketEvent.kind == "status_changed", new_status() == "resolved",
               TicketEvent.created_at >= period.start, TicketEvent.created_at < period.end,
               *ticket_conditions(filters))
        .group_by(TicketEvent.ticket_id)
        .subquery("resolutions")
    )
