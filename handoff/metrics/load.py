"""Load and productivity per agent and per skill group.

Per row: open tickets now, tickets resolved in the period (from the timeline), median first
response and resolution times measured in the period, and the CSAT average of the resolved
tickets. A ticket counts for its current assignee and group.
"""

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from handoff.lifecycle import OPEN_STATES
from handoff.metrics.cohorts import resolutions
from handoff.metrics.filters import DashboardFilters, ticket_conditions
from handoff.metrics.model import Section, Table
from handoff.metrics.period import Period
from handoff.metrics.sql import percentiles
from handoff.metrics.timing import first_responses_in, resolutions_measured_in
from handoff.models import Agent, Ticket

logger = logging.getLogger(__name__)

COLUMNS = ["Open now", "Resolved", "First response median (business min)", "Resolution median (business min)",
           "CSAT average"]
UNASSIGNED = "Unassigned"


def load_by(session: Session, key: ColumnElement[Any], period: Period,
            filters: DashboardFilters) -> dict[Any, list[int | float | None]]:
    """{key value: [open now, resolved, median first response, median resolution, CSAT average]}."""
    open_now = dict(session.execute(
        select(key, func.count(Ticket.id)).where(Ticket.status.in_(OPEN_STATES), *ticket_conditions(filters))
        .group_by(key)).all())
    resolved = resolutions(period, filters)
    resolved_rows = {row[0]: (int(row[1]), row[2]) for row in session.execute(
        select(key, func.count(), func.avg(Ticket.csat_score)).select_from(resolved)
        .join(Ticket, Ticket.id == resolved.c.ticket_id).group_by(key))}
    first = percentiles(session, Ticket.first_response_business_minutes, key=key, fractions=(0.5,),
                        where=first_responses_in(period, filters))
    resolution = percentiles(session, Ticket.resolution_business_minutes, key=key, fractions=(0.5,),
                             where=resolutions_measured_in(period, filters))
    rows: dict[Any, list[int | float | None]] = {}
    for value in set(open_now) | set(resolved_rows) | set(first) | set(resolution):
        count, csat = resolved_rows.get(value, (0, None))
        rows[value] = [int(open_now.get(value, 0)), count, first.get(value, [None])[0],
                       resolution.get(value, [None])[0], float(csat) if csat is not None else None]
    return rows


def _ordered(rows: dict[str, list[int | float | None]]) -> list[list[str | int | float | None]]:
    """Busiest first (open, then resolved), then by name."""
    return [[name, *values] for name, values in
            sorted(rows.items(), key=lambda item: (-(item[1][0] or 0), -(item[1][1] or 0), item[0]))]


def build(session: Session, *, period: Period, filters: DashboardFilters, now: datetime) -> Section:
    """Agent load and group load tables."""
    by_agent = load_by(session, Ticket.assignee_id, period, filters)
    ids = [agent_id for agent_id in by_agent if agent_id is not None]
    names = dict(session.execute(select(Agent.id, Agent.display_name).where(Agent.id.in_(ids))).all()) if ids else {}
    agent_rows = {(names.get(agent_id, f"Agent {agent_id}") if agent_id is not None else UNASSIGNED): values
                  for agent_id, values in by_agent.items()}
    by_group = load_by(session, Ticket.skill_group, period, filters)
    return Section(tables=[
        Table(key="agent_load", title="Agent load and productivity", columns=["Agent", *COLUMNS],
              rows=_ordered(agent_rows), chart="bar", value_columns=(1, 2)),
        Table(key="group_load", title="Skill group load and productivity", columns=["Group", *COLUMNS],
              rows=_ordered({str(name): values for name, values in by_group.items()}), chart="bar",
              value_columns=(1, 2)),
    ])
