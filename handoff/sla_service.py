"""SLA on tickets: targets from the policies, deadlines in business time, and the periodic check.

The arithmetic is in `handoff.calendar` and `handoff.sla_clock` (pure, tested without a
database); this module applies it to tickets and records each state change exactly once.
"""

import json
import logging
from functools import lru_cache
from datetime import datetime, timedelta

from sqlalchemy import literal_column, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handoff.calendar import ALWAYS_OPEN, BusinessCalendar, add_business_minutes, business_minutes_between
from handoff.dispatch import redispatch_waiting
from handoff.escalation import CannotEscalate, escalate
from handoff.helpdesk_config import Policy, policy
from handoff.lifecycle import OPEN_STATES, InvalidTransition, change_status, schedule_sla_check
from handoff.models import Calendar, SlaMark, SlaPolicy, Ticket, utcnow
from handoff.sla_clock import Pause, due_at, elapsed_business_minutes, sla_state
from handoff.timeline import add_event

logger = logging.getLogger(__name__)

DEFAULT_TARGETS = {"urgent": (30, 240), "high": (60, 480), "normal": (240, 1440), "low": (480, 2880)}
# The pass reads due tickets this many at a time; the caller may commit after each batch, so a
# write lock (SQLite has one for the whole database) is held for one batch, not the whole pass.
BATCH_SIZE = 200
# A state changes just after the moment computed for it (a deadline is breached once passed);
# the pass looks this much later, when the change has surely happened.
AFTER_THE_MOMENT = timedelta(seconds=1)
# After the calendars or knobs change, every open ticket's moments are computed afresh within
# this time, a slice per pass (see `recheck_open_tickets`).
RECHECK_SPREAD = timedelta(minutes=10)
RECHECK_SLOTS = 20
# A ticket whose check fails (a calendar with no open time) is tried again this much later; it
# is read first in its batch (the longest-waiting), so it must not hold up the others.
RETRY_AFTER_ERROR = timedelta(minutes=10)


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
    now = now or utcnow()
    ticket.resolution_due = due_at(calendar, start, ticket.resolution_minutes, pauses_of(ticket), now=now)
    schedule_sla_check(ticket, now)


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
    # Answered: the first-response clock is done and no unanswered-ticket escalation is due.
    schedule_sla_check(ticket, ticket.first_responded_at)


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
    schedule_sla_check(ticket, start)
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
    """Update one ticket's SLA states; returns what changed (each change is recorded once).

    Ends by setting when the ticket next needs a look (`next_check_at`), so the pass skips it
    until then.
    """
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
    if "escalated" in changes:
        # Still unanswered at the new tier: the next pass (not this one) looks again, so an
        # unanswered ticket climbs one tier per pass, as it always has.
        ticket.sla_next_check_at = now + AFTER_THE_MOMENT
    else:
        ticket.sla_next_check_at = next_check_at(ticket, calendar, now, knobs)
    return changes


def next_check_at(ticket: Ticket, calendar: BusinessCalendar, now: datetime, knobs: Policy) -> datetime | None:
    """The earliest moment after `now` at which one of the ticket's SLA states can change, given
    the states `check_ticket` just set; None when none can any more.

    Those moments are: the first-response clock turning at risk, then breached, then the
    unanswered-ticket escalation, while nobody has answered; the resolution clock turning at
    risk, then breached, while the ticket is neither resolved nor awaiting the customer (a pause
    stops that clock; its end schedules a check, see `handoff.lifecycle.change_status`).
    """
    if ticket.status not in OPEN_STATES:
        return None
    start = ticket.human_started_at or ticket.created_at
    moments: list[datetime] = []
    if ticket.first_responded_at is None:
        minutes = ticket.first_response_minutes
        if ticket.first_response_state == "ok":
            moments.append(add_business_minutes(calendar, start, knobs.at_risk_share * minutes))
        if ticket.first_response_state in ("ok", "at_risk"):
            moments.append(due_at(calendar, start, minutes))
        elif ticket.first_response_state == "breached":
            escalation = add_business_minutes(calendar, ticket.first_response_due, knobs.escalate_unanswered_minutes)
            if escalation > now:  # otherwise this tier's escalation has just been done (or tried)
                moments.append(escalation)
    pauses = pauses_of(ticket)
    paused = any(pause.end is None for pause in pauses)
    if ticket.resolved_at is None and not paused:
        minutes = ticket.resolution_minutes
        if ticket.resolution_state == "ok":
            moments.append(due_at(calendar, start, knobs.at_risk_share * minutes, pauses, now=now))
        if ticket.resolution_state in ("ok", "at_risk"):
            moments.append(due_at(calendar, start, minutes, pauses, now=now))
    if not moments:
        return None
    # Never at or before `now`: a moment the arithmetic rounds onto `now` is looked at next pass.
    return max(min(moments), now) + AFTER_THE_MOMENT


def tickets_due_for_check(session: Session, now: datetime, *, limit: int = BATCH_SIZE) -> list[Ticket]:
    """Tickets whose next SLA moment has come, the longest-waiting first.

    Read in order from the index on `sla_next_check_at` alone, so the others are not read at
    all. Only open tickets have a moment (`schedule_sla_check` clears it on resolving and
    closing), so no state filter is needed; the pass clears any stray moment it meets anyway.
    """
    return list(session.scalars(
        select(Ticket).where(Ticket.sla_next_check_at <= now).order_by(Ticket.sla_next_check_at).limit(limit)
    ))


def run_sla_checks(session: Session, *, now: datetime | None = None, commit_each_batch: bool = False) -> int:
    """The periodic job: SLA states, time-based escalation, queued tickets to agents now free, auto-close.

    Reads only the tickets whose next SLA moment has come, `BATCH_SIZE` at a time; with
    `commit_each_batch` (the scheduler) each batch is its own short transaction, so pages that
    write wait for one batch at most. Safe to run in several processes at once and after
    restarts: every change is recorded in `sla_marks` under a unique key, so it happens once.
    """
    now = now or utcnow()
    changed = 0
    while True:
        batch = tickets_due_for_check(session, now)
        for ticket in batch:
            if ticket.status not in OPEN_STATES:
                ticket.sla_next_check_at = None
                continue
            try:
                changed += len(check_ticket(session, ticket, now))
            except ValueError:  # e.g. its calendar has no open time: the others must not wait for it
                logger.exception("SLA check of ticket %s failed; retrying in %s", ticket.number, RETRY_AFTER_ERROR)
                ticket.sla_next_check_at = now + RETRY_AFTER_ERROR
        if commit_each_batch:
            session.commit()
        # Every ticket checked got a next moment after `now`, so the next batch holds others.
        if len(batch) < BATCH_SIZE:
            break
    changed += redispatch_waiting(session)
    changed += auto_close(session, now)
    return changed


def auto_close(session: Session, now: datetime) -> int:
    """Close the tickets resolved longer ago than the policy's `auto_close_days` (read from an
    index of resolved tickets by resolution time: only those, not every resolved ticket)."""
    cutoff = now - timedelta(days=policy().auto_close_days)
    closed = 0
    # Both databases then read the partial index `ix_tickets_resolved_to_close`: the state as a
    # literal, not a bound parameter, so SQLite sees the query's condition is the index's own,
    # and in the index's order, so SQLite does not prefer a state index (every resolved ticket).
    resolved = Ticket.status == literal_column("'resolved'")
    query = select(Ticket).where(resolved, Ticket.resolved_at <= cutoff).order_by(Ticket.resolved_at)
    for ticket in session.scalars(query):
        if _mark_once(session, ticket, f"closed#{ticket.reopened_count}", "done"):
            change_status(session, ticket, "closed", actor="system", reason="auto-closed after resolution", now=now)
            closed += 1
    return closed


def sla_inputs(session: Session) -> str:
    """What the SLA moments are computed from besides the tickets themselves: the policy knobs
    and the business calendars. When it changes (an admin edits a calendar, the set-up file
    changes), moments stored on tickets may be wrong: see `recheck_open_tickets`."""
    knobs = policy()
    calendars = {row.name: row.config for row in session.scalars(select(Calendar))}
    return json.dumps({"at_risk_share": knobs.at_risk_share,
                       "escalate_unanswered_minutes": knobs.escalate_unanswered_minutes,
                       "calendars": calendars}, sort_keys=True, default=str)


def recheck_open_tickets(session: Session, now: datetime, *, over: timedelta = RECHECK_SPREAD,
                         slots: int = RECHECK_SLOTS) -> None:
    """Have the pass compute every open ticket's moments afresh within `over` from `now`, a
    `slots`-th of them at a time (after `sla_inputs` changed, and once when a scheduler starts).

    Spread out so no single pass reads every open ticket; a ticket whose stored moment comes
    earlier keeps it, so nothing already known to be due waits for its slot. Tickets with no
    moment (nothing could change) are included: a fresh look costs little and heals any moment
    that went missing.
    """
    for slot in range(slots):
        at = now + over * slot / slots
        session.execute(
            update(Ticket)
            .where(Ticket.status.in_(OPEN_STATES), Ticket.id % slots == slot,
                   or_(Ticket.sla_next_check_at.is_(None), Ticket.sla_next_check_at > at))
            .values(sla_next_check_at=at)
        )
