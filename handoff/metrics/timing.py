"""How long people took: first response and resolution in business minutes, and time with the bot.

The durations are measured once when they happen and stored on the ticket (see
`handoff.sla_service.measure_first_response` and `measure_resolution`): from the start of the
human side (handoff, or the latest reopen), in business minutes of the ticket's SLA calendar,
with time awaiting the customer taken out of the resolution clock. Here they are only
aggregated, as medians and 90th percentiles.
"""

import logging
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from handoff.metrics.filters import DashboardFilters, ticket_conditions
from handoff.metrics.model import Figure, Section, Table
from handoff.metrics.period import Period
from handoff.metrics.sql import percentiles, percentiles_by
from handoff.models import Ticket

logger = logging.getLogger(__name__)

PRIORITIES = ("urgent", "high", "normal", "low")
FRACTIONS = (0.5, 0.9)


def first_responses_in(period: Period, filters: DashboardFilters) -> list[ColumnElement[bool]]:
    """Tickets whose (current) first response came in the period."""
    return [Ticket.first_responded_at >= period.start, Ticket.first_responded_at < period.end,
            Ticket.first_response_business_minutes.is_not(None), *ticket_conditions(filters)]


def resolutions_measured_in(period: Period, filters: DashboardFilters) -> list[ColumnElement[bool]]:
    """Tickets whose (current) resolution came in the period."""
    return [Ticket.resolved_at >= period.start, Ticket.resolved_at < period.end,
            Ticket.resolution_business_minutes.is_not(None), *ticket_conditions(filters)]


def handoffs_in(period: Period, filters: DashboardFilters) -> list[ColumnElement[bool]]:
    """Tickets opened in the period with a measured time with the bot."""
    return [Ticket.created_at >= period.start, Ticket.created_at < period.end,
            Ticket.bot_seconds.is_not(None), *ticket_conditions(filters)]


def _overall(session: Session, value: ColumnElement[float | None],
             where: list[ColumnElement[bool]]) -> list[float | None]:
    found = percentiles(session, value, where=where, fractions=FRACTIONS).get(None)
    return list(found) if found else [None] * len(FRACTIONS)


def _overall_and_by_priority(
    session: Session, value: ColumnElement[float | None], where: list[ColumnElement[bool]]
) -> tuple[list[float | None], dict[str, list[float]]]:
    found = percentiles_by(session, value, where=where, fractions=FRACTIONS,
                           groupings={"all": None, "priority": Ticket.priority})
    overall = found["all"].get(None)
    return (list(overall) if overall else [None] * len(FRACTIONS)), found["priority"]


def _counts_by_priority(session: Session, where: list[ColumnElement[bool]]) -> dict[str, int]:
    query = select(Ticket.priority, func.count(Ticket.id)).where(*where).group_by(Ticket.priority)
    return {priority: int(count) for priority, count in session.execute(query)}


def build(session: Session, *, period: Period, filters: DashboardFilters, now: datetime) -> Section:
    """First-response, resolution and bot-time figures, and the same per priority."""
    before = period.previous()
    frt, frt_by = _overall_and_by_priority(session, Ticket.first_response_business_minutes,
                                           first_responses_in(period, filters))
    frt_before = _overall(session, Ticket.first_response_business_minutes,
                          first_responses_in(before, filters))
    res, res_by = _overall_and_by_priority(session, Ticket.resolution_business_minutes,
                                           resolutions_measured_in(period, filters))
    res_before = _overall(session, Ticket.resolution_business_minutes,
                          resolutions_measured_in(before, filters))
    bot = _overall(session, Ticket.bot_seconds, handoffs_in(period, filters))
    bot_before = _overall(session, Ticket.bot_seconds, handoffs_in(before, filters))
    start_note = "from the handoff (or the latest reopen), in business minutes of the ticket's SLA calendar"
    figures = [
        Figure("frt_median", "First response, median", frt[0], frt_before[0], "minutes",
               f"Median time to the first agent reply for first replies in the period, {start_note}."),
        Figure("frt_p90", "First response, 90th percentile", frt[1], frt_before[1], "minutes",
               f"90 % of first agent replies in the period came within this time, {start_note}."),
        Figure("resolution_median", "Resolution, median", res[0], res_before[0], "minutes",
               f"Median time to resolve for tickets resolved in the period, {start_note}, without time "
               f"awaiting the customer."),
        Figure("resolution_p90", "Resolution, 90th percentile", res[1], res_before[1], "minutes",
               f"90 % of tickets resolved in the period were resolved within this time, {start_note}, "
               f"without time awaiting the customer."),
        Figure("bot_time_median", "Time with the bot before handoff, median", bot[0], bot_before[0],
               "seconds", "Median wall-clock time from the start of the conversation with the bot to the "
               "handoff, for tickets opened in the period (not part of the response times)."),
    ]
    table = _by_priority(session, period, filters, (frt, frt_by), (res, res_by))
    return Section(figures=figures, tables=[table])


def _by_priority(session: Session, period: Period, filters: DashboardFilters,
                 frt: tuple[list[float | None], dict[str, list[float]]],
                 res: tuple[list[float | None], dict[str, list[float]]]) -> Table:
    responded = _counts_by_priority(session, first_responses_in(period, filters))
    resolved = _counts_by_priority(session, resolutions_measured_in(period, filters))
    none = [None] * len(FRACTIONS)
    rows: list[list[str | int | float | None]] = []
    for priority in sorted(set(PRIORITIES) | set(responded) | set(resolved),
                           key=lambda p: PRIORITIES.index(p) if p in PRIORITIES else len(PRIORITIES)):
        rows.append([priority.title(), responded.get(priority, 0), *frt[1].get(priority, none),
                     resolved.get(priority, 0), *res[1].get(priority, none)])
    rows.append(["All", sum(responded.values()), *frt[0], sum(resolved.values()), *res[0]])
    return Table(
        key="response_times", title="Response and resolution times by priority (business minutes)",
        columns=["Priority", "First responses", "First response median", "First response p90",
                 "Resolved", "Resolution median", "Resolution p90"],
        rows=rows, chart="bar", value_columns=(2, 5),
    )
