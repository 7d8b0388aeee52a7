"""The agent API for tickets: list, read with transcript and summary, reply, note, change state,
claim, assign, escalate, resolve, correct. Every change lands on the ticket's timeline."""

import logging
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, HTTPException
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from handoff import (
    Agent,
    CannotEscalate,
    DispatchError,
    InvalidReply,
    InvalidTransition,
    Ticket,
    add_agent_reply,
    add_internal_note,
    assign,
    claim,
    correct_classification,
    escalate,
    list_messages,
    move_ticket,
    resolve,
)
from handoff.lifecycle import STATES
from handoff.models import Message
from handoff.summary import SummaryMessage, summarize
from handoff.timeline import agent_actor

from bot.deps import CurrentAgent, CurrentLead, HubDep, SessionDep, VisibleTicket, can_see
from bot.schemas import (
    AssignRequest,
    EscalateRequest,
    MessagePublic,
    NoteCreate,
    ReplyCreate,
    ResolveRequest,
    StatusChange,
    SummaryPublic,
    TicketDetailPublic,
    TicketEventPublic,
    TicketPublic,
    TicketsPublic,
    TicketUpdate,
)

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api/agent/tickets", tags=["tickets"])

MAX_REPLY_CHARS = 10_000


def _refused(action: Callable[[], Any]) -> Any:
    """Run a help-desk action; a refused one becomes 409 with the reason in plain words."""
    try:
        return action()
    except (InvalidTransition, DispatchError, CannotEscalate, InvalidReply, ValueError) as error:
        raise HTTPException(status_code=409, detail=str(error)) from error


def _text(text: str) -> str:
    text = text.strip()
    if not text:
        raise HTTPException(status_code=422, detail="Text is empty")
    if len(text) > MAX_REPLY_CHARS:
        raise HTTPException(status_code=413, detail=f"Text is too long (limit {MAX_REPLY_CHARS} characters)")
    return text


def ticket_summary(session: Session, ticket: Ticket) -> SummaryPublic:
    """The extractive summary of the ticket's conversation for the agent."""
    messages = list_messages(session, conversation_id=ticket.conversation_id, limit=10_000)
    summary = summarize(
        [SummaryMessage(sender=m.sender, text=m.text, payload=m.payload, meta=m.meta or {}) for m in messages],
        reason=ticket.reason,
    )
    return SummaryPublic(asked=summary.asked, bot_answers=summary.bot_answers,
                         handoff_reason=summary.handoff_reason, text=summary.text)


@router.get("", response_model=TicketsPublic)
def read_tickets(
    session: SessionDep, agent: CurrentAgent, status: str | None = None, group: str | None = None,
    category: str | None = None, q: str | None = None, mine: bool = False, limit: int = 50, offset: int = 0,
) -> TicketsPublic:
    """Tickets the agent may see, open ones with the nearest first-response deadline first."""
    query = select(Ticket)
    if status:
        query = query.where(Ticket.status == status)
    if group:
        query = query.where(Ticket.skill_group == group)
    if category:
        query = query.where(Ticket.category == category)
    if mine:
        query = query.where(Ticket.assignee_id == agent.id)
    if q:
        term = q.strip().lstrip("#")
        conditions = [Ticket.subject.ilike(f"%{term}%")]
        if term.isdigit():
            conditions.append(Ticket.number == int(term))
        query = query.where(or_(*conditions))
    if agent.role == "agent":
        group_ids = [g.id for g in agent.groups]
        query = query.where(or_(Ticket.group_id.in_(group_ids), Ticket.assignee_id == agent.id))
    query = query.order_by(Ticket.is_open.desc(), Ticket.first_response_due, Ticket.id)
    count = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    tickets = list(session.scalars(query.limit(min(limit, 200)).offset(offset)))
    return TicketsPublic(data=[TicketPublic.from_ticket(t) for t in tickets if can_see(agent, t)], count=count)


@router.get("/{number}", response_model=TicketDetailPublic)
def read_ticket(ticket: VisibleTicket, session: SessionDep) -> TicketDetailPublic:
    """One ticket with the whole transcript (internal notes included), timeline and summary."""
    transcript = list_messages(session, conversation_id=ticket.conversation_id, include_internal=True, limit=10_000)
    return TicketDetailPublic(
        ticket=TicketPublic.from_ticket(ticket),
        transcript=[MessagePublic.from_message(message) for message in transcript],
        events=[TicketEventPublic.from_event(event) for event in ticket.events],
        summary=ticket_summary(session, ticket),
    )


@router.post("/{number}/replies", response_model=MessagePublic, status_code=201)
def create_reply(ticket: VisibleTicket, body: ReplyCreate, session: SessionDep, agent: CurrentAgent,
                 hub: HubDep) -> MessagePublic:
    """Reply to the customer; the reply goes out through the outbox to their channel."""
    text = _text(body.text)
    message: Message = _refused(lambda: add_agent_reply(
        session, number=ticket.number or 0, agent=agent, text=text, await_customer=body.await_customer))
    session.commit()
    hub.notify(message.conversation_id)
    return MessagePublic.from_message(message)


@router.post("/{number}/notes", response_model=MessagePublic, status_code=201)
def create_note(ticket: VisibleTicket, body: NoteCreate, session: SessionDep, agent: CurrentAgent) -> MessagePublic:
    """An internal note: the team sees it, the customer never does."""
    message = add_internal_note(session, number=ticket.number or 0, agent=agent, text=_text(body.text))
    session.commit()
    return MessagePublic.from_message(message)


@router.post("/{number}/status", response_model=TicketPublic)
def update_status(ticket: VisibleTicket, body: StatusChange, session: SessionDep, agent: CurrentAgent) -> TicketPublic:
    """Move the ticket along its lifecycle; a move it does not allow is refused with 409."""
    if body.status not in STATES:
        raise HTTPException(status_code=422, detail=f"Unknown state {body.status!r}; one of {', '.join(STATES)}")
    _refused(lambda: move_ticket(session, ticket, body.status, actor=agent_actor(agent.id), reason=body.reason))
    session.commit()
    return TicketPublic.from_ticket(ticket)


@router.post("/{number}/resolve", response_model=TicketPublic)
def resolve_ticket(ticket: VisibleTicket, body: ResolveRequest, session: SessionDep, agent: CurrentAgent,
                   hub: HubDep) -> TicketPublic:
    """Resolve the ticket; the customer is asked for a CSAT score in their channel."""
    _refused(lambda: resolve(session, number=ticket.number or 0, actor=agent_actor(agent.id), reason=body.reason))
    session.commit()
    hub.notify(ticket.conversation_id)
    return TicketPublic.from_ticket(ticket)


@router.post("/{number}/claim", response_model=TicketPublic)
def claim_ticket(ticket: VisibleTicket, session: SessionDep, agent: CurrentAgent) -> TicketPublic:
    """Take a queued ticket; if someone else was faster, 409."""
    _refused(lambda: claim(session, ticket, agent))
    session.commit()
    return TicketPublic.from_ticket(ticket)


@router.post("/{number}/assign", response_model=TicketPublic)
def assign_ticket(ticket: VisibleTicket, body: AssignRequest, session: SessionDep, lead: CurrentLead) -> TicketPublic:
    """A lead or dispatcher assigns the ticket (also how a recommended assignee is confirmed)."""
    assignee = session.scalar(select(Agent).where(Agent.email == body.agent_email.strip().lower()))
    if assignee is None or not assignee.is_active:
        raise HTTPException(status_code=404, detail=f"No active agent {body.agent_email}")
    _refused(lambda: assign(session, ticket, assignee, actor=agent_actor(lead.id), reason="dispatcher"))
    session.commit()
    return TicketPublic.from_ticket(ticket)


@router.post("/{number}/escalate", response_model=TicketPublic)
def escalate_ticket(ticket: VisibleTicket, body: EscalateRequest, session: SessionDep,
                    agent: CurrentAgent) -> TicketPublic:
    """Move the ticket up a tier to the next group, which is notified."""
    _refused(lambda: escalate(session, ticket, actor=agent_actor(agent.id), reason="agent", note=body.note))
    session.commit()
    return TicketPublic.from_ticket(ticket)


@router.patch("/{number}", response_model=TicketPublic)
def update_ticket(ticket: VisibleTicket, body: TicketUpdate, session: SessionDep, agent: CurrentAgent) -> TicketPublic:
    """Correct category or priority (corrections train the classifier next time)."""
    _refused(lambda: correct_classification(session, number=ticket.number or 0, agent=agent,
                                            category=body.category, priority=body.priority))
    session.commit()
    return TicketPublic.from_ticket(ticket)
