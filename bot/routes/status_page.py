"""The customer's ticket status page, reached by the signed link they were given in the chat."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from handoff import STATE_LABELS, get_ticket, verify_status_signature

from bot.deps import SessionDep
from bot.routes.pages import templates

router = APIRouter(include_in_schema=False)

PUBLIC_EVENTS = {
    "created": "Ticket opened",
    "assigned": "A person on our team took your ticket",
    "claimed": "A person on our team took your ticket",
    "agent_reply": "We replied",
    "customer_message": "You wrote",
    "escalated": "Passed to a specialist team",
    "csat": "You rated our help",
}


@router.get("/status/{number}", response_class=HTMLResponse)
def read_status_page(number: int, request: Request, session: SessionDep, sig: str = "") -> HTMLResponse:
    """State, the assigned agent's display name and the public timeline of one ticket.

    A wrong number and a wrong signature get the same "not found", so numbers cannot be probed.
    """
    ticket = get_ticket(session, number=number) if verify_status_signature(number, sig) else None
    if ticket is None:
        return templates.TemplateResponse(request, "status_not_found.html", {}, status_code=404)
    timeline = [
        {"when": event.created_at, "what": PUBLIC_EVENTS[event.kind]}
        for event in ticket.events
        if event.kind in PUBLIC_EVENTS
    ]
    if ticket.status in ("resolved", "closed"):
        timeline.append({"when": ticket.resolved_at or ticket.updated_at, "what": STATE_LABELS[ticket.status]})
    return templates.TemplateResponse(request, "status.html", {
        "ticket": ticket,
        "state": STATE_LABELS[ticket.status],
        "agent": ticket.assignee.display_name if ticket.assignee else None,
        "timeline": timeline,
    })
