"""Agent sign-in for the API (e-mail and password for a bearer token), and the agent's own availability."""

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import OAuth2PasswordRequestForm

from pydantic import BaseModel

from handoff import Agent, authenticate, issue_token

from bot.deps import CurrentAgent, SessionDep
from bot.schemas import TokenPublic

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api/agent", tags=["agent"])


@router.post("/token", response_model=TokenPublic)
def create_token(session: SessionDep, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> TokenPublic:
    """Exchange an agent's e-mail (as `username`) and password for a bearer token."""
    agent = authenticate(session, email=form.username, password=form.password)
    if agent is None:
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Wrong e-mail or password")
    token = issue_token(session, agent=agent)
    session.commit()  # before the response goes out: the client may use the token at once
    return TokenPublic(access_token=token)


class AgentPublic(BaseModel):
    email: str
    display_name: str
    role: str
    is_available: bool
    capacity: int
    skills: list[str]
    groups: list[str]


class AvailabilityUpdate(BaseModel):
    is_available: bool


def _me(agent: Agent) -> AgentPublic:
    return AgentPublic(email=agent.email, display_name=agent.display_name, role=agent.role,
                       is_available=agent.is_available, capacity=agent.capacity,
                       skills=[str(skill) for skill in agent.skills or []], groups=[g.name for g in agent.groups])


@router.get("/me", response_model=AgentPublic)
def read_me(agent: CurrentAgent) -> AgentPublic:
    """The signed-in agent: role, groups, skills, capacity and whether they take new tickets."""
    return _me(agent)


@router.patch("/me", response_model=AgentPublic)
def update_me(body: AvailabilityUpdate, session: SessionDep, agent: CurrentAgent) -> AgentPublic:
    """Go available (automatic dispatch sends you tickets, queued ones first) or away."""
    agent.is_available = body.is_available
    session.commit()
    return _me(agent)
