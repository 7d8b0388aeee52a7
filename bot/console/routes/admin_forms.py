"""Shared by the admin pages: render a page with its notices, apply one change or show why not."""

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.console import knowledge
from bot.console.admin_ops import AdminError
from bot.console.templating import render_page
from handoff import AgentError, TemplateError

REFUSED = (AdminError, AgentError, TemplateError, knowledge.UploadError)


def page(
    request: Request, name: str, context: dict[str, Any], *, error: str = "", status_code: int = 200
) -> Response:
    """An admin page with the "Saved" notice or the reason a change was refused (409)."""
    context.update(
        {"error": error, "saved": request.query_params.get("saved") == "1", "active_page": "admin"}
    )
    return render_page(
        request, name, context, status_code=409 if error and status_code == 200 else status_code
    )


def saved(path: str) -> Response:
    """Back to the page after a change, with the "Saved" notice."""
    return RedirectResponse(f"{path}?saved=1", status_code=303)


def apply_change(
    session: Session, path: str, change: Callable[[], Any], show: Callable[[str], Response]
) -> Response:
    """Apply one admin change: commit and redirect, or roll back and show the page with the reason."""
    try:
        change()
        session.flush()
    except REFUSED as error:
        session.rollback()
        return show(str(error))
    except IntegrityError:
        session.rollback()
        return show("That would duplicate something that must be unique.")
    session.commit()
    return saved(path)
