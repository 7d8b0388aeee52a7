"""Routes each customer message to the bot or to the human side, and logs both directions.

This is the one place that decides who answers: Rasa while the conversation is with the bot,
the ticket thread once a person owns it. Messages are stored before anything else happens, so a
failure further on (Rasa down, a timeout) never loses what the customer wrote.
"""

import logging
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from handoff import (
    Message,
    asked_ticket_number,
    find_conversation,
    hand_off,
    handle_customer_message,
    parse_csat_payload,
    record_csat,
    record_message,
    session_scope,
    status_reply,
)
from handoff.kb_queries import record_kb_feedback
from handoff.models import Conversation

from bot.live import LiveHub
from bot.observability import GatewayMetrics
from bot.rasa_client import BotUnavailable, RasaClient

logger = logging.getLogger(__name__)

TROUBLE_TEXT = (
    "I'm having trouble answering right now, so I've passed your conversation to our support "
    "team as ticket #{number}. {promise} Nothing you wrote is lost."
)
CSAT_THANKS = "Thank you for rating our help! If you'd like to tell us more, just write it here."
# The buttons under a knowledge-base answer, and whether each says the answer helped.
FEEDBACK_PAYLOADS = {"/feedback_helped": True, "/feedback_not_helped": False}


def _record_feedback(session: Session, conversation: Conversation, *, helped: bool) -> None:
    """Keep a feedback click for the dashboard, whatever Rasa does next; never fail the message."""
    try:
        with session.begin_nested():
            record_kb_feedback(session, conversation=conversation, helped=helped)
    except SQLAlchemyError:
        logger.exception("could not record feedback in conversation %s", conversation.public_id)


class ConversationNotFound(LookupError):
    """No conversation with that id."""


@dataclass(frozen=True)
class Turn:
    """The customer's stored message and the replies it produced."""

    message: Message
    replies: list[Message]


class ConversationFlow:
    """Handles one customer message at a time for any channel."""

    def __init__(self, rasa: RasaClient, hub: LiveHub, metrics: GatewayMetrics | None = None) -> None:
        self._rasa = rasa
        self._hub = hub
        self._metrics = metrics or GatewayMetrics()

    def handle_customer_message(
        self, *, conversation_public_id: str, text: str, payload: str | None = None,
        channel_message_id: str | None = None,
    ) -> Turn:
        """Store the message, then let the bot or the ticket thread take it."""
        with session_scope() as session:
            conversation = find_conversation(session, public_id=conversation_public_id)
            if conversation is None:
                raise ConversationNotFound(conversation_public_id)
            message = record_message(session, conversation=conversation, sender="customer",
                                     text=text, payload=payload)
            message.channel_message_id = channel_message_id
            if payload in FEEDBACK_PAYLOADS:
                _record_feedback(session, conversation, helped=FEEDBACK_PAYLOADS[payload])
            mode = conversation.mode
            self._metrics.count_messages(conversation.channel, [message])
            is_rating = bool(payload and payload.startswith("/csat"))
            status_of = asked_ticket_number(text) if mode == "human" and not payload else None
            if mode == "human" and not is_rating and status_of is None:
                handle_customer_message(session, conversation=conversation, message=message)
        self._hub.notify(message.conversation_id)
        if is_rating:
            return Turn(message, self._record_csat(conversation_public_id, payload or ""))
        if status_of is not None:
            # The bot is silent while a person owns the conversation, but a status question
            # gets its answer here, without reopening or disturbing the ticket.
            return Turn(message, [self._answer_status(conversation_public_id, status_of)])
        if mode == "human":
            return Turn(message, [])
        return Turn(message, self._ask_bot(conversation_public_id, payload or text))

    def _ask_bot(self, conversation_public_id: str, text: str) -> list[Message]:
        try:
            with self._metrics.time_bot_reply():
                replies = self._rasa.send(sender=conversation_public_id, message=text,
                                          metadata={"gateway": "deskmate"})
        except BotUnavailable as error:
            return self._hand_off_for_trouble(conversation_public_id, str(error))
        stored: list[Message] = []
        with session_scope() as session:
            conversation = find_conversation(session, public_id=conversation_public_id)
            assert conversation is not None
            for reply in replies:
                stored.append(record_message(
                    session, conversation=conversation, sender="bot", text=reply.text,
                    buttons=reply.buttons, meta=reply.custom,
                ))
            conversation_id = conversation.id
            self._metrics.count_messages(conversation.channel, stored)
        self._hub.notify(conversation_id)
        return stored

    def _hand_off_for_trouble(self, conversation_public_id: str, error: str) -> list[Message]:
        """Rasa or the action server failed: apologise, open a ticket, let a person take over."""
        with session_scope() as session:
            result = hand_off(session, conversation_public_id=conversation_public_id,
                              reason="bot_unavailable")
            conversation = find_conversation(session, public_id=conversation_public_id)
            assert conversation is not None
            reply = record_message(
                session, conversation=conversation, sender="bot",
                text=TROUBLE_TEXT.format(number=result.ticket_number, promise=result.promise),
                meta={"error": error[:500], "ticket": result.ticket_number},
            )
            self._metrics.count_messages(conversation.channel, [reply])
        self._hub.notify(reply.conversation_id)
        return [reply]

    def _answer_status(self, conversation_public_id: str, number: int) -> Message:
        with session_scope() as session:
            conversation = find_conversation(session, public_id=conversation_public_id)
            assert conversation is not None
            text = status_reply(session, conversation_public_id=conversation_public_id, number=number)
            reply = record_message(session, conversation=conversation, sender="system", text=text)
            self._metrics.count_messages(conversation.channel, [reply])
        self._hub.notify(reply.conversation_id)
        return reply

    def _record_csat(self, conversation_public_id: str, payload: str) -> list[Message]:
        """Store a CSAT button press on the conversation's latest ticket and thank the customer."""
        score = parse_csat_payload(payload)
        with session_scope() as session:
            conversation = find_conversation(session, public_id=conversation_public_id)
            assert conversation is not None
            ticket = None
            if score is not None and 1 <= score <= 5:
                ticket = record_csat(session, conversation=conversation, score=score)
            text = CSAT_THANKS if ticket is not None else "Sorry, I couldn't record that rating."
            reply = record_message(session, conversation=conversation, sender="system", text=text)
            self._metrics.count_messages(conversation.channel, [reply])
        self._hub.notify(reply.conversation_id)
        return [reply]
