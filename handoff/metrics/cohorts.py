"""The sets of tickets several sections count, defined once so every view agrees.

- *created in the period*: tickets.created_at in the period;
- *resolved in the period*: tickets moved to "resolved" in the period. A ticket never reopened
  was resolved once, at tickets.resolved_at; a reopened one's resolutions are read from its
  timeline (status_changed events), so it still counts where it was resolved. Only the few
  reopened tickets cost a look at the timeline.
- *first responded in* / *resolution measured in the period*: the measured business-minute
  durations, on the ticket's current human cycle (a reopen starts a new one).
"""

import logging
from datetime import datetime

from sqlalchemy import ColumnElement, Select, Subquery, or_, select, union_all

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


def by_ticket(column: ColumnElement[str]) -> ColumnElement[str]:
    """`column` in a form no index applies to, so the planner looks events up by ticket.

    The few reopened tickets' events are best found through the ticket_id index; without it,
    SQLite's planner (even with statistics) prefers the (kind, created_at) index and reads every
    status change of the period.
    """
    return column + ""


def reopened_tickets(filters: DashboardFilters, created_before: datetime) -> Select[tuple[int]]:
    """Ids of the tickets reopened at least once (their timeline holds several resolutions),
    created before `created_before`: a period's resolutions are of tickets that existed by its
    end, so an earlier period reads fewer timelines."""
    return select(Ticket.id).where(Ticket.reopened_count > 0, Ticket.created_at < created_before,
                                   *ticket_conditions(filters))


def resolve_events(period: Period, filters: DashboardFilters) -> list[ColumnElement[bool]]:
    """Conditions on TicketEvent: a reopened ticket moved to resolved in the period."""
    return [TicketEvent.ticket_id.in_(reopened_tickets(filters, period.end)),
            by_ticket(TicketEvent.kind) == "status_changed",
            TicketEvent.created_at >= period.start, TicketEvent.created_at < period.end,
            new_status() == "resolved"]


def resolutions(period: Period, filters: DashboardFilters) -> Subquery:
    """(ticket_id, csat_score, assignee_id, skill_group): each ticket resolved in the period, once.

    The columns the sections count by come along, so no one joins the wide ticket rows back:
    the tickets resolved once are read from the resolved_at covering index alone.
    """
    carried = (Ticket.csat_score.label("csat_score"), Ticket.assignee_id.label("assignee_id"),
               Ticket.skill_group.label("skill_group"))
    resolved_now = select(Ticket.id.label("ticket_id"), *carried).where(
        Ticket.resolved_at >= period.start, Ticket.resolved_at < period.end, *ticket_conditions(filters))
    resolved_before_reopen = (
        select(TicketEvent.ticket_id, *carried)
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(*resolve_events(period, filters),
               # Those whose latest resolution is in the period are counted above.
               or_(Ticket.resolved_at.is_(None), Ticket.resolved_at < period.start,
                   Ticket.resolved_at >= period.end))
        .group_by(TicketEvent.ticket_id, *carried)
    )
    return union_all(resolved_now, resolved_before_reopen).subquery("resolutions")
