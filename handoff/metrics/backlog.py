"""The backlog: tickets not resolved or closed, now, at the end of each day, and by age.

The daily trend is rebuilt from the timeline, not from today's states: a ticket's state at a
moment is the one its last status change before that moment set ("new" before any change).
The lifecycle lets a ticket leave "resolved" only by a reopen (or for good, closed), so a
ticket never reopened was open exactly from its creation to its resolution or closure, which
the ticket itself records; only reopened tickets need their status changes.
One query covers every day of the period: each stretch a ticket spent open adds one from the
day it opened to the day it stopped, and a running sum over the days gives the backlog at each
day's end (midnight UTC).
"""

import logging
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Subquery,
    case,
    func,
    literal,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session

from handoff.lifecycle import OPEN_STATES
from handoff.metrics.cohorts import by_ticket, new_status
from handoff.metrics.filters import DashboardFilters, ticket_conditions
from handoff.metrics.model import Figure, Section, Table
from handoff.metrics.period import Period, day_start
from handoff.metrics.sql import as_day, utc_day
from handoff.models import Ticket, TicketEvent

logger = logging.getLogger(__name__)

AGE_BUCKETS = (  # (label, younger than)
    ("Under 4 hours", timedelta(hours=4)),
    ("4–24 hours", timedelta(days=1)),
    ("1–3 days", timedelta(days=3)),
    ("3–7 days", timedelta(days=7)),
    ("Over 7 days", None),
)


def _may_be_open(since: datetime, until: datetime, filters: DashboardFilters) -> list[ColumnElement[bool]]:
    """Tickets that can have been open at some moment in [since, until]: the others are skipped."""
    return [
        Ticket.created_at < until,
        or_(Ticket.closed_at.is_(None), Ticket.closed_at >= since),
        # Resolved before `since` and still resolved: resolved at every moment since.
        or_(Ticket.status != "resolved", Ticket.resolved_at.is_(None), Ticket.resolved_at >= since),
        *ticket_conditions(filters),
    ]


def _open_stretches(since: datetime, until: datetime, filters: DashboardFilters) -> Subquery:
    """(opened, stopped): each stretch of time a ticket spent in an open state, up to `until`.

    `stopped` is NULL when the ticket was still open at `until`. A ticket never reopened was
    open once, from its creation to its resolution (or its closure without one); only the
    reopened ones are read from their timeline.
    """
    stopped = func.coalesce(Ticket.resolved_at, Ticket.closed_at)
    open_once = select(Ticket.created_at.label("opened"), stopped.label("stopped")).where(
        Ticket.reopened_count == 0, Ticket.created_at < until, or_(stopped.is_(None), stopped >= since),
        *ticket_conditions(filters))
    return union_all(open_once, _reopened_stretches(since, until, filters)).subquery("open_stretches")


def _reopened_stretches(since: datetime, until: datetime, filters: DashboardFilters) -> Select[Any]:
    """The open stretches of reopened tickets, from their status changes."""
    timestamp = Ticket.created_at.type
    candidates = [Ticket.reopened_count > 0, *_may_be_open(since, until, filters)]
    changes = union_all(
        select(Ticket.id.label("ticket_id"), Ticket.created_at.label("at"), literal(0).label("seq"),
               literal("new").label("state")).where(*candidates),
        select(TicketEvent.ticket_id, TicketEvent.created_at, TicketEvent.id, new_status())
        .where(TicketEvent.ticket_id.in_(select(Ticket.id).where(*candidates)),
               by_ticket(TicketEvent.kind) == "status_changed", TicketEvent.created_at < until),
    ).subquery("changes")
    next_change = func.lead(changes.c.at).over(partition_by=changes.c.ticket_id,
                                               order_by=(changes.c.at, changes.c.seq))
    stretches = select(
        type_coerce(changes.c.at, timestamp).label("opened"),
        type_coerce(next_change, timestamp).label("stopped"),
        changes.c.state.label("state"),
    ).subquery("stretches")
    return select(stretches.c.opened, stretches.c.stopped).where(stretches.c.state.in_(OPEN_STATES))


def backlog_at(session: Session, moment: datetime, filters: DashboardFilters) -> int:
    """Tickets open at `moment`, from the timeline (a change exactly at `moment` is not yet in)."""
    stretches = _open_stretches(moment, moment, filters)
    query = select(func.count()).select_from(stretches).where(
        stretches.c.opened < moment, or_(stretches.c.stopped.is_(None), stretches.c.stopped >= moment))
    return int(session.scalar(query) or 0)


def backlog_by_day(session: Session, days: list[date], filters: DashboardFilters) -> dict[date, int]:
    """Tickets open at the end (midnight UTC) of each of `days` (consecutive, in order)."""
    if not days:
        return {}
    first_end, last_end = day_start(days[0] + timedelta(days=1)), day_start(days[-1] + timedelta(days=1))
    stretches = _open_stretches(first_end, last_end, filters)
    # A stretch counts at the end of day d when opened < end(d) <= stopped, that is on the days
    # from the day it opened up to, not including, the day it stopped. One pass counts the
    # stretches per (opened day, stopped day); a running sum over the days does the rest.
    opened_day, stopped_day = utc_day(stretches.c.opened), utc_day(stretches.c.stopped)
    query = (
        select(opened_day, stopped_day, func.count())
        .where(stretches.c.opened < last_end,
               or_(stretches.c.stopped.is_(None), stretches.c.stopped >= first_end))
        .group_by(opened_day, stopped_day)
    )
    changes: dict[date, int] = {}
    for opened, stopped, count in session.execute(query):
        start = max(as_day(opened), days[0])  # stretches opened earlier are open when the period starts
        changes[start] = changes.get(start, 0) + int(count)
        if stopped is not None and as_day(stopped) <= days[-1]:
            changes[as_day(stopped)] = changes.get(as_day(stopped), 0) - int(count)
    running, result = 0, {}
    for day in days:
        running += changes.get(day, 0)
        result[day] = running
    return result


def open_now(session: Session, filters: DashboardFilters) -> int:
    """Tickets in an open state now."""
    query = select(func.count(Ticket.id)).where(Ticket.status.in_(OPEN_STATES), *ticket_conditions(filters))
    return int(session.scalar(query) or 0)


def open_by_age(session: Session, filters: DashboardFilters, now: datetime) -> dict[str, int]:
    """Open tickets per age bucket (time since they were opened)."""
    bucket = case(
        *[(Ticket.created_at > now - younger_than, label)
          for label, younger_than in AGE_BUCKETS if younger_than],
        else_=AGE_BUCKETS[-1][0],
    )
    query = (select(bucket.label("bucket"), func.count(Ticket.id))
             .where(Ticket.status.in_(OPEN_STATES), *ticket_conditions(filters)).group_by(bucket))
    counts = {label: 0 for label, _ in AGE_BUCKETS}
    for label, count in session.execute(query):
        counts[label] = int(count)
    return counts


def build(session: Session, *, period: Period, filters: DashboardFilters, now: datetime) -> Section:
    """Backlog now (against the period's start), its trend per day, and its ages."""
    figure = Figure("backlog_now", "Backlog now", open_now(session, filters),
                    backlog_at(session, period.start, filters), "count",
                    "Tickets not resolved or closed now; the previous value is the backlog when the period "
                    "started, from the timeline.")
    trend = backlog_by_day(session, period.days(), filters)
    by_day = Table(key="backlog_by_day", title="Backlog at the end of each day (UTC)",
                   columns=["Day", "Open tickets"],
                   rows=[[day.isoformat(), count] for day, count in trend.items()], chart="line")
    ages = open_by_age(session, filters, now)
    by_age = Table(key="backlog_age", title="Open tickets by age", columns=["Age", "Tickets"],
                   rows=[[label, count] for label, count in ages.items()], chart="bar")
    return Section(figures=[figure], tables=[by_day, by_age])
