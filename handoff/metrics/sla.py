"""SLA compliance in the period, and the tickets at risk or in breach now.

A target counts in the period where it was met, or where it fell due unmet:
- first response met: the first agent reply came in the period, by its deadline;
- first response breached: the deadline fell in the period (and has passed) and nothing
  answered the ticket by then (no reply, resolution or closure);
- resolution met: resolved in the period by its deadline (the deadline is fixed at
  resolution, moved by the time spent awaiting the customer);
- resolution breached: the deadline fell in the period and the ticket was resolved later,
  or is still open and the SLA check has found it breached (its clock stops while the
  customer is awaited, which only the check accounts for).
Compliance = met / (met + breached). The current cycle of a reopened ticket counts.
"""

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from handoff.lifecycle import OPEN_STATES
from handoff.metrics.filters import DashboardFilters, ticket_conditions
from handoff.metrics.model import Figure, Section, Table, ratio
from handoff.metrics.period import Period
from handoff.metrics.timing import PRIORITIES
from handoff.models import Ticket

logger = logging.getLogger(__name__)

COUNTS = ("fr_met", "fr_breached", "res_met", "res_breached")


def _within(column: Any, start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(column >= start, column < end)


def _outcomes(period: Period, now: datetime) -> dict[str, ColumnElement[bool]]:
    """The condition for each of the four counts, on one ticket."""
    due_until = min(period.end, now)  # a deadline still ahead is not yet missed
    answered = func.coalesce(Ticket.first_responded_at, Ticket.resolved_at, Ticket.closed_at)
    return {
        "fr_met": and_(_within(Ticket.first_responded_at, period.start, period.end),
                       Ticket.first_responded_at <= Ticket.first_response_due),
        "fr_breached": and_(_within(Ticket.first_response_due, period.start, due_until),
                            or_(answered.is_(None), answered > Ticket.first_response_due)),
        "res_met": and_(_within(Ticket.resolved_at, period.start, period.end),
                        Ticket.resolved_at <= Ticket.resolution_due),
        "res_breached": and_(
            _within(Ticket.resolution_due, period.start, due_until),
            or_(and_(Ticket.resolved_at.is_not(None), Ticket.resolved_at > Ticket.resolution_due),
                and_(Ticket.resolved_at.is_(None), Ticket.status.in_(OPEN_STATES),
                     Ticket.resolution_state == "breached")),
        ),
    }


def compliance_counts(session: Session, period: Period, filters: DashboardFilters,
                      now: datetime) -> dict[str, dict[str, int]]:
    """{priority: {fr_met, fr_breached, res_met, res_breached}} for the period."""
    outcomes = _outcomes(period, now)
    sums = [func.sum(case((condition, 1), else_=0)).label(name) for name, condition in outcomes.items()]
    touched = or_(
        _within(Ticket.first_responded_at, period.start, period.end),
        _within(Ticket.first_response_due, period.start, period.end),
        _within(Ticket.resolved_at, period.start, period.end),
        _within(Ticket.resolution_due, period.start, period.end),
    )
    query = (select(Ticket.priority, *sums).where(touched, *ticket_conditions(filters))
             .group_by(Ticket.priority))
    return {row[0]: {name: int(value or 0) for name, value in zip(COUNTS, row[1:], strict=True)}
            for row in session.execute(query)}


def _totals(by_priority: dict[str, dict[str, int]]) -> dict[str, int]:
    return {name: sum(counts[name] for counts in by_priority.values()) for name in COUNTS}


def _compliance(counts: dict[str, int], metric: str) -> float | None:
    return ratio(counts[f"{metric}_met"], counts[f"{metric}_met"] + counts[f"{metric}_breached"])


def states_now(session: Session, filters: DashboardFilters) -> tuple[int, int]:
    """(at risk, breached) open tickets as the SLA check last found them."""
    breached = or_(Ticket.first_response_state == "breached", Ticket.resolution_state == "breached")
    at_risk = and_(~breached,
                   or_(Ticket.first_response_state == "at_risk", Ticket.resolution_state == "at_risk"))
    query = select(func.sum(case((at_risk, 1), else_=0)), func.sum(case((breached, 1), else_=0))).where(
        Ticket.status.in_(OPEN_STATES), *ticket_conditions(filters))
    row = session.execute(query).one()
    return int(row[0] or 0), int(row[1] or 0)


def build(session: Session, *, period: Period, filters: DashboardFilters, now: datetime) -> Section:
    """Compliance for first response and resolution, tickets at risk and breached now."""
    by_priority = compliance_counts(session, period, filters, now)
    totals = _totals(by_priority)
    before = _totals(compliance_counts(session, period.previous(), filters, now))
    at_risk, breached = states_now(session, filters)
    figures = [
        Figure("sla_first_response_compliance", "SLA compliance, first response", _compliance(totals, "fr"),
               _compliance(before, "fr"), "ratio",
               "Of the first-response targets met or missed in the period, the share met "
               "(met / (met + breached))."),
        Figure("sla_resolution_compliance", "SLA compliance, resolution", _compliance(totals, "res"),
               _compliance(before, "res"), "ratio",
               "Of the resolution targets met or missed in the period, the share met; time awaiting the "
               "customer does not count."),
        Figure("at_risk_now", "At risk now", at_risk, None, "count",
               "Open tickets past the warning share of an SLA target but not yet in breach."),
        Figure("breached_now", "Breached now", breached, None, "count",
               "Open tickets that missed their first-response or resolution target."),
    ]
    rows: list[list[str | int | float | None]] = []
    empty = dict.fromkeys(COUNTS, 0)
    names = sorted(set(PRIORITIES) | set(by_priority),
                   key=lambda p: PRIORITIES.index(p) if p in PRIORITIES else len(PRIORITIES))
    for name, counts in [*[(p.title(), by_priority.get(p, empty)) for p in names], ("All", totals)]:
        rows.append([name, counts["fr_met"], counts["fr_breached"], _compliance(counts, "fr"),
                     counts["res_met"], counts["res_breached"], _compliance(counts, "res")])
    table = Table(
        key="sla_compliance", title="SLA compliance by priority",
        columns=["Priority", "First response met", "First response breached", "First response compliance",
                 "Resolution met", "Resolution breached", "Resolution compliance"],
        rows=rows, chart="bar", value_columns=(3, 6),
    )
    return Section(figures=figures, tables=[table])
