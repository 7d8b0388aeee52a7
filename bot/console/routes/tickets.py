"""My tickets: the list sorted by SLA deadline and priority, with filters, search and live refresh."""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bot.console.auth import ConsoleAgent, check_csrf
from bot.console.queries import (
    PAGE_SIZE,
    STATE_FILTERS,
    TicketFilters,
    backlog_counts,
    categories,
    csat_stats,
    groups_of,
    latest_event_id,
    list_tickets_for,
    window_start,
)
from bot.console.templating import render_page
from bot.console.views import sla_view
from bot.deps import SessionDep
from handoff.db import READ_ONLY
from handoff.models import utcnow

router = APIRouter(prefix="/console", include_in_schema=False, dependencies=[Depends(check_csrf)])


def get_reading_session(session: SessionDep) -> Session:
    """The request's session, marked read-only before its first query (pages that only read).

    On SQLite every session otherwise opens with BEGIN IMMEDIATE, taking the one write lock up
    front: reading pages would queue behind each other and behind the SLA scheduler's pass. Read
    only, they run beside the writers (WAL). Declare it before any other dependency that queries.
    """
    if isinstance(session.get_bind(), Engine) and not session.in_transaction():
        session.connection(execution_options={READ_ONLY: True})
    return session


ReadingSession = Annotated[Session, Depends(get_reading_session)]


@router.get("")
def read_console_home() -> Response:
    """The console starts at the ticket list."""
    return RedirectResponse("/console/tickets", status_code=303)


@router.get("/tickets")
def read_tickets_page(
    *,
    session: ReadingSession,
    request: Request,
    agent: ConsoleAgent,
    state: str = "open",
    group: str = "",
    category: str = "",
    scope: str = "all",
    q: str = "",
    page: int = 1,
) -> Response:
    """The ticket list; htmx requests (filters, live refresh) get only the list itself."""
    filters = TicketFilters(
        state=state, group=group, category=category, scope=scope, q=q, page=page
    ).normalized()
    tickets, total = list_tickets_for(session, agent=agent, filters=filters)
    now = utcnow()
    query = {key: value for key, value in filters.__dict__.items() if value and key != "page"}
    context = {
        "filters": filters,
        "rows": [(ticket, sla_view(ticket, now)) for ticket in tickets],
        "total": total,
        "page_size": PAGE_SIZE,
        "query_string": urlencode(query),
        "prev_url": f"/console/tickets?{urlencode({**query, 'page': filters.page - 1})}"
        if filters.page > 1
        else "",
        "next_url": (
            f"/console/tickets?{urlencode({**query, 'page': filters.page + 1})}"
            if filters.page * PAGE_SIZE < total
            else ""
        ),
        "now": now,
    }
    if request.headers.get("HX-Request") == "true" and request.headers.get("HX-Target") == "ticket-list":
        return render_page(request, "_ticket_list.html", context)
    context.update(
        {
            "states": STATE_FILTERS,
            "groups": groups_of(session, agent),
            "categories": categories(session),
            "backlog": backlog_counts(session, agent=agent),
            "csat": csat_stats(session, agent=agent, since=window_start(now)),
            "since": latest_event_id(session),
        }
    )
    return render_page(request, "tickets.html", context)
