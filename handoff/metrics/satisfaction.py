"""Customer satisfaction, reopenings and escalations.

- CSAT over the tickets resolved in the period (from the timeline): the average score of those
  rated, the share rated, and how the scores spread over 1–5.
- Reopen rate: of the tickets resolved in the period, the share reopened after that resolution.
- Escalation rate: of the tickets opened in the period, the share escalated at least once, and
  per tier they were escalated to (from the escalation events).
"""

import logging
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, aliased

from handoff.metrics.cohorts import by_ticket, created_in, resolutions, resolve_events
from handoff.metrics.filters import DashboardFilters
from handoff.metrics.model import Figure, Section, Table, ratio
from handoff.metrics.period import Period
from handoff.models import Ticket, TicketEvent

logger = logging.getLogger(__name__)

SCORES = (1, 2, 3, 4, 5)


def ratings(session: Session, period: Period, filters: DashboardFilters) -> dict[int | None, int]:
    """Tickets resolved in the period per CSAT score (None: not rated)."""
    resolved = resolutions(period, filters)
    query = select(resolved.c.csat_score, func.count()).group_by(resolved.c.csat_score)
    return {score: int(count) for score, count in session.execute(query)}


def resolution_outcomes(
    session: Session, period: Period, filters: DashboardFilters
) -> dict[str, float | int | None]:
    """resolved, rated, average score, reopened (later) and ratings per score, for the tickets
    resolved in the period."""
    counts = ratings(session, period, filters)
    rated = {score: count for score, count in counts.items() if score is not None}
    total_rated = sum(rated.values())
    average = sum(score * count for score, count in rated.items()) / total_rated if total_rated else None
    return {"resolved": sum(counts.values()), "rated": total_rated, "average": average,
            "reopened": reopened_after_resolution(session, period, filters),
            **{f"score_{score}": rated.get(score, 0) for score in SCORES}}


def reopened_after_resolution(session: Session, period: Period, filters: DashboardFilters) -> int:
    """Tickets resolved in the period and reopened after that (only reopened tickets can be)."""
    first_resolution = (
        select(TicketEvent.ticket_id.label("ticket_id"),
               func.min(TicketEvent.created_at).label("resolved_at"))
        .where(*resolve_events(period, filters)).group_by(TicketEvent.ticket_id)
        .subquery("first_resolution")
    )
    later = aliased(TicketEvent)
    reopened_later = and_(
        later.ticket_id == first_resolution.c.ticket_id, by_ticket(later.kind) == "status_changed",
        later.created_at > first_resolution.c.resolved_at,
        later.detail["old"].as_string() == "resolved", later.detail["new"].as_string() == "in_progress",
    )
    query = (select(func.count(func.distinct(first_resolution.c.ticket_id)))
             .select_from(first_resolution).join(later, reopened_later))
    return int(session.scalar(query) or 0)


def escalation_counts(session: Session, period: Period, filters: DashboardFilters) -> tuple[int, int]:
    """(tickets opened in the period, those escalated at least once)."""
    query = select(func.count(Ticket.id), func.sum(case((Ticket.escalated_count > 0, 1), else_=0))).where(
        *created_in(period, filters))
    total, escalated = session.execute(query).one()
    return int(total or 0), int(escalated or 0)


def escalations_by_tier(session: Session, period: Period, filters: DashboardFilters) -> dict[int, int]:
    """Tickets opened in the period escalated to each tier (a ticket counts once per tier)."""
    tier = TicketEvent.detail["tier"].as_integer()
    query = (select(tier, func.count(func.distinct(TicketEvent.ticket_id)))
             .join(Ticket, Ticket.id == TicketEvent.ticket_id)
             .where(TicketEvent.kind == "escalated", *created_in(period, filters)).group_by(tier))
    return {int(value): int(count) for value, count in session.execute(query) if value is not None}


def build(session: Session, *, period: Period, filters: DashboardFilters, now: datetime) -> Section:
    """CSAT, reopen and escalation figures; the CSAT spread and escalations per tier."""
    current = resolution_outcomes(session, period, filters)
    before = resolution_outcomes(session, period.previous(), filters)
    opened, escalated = escalation_counts(session, period, filters)
    opened_before, escalated_before = escalation_counts(session, period.previous(), filters)
    figures = [
        Figure("csat_average", "CSAT average", current["average"], before["average"], "score",
               "Average rating (1–5) of the rated tickets among those resolved in the period."),
        Figure("csat_response_rate", "CSAT response rate", ratio(current["rated"], current["resolved"]),
               ratio(before["rated"], before["resolved"]), "ratio",
               "Share of the tickets resolved in the period that the customer rated."),
        Figure("reopen_rate", "Reopen rate", ratio(current["reopened"], current["resolved"]),
               ratio(before["reopened"], before["resolved"]), "ratio",
               "Share of the tickets resolved in the period that were reopened afterwards."),
        Figure("escalation_rate", "Escalation rate", ratio(escalated, opened),
               ratio(escalated_before, opened_before), "ratio",
               "Share of the tickets opened in the period that were escalated to a higher tier at least "
               "once."),
    ]
    scores = {score: int(current[f"score_{score}"] or 0) for score in SCORES}
    rated = sum(scores.values())
    distribution = Table(key="csat_distribution", title="CSAT ratings", columns=["Score", "Ratings", "Share"],
                         rows=[[str(score), count, ratio(count, rated)] for score, count in scores.items()],
                         chart="bar")
    tiers = escalations_by_tier(session, period, filters)
    by_tier = Table(key="escalation_by_tier", title="Escalations by tier",
                    columns=["Escalated to", "Tickets", "Share of tickets opened"],
                    rows=[[f"Tier {tier}", count, ratio(count, opened)]
                          for tier, count in sorted(tiers.items())],
                    chart="bar")
    return Section(figures=figures, tables=[distribution, by_tier])
