"""`action_ticket_status`: tell customers the state of their own ticket, and only their own."""

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from handoff import session_scope, status_reply

logger = logging.getLogger(__name__)

def _ticket_number(tracker: Tracker) -> int | None:
    value = tracker.get_slot("ticket_number")
    if value is None:
        found = re.search(r"\d{3,7}", tracker.latest_message.get("text") or "")
        value = found.group(0) if found else None
    try:
        return int(str(value).lstrip("#")) if value is not None else None
    except ValueError:
        return None


class ActionTicketStatus(Action):
    """Answer "what's the status of ticket 1042?"."""

    def name(self) -> str:
        return "action_ticket_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        number = _ticket_number(tracker)
        if number is None:
            dispatcher.utter_message(text="Which ticket? Please give me its number, for example 1042.")
            return []
        with session_scope() as session:
            text = status_reply(session, conversation_public_id=tracker.sender_id, number=number)
        dispatcher.utter_message(text=text)
        return [SlotSet("ticket_number", None)]
