"""FastAPI dependencies: database session, conversation flow, the current agent."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session

from handoff import Agent, agent_for_token, session_scope

from bot.conversation_flow import ConversationFlow
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


SessionDep = Annotated[Session, Depends(get_session)]
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
