"""`action_handoff`: open (or find) the conversation's ticket and tell the customer what happens next."""

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from handoff import always_human_topic, hand_off, session_scope, status_url

from actions.services import knowledge_base

logger = logging.getLogger(__name__)

HANDED_OFF_TEXT = (
    "I've passed your conversation to our support team as ticket #{number}. {promise} They can "
    "see everything you've told me, and you can keep writing in this chat. You can also follow "
    "the ticket here: {status_url}"
)
ALREADY_TEXT = "Your conversation is already with our support team as ticket #{number}. {promise}"
FAILED_TEXT = (
    "I'm sorry, I couldn't open a ticket just now. Please try again in a minute, or write to "
    "support by e-mail; nothing you wrote here is lost."
)


def handoff_reason(tracker: Tracker) -> str:
    """Why the customer is being handed off, from the latest message and the miss counter."""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if tracker.get_slot("handoff_reason"):
        return str(tracker.get_slot("handoff_reason"))
    if intent == "request_human":
        return "asked_for_human"
    if intent == "feedback_not_helped":
        return "not_helped"
    if always_human_topic(tracker.latest_message.get("text") or ""):
        return "always_human_topic"
    if float(tracker.get_slot("kb_misses") or 0) >= 2:
        return "repeated_miss"
    return "asked_for_human"


def _category_hint(tracker: Tracker) -> str | None:
    article_id = tracker.get_slot("last_article_id")
    if not article_id:
        return None
    article = knowledge_base().article(str(article_id))
    return article.category if article else None


class ActionHandoff(Action):
    """Hand the conversation to a person."""

    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        reason = handoff_reason(tracker)
        try:
            with session_scope() as session:
                result = hand_off(
                    session, conversation_public_id=tracker.sender_id, reason=reason,
                    category_hint=_category_hint(tracker),
                )
        except SQLAlchemyError:
            logger.exception("handoff failed for %s", tracker.sender_id)
            dispatcher.utter_message(text=FAILED_TEXT)
            return []
        template = HANDED_OFF_TEXT if result.created else ALREADY_TEXT
        dispatcher.utter_message(
            text=template.format(number=result.ticket_number, promise=result.promise,
                                 status_url=status_url(result.ticket_number)),
            json_message={"ticket_number": result.ticket_number, "handoff_reason": reason},
        )
        return [SlotSet("kb_misses", 0.0), SlotSet("handoff_reason", None)]
