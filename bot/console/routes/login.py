"""Signing in and out of the console: argon2 passwords, a fresh session per sign-in, lockout."""

import logging
import math
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from bot.console.auth import ConsoleRefusal, check_csrf
from bot.console.security import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    agent_for_session,
    clear_session_cookie,
    end_session,
    new_login_csrf,
    secure_cookies,
    set_session_cookie,
    start_session,
    tokens_match,
)
from bot.console.templating import render_page
from bot.console.throttle import LoginThrottle
from bot.deps import SessionDep, SettingsDep
from handoff import authenticate

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/console", include_in_schema=False)

HOME = "/console/tickets"
LOGIN_PATH = "/console/login"


def safe_next(target: str | None) -> str:
    """Where to go after sign-in: a console path only (never another site)."""
    if not target or not target.startswith("/console") or target.startswith("//") or "\\" in target:
        return HOME
    if target.startswith(LOGIN_PATH):
        return HOME
    return target


def _throttles(request: Request) -> tuple[LoginThrottle, LoginThrottle]:
    return request.app.state.console_login_by_email, request.app.state.console_login_by_address


def _login_form(
    request: Request,
    *,
    next_url: str,
    email: str = "",
    error: str = "",
    status_code: int = 200,
    secure: bool = False,
) -> Response:
    token = new_login_csrf()
    response = render_page(
        request,
        "login.html",
        {"login_csrf": token, "next_url": next_url, "email": email, "error": error},
        status_code=status_code,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=3600,
        path=LOGIN_PATH,
        httponly=True,
        secure=secure,
        samesite="strict",
    )
    return response


@router.get("/login")
def read_login(request: Request, session: SessionDep, settings: SettingsDep, next: str = "") -> Response:
    """The sign-in form (signed-in agents go straight on)."""
    if agent_for_session(session, request.cookies.get(SESSION_COOKIE)) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_form(request, next_url=safe_next(next), secure=secure_cookies(request, settings))


@router.post("/login")
def create_login(
    *,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Check the password (argon2); repeated failures lock the e-mail and the address for a while."""
    secure = secure_cookies(request, settings)
    if not tokens_match(request.cookies.get(LOGIN_CSRF_COOKIE) or "", csrf_token):
        raise ConsoleRefusal(
            403,
            "Request refused",
            "The sign-in form had expired or was not ours. Please open the sign-in page again.",
        )
    by_email, by_address = _throttles(request)
    email_key = email.strip().lower()
    address_key = request.client.host if request.client else "unknown"
    wait = max(by_email.retry_after(email_key), by_address.retry_after(address_key))
    if wait > 0:
        minutes = math.ceil(wait / 60)
        logger.warning("console sign-in locked for %s from %s", email_key, address_key)
        return _login_form(
            request,
            next_url=safe_next(next),
            email=email,
            status_code=429,
            secure=secure,
            error=f"Too many failed sign-ins. Please wait {minutes} minute{'s' if minutes != 1 else ''} "
            "and try again.",
        )
    agent = authenticate(session, email=email, password=password)
    if agent is None:
        by_email.fail(email_key)
        by_address.fail(address_key)
        logger.info("console sign-in failed for %s from %s", email_key, address_key)
        return _login_form(
            request,
            next_url=safe_next(next),
            email=email,
            status_code=401,
            secure=secure,
            error="Wrong e-mail or password.",
        )
    by_email.clear(email_key)
    token = start_session(session, agent=agent, settings=settings)
    session.commit()
    logger.info("console sign-in: %s (%s)", agent.email, agent.role)
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(response, token, secure=secure, max_age=int(settings.console_session_hours * 3600))
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=LOGIN_PATH)
    return response


@router.post("/logout", dependencies=[Depends(check_csrf)])
def delete_login(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Sign out: the session is revoked on the server and the cookie removed."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        end_session(session, token)
        session.commit()
    response = RedirectResponse(LOGIN_PATH, status_code=303)
    clear_session_cookie(response, secure=secure_cookies(request, settings))
    return response
