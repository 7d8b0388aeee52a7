"""The run's figures, read back from the database with the help desk's own SLA arithmetic.

SLA compliance is the share of clocks that `current_states` calls met among those met or
breached (a clock still running before its deadline counts in neither). Times are business
minutes of the ticket's SLA calendar from hand-off: first response as the first-response clock
counts it, resolution as the resolution clock does (customer waits excluded).
"""

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from handoff import policy, session_scope
from handoff.calendar import BusinessCalendar, business_minutes_between
from handoff.models import Agent, SkillGroup, Ticket
from handoff.sla_clock import elapsed_business_minutes
from handoff.sla_service import calendar_named, current_states, pauses_of


@dataclass(frozen=True)
class Figures:
    tickets: int
    resolved: int
    first_response_met: float
    resolution_met: float
    first_response_median: float
    first_response_p90: float
    resolution_median: float
    gini_all: float
    gini_within_groups: float
    resolved_per_agent: list[int]


def gini(values: list[int]) -> float:
    """0 when everyone did the same, towards 1 when one did everything."""
    ordered = sorted(values)
    total, n = sum(ordered), len(ordered)
    if n == 0 or total == 0:
        return 0.0
    return 2 * sum((i + 1) * v for i, v in enumerate(ordered)) / (n * total) - (n + 1) / n


def share(states: Counter[str]) -> float:
    decided = states["met"] + states["breached"]
    return states["met"] / decided if decided else float("nan")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


def measure(url: str, now: datetime) -> Figures:
    """Figures of the run whose database is at `url`, as they stand at virtual time `now`."""
    at_risk_share = policy().at_risk_share
    calendars: dict[str, BusinessCalendar] = {}
    first_states: Counter[str] = Counter()
    resolution_states: Counter[str] = Counter()
    first_minutes: list[float] = []
    resolution_minutes: list[float] = []
    resolved_by: Counter[int] = Counter()
    with session_scope(url, read_only=True) as session:
        tickets = list(session.scalars(select(Ticket)))
        for ticket in tickets:
            if ticket.sla_calendar not in calendars:
                calendars[ticket.sla_calendar] = calendar_named(session, ticket.sla_calendar)
            calendar = calendars[ticket.sla_calendar]
            first, resolution = current_states(ticket, calendar, now, at_risk_share)
            first_states[first] += 1
            resolution_states[resolution] += 1
            start = ticket.human_started_at or ticket.created_at
            if ticket.first_responded_at is not None:
                first_minutes.append(business_minutes_between(calendar, start, ticket.first_responded_at))
            if ticket.resolved_at is not None:
                resolution_minutes.append(
                    elapsed_business_minutes(calendar, start, ticket.resolved_at, pauses_of(ticket)))
                if ticket.assignee_id is not None:
                    resolved_by[ticket.assignee_id] += 1
        agents = [a for a in session.scalars(select(Agent).order_by(Agent.id)) if a.role == "agent"]
        per_agent = [resolved_by[a.id] for a in agents]
        groups = [[resolved_by[a.id] for a in g.agents] for g in session.scalars(select(SkillGroup))]
    sizes = [len(g) for g in groups if g]
    within = sum(gini(g) * len(g) for g in groups if g) / sum(sizes) if sizes else 0.0
    return Figures(
        tickets=len(tickets),
        resolved=len(resolution_minutes),
        first_response_met=share(first_states),
        resolution_met=share(resolution_states),
        first_response_median=statistics.median(first_minutes) if first_minutes else float("nan"),
        first_response_p90=percentile(first_minutes, 0.9),
        resolution_median=statistics.median(resolution_minutes) if resolution_minutes else float("nan"),
        gini_all=gini(per_agent),
        gini_within_groups=within,
        resolved_per_agent=per_agent,
    )
