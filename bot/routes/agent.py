"""The agent API: sign in for a token, list tickets, read one with its transcript, reply."""

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import OAuth2PasswordRequestForm

from handoff import (
    TicketNotFound,
    add_agent_reply,
    authenticate,
    get_ticket,
    issue_token,
    list_messages,
    list_tickets,
)

from bot.deps import CurrentAgent, HubDep, SessionDep
from bot.schemas import (
    MessagePublic,
    ReplyCreate,
    TicketDetailPublic,
    TicketEventPublic,
    TicketPublic,
    TicketsPublic,
    TokenPublic,
)

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api/agent", tags=["agent"])

MAX_REPLY_CHARS = 10_000


@router.post("/token", response_model=TokenPublic)
def create_token(session: SessionDep, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> TokenPublic:
    """Exchange an agent's e-mail (as `username`) and password for a bearer token."""
    agent = authenticate(session, email=form.username, password=form.password)
    if agent is None:
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Wrong e-mail or password")
    token = issue_token(session, agent=agent)
    session.commit()  # before the response goes out: the client may use the token at once
    return TokenPublic(access_token=token)


@router.get("/tickets", response_model=TicketsPublic)
def read_tickets(session: SessionDep, _agent: CurrentAgent, status: str | None = None,
                 limit: int = 50, offset: int = 0) -> TicketsPublic:
    """Tickets, open ones with the nearest first-response deadline first."""
    tickets, count = list_tickets(session, status=status, limit=min(limit, 200), offset=offset)
    return TicketsPublic(data=[TicketPublic.from_ticket(ticket) for ticket in tickets], count=count)


@router.get("/tickets/{number}", response_model=TicketDetailPublic)
def read_ticket(number: int, session: SessionDep, _agent: CurrentAgent) -> TicketDetailPublic:
    """One ticket with the whole conversation transcript and its timeline."""
    ticket = get_ticket(session, number=number)
    if ticket is None:
        raise HTTPException(status_code=404, detail=f"Ticket #{number} not found")
    transcript = list_messages(session, conversation_id=ticket.conversation_id, include_internal=True,
                               limit=10_000)
    return TicketDetailPublic(
        ticket=TicketPublic.from_ticket(ticket),
        transcript=[MessagePublic.from_message(message) for message in transcript],
        events=[TicketEventPublic.from_event(event) for event in ticket.events],
    )


@router.post("/tickets/{number}/replies", response_model=MessagePublic, status_code=201)
def create_reply(number: int, body: ReplyCreate, session: SessionDep, agent: CurrentAgent,
                 hub: HubDep) -> MessagePublic:
    """Reply to the customer; the reply is queued in the outbox for their channel."""
    text = body.text.strip()
    if not text:
        raise HTTPException(status_code=422, detail="Reply is empty")
    if len(text) > MAX_REPLY_CHARS:
        raise HTTPException(status_code=413, detail=f"Reply is too long (limit {MAX_REPLY_CHARS} characters)")
    try:
        message = add_agent_reply(session, number=number, agent=agent, text=text)
    except TicketNotFound as error:
        raise HTTPException(status_code=404, detail=f"Ticket #{number} not found") from error
    session.commit()
    hub.notify(message.conversation_id)
    return MessagePublic.from_message(message)
