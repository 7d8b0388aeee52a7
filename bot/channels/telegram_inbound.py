"""Telegram's inbound side: one handler per kind of update, each turning it into a customer message.

Each Telegram user is one customer (channel "telegram", external id = their user id) and their
latest conversation continues. Text and button presses go through `ConversationFlow`, exactly as
the widget's do; every reply is queued in the outbox, so delivery is retried the same way for bot
answers, agent replies and notices. Database work runs in a thread, off the event loop.
"""

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from telegram import CallbackQuery, Update, User
from telegram import Message as TelegramMessage
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from handoff import (
    Conversation,
    Message,
    find_conversation,
    record_message,
    session_scope,
    start_conversation,
)
from handoff.conversations import (
    edit_message,
    find_message_by_channel_id,
    latest_conversation_for_customer,
    list_messages,
)
from handoff.outbox import enqueue

from bot.channels.telegram_outbound import parse_button_key
from bot.conversation_flow import ConversationFlow
from bot.live import LiveHub

logger = logging.getLogger(__name__)

CHANNEL = "telegram"
GREETING = (
    "Hi{name}! I'm the support assistant. Ask me anything about our product in your own words "
    "and I'll answer from our help centre, with a link to the article.\n\n"
    "/human - talk to a person on our team\n"
    "/status 1042 - check one of your tickets"
)
UNKNOWN_COMMAND = "I don't know that command. Just write your question, or use /human or /status 1042."
TEXT_ONLY = (
    "I can only read text here, so please describe it in words. I've kept your {kind} with "
    "the conversation, so a person on our team can see it."
)
INTERRUPTED = "Sorry, I was restarting and missed your last message. Could you send it again?"
# Telegram message fields that tell an agent what a customer sent instead of text.
ATTACHMENT_KINDS = ("photo", "sticker", "animation", "video", "video_note", "voice", "audio", "document",
                    "venue", "location", "contact", "poll", "dice")
ATTACHMENT_FIELDS = ("file_id", "file_name", "mime_type", "file_size", "duration", "width", "height",
                     "emoji", "set_name", "latitude", "longitude", "phone_number", "first_name",
                     "last_name", "title", "address", "question", "value")
FAILED_UPDATES = "failed_updates"  # bot_data key: update ids whose handler raised


@dataclass(frozen=True)
class Services:
    """What the handlers need from the gateway, kept in `application.bot_data`."""

    flow: ConversationFlow
    hub: LiveHub


def _services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    services: Services = context.bot_data["services"]
    return services


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start: greet the customer and explain what the bot can do."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    greeting = GREETING.format(name=f", {user.first_name}" if user.first_name else "")
    await asyncio.to_thread(_direct_turn, _services(context), user, text=message.text or "/start",
                            channel_message_id=str(message.message_id), reply=greeting)


async def human(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/human: hand the conversation to a person."""
    await _customer_text(update, context, payload="/request_human")


async def status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/status 1042: ask for the state of one of the customer's own tickets."""
    number = " ".join(context.args or [])
    text = f"status of ticket {number}" if number else "status of my ticket"
    await _customer_text(update, context, text=text)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any other /command: say which ones exist."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    await asyncio.to_thread(_direct_turn, _services(context), user, text=message.text or "",
                            channel_message_id=str(message.message_id), reply=UNKNOWN_COMMAND)


async def text_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Free text: to the bot, or to the ticket once a person owns the conversation."""
    await _customer_text(update, context)


async def button_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An inline button: answer the press, remove the keyboard, send the payload with its title."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or not query.data:
        return
    await _best_effort(query.answer(), "answer a button press")
    await _best_effort(query.edit_message_reply_markup(reply_markup=None), "remove a keyboard")
    button = await asyncio.to_thread(_pressed_button, user, query.data, _keyboard_title(query))
    if button is None:
        logger.warning("button %r of user %s is unknown; ignored", query.data, user.id)
        return
    payload, title = button
    await asyncio.to_thread(_customer_turn, _services(context), user, text=title, payload=payload,
                            channel_message_id=f"cb{query.id}")


async def edited_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edited message replaces the stored one instead of arriving as a new question."""
    user, message = update.effective_user, update.edited_message
    if user is None or message is None or message.text is None:
        return
    found = await asyncio.to_thread(_edit, _services(context), user, str(message.message_id), message.text)
    if not found:
        logger.info("edit of message %s from user %s that we never stored; ignored",
                    message.message_id, user.id)


async def attachment(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A photo, sticker, location, contact...: kept on the conversation, with a polite reply."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    kind, details = describe_attachment(message)
    caption = f" {message.caption}" if message.caption else ""
    await asyncio.to_thread(_attachment_turn, _services(context), user, kind=kind, details=details,
                            text=f"[{kind}]{caption}", channel_message_id=str(message.message_id))


async def log_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The one error handler: log the failure; the poller tries the update again a few times."""
    update_id = update.update_id if isinstance(update, Update) else None
    logger.error("Telegram update %s failed", update_id, exc_info=context.error)
    if update_id is not None:
        context.bot_data.setdefault(FAILED_UPDATES, set()).add(update_id)


def describe_attachment(message: TelegramMessage) -> tuple[str, dict[str, Any]]:
    """What kind of non-text message this is, and the details an agent may need (file id, place...)."""
    kind = next((name for name in ATTACHMENT_KINDS if getattr(message, name, None)), "attachment")
    value = getattr(message, kind, None)
    if isinstance(value, tuple):  # a photo comes in several sizes; keep the largest
        value = value[-1] if value else None
    if kind == "venue" and value is not None:
        details = {"latitude": value.location.latitude, "longitude": value.location.longitude}
    else:
        details = {}
    details.update({name: getattr(value, name) for name in ATTACHMENT_FIELDS
                    if getattr(value, name, None) not in (None, "")})
    if message.caption:
        details["caption"] = message.caption
    return kind, {"kind": kind, **details}


async def _customer_text(update: Update, context: ContextTypes.DEFAULT_TYPE, *, text: str | None = None,
                         payload: str | None = None) -> None:
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    await asyncio.to_thread(_customer_turn, _services(context), user, text=text or message.text or "",
                            payload=payload, channel_message_id=str(message.message_id))


async def _best_effort(action: Any, what: str) -> None:
    """Cosmetic calls (the button spinner, an old keyboard) must not hold up the customer's turn."""
    try:
        await action
    except TelegramError as error:
        logger.warning("could not %s: %s", what, error)


def _keyboard_title(query: CallbackQuery) -> str | None:
    message = query.message
    if not isinstance(message, TelegramMessage) or message.reply_markup is None:
        return None
    for row in message.reply_markup.inline_keyboard:
        for button in row:
            if button.callback_data == query.data:
                return button.text
    return None


# Database work below runs in a worker thread (asyncio.to_thread).

def _conversation_for(user: User) -> str:
    """The public id of the user's latest conversation; their first message starts one."""
    with session_scope() as session:
        conversation = latest_conversation_for_customer(session, channel=CHANNEL, external_id=str(user.id))
        if conversation is None:
            conversation, _token = start_conversation(session, channel=CHANNEL, external_id=str(user.id),
                                                      display_name=user.full_name)
        return conversation.public_id


def _customer_turn(services: Services, user: User, *, text: str, payload: str | None,
                   channel_message_id: str) -> None:
    public_id = _conversation_for(user)
    if _handled_before(services, public_id, channel_message_id):
        return
    turn = services.flow.handle_customer_message(conversation_public_id=public_id, text=text, payload=payload,
                                                 channel_message_id=channel_message_id)
    _enqueue([reply.id for reply in turn.replies])


def _direct_turn(services: Services, user: User, *, text: str, channel_message_id: str, reply: str) -> None:
    """A command the adapter answers itself (/start, unknown commands): both sides are logged."""
    public_id = _conversation_for(user)
    if _handled_before(services, public_id, channel_message_id):
        return
    with session_scope() as session:
        conversation = _conversation(session, public_id)
        message = record_message(session, conversation=conversation, sender="customer", text=text,
                                 payload=text)
        message.channel_message_id = channel_message_id
        answer = record_message(session, conversation=conversation, sender="bot", text=reply)
        enqueue(session, message_id=answer.id, channel=CHANNEL)
    services.hub.notify(conversation.id)


def _attachment_turn(services: Services, user: User, *, kind: str, details: dict[str, Any], text: str,
                     channel_message_id: str) -> None:
    """Keep a non-text message on the conversation (and its ticket) and answer politely; not for the bot."""
    public_id = _conversation_for(user)
    if _handled_before(services, public_id, channel_message_id):
        return
    with session_scope() as session:
        with_human = _conversation(session, public_id).mode == "human"
    stored_id = None
    if with_human:  # the flow puts it on the ticket's timeline, as any customer message
        turn = services.flow.handle_customer_message(conversation_public_id=public_id, text=text,
                                                     channel_message_id=channel_message_id)
        stored_id = turn.message.id
    with session_scope() as session:
        conversation = _conversation(session, public_id)
        stored = session.get(Message, stored_id) if stored_id is not None else None
        if stored is not None:
            stored.meta = {**(stored.meta or {}), "attachment": details}
        else:
            stored = record_message(session, conversation=conversation, sender="customer", text=text,
                                    meta={"attachment": details})
            stored.channel_message_id = channel_message_id
        answer = record_message(session, conversation=conversation, sender="bot",
                                text=TEXT_ONLY.format(kind=kind.replace("_", " ")))
        enqueue(session, message_id=answer.id, channel=CHANNEL)
    services.hub.notify(conversation.id)


def _edit(services: Services, user: User, channel_message_id: str, text: str) -> bool:
    with session_scope() as session:
        conversation = latest_conversation_for_customer(session, channel=CHANNEL, external_id=str(user.id))
        if conversation is None:
            return False
        message = find_message_by_channel_id(session, conversation_id=conversation.id,
                                             channel_message_id=channel_message_id)
        if message is None or message.sender != "customer":
            return False
        edit_message(session, message=message, text=text)
    services.hub.notify(conversation.id)
    return True


def _pressed_button(user: User, data: str, title: str | None) -> tuple[str, str] | None:
    """(payload, title) of a pressed button; `btn:` keys are looked up on the stored message."""
    key = parse_button_key(data)
    if key is None:
        return data, title or data
    message_id, index = key
    with session_scope() as session:
        message = session.get(Message, message_id)
        conversation = session.get(Conversation, message.conversation_id) if message else None
        if message is None or conversation is None or conversation.customer.external_id != str(user.id):
            return None
        buttons = message.buttons or []
        if conversation.channel != CHANNEL or index >= len(buttons):
            return None
        return buttons[index]["payload"], buttons[index]["title"]


def _handled_before(services: Services, public_id: str, channel_message_id: str) -> bool:
    """True if this update was handled before a restart; its replies are then sent if they were not.

    A turn cut short after the customer's message was stored (the gateway was killed while the
    bot was thinking) gets an apology asking to send it again, rather than silence.
    """
    with session_scope() as session:
        conversation = _conversation(session, public_id)
        message = find_message_by_channel_id(session, conversation_id=conversation.id,
                                             channel_message_id=channel_message_id)
        if message is None:
            return False
        replies: list[Message] = []
        for later in list_messages(session, conversation_id=conversation.id, after=message.id):
            if later.sender == "customer":
                break
            if later.sender in ("bot", "system"):
                replies.append(later)
        if not replies and conversation.mode == "bot":
            replies.append(record_message(session, conversation=conversation, sender="bot", text=INTERRUPTED))
        for reply in replies:
            enqueue(session, message_id=reply.id, channel=CHANNEL)
    logger.info("Telegram message %s was handled before a restart; not handled again", channel_message_id)
    services.hub.notify(conversation.id)
    return True


def _enqueue(message_ids: list[int]) -> None:
    if not message_ids:
        return
    with session_scope() as session:
        for message_id in message_ids:
            enqueue(session, message_id=message_id, channel=CHANNEL)


def _conversation(session: Any, public_id: str) -> Conversation:
    conversation = find_conversation(session, public_id=public_id)
    if conversation is None:
        raise LookupError(f"conversation {public_id} vanished")
    return conversation
