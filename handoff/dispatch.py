"""Dispatch: which group takes a ticket, and which agent in it.

Four modes, chosen per skill group:
- auto: the best available agent (skill match, then least open load, then longest idle);
- review (semi-automatic): a dispatcher confirms or changes the recommended agent;
- claim: the ticket waits in the group's queue until a member claims it (atomic);
- tiered: like auto at L1; escalation moves it to the next tier's group.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from handoff.lifecycle import OPEN_STATES, change_status
from handoff.models import Agent, SkillGroup, Ticket, utcnow
from handoff.timeline import add_event, agent_actor

logger = logging.getLogger(__name__)

_NEVER = datetime(1970, 1, 1, tzinfo=UTC)


class DispatchError(ValueError):
    """An assignment or claim that cannot be made (already claimed, not a member, ...)."""


@dataclass(frozen=True)
class AgentLoad:
    """What dispatch needs to know about one agent."""

    agent_id: int
    skills: tuple[str, ...]
    open_tickets: int
    capacity: int
    available: bool
    last_assigned_at: datetime | None


def pick_agent(candidates: list[AgentLoad], category: str) -> int | None:
    """The best agent for a ticket of `category`, or None if nobody can take one now.

    Available agents under capacity only; prefer a skill match, then the lightest open load,
    then whoever has waited longest since their last assignment.
    """
    eligible = [c for c in candidates if c.available and c.open_tickets < c.capacity]
    if not eligible:
        return None
    best = min(
        eligible,
        key=lambda c: (category not in c.skills, c.open_tickets, c.last_assigned_at or _NEVER, c.agent_id),
    )
    return best.agent_id


def group_for(session: Session, *, category: str, negative: bool, senior_for_negative: bool) -> SkillGroup | None:
    """The group that takes a new ticket: by category at tier 1, or the senior tier for angry customers."""
    groups = list(session.scalars(select(SkillGroup).order_by(SkillGroup.tier, SkillGroup.id)))
    if not groups:
        return None
    by_category = next((g for g in groups if category in (g.categories or [])), None)
    fallback = next((g for g in groups if g.name == "general"), groups[0])
    group = by_category or fallback
    if negative and senior_for_negative and group.escalation_group is not None and group.tier == 1:
        return group.escalation_group
    return group


def agent_loads(session: Session, group: SkillGroup) -> list[AgentLoad]:
    """Open-ticket counts and availability of the group's active members."""
    counts = dict(
        session.execute(
            select(Ticket.assignee_id, func.count(Ticket.id))
            .where(Ticket.status.in_(OPEN_STATES), Ticket.assignee_id.is_not(None))
            .group_by(Ticket.assignee_id)
        ).all()
    )
    return [
        AgentLoad(
            agent_id=agent.id, skills=tuple(agent.skills or ()), open_tickets=int(counts.get(agent.id, 0)),
            capacity=agent.capacity, available=agent.is_available, last_assigned_at=agent.last_assigned_at,
        )
        for agent in group.agents
        if agent.is_active
    ]


def dispatch(session: Session, ticket: Ticket) -> None:
    """Route a new (or escalated) ticket within its group according to the group's mode."""
    group = ticket.group
    if group is None:
        add_event(session, ticket, "queued", "system", reason="no skill groups configured")
        return
    if group.dispatch_mode == "claim":
        add_event(session, ticket, "queued", "system", group=group.name, reason="waiting for a member to claim it")
        return
    best = pick_agent(agent_loads(session, group), ticket.category)
    if group.dispatch_mode == "review":
        ticket.recommended_assignee_id = best
        add_event(session, ticket, "awaiting_review", "system", group=group.name, recommended=best)
        return
    if best is None:
        add_event(session, ticket, "queued", "system", group=group.name, reason="nobody available")
        return
    agent = session.get(Agent, best)
    assert agent is not None
    assign(session, ticket, agent, actor="system", reason=f"automatic ({group.dispatch_mode})")


def assign(session: Session, ticket: Ticket, agent: Agent, *, actor: str, reason: str) -> None:
    """Give the ticket to `agent` (a dispatcher's decision, a confirmation, or automatic dispatch)."""
    if not ticket.is_open or ticket.status in ("resolved", "closed"):
        raise DispatchError(f"Ticket #{ticket.number} is {ticket.status}; it cannot be assigned")
    now = utcnow()
    ticket.assignee_id = agent.id
    ticket.recommended_assignee_id = None
    agent.last_assigned_at = now
    add_event(session, ticket, "assigned", actor, assignee=agent.display_name, assignee_id=agent.id, reason=reason)
    if ticket.status == "new":
        change_status(session, ticket, "in_progress", actor=actor, reason="assigned", now=now)


def claim(session: Session, ticket: Ticket, agent: Agent) -> None:
    """An agent takes a queued ticket. Exactly one of several simultaneous claims wins."""
    if agent.role == "agent" and ticket.group_id not in {group.id for group in agent.groups}:
        raise DispatchError(f"Ticket #{ticket.number} is not in one of your groups")
    result = session.execute(
        update(Ticket)
        .where(Ticket.id == ticket.id, Ticket.assignee_id.is_(None), Ticket.status == "new")
        .values(assignee_id=agent.id, recommended_assignee_id=None)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise DispatchError(f"Ticket #{ticket.number} was already taken")
    session.refresh(ticket)
    agent.last_assigned_at = utcnow()
    actor = agent_actor(agent.id)
    add_event(session, ticket, "claimed", actor, assignee=agent.display_name, assignee_id=agent.id)
    change_status(session, ticket, "in_progress", actor=actor, reason="claimed")


def redispatch_waiting(session: Session) -> int:
    """Assign queued tickets of automatic groups once someone can take them (shift start, freed capacity).

    Returns how many were assigned. Nothing is written for tickets that still have to wait, so
    running this every scheduler pass leaves the timeline quiet. The queues of groups where
    nobody can take a ticket now are not read at all (at scale, a backlog of queued tickets
    would otherwise cost every pass a load count per ticket).
    """
    loads: dict[int, list[AgentLoad]] = {}

    def loads_of(group: SkillGroup) -> list[AgentLoad]:
        if group.id not in loads:
            loads[group.id] = agent_loads(session, group)
        return loads[group.id]

    automatic = session.scalars(select(SkillGroup).where(SkillGroup.dispatch_mode.in_(("auto", "tiered"))))
    staffed = [group.id for group in automatic if can_take_one(loads_of(group))]
    if not staffed:
        return 0
    waiting = session.scalars(
        select(Ticket)
        .where(Ticket.status == "new", Ticket.assignee_id.is_(None), Ticket.group_id.in_(staffed))
        .order_by(Ticket.first_response_due)
    )
    assigned = 0
    for ticket in waiting:
        assert ticket.group is not None
        best = pick_agent(loads_of(ticket.group), ticket.category)
        if best is None:
            continue
        agent = session.get(Agent, best)
        assert agent is not None
        assign(session, ticket, agent, actor="system", reason="automatic (was queued)")
        session.flush()
        assigned += 1
        loads.clear()  # the agent's load changed, in every group they belong to
    return assigned


def can_take_one(candidates: list[AgentLoad]) -> bool:
    """Whether anyone among `candidates` can take a ticket now (available, under capacity)."""
    return pick_agent(candidates, category="") is not None
