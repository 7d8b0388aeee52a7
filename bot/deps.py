"""FastAPI dependencies: database session, conversation flow, the current agent."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session

from handoff import Agent, Ticket, agent_for_token, get_ticket, session_scope

from bot.conversation_flow import ConversationFlow
from bot.dashboard_cache import DashboardCache
from bot.live import LiveHub
from bot.settings import Settings, get_settings


def get_session() -> Iterator[Session]:
    """One database session per request.

    Handlers that write commit explicitly before returning: the commit on exit here may run
    after the response has been sent, when a fast client could already be using what it got.
    """
    with session_scope() as session:
        yield session


def get_flow(request: Request) -> ConversationFlow:
    return request.app.state.flow  # type: ignore[no-any-return]


def get_hub(request: Request) -> LiveHub:
    return request.app.state.hub  # type: ignore[no-any-return]


def get_dashboard_cache(request: Request) -> DashboardCache:
    return request.app.state.dashboard_cache  # type: ignore[no-any-return]


SessionDep = Annotated[Session, Depends(get_session)]
DashboardCacheDep = Annotated[DashboardCache, Depends(get_dashboard_cache)]
FlowDep = Annotated[ConversationFlow, Depends(get_flow)]
HubDep = Annotated[LiveHub, Depends(get_hub)]
SettingsDep = Annotated[Settings, Depends(get_settings)]

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/agent/token")


def get_current_agent(session: SessionDep, token: Annotated[str, Depends(oauth2_scheme)]) -> Agent:
    """The agent whose bearer token came with the request; 401 otherwise."""
    agent = agent_for_token(session, token=token)
    if agent is None:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Invalid or expired token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return agent


CurrentAgent = Annotated[Agent, Depends(get_current_agent)]


def can_see(agent: Agent, ticket: Ticket) -> bool:
    """Agents see their groups' tickets and their own; leads and admins see the whole team's."""
    if agent.role in ("lead", "admin"):
        return True
    if ticket.assignee_id == agent.id:
        return True
    return ticket.group_id in {group.id for group in agent.groups}


def get_visible_ticket(number: int, session: SessionDep, agent: CurrentAgent) -> Ticket:
    """The ticket named in the path: 404 if there is none, 403 if it is another group's."""
    ticket = get_ticket(session, number=number)
    if ticket is None:
        raise HTTPException(status_code=404, detail=f"Ticket #{number} not found")
    if not can_see(agent, ticket):
        raise HTTPException(status_code=403, detail=f"Ticket #{number} belongs to a group you are not in")
    return ticket


def require_lead(agent: CurrentAgent) -> Agent:
    """Only leads and admins may do this."""
    if agent.role not in ("lead", "admin"):
        raise HTTPException(status_code=403, detail="Only leads and admins may do this")
    return agent


VisibleTicket = Annotated[Ticket, Depends(get_visible_ticket)]
CurrentLead = Annotated[Agent, Depends(require_lead)]
