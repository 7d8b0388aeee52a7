"""The team board (kanban by state), the groups' claim queues and the dispatcher's review queue."""

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from bot.console.auth import ConsoleAgent, LeadAgent, check_csrf, visible_ticket
from bot.console.queries import (
    BOARD_COLUMNS,
    active_agents,
    board_columns,
    groups_of,
    latest_event_id,
    queue_tickets,
    review_tickets,
    state_counts,
)
from bot.console.routes.ticket import change_state
from bot.console.routes.tickets import ReadingSession
from bot.console.templating import render_page
from bot.console.views import sla_view
from bot.deps import HubDep, SessionDep
from handoff import Agent, CannotEscalate, DispatchError, InvalidReply, InvalidTransition, TicketNotFound
from handoff.models import utcnow

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/console", include_in_schema=False, dependencies=[Depends(check_csrf)])

REFUSED = (InvalidTransition, DispatchError, CannotEscalate, InvalidReply, TicketNotFound, ValueError)


def _board(
    request: Request,
    session: Session,
    agent: Agent,
    *,
    group: str,
    error: str = "",
    notice: str = "",
    status_code: int = 200,
    fragment: bool = False,
) -> Response:
    now = utcnow()
    columns = board_columns(session, agent=agent, group=group)
    context: dict[str, object] = {
        "columns": [
            (state, [(ticket, sla_view(ticket, now)) for ticket in columns[state]]) for state in BOARD_COLUMNS
        ],
        "counts": state_counts(session, agent=agent, group=group),
        "group": group,
        "error": error,
        "notice": notice,
        "states": BOARD_COLUMNS,
    }
    if fragment:
        return render_page(request, "_board.html", context, status_code=status_code)
    context.update({"groups": groups_of(session, agent), "since": latest_event_id(session)})
    return render_page(request, "board.html", context, status_code=status_code)


@router.get("/board")
def read_board(session: ReadingSession, request: Request, agent: ConsoleAgent, group: str = "") -> Response:
    """Columns by state; htmx refreshes (live updates) get the columns only."""
    fragment = request.headers.get("HX-Request") == "true" and request.headers.get("HX-Target") == "board"
    return _board(request, session, agent, group=group[:64], fragment=fragment)


@router.post("/board/move")
def move_ticket(
    *,
    request: Request,
    session: SessionDep,
    agent: ConsoleAgent,
    hub: HubDep,
    number: Annotated[int, Form()],
    status: Annotated[str, Form(max_length=32)],
    group: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Move a card to another column; the lifecycle decides, and a refused move says why."""
    ticket = visible_ticket(session, agent, number)
    htmx = request.headers.get("HX-Request") == "true"
    try:
        change_state(session, ticket, agent, status, "moved on the board")
    except REFUSED as error:
        session.rollback()
        logger.info("board move of #%s to %s refused: %s", number, status, error)
        return _board(request, session, agent, group=group, error=str(error), status_code=409, fragment=htmx)
    session.commit()
    hub.notify(ticket.conversation_id)
    if not htmx:
        return RedirectResponse(
            f"/console/board?group={group}" if group else "/console/board", status_code=303
        )
    return _board(request, session, agent, group=group, notice=f"Ticket #{number} moved.", fragment=True)


@router.get("/queues")
def read_queues(session: ReadingSession, request: Request, agent: ConsoleAgent) -> Response:
    """Each of the agent's groups with its unassigned tickets; leads also see the review queue."""
    now = utcnow()
    groups = groups_of(session, agent)
    queues = []
    for group in groups:
        if group.dispatch_mode == "review":  # a dispatcher assigns these: see the review queue
            continue
        waiting = queue_tickets(session, group=group)
        if group.dispatch_mode == "claim" or waiting:
            queues.append((group, [(ticket, sla_view(ticket, now)) for ticket in waiting]))
    context = {"queues": queues, "since": latest_event_id(session), "review": [], "agents": []}
    if agent.role in ("lead", "admin"):
        context["review"] = [(ticket, sla_view(ticket, now)) for ticket in review_tickets(session)]
        context["agents"] = active_agents(session)
    if request.headers.get("HX-Request") == "true" and request.headers.get("HX-Target") == "queues":
        return render_page(request, "_queues.html", context)
    return render_page(request, "queues.html", context)


@router.get("/review")
def read_review_queue(_lead: LeadAgent) -> Response:
    """The review queue lives on the queues page."""
    return RedirectResponse("/console/queues#review", status_code=303)
