"""Load and productivity per agent and per skill group.

Per row: open tickets now, tickets resolved in the period (from the timeline), median first
response and resolution times measured in the period, and the CSAT average of the resolved
tickets. A ticket counts for its current assignee and group.
"""

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handoff.lifecycle import OPEN_STATES
from handoff.metrics.cohorts import resolutions
from handoff.metrics.filters import DashboardFilters, ticket_conditions
from handoff.metrics.model import Section, Table
from handoff.metrics.period import Period
from handoff.metrics.sql import percentiles_by
from handoff.metrics.timing import first_responses_in, resolutions_measured_in
from handoff.models import Agent, Ticket

logger = logging.getLogger(__name__)

COLUMNS = ["Open now", "Resolved", "First response median (business min)", "Resolution median (business min)",
           "CSAT average"]
UNASSIGNED = "Unassigned"
Rows = dict[Any, list[int | float | None]]


def load_rows(session: Session, period: Period, filters: DashboardFilters) -> tuple[Rows, Rows]:
    """Per agent (assignee id, None: unassigned) and per group: [open now, resolved, median first
    response, median resolution, CSAT average]."""
    keys = (Ticket.assignee_id, Ticket.skill_group)
    open_now = session.execute(
        select(*keys, func.count(Ticket.id))
        .where(Ticket.status.in_(OPEN_STATES), *ticket_conditions(filters)).group_by(*keys)).all()
    resolved = resolutions(period, filters)
    resolved_keys = (resolved.c.assignee_id, resolved.c.skill_group)
    resolved_rows = session.execute(
        select(*resolved_keys, func.count(), func.count(resolved.c.csat_score),
               func.sum(resolved.c.csat_score))
        .group_by(*resolved_keys)).all()
    groupings = {"agent": Ticket.assignee_id, "group": Ticket.skill_group}
    first = percentiles_by(session, Ticket.first_response_business_minutes, fractions=(0.5,),
                           where=first_responses_in(period, filters), groupings=groupings)
    resolution = percentiles_by(session, Ticket.resolution_business_minutes, fractions=(0.5,),
                                where=resolutions_measured_in(period, filters), groupings=groupings)
    tables: list[Rows] = []
    for index, name in enumerate(groupings):
        opened: dict[Any, int] = {}
        for row in open_now:
            opened[row[index]] = opened.get(row[index], 0) + int(row[2])
        done: dict[Any, list[int]] = {}
        for row in resolved_rows:
            totals = done.setdefault(row[index], [0, 0, 0])
            for position, value in enumerate(row[2:]):
                totals[position] += int(value or 0)
        rows: Rows = {}
        for value in set(opened) | set(done) | set(first[name]) | set(resolution[name]):
            count, rated, score_sum = done.get(value, [0, 0, 0])
            rows[value] = [opened.get(value, 0), count, first[name].get(value, [None])[0],
                           resolution[name].get(value, [None])[0], score_sum / rated if rated else None]
        tables.append(rows)
    return tables[0], tables[1]


def _ordered(rows: dict[str, list[int | float | None]]) -> list[list[str | int | float | None]]:
    """Busiest first (open, then resolved), then by name."""
    return [[name, *values] for name, values in
            sorted(rows.items(), key=lambda item: (-(item[1][0] or 0), -(item[1][1] or 0), item[0]))]


def build(session: Session, *, period: Period, filters: DashboardFilters, now: datetime) -> Section:
    """Agent load and group load tables."""
    by_agent, by_group = load_rows(session, period, filters)
    ids = [agent_id for agent_id in by_agent if agent_id is not None]
    names = dict(session.execute(select(Agent.id, Agent.display_name).where(Agent.id.in_(ids))).all())
    agent_rows = {(names.get(agent_id, f"Agent {agent_id}") if agent_id is not None else UNASSIGNED): values
                  for agent_id, values in by_agent.items()}
    return Section(tables=[
        Table(key="agent_load", title="Agent load and productivity", columns=["Agent", *COLUMNS],
              rows=_ordered(agent_rows), chart="bar", value_columns=(1, 2)),
        Table(key="group_load", title="Skill group load and productivity", columns=["Group", *COLUMNS],
              rows=_ordered({str(name): values for name, values in by_group.items()}), chart="bar",
              value_columns=(1, 2)),
    ])
