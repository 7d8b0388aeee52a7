"""Agents and their credentials: argon2 password hashes and bearer tokens for the agent API."""

import hashlib
import logging
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from handoff.models import Agent, ApiToken, utcnow

logger = logging.getLogger(__name__)

ROLES = ("agent", "lead", "admin")
MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()


class AgentError(ValueError):
    """An agent cannot be created as asked (duplicate e-mail, weak password, unknown role)."""


def create_agent(
    session: Session, *, email: str, display_name: str, password: str, role: str = "agent"
) -> Agent:
    """Create an agent with an argon2-hashed password."""
    email = email.strip().lower()
    if role not in ROLES:
        raise AgentError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AgentError(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    if session.scalar(select(Agent).where(Agent.email == email)) is not None:
        raise AgentError(f"an agent with e-mail {email} already exists")
    agent = Agent(email=email, display_name=display_name, role=role, password_hash=_hasher.hash(password))
    session.add(agent)
    session.flush()
    return agent


def authenticate(session: Session, *, email: str, password: str) -> Agent | None:
    """The active agent with these credentials, or None."""
    agent = session.scalar(select(Agent).where(Agent.email == email.strip().lower()))
    if agent is None or not agent.is_active:
        _hasher.hash(password)  # same work either way, so timing does not reveal accounts
        return None
    try:
        _hasher.verify(agent.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return agent


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, *, agent: Agent, ttl: timedelta = timedelta(hours=12)) -> str:
    """A new bearer token for `agent`; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    session.add(ApiToken(agent_id=agent.id, token_hash=_hash_token(token), expires_at=utcnow() + ttl))
    session.flush()
    return token


def agent_for_token(session: Session, *, token: str) -> Agent | None:
    """The active agent a valid, unexpired token belongs to, or None."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash_token(token)))
    if row is None or row.expires_at <= utcnow() or not row.agent.is_active:
        return None
    return row.agent
