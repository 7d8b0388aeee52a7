"""My tickets: the list sorted by SLA deadline and priority, with filters, search and live refresh."""

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

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
from handoff.models import utcnow

router = APIRouter(prefix="/console", include_in_schema=False, dependencies=[Depends(check_csrf)])


@router.get("")
def read_console_home() -> Response:
    """The console starts at the ticket list."""
    return RedirectResponse("/console/tickets", status_code=303)


@router.get("/tickets")
def read_tickets_page(
    *,
    request: Request,
    session: SessionDep,
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
