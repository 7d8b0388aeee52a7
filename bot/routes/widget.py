"""The widget API: start or resume a conversation, send a message or a button, catch up, stream.

Other clients and scripts can talk to the bot exactly as the widget does through these routes.
"""

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from handoff import (
    Conversation,
    latest_ticket_for_conversation,
    list_messages,
    resume_conversation,
    session_scope,
    start_conversation,
)

from bot.conversation_flow import ConversationNotFound
from bot.deps import FlowDep, HubDep, SessionDep, SettingsDep
from bot.schemas import (
    ConversationPublic,
    ConversationStart,
    MessageCreate,
    MessagePublic,
    MessagesPublic,
    TurnPublic,
)

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api/widget", tags=["widget"])

STREAM_RECHECK_SECONDS = 2.0
STREAM_KEEPALIVE_SECONDS = 15.0


def _conversation_or_404(session: SessionDep, conversation_id: str, token: str | None) -> Conversation:
    conversation = resume_conversation(session, public_id=conversation_id, token=token or "")
    if conversation is None:
        raise HTTPException(status_code=404, detail="Conversation not found (unknown id or wrong token)")
    return conversation


@router.post("/conversations", response_model=ConversationPublic)
def start_or_resume_conversation(body: ConversationStart, session: SessionDep) -> ConversationPublic:
    """Resume the conversation named by id and token, or start a new one."""
    conversation = None
    token = body.token or ""
    if body.conversation_id and body.token:
        conversation = resume_conversation(session, public_id=body.conversation_id, token=body.token)
    if conversation is None:
        conversation, token = start_conversation(session, channel="web", display_name=body.customer_name)
    ticket = latest_ticket_for_conversation(session, conversation.id)
    messages = list_messages(session, conversation_id=conversation.id)
    session.commit()  # before the response goes out: the client may use the id at once
    return ConversationPublic(
        conversation_id=conversation.public_id,
        token=token,
        mode=conversation.mode,
        ticket_number=ticket.number if ticket else None,
        messages=[MessagePublic.from_message(message) for message in messages],
    )


@router.post(
    "/conversations/{conversation_id}/messages",
    response_model=TurnPublic,
    responses={404: {"description": "Unknown conversation"}, 413: {"description": "Too long"},
               422: {"description": "Empty message"}},
)
def send_message(
    conversation_id: str,
    body: MessageCreate,
    session: SessionDep,
    flow: FlowDep,
    settings: SettingsDep,
    x_conversation_token: Annotated[str | None, Header()] = None,
) -> TurnPublic:
    """Send the customer's text (or a button press) and get the replies it produced."""
    _conversation_or_404(session, conversation_id, x_conversation_token)
    session.commit()
    if body.payload:
        text, payload = (body.title or body.payload).strip(), body.payload.strip()
    else:
        text, payload = (body.text or ""), None
    if not text.strip():
        raise HTTPException(status_code=422, detail="Message is empty")
    if len(text) > settings.max_message_chars:
        raise HTTPException(
            status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            detail=f"Message is too long: {len(text)} characters (limit {settings.max_message_chars})",
        )
    try:
        turn = flow.handle_customer_message(conversation_public_id=conversation_id, text=text, payload=payload)
    except ConversationNotFound as error:
        raise HTTPException(status_code=404, detail="Conversation not found") from error
    return TurnPublic(
        message=MessagePublic.from_message(turn.message),
        replies=[MessagePublic.from_message(reply) for reply in turn.replies],
    )


@router.get("/conversations/{conversation_id}/messages", response_model=MessagesPublic)
def read_messages(
    conversation_id: str,
    session: SessionDep,
    after: int = 0,
    x_conversation_token: Annotated[str | None, Header()] = None,
) -> MessagesPublic:
    """Messages after the `after` cursor (a message id), for catching up after a reconnect."""
    conversation = _conversation_or_404(session, conversation_id, x_conversation_token)
    messages = list_messages(session, conversation_id=conversation.id, after=after)
    return MessagesPublic(messages=[MessagePublic.from_message(message) for message in messages])


def _messages_after(conversation_id: int, after: int) -> list[MessagePublic]:
    with session_scope(read_only=True) as session:
        return [MessagePublic.from_message(m) for m in list_messages(session, conversation_id=conversation_id, after=after)]


@router.get("/conversations/{conversation_id}/events", response_class=StreamingResponse)
async def stream_events(
    conversation_id: str,
    request: Request,
    hub: HubDep,
    token: Annotated[str, Query()],
    after: int = 0,
    last_event_id: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    """Server-sent events: every new message of the conversation, in order, as it is stored."""

    def find() -> Conversation | None:
        with session_scope(read_only=True) as session:
            return resume_conversation(session, public_id=conversation_id, token=token)

    conversation = await run_in_threadpool(find)
    if conversation is None:
        raise HTTPException(status_code=404, detail="Conversation not found (unknown id or wrong token)")
    cursor = max(after, int(last_event_id) if last_event_id and last_event_id.isdigit() else 0)
    return StreamingResponse(
        _event_stream(request, hub, conversation.id, cursor),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _event_stream(request: Request, hub: HubDep, conversation_id: int, cursor: int) -> AsyncIterator[str]:
    wake = hub.subscribe(conversation_id)
    idle = 0.0
    try:
        yield "retry: 2000\n\n"
        while not await request.is_disconnected():
            wake.clear()
            messages = await run_in_threadpool(_messages_after, conversation_id, cursor)
            for message in messages:
                cursor = message.id
                yield f"id: {message.id}\nevent: message\ndata: {json.dumps(message.model_dump(mode='json'))}\n\n"
            if messages:
                idle = 0.0
            try:
                await asyncio.wait_for(wake.wait(), timeout=STREAM_RECHECK_SECONDS)
            except TimeoutError:
                idle += STREAM_RECHECK_SECONDS
                if idle >= STREAM_KEEPALIVE_SECONDS:
                    idle = 0.0
                    yield ": keep-alive\n\n"
    finally:
        hub.unsubscribe(conversation_id, wake)
