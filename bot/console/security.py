"""Console sessions and CSRF tokens.

A console session is a server-side token (the help desk's API tokens: only their SHA-256 is
stored, they expire, and signing out deletes the row), carried in an HttpOnly, SameSite=Lax
cookie that is Secure over HTTPS. The CSRF token of a session is an HMAC of the session token,
so it needs no storage, is the same in every tab, and cannot be computed without the cookie.
Before sign-in, the login form is protected by a double-submit cookie.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from fastapi import Request, Response
from sqlalchemy import delete
from sqlalchemy.orm import Session

from bot.settings import Settings
from handoff import Agent, agent_for_token, issue_token
from handoff.models import ApiToken

SESSION_COOKIE = "deskmate_console"
LOGIN_CSRF_COOKIE = "deskmate_login_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
COOKIE_PATH = "/console"
_CSRF_PURPOSE = b"deskmate console csrf v1"


def csrf_token_for(session_token: str) -> str:
    """The CSRF token that goes with a session token."""
    return hmac.new(session_token.encode(), _CSRF_PURPOSE, hashlib.sha256).hexdigest()


def tokens_match(expected: str, given: str | None) -> bool:
    """Constant-time comparison; an empty or missing token never matches."""
    return bool(expected) and bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())


def new_login_csrf() -> str:
    """A fresh random token for the login form's double-submit cookie."""
    return secrets.token_urlsafe(32)


def secure_cookies(request: Request, settings: Settings) -> bool:
    """Whether cookies get the Secure flag: as configured, else when the console is reached over HTTPS."""
    if settings.console_secure_cookie is not None:
        return settings.console_secure_cookie
    return request.url.scheme == "https" or settings.public_url.startswith("https://")


def start_session(session: Session, *, agent: Agent, settings: Settings) -> str:
    """A new session token for the agent (a fresh one per sign-in: no session fixation)."""
    return issue_token(session, agent=agent, ttl=timedelta(hours=settings.console_session_hours))


def agent_for_session(session: Session, token: str | None) -> Agent | None:
    """The active agent a session cookie belongs to, or None."""
    if not token:
        return None
    return agent_for_token(session, token=token)


def end_session(session: Session, token: str) -> None:
    """Revoke the session token, so a copied cookie stops working at sign-out."""
    session.execute(delete(ApiToken).where(ApiToken.token_hash == hashlib.sha256(token.encode()).hexdigest()))


def set_session_cookie(response: Response, token: str, *, secure: bool, max_age: int) -> None:
    response.set_cookie(
        SESSION_COOKIE, token, max_age=max_age, path=COOKIE_PATH, httponly=True, secure=secure, samesite="lax"
    )


def clear_session_cookie(response: Response, *, secure: bool) -> None:
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH, httponly=True, secure=secure, samesite="lax")
