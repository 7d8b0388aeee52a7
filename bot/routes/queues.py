"""Queues: the dispatcher's review queue (semi-automatic mode) and each group's claim queue."""

from fastapi import APIRouter, HTTPException
from sqlalchemy import select

from handoff import Ticket
from handoff.models import SkillGroup

from bot.deps import CurrentAgent, CurrentLead, SessionDep
from bot.schemas import TicketPublic, TicketsPublic

router = APIRouter(prefix="/api/agent/queues", tags=["queues"])


@router.get("/review", response_model=TicketsPublic)
def read_review_queue(session: SessionDep, _lead: CurrentLead) -> TicketsPublic:
    """Tickets waiting for a dispatcher to confirm or change the recommended assignee."""
    tickets = list(session.scalars(
        select(Ticket).join(SkillGroup, Ticket.group_id == SkillGroup.id)
        .where(SkillGroup.dispatch_mode == "review", Ticket.status == "new", Ticket.assignee_id.is_(None))
        .order_by(Ticket.first_response_due)
    ))
    return TicketsPublic(data=[TicketPublic.from_ticket(t) for t in tickets], count=len(tickets))


@router.get("/{group}", response_model=TicketsPublic)
def read_group_queue(group: str, session: SessionDep, agent: CurrentAgent) -> TicketsPublic:
    """Unassigned tickets waiting in a group's queue, nearest deadline first."""
    row = session.scalar(select(SkillGroup).where(SkillGroup.name == group))
    if row is None:
        raise HTTPException(status_code=404, detail=f"No skill group {group!r}")
    if agent.role == "agent" and row.id not in {g.id for g in agent.groups}:
        raise HTTPException(status_code=403, detail=f"You are not a member of {group}")
    tickets = list(session.scalars(
        select(Ticket).where(Ticket.group_id == row.id, Ticket.status == "new", Ticket.assignee_id.is_(None))
        .order_by(Ticket.first_response_due)
    ))
    return TicketsPublic(data=[TicketPublic.from_ticket(t) for t in tickets], count=len(tickets))
