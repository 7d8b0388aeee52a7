"""Agent sign-in for the API: exchange e-mail and password for a bearer token."""

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import OAuth2PasswordRequestForm

from handoff import authenticate, issue_token

from bot.deps import SessionDep
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
