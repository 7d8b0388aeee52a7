"""Console dependencies: the signed-in agent, CSRF checks, roles, and the tickets they may open."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from bot.console.security import (
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_COOKIE,
    agent_for_session,
    csrf_token_for,
    tokens_match,
)
from bot.deps import SessionDep, can_see
from handoff import Agent, Ticket, get_ticket

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class ConsoleRefusal(Exception):
    """A console request that is refused: shown as an error page (403, 404, 409...), never a crash."""

    def __init__(self, status_code: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.title = title
        self.message = message


@dataclass(frozen=True)
class Viewer:
    """Who is signed in, as pages show it (plain values: still valid after a rollback)."""

    id: int
    display_name: str
    role: str


class LoginRequired(Exception):
    """No valid console session: the browser is sent to the sign-in page."""


def forbidden(message: str) -> ConsoleRefusal:
    return ConsoleRefusal(403, "Not allowed", message)


def not_found(message: str) -> ConsoleRefusal:
    return ConsoleRefusal(404, "Not found", message)


async def submitted_csrf_token(request: Request) -> str | None:
    """The CSRF token sent with a request: the header (htmx, fetch) or the form field."""
    token = request.headers.get(CSRF_HEADER)
    if token:
        return token
    if request.headers.get("content-type", "").startswith(FORM_TYPES):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


async def check_csrf(request: Request) -> None:
    """Refuse (403) any state-changing request whose CSRF token does not match the session's."""
    if request.method in SAFE_METHODS:
        return
    session_token = request.cookies.get(SESSION_COOKIE) or ""
    expected = csrf_token_for(session_token) if session_token else ""
    if not tokens_match(expected, await submitted_csrf_token(request)):
        raise ConsoleRefusal(
            403,
            "Request refused",
            "This request did not carry a valid security token (CSRF). Reload the page and try again.",
        )


def get_console_agent(request: Request, session: SessionDep) -> Agent:
    """The agent signed in to the console; otherwise the browser goes to the sign-in page."""
    token = request.cookies.get(SESSION_COOKIE)
    agent = agent_for_session(session, token)
    if agent is None or token is None:
        raise LoginRequired()
    request.state.console_viewer = Viewer(agent.id, agent.display_name, agent.role)
    request.state.csrf_token = csrf_token_for(token)
    return agent


ConsoleAgent = Annotated[Agent, Depends(get_console_agent)]


def require_role(*roles: str) -> Callable[[Agent], Agent]:
    """A dependency that lets only these roles through (403 page otherwise)."""
    names = " and ".join(f"{role}s" for role in roles)

    def check(agent: ConsoleAgent) -> Agent:
        if agent.role not in roles:
            raise forbidden(f"Only {names} may open this page or do this.")
        return agent

    return check


LeadAgent = Annotated[Agent, Depends(require_role("lead", "admin"))]
AdminAgent = Annotated[Agent, Depends(require_role("admin"))]


def visible_ticket(session: Session, agent: Agent, number: int) -> Ticket:
    """The ticket if the agent may see it: 404 page if there is none, 403 page if it is another group's."""
    ticket = get_ticket(session, number=number)
    if ticket is None:
        raise not_found(f"There is no ticket #{number}.")
    if not can_see(agent, ticket):
        raise forbidden(f"Ticket #{number} belongs to a group you are not in.")
    return ticket


def get_console_ticket(number: int, session: SessionDep, agent: ConsoleAgent) -> Ticket:
    return visible_ticket(session, agent, number)


ConsoleTicket = Annotated[Ticket, Depends(get_console_ticket)]
