"""SLA on tickets: targets from the policies, deadlines in business time, and the periodic check.

The arithmetic is in `handoff.calendar` and `handoff.sla_clock` (pure, tested without a
database); this module applies it to tickets and records each state change exactly once.
"""

import json
import logging
from functools import lru_cache
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handoff.calendar import ALWAYS_OPEN, BusinessCalendar, business_minutes_between
from handoff.dispatch import redispatch_waiting
from handoff.escalation import CannotEscalate, escalate
from handoff.helpdesk_config import policy
from handoff.lifecycle import OPEN_STATES, InvalidTransition, change_status
from handoff.models import Calendar, SlaMark, SlaPolicy, Ticket, utcnow
from handoff.sla_clock import Pause, due_at, elapsed_business_minutes, sla_state
from handoff.timeline import add_event

logger = logging.getLogger(__name__)

DEFAULT_TARGETS = {"urgent": (30, 240), "high": (60, 480), "normal": (240, 1440), "low": (480, 2880)}


def calendar_named(session: Session, name: str) -> BusinessCalendar:
    """The business calendar called `name` (always open if there is none)."""
    row = session.scalar(select(Calendar).where(Calendar.name == name))
    if row is None:
        return ALWAYS_OPEN
    return _parsed_calendar(row.name, json.dumps(row.config, sort_keys=True))


@lru_cache(maxsize=64)
def _parsed_calendar(name: str, config_json: str) -> BusinessCalendar:
    # Parsing is the costly part; the cache key includes the config, so an edit takes effect.
    return BusinessCalendar.from_config({"name": name, **json.loads(config_json)})


def refresh_resolution_due(session: Session, ticket: Ticket, *, now: datetime | None = None) -> None:
    """Move the resolution deadline by the time spent awaiting the customer (after a pause ends)."""
    calendar = calendar_named(session, ticket.sla_calendar)
    start = ticket.human_started_at or ticket.created_at
    ticket.resolution_due = due_at(calendar, start, ticket.resolution_minutes, pauses_of(ticket), now=now or utcnow())


def measure_first_response(session: Session, ticket: Ticket) -> None:
    """Store how long the first reply took: business minutes of the ticket's calendar since the
    human side began (handoff or reopen). The first-response clock never pauses.

    Stored once when the reply happens, so the dashboard aggregates it in SQL.
    """
    if ticket.first_responded_at is None:
        ticket.first_response_business_minutes = None
        return
    calendar = calendar_named(session, ticket.sla_calendar)
    start = ticket.human_started_at or ticket.created_at
    ticket.first_response_business_minutes = elapsed_business_minutes(calendar, start, ticket.first_responded_at)


def measure_resolution(session: Session, ticket: Ticket) -> None:
    """Store how long resolving took (business minutes, time awaiting the customer taken out),
    and fix the resolution deadline as the pauses moved it, so "met by the deadline" holds.
    """
    if ticket.resolved_at is None:
        ticket.resolution_business_minutes = None
        return
    calendar = calendar_named(session, ticket.sla_calendar)
    start = ticket.human_started_at or ticket.created_at
    pauses = pauses_of(ticket)
    ticket.resolution_business_minutes = elapsed_business_minutes(calendar, start, ticket.resolved_at, pauses)
    ticket.resolution_due = due_at(calendar, start, ticket.resolution_minutes, pauses, now=ticket.resolved_at)


def policy_for(session: Session, *, priority: str, category: str) -> SlaPolicy | None:
    """The SLA policy for this priority and category, else the one for the priority alone."""
    rows = list(session.scalars(select(SlaPolicy).where(SlaPolicy.priority == priority)))
    return next((r for r in rows if r.category == category), None) or next(
        (r for r in rows if r.category is None), None)


def pauses_of(ticket: Ticket) -> list[Pause]:
    """The ticket's awaiting-customer periods as SLA pauses."""
    return [
        Pause(start=datetime.fromisoformat(start), end=datetime.fromisoformat(end) if end else None)
        for start, end in ticket.pauses or []
    ]


def apply_targets(session: Session, ticket: Ticket, *, start: datetime) -> BusinessCalendar:
    """Set the ticket's SLA targets and deadlines, counted from `start` (handoff or reopen)."""
    row = policy_for(session, priority=ticket.priority, category=ticket.category)
    if row is not None:
        ticket.first_response_minutes, ticket.resolution_minutes = row.first_response_minutes, row.resolution_minutes
        ticket.sla_calendar = row.calendar
    else:
        ticket.first_response_minutes, ticket.resolution_minutes = DEFAULT_TARGETS.get(
            ticket.priority, DEFAULT_TARGETS["normal"])
        ticket.sla_calendar = "default"
    calendar = calendar_named(session, ticket.sla_calendar)
    ticket.human_started_at = start
    ticket.first_response_due = due_at(calendar, start, ticket.first_response_minutes, [])
    ticket.resolution_due = due_at(calendar, start, ticket.resolution_minutes, pauses_of(ticket), now=start)
    ticket.first_response_state = ticket.resolution_state = "ok"
    return calendar


def current_states(ticket: Ticket, calendar: BusinessCalendar, now: datetime, at_risk_share: float) -> tuple[str, str]:
    """(first response, resolution) SLA states of the ticket at `now`."""
    start = ticket.human_started_at or ticket.created_at
    first = sla_state(calendar, start, ticket.first_response_minutes, now,
                      done_at=ticket.first_responded_at, at_risk_share=at_risk_share)
    resolution = sla_state(calendar, start, ticket.resolution_minutes, now, pauses=pauses_of(ticket),
                           done_at=ticket.resolved_at, at_risk_share=at_risk_share)
    return first, resolution


def _mark_once(session: Session, ticket: Ticket, metric: str, state: str) -> bool:
    """Record a state change unless some process already did; True if this call recorded it."""
    try:
        with session.begin_nested():
            session.add(SlaMark(ticket_id=ticket.id, metric=metric, state=state))
    except IntegrityError:
        return False
    return True


def check_ticket(session: Session, ticket: Ticket, now: datetime) -> list[str]:
    """Update one ticket's SLA states; returns what changed (each change is recorded once)."""
    knobs = policy()
    calendar = calendar_named(session, ticket.sla_calendar)
    first, resolution = current_states(ticket, calendar, now, knobs.at_risk_share)
    changes: list[str] = []
    for metric, state, column in (("first_response", first, "first_response_state"),
                                  ("resolution", resolution, "resolution_state")):
        setattr(ticket, column, state)
        if state in ("at_risk", "breached") and _mark_once(session, ticket, f"{metric}#{ticket.reopened_count}", state):
            add_event(session, ticket, f"sla_{state}", "system", metric=metric)
            changes.append(f"{metric}:{state}")
    if first == "breached" and ticket.first_responded_at is None:
        late = business_minutes_between(calendar, ticket.first_response_due, now)
        if late >= knobs.escalate_unanswered_minutes and _mark_once(
            session, ticket, f"escalation#{ticket.tier}", "done"
        ):
            try:
                escalate(session, ticket, actor="system", reason="unanswered",
                         note=f"no first response {late:.0f} business minutes after the target")
                changes.append("escalated")
            except (CannotEscalate, InvalidTransition):
                logger.warning("ticket %s could not be escalated automatically", ticket.number)
    return changes


def run_sla_checks(session: Session, *, now: datetime | None = None) -> int:
    """The periodic job: SLA states, time-based escalation, queued tickets to agents now free, auto-close.

    Safe to run in several processes at once and after restarts: every change is recorded in
    `sla_marks` under a unique key, so it happens once.
    """
    now = now or utcnow()
    changed = 0
    for ticket in session.scalars(select(Ticket).where(Ticket.status.in_(OPEN_STATES))):
        changed += len(check_ticket(session, ticket, now))
    changed += redispatch_waiting(session)
    cutoff = now - timedelta(days=policy().auto_close_days)
    for ticket in session.scalars(select(Ticket).where(Ticket.status == "resolved", Ticket.resolved_at <= cutoff)):
        if _mark_once(session, ticket, f"closed#{ticket.reopened_count}", "done"):
            change_status(session, ticket, "closed", actor="system", reason="auto-closed after resolution", now=now)
            changed += 1
    return changed
