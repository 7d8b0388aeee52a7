"""The ticket page and everything an agent does on it: reply, note, claim, assign, escalate,
correct, change state, resolve. A refused action shows why, in words, and changes nothing."""

import logging
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from bot.console.auth import ConsoleAgent, ConsoleRefusal, ConsoleTicket, LeadAgent, check_csrf
from bot.console.presence import TypingBoard
from bot.console.routes.login import safe_next
from bot.console.templating import render_page
from bot.console.routes.tickets import ReadingSession
from bot.console.ticket_page import last_article_url, page_context, panel_context, transcript_window
from bot.deps import HubDep, SessionDep
from handoff import (
    Agent,
    CannotEscalate,
    DispatchError,
    InvalidReply,
    InvalidTransition,
    TemplateError,
    Ticket,
    TicketNotFound,
    add_agent_reply,
    add_internal_note,
    assign,
    claim,
    correct_classification,
    escalate,
    move_ticket,
    templates_for,
    use_template,
)
from handoff.models import ResponseTemplate, utcnow
from handoff.templates import context_for
from handoff.timeline import agent_actor

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/console/tickets", include_in_schema=False, dependencies=[Depends(check_csrf)])

MAX_TEXT_CHARS = 10_000
REFUSED = (
    InvalidTransition,
    DispatchError,
    CannotEscalate,
    InvalidReply,
    TemplateError,
    TicketNotFound,
    ValueError,
)
TextField = Annotated[str, Form(max_length=MAX_TEXT_CHARS + 1000)]
NextField = Annotated[str, Form(max_length=2000)]


def _is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _ticket_url(ticket: Ticket) -> str:
    return f"/console/tickets/{ticket.number}"


@router.get("/{number}")
def read_ticket_page(
    session: ReadingSession, request: Request, ticket: ConsoleTicket, agent: ConsoleAgent,
    before: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    """The whole ticket: transcript (its latest part, or the part before message `before`), reply
    box, summary, timeline, customer, actions."""
    return render_page(
        request, "ticket.html", page_context(session, ticket=ticket, agent=agent, now=utcnow(), before=before)
    )


@router.get("/{number}/panel")
def read_ticket_panel(
    session: ReadingSession, request: Request, ticket: ConsoleTicket, agent: ConsoleAgent
) -> Response:
    """The side panel alone (refreshed live when the ticket changes)."""
    return render_page(
        request, "_ticket_panel.html", panel_context(session, ticket=ticket, agent=agent, now=utcnow())
    )


def _panel_result(
    request: Request,
    session: Session,
    ticket: Ticket,
    agent: Agent,
    *,
    error: str = "",
    status_code: int = 200,
    next_url: str = "",
) -> Response:
    if not _is_htmx(request):
        if not error:
            return RedirectResponse(safe_next(next_url) if next_url else _ticket_url(ticket), status_code=303)
        return render_page(
            request,
            "ticket.html",
            page_context(session, ticket=ticket, agent=agent, now=utcnow(), error=error),
            status_code=status_code,
        )
    return render_page(
        request,
        "_ticket_panel.html",
        panel_context(session, ticket=ticket, agent=agent, now=utcnow(), error=error),
        status_code=status_code,
    )


def _act(
    request: Request,
    session: Session,
    hub: HubDep,
    ticket: Ticket,
    agent: Agent,
    *,
    action: Callable[[], Any],
    next_url: str = "",
) -> Response:
    """Run one help-desk action; commit and wake live pages, or show the refusal and roll back."""
    number = ticket.number
    try:
        action()
    except REFUSED as error:
        session.rollback()
        logger.info("console action on #%s refused: %s", number, error)
        return _panel_result(request, session, ticket, agent, error=str(error), status_code=409)
    session.commit()
    hub.notify(ticket.conversation_id)
    return _panel_result(request, session, ticket, agent, next_url=next_url)


def _clean_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise ConsoleRefusal(422, "Empty message", "Please write something first.")
    if len(text) > MAX_TEXT_CHARS:
        raise ConsoleRefusal(413, "Too long", f"The text is too long (limit {MAX_TEXT_CHARS} characters).")
    return text


def _composer_result(
    request: Request,
    session: Session,
    ticket: Ticket,
    *,
    error: str = "",
    text: str = "",
    status_code: int = 200,
) -> Response:
    if not _is_htmx(request):
        if not error:
            return RedirectResponse(_ticket_url(ticket), status_code=303)
        raise ConsoleRefusal(status_code, "Not sent", error)
    messages = transcript_window(session, ticket).messages
    return render_page(
        request,
        "_composer.html",
        {
            "ticket": ticket,
            "error": error,
            "reply_text": text,
            "templates": templates_for(session, category=ticket.category),
            "article_link": last_article_url(messages),
        },
        status_code=status_code,
    )


def _write(
    request: Request, session: Session, hub: HubDep, ticket: Ticket, *, text: str, write: Callable[[str], Any]
) -> Response:
    try:
        clean = _clean_text(text)
    except ConsoleRefusal as refusal:
        return _composer_result(
            request, session, ticket, error=refusal.message, text=text, status_code=refusal.status_code
        )
    try:
        write(clean)
    except REFUSED as error:
        session.rollback()
        return _composer_result(request, session, ticket, error=str(error), text=text, status_code=409)
    session.commit()
    hub.notify(ticket.conversation_id)
    return _composer_result(request, session, ticket)


@router.post("/{number}/reply")
def create_reply(
    *,
    request: Request,
    ticket: ConsoleTicket,
    session: SessionDep,
    agent: ConsoleAgent,
    hub: HubDep,
    text: TextField = "",
    await_customer: Annotated[bool, Form()] = False,
) -> Response:
    """Reply to the customer; it goes out through the outbox to their channel."""
    request.app.state.console_typing.stopped(ticket.number or 0, agent.id)
    return _write(
        request,
        session,
        hub,
        ticket,
        text=text,
        write=lambda clean: add_agent_reply(
            session, number=ticket.number or 0, agent=agent, text=clean, await_customer=await_customer
        ),
    )


@router.post("/{number}/note")
def create_note(
    *,
    request: Request,
    ticket: ConsoleTicket,
    session: SessionDep,
    agent: ConsoleAgent,
    hub: HubDep,
    text: TextField = "",
) -> Response:
    """An internal note: the team sees it, the customer never does."""
    request.app.state.console_typing.stopped(ticket.number or 0, agent.id)
    return _write(
        request,
        session,
        hub,
        ticket,
        text=text,
        write=lambda clean: add_internal_note(session, number=ticket.number or 0, agent=agent, text=clean),
    )


@router.post("/{number}/template")
def render_template_text(
    *,
    request: Request,
    ticket: ConsoleTicket,
    session: SessionDep,
    agent: ConsoleAgent,
    template_id: Annotated[str, Form(max_length=20)] = "",
    article_link: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """The chosen template with its placeholders filled, put into the reply box."""
    if not template_id.isdigit():  # "Choose a template…": leave the reply box as it is
        return Response(status_code=204)
    template = session.get(ResponseTemplate, int(template_id))
    if template is None:
        raise ConsoleRefusal(404, "Not found", "That template does not exist any more.")
    text = use_template(
        session, template, context_for(ticket, agent_name=agent.display_name, article_link=article_link)
    )
    session.commit()
    return render_page(request, "_reply_text.html", {"reply_text": text})


@router.post("/{number}/typing", status_code=204)
def create_typing(request: Request, ticket: ConsoleTicket, agent: ConsoleAgent, hub: HubDep) -> Response:
    """The agent is typing a reply (other agents on the ticket see a collision warning)."""
    board: TypingBoard = request.app.state.console_typing
    board.typing(ticket.number or 0, agent.id, agent.display_name)
    hub.notify(ticket.conversation_id)
    return Response(status_code=204)


@router.post("/{number}/claim")
def claim_ticket(
    *,
    request: Request,
    ticket: ConsoleTicket,
    session: SessionDep,
    agent: ConsoleAgent,
    hub: HubDep,
    next: NextField = "",
) -> Response:
    """Take a queued ticket; if someone else was faster, say so."""
    return _act(
        request, session, hub, ticket, agent, action=lambda: claim(session, ticket, agent), next_url=next
    )


@router.post("/{number}/assign")
def assign_ticket(
    *,
    request: Request,
    ticket: ConsoleTicket,
    session: SessionDep,
    lead: LeadAgent,
    hub: HubDep,
    agent_id: Annotated[int, Form()],
    next: NextField = "",
) -> Response:
    """A lead or dispatcher gives the ticket to an agent."""
    assignee = session.get(Agent, agent_id)
    if assignee is None or not assignee.is_active:
        return _panel_result(
            request, session, ticket, lead, error="That agent does not exist or is inactive.", status_code=409
        )
    return _act(
        request,
        session,
        hub,
        ticket,
        lead,
        action=lambda: assign(session, ticket, assignee, actor=agent_actor(lead.id), reason="dispatcher"),
        next_url=next,
    )


@router.post("/{number}/escalate")
def escalate_ticket(
    *,
    request: Request,
    ticket: ConsoleTicket,
    session: SessionDep,
    agent: ConsoleAgent,
    hub: HubDep,
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Move the ticket up a tier to the next group."""
    return _act(
        request,
        session,
        hub,
        ticket,
        agent,
        action=lambda: escalate(
            session, ticket, actor=agent_actor(agent.id), reason="agent", note=note.strip() or None
        ),
    )


@router.post("/{number}/classification")
def update_classification(
    *,
    request: Request,
    ticket: ConsoleTicket,
    session: SessionDep,
    agent: ConsoleAgent,
    hub: HubDep,
    category: Annotated[str, Form(max_length=64)] = "",
    priority: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    """Correct category or priority (category corrections train the classifier next time)."""
    return _act(
        request,
        session,
        hub,
        ticket,
        agent,
        action=lambda: correct_classification(
            session,
            number=ticket.number or 0,
            agent=agent,
            category=category.strip() or None,
            priority=priority.strip() or None,
        ),
    )


def change_state(
    session: Session, ticket: Ticket, agent: Agent, status: str, reason: str | None = None
) -> None:
    """Move a ticket along its lifecycle as this agent (resolving also asks for CSAT)."""
    move_ticket(session, ticket, status, actor=agent_actor(agent.id), reason=reason)


@router.post("/{number}/status")
def update_status(
    *,
    request: Request,
    ticket: ConsoleTicket,
    session: SessionDep,
    agent: ConsoleAgent,
    hub: HubDep,
    status: Annotated[str, Form(max_length=32)],
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Move the ticket to another state, if the lifecycle allows it."""
    return _act(
        request,
        session,
        hub,
        ticket,
        agent,
        action=lambda: change_state(session, ticket, agent, status, reason.strip() or None),
    )


@router.post("/{number}/resolve")
def resolve_ticket(
    *,
    request: Request,
    ticket: ConsoleTicket,
    session: SessionDep,
    agent: ConsoleAgent,
    hub: HubDep,
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Resolve; the customer is asked in their channel to rate the help (CSAT)."""
    return _act(
        request,
        session,
        hub,
        ticket,
        agent,
        action=lambda: change_state(session, ticket, agent, "resolved", reason.strip() or None),
    )
