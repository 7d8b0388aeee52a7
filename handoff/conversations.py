"""The conversation log: customers, conversations and every message in both directions."""

import hashlib
import logging
import secrets
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from handoff.models import Conversation, Customer, Message, utcnow

logger = logging.getLogger(__name__)

SENDERS = ("customer", "bot", "agent", "system")


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def get_or_create_customer(
    session: Session, *, channel: str, external_id: str, display_name: str | None = None
) -> Customer:
    """The customer known to `channel` as `external_id`, created on first contact."""
    customer = session.scalar(
        select(Customer).where(Customer.channel == channel, Customer.external_id == external_id)
    )
    if customer is None:
        customer = Customer(channel=channel, external_id=external_id, display_name=display_name)
        session.add(customer)
        session.flush()
    elif display_name and customer.display_name != display_name:
        customer.display_name = display_name
    return customer


def start_conversation(
    session: Session, *, channel: str, external_id: str | None = None,
    display_name: str | None = None,
) -> tuple[Conversation, str]:
    """Open a new conversation; returns it with the secret token that lets its owner resume it.

    A widget visitor has no identity of their own, so a fresh one is made for them; the token is
    what proves later that a browser is the same visitor.
    """
    customer = get_or_create_customer(
        session,
        channel=channel,
        external_id=external_id or f"visitor-{uuid.uuid4().hex}",
        display_name=display_name,
    )
    token = secrets.token_urlsafe(24)
    conversation = Conversation(
        public_id=uuid.uuid4().hex,
        token_hash=_hash_token(token),
        customer_id=customer.id,
        channel=channel,
    )
    session.add(conversation)
    session.flush()
    logger.info("conversation started", extra={"conversation": conversation.public_id})
    return conversation, token


def find_conversation(session: Session, *, public_id: str) -> Conversation | None:
    """The conversation with this public id, or None."""
    return session.scalar(select(Conversation).where(Conversation.public_id == public_id))


def resume_conversation(session: Session, *, public_id: str, token: str) -> Conversation | None:
    """The conversation if `token` is its token; None for an unknown id or a wrong token."""
    conversation = find_conversation(session, public_id=public_id)
    if conversation is None or conversation.token_hash is None:
        return None
    if not secrets.compare_digest(conversation.token_hash, _hash_token(token)):
        return None
    return conversation


def latest_conversation_for_customer(
    session: Session, *, channel: str, external_id: str
) -> Conversation | None:
    """The customer's most recent conversation on a channel (for channels without tokens)."""
    return session.scalar(
        select(Conversation)
        .join(Customer)
        .where(Customer.channel == channel, Customer.external_id == external_id)
        .order_by(Conversation.id.desc())
        .limit(1)
    )


def record_message(
    session: Session,
    *,
    conversation: Conversation,
    sender: str,
    text: str,
    payload: str | None = None,
    buttons: list[dict[str, str]] | None = None,
    meta: dict[str, Any] | None = None,
    agent_id: int | None = None,
    internal: bool = False,
) -> Message:
    """Append one message to the conversation log, exactly as it was written."""
    if sender not in SENDERS:
        raise ValueError(f"unknown sender kind {sender!r}")
    message = Message(
        conversation_id=conversation.id,
        sender=sender,
        text=text,
        payload=payload,
        buttons=buttons or [],
        meta=meta or {},
        agent_id=agent_id,
        internal=internal,
    )
    session.add(message)
    conversation.last_message_at = utcnow()
    session.flush()
    return message


def list_messages(
    session: Session, *, conversation_id: int, after: int = 0, include_internal: bool = False,
    limit: int = 500,
) -> list[Message]:
    """Messages of a conversation with an id greater than `after`, oldest first."""
    query = select(Message).where(Message.conversation_id == conversation_id, Message.id > after)
    if not include_internal:
        query = query.where(Message.internal.is_(False))
    return list(session.scalars(query.order_by(Message.id).limit(limit)))


def find_message_by_channel_id(
    session: Session, *, conversation_id: int, channel_message_id: str
) -> Message | None:
    """The message a channel knows by `channel_message_id` (e.g. a Telegram message id), or None."""
    return session.scalar(
        select(Message)
        .where(Message.conversation_id == conversation_id, Message.channel_message_id == channel_message_id)
        .order_by(Message.id)
        .limit(1)
    )


def edit_message(session: Session, *, message: Message, text: str) -> Message:
    """Replace a message's text after the customer edited it; earlier versions are kept in `meta`."""
    if text == message.text:
        return message
    meta = dict(message.meta or {})
    meta["previous_texts"] = [*meta.get("previous_texts", []), message.text]
    message.meta = meta
    message.text = text
    message.edited_at = utcnow()
    session.flush()
    return message
