"""Live console updates over server-sent events, with catch-up after a dropped connection.

- `/console/live/tickets/{number}`: every new message of the ticket's conversation (internal
  notes too) as a rendered fragment, a `ticket` event when its timeline grows, and who else is
  typing. The event id is `<message id>.<timeline id>`; on reconnecting, the browser's
  Last-Event-ID (or the page's own cursor in the query) brings everything it missed.
- `/console/live/changes`: a `changed` event whenever any ticket's timeline grows (new tickets,
  state changes, customer messages); lists and boards then reload their content.

Writers in this process wake the streams through the live hub; streams also re-check the
database every two seconds, which covers other processes (the action server opens tickets).
"""

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from sqlalchemy import func, select

from bot.console.auth import ConsoleRefusal, LoginRequired, visible_ticket
from bot.console.presence import TypingBoard
from bot.console.queries import latest_event_id
from bot.console.security import SESSION_COOKIE, agent_for_session
from bot.console.templating import render_fragment
from bot.console.ticket_page import message_views, transcript
from bot.deps import HubDep
from handoff import session_scope
from handoff.models import TicketEvent

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/console/live", include_in_schema=False)

RECHECK_SECONDS = 2.0
PING_SECONDS = 15.0
STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def _cursor(last_event_id: str | None) -> tuple[int, int]:
    """`<message id>.<timeline id>` from a Last-Event-ID header; (0, 0) if absent or malformed."""
    if not last_event_id:
        return 0, 0
    message, _, event = last_event_id.partition(".")
    return (int(message) if message.isdigit() else 0, int(event) if event.isdigit() else 0)


def _sse(event: str, data: object, event_id: str | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data)}\n\n"


@dataclass
class TicketPoll:
    """What changed on a ticket since the stream's cursor."""

    allowed: bool
    messages: list[tuple[int, str]] = field(default_factory=list)
    last_event: int = 0


def _open_ticket_stream(token: str | None, number: int) -> tuple[int, int, int]:
    """(agent id, conversation id, newest timeline id) if the session may watch the ticket."""
    with session_scope(read_only=True) as session:
        agent = agent_for_session(session, token)
        if agent is None:
            raise LoginRequired()
        ticket = visible_ticket(session, agent, number)
        return agent.id, ticket.conversation_id, ticket.events[-1].id if ticket.events else 0


def _poll_ticket(token: str | None, number: int, after: int) -> TicketPoll:
    with session_scope(read_only=True) as session:
        agent = agent_for_session(session, token)
        if agent is None:
            return TicketPoll(allowed=False)
        try:
            ticket = visible_ticket(session, agent, number)
        except ConsoleRefusal:  # escalated away from the agent's groups
            return TicketPoll(allowed=False)
        views = message_views(ticket, transcript(session, ticket, after=after))
        last_event = (
            session.scalar(select(func.max(TicketEvent.id)).where(TicketEvent.ticket_id == ticket.id)) or 0
        )
        return TicketPoll(
            allowed=True,
            messages=[(view.id, render_fragment("_message.html", message=view)) for view in views],
            last_event=int(last_event),
        )


@router.get("/tickets/{number}", response_class=StreamingResponse)
async def stream_ticket(
    *,
    number: int,
    request: Request,
    hub: HubDep,
    after: int = 0,
    events: int = 0,
    last_event_id: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    """Server-sent events of one ticket: new messages, timeline changes, who is typing."""
    token = request.cookies.get(SESSION_COOKIE)
    agent_id, conversation_id, _ = await run_in_threadpool(_open_ticket_stream, token, number)
    message_cursor, event_cursor = _cursor(last_event_id)
    board: TypingBoard = request.app.state.console_typing
    return StreamingResponse(
        _ticket_events(
            request=request,
            hub=hub,
            board=board,
            token=token,
            number=number,
            agent_id=agent_id,
            conversation_id=conversation_id,
            after=max(after, message_cursor),
            events=max(events, event_cursor),
        ),
        media_type="text/event-stream",
        headers=STREAM_HEADERS,
    )


async def _ticket_events(
    *,
    request: Request,
    hub: HubDep,
    board: TypingBoard,
    token: str | None,
    number: int,
    agent_id: int,
    conversation_id: int,
    after: int,
    events: int,
) -> AsyncIterator[str]:
    wake = hub.subscribe(conversation_id)
    typing: list[str] = []
    idle = 0.0
    try:
        yield "retry: 2000\n\n"
        while not await request.is_disconnected():
            wake.clear()
            poll = await run_in_threadpool(_poll_ticket, token, number, after)
            if not poll.allowed:
                yield _sse("gone", {"number": number})
                return
            for message_id, html in poll.messages:
                after = message_id
                yield _sse("message", {"id": message_id, "html": html}, f"{after}.{events}")
            if poll.last_event > events:
                events = poll.last_event
                idle = 0.0
                yield _sse("ticket", {"event": events}, f"{after}.{events}")
            others = board.others(number, agent_id)
            if others != typing:
                typing = others
                yield _sse("typing", {"names": typing})
            try:
                await asyncio.wait_for(wake.wait(), timeout=RECHECK_SECONDS)
            except TimeoutError:
                idle += RECHECK_SECONDS
                if idle >= PING_SECONDS:
                    idle = 0.0
                    yield _sse("ping", {})
    finally:
        hub.unsubscribe(conversation_id, wake)


def _open_changes_stream(token: str | None) -> int:
    with session_scope(read_only=True) as session:
        if agent_for_session(session, token) is None:
            raise LoginRequired()
        return latest_event_id(session)


def _poll_changes(token: str | None) -> int | None:
    """The newest timeline id, or None once the session has ended."""
    with session_scope(read_only=True) as session:
        if agent_for_session(session, token) is None:
            return None
        return latest_event_id(session)


@router.get("/changes", response_class=StreamingResponse)
async def stream_changes(
    request: Request, since: int = 0, last_event_id: Annotated[str | None, Header()] = None
) -> StreamingResponse:
    """Server-sent events for lists and boards: `changed` whenever any ticket changed."""
    token = request.cookies.get(SESSION_COOKIE)
    await run_in_threadpool(_open_changes_stream, token)
    cursor = max(since, _cursor(last_event_id)[0])
    return StreamingResponse(
        _change_events(request, token, cursor), media_type="text/event-stream", headers=STREAM_HEADERS
    )


async def _change_events(request: Request, token: str | None, cursor: int) -> AsyncIterator[str]:
    idle = 0.0
    yield "retry: 2000\n\n"
    while not await request.is_disconnected():
        latest = await run_in_threadpool(_poll_changes, token)
        if latest is None:
            yield _sse("gone", {})
            return
        if latest > cursor:
            cursor = latest
            idle = 0.0
            yield _sse("changed", {"event": cursor}, str(cursor))
        await asyncio.sleep(RECHECK_SECONDS)
        idle += RECHECK_SECONDS
        if idle >= PING_SECONDS:
            idle = 0.0
            yield _sse("ping", {})
