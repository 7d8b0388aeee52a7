"""Ticket volume: how many tickets were opened, per UTC day and per category."""

import logging
from datetime import date, datetime

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import Session

from handoff.metrics.cohorts import created_in, resolve_events
from handoff.metrics.filters import DashboardFilters, ticket_conditions
from handoff.metrics.model import Figure, Section, Table, ratio
from handoff.metrics.period import Period
from handoff.metrics.sql import as_day, utc_day
from handoff.models import Ticket, TicketEvent

logger = logging.getLogger(__name__)


def tickets_created(session: Session, period: Period, filters: DashboardFilters) -> int:
    """Tickets opened in the period."""
    return int(session.scalar(select(func.count(Ticket.id)).where(*created_in(period, filters))) or 0)


def created_per_day(session: Session, period: Period, filters: DashboardFilters) -> dict[date, int]:
    """Tickets opened per UTC day."""
    day = utc_day(Ticket.created_at)
    query = select(day, func.count(Ticket.id)).where(*created_in(period, filters)).group_by(day)
    return {as_day(value): int(count) for value, count in session.execute(query)}


def resolved_per_day(session: Session, period: Period, filters: DashboardFilters) -> dict[date, int]:
    """Tickets moved to resolved per UTC day (a ticket resolved on two days counts on both).

    A ticket never reopened was resolved once, at resolved_at; reopened ones from their timeline.
    """
    once = utc_day(Ticket.resolved_at)
    resolved_once = (select(once.label("day"), func.count(Ticket.id).label("tickets"))
                     .where(Ticket.reopened_count == 0, Ticket.resolved_at >= period.start,
                            Ticket.resolved_at < period.end, *ticket_conditions(filters))
                     .group_by(once))
    again = utc_day(TicketEvent.created_at)
    resolved_again = (select(again.label("day"),
                             func.count(func.distinct(TicketEvent.ticket_id)).label("tickets"))
                      .where(*resolve_events(period, filters)).group_by(again))
    counts: dict[date, int] = {}
    for value, count in session.execute(union_all(resolved_once, resolved_again)):
        counts[as_day(value)] = counts.get(as_day(value), 0) + int(count)
    return counts


def created_per_category(session: Session, period: Period, filters: DashboardFilters) -> dict[str, int]:
    """Tickets opened per category."""
    query = (select(Ticket.category, func.count(Ticket.id)).where(*created_in(period, filters))
             .group_by(Ticket.category))
    return {category: int(count) for category, count in session.execute(query)}


def build(session: Session, *, period: Period, filters: DashboardFilters, now: datetime) -> Section:
    """Tickets created (figure), volume by day and by category (tables)."""
    created = created_per_day(session, period, filters)
    resolved = resolved_per_day(session, period, filters)
    total = sum(created.values())
    figure = Figure("tickets_created", "Tickets created", total,
                    tickets_created(session, period.previous(), filters), "count",
                    "Tickets opened in the period, from the bot or as follow-ups.")
    by_day = Table(
        key="volume_by_day", title="Tickets per day (UTC)", columns=["Day", "Created", "Resolved"],
        rows=[[day.isoformat(), created.get(day, 0), resolved.get(day, 0)] for day in period.days()],
        chart="line", value_columns=(1, 2),
    )
    categories = created_per_category(session, period, filters)
    before = created_per_category(session, period.previous(), filters)
    order = sorted(set(categories) | set(before), key=lambda name: (-categories.get(name, 0), name))
    by_category = Table(
        key="volume_by_category", title="Tickets by category",
        columns=["Category", "Tickets", "Share", "Previous period"],
        rows=[[name, categories.get(name, 0), ratio(categories.get(name, 0), total), before.get(name, 0)]
              for name in order],
        chart="bar",
    )
    return Section(figures=[figure], tables=[by_day, by_category])
