"""`action_ticket_status`: tell customers the state of their own ticket, and only their own."""

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from handoff import session_scope, ticket_for_customer

logger = logging.getLogger(__name__)

STATUS_WORDS = {
    "new": "waiting for a person on our team to pick it up",
    "in_progress": "being worked on",
    "awaiting_customer": "waiting for your reply",
    "resolved": "resolved",
    "closed": "closed",
}


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
            ticket = ticket_for_customer(session, conversation_public_id=tracker.sender_id, number=number)
            if ticket is None:
                text = (f"I couldn't find ticket #{number} for you. Please check the number; "
                        "I can only show tickets you opened.")
            else:
                agent = ticket.assignee.display_name if ticket.assignee else None
                who = f" {agent} is looking after it." if agent else ""
                text = f"Ticket #{number} is {STATUS_WORDS.get(ticket.status, ticket.status)}.{who}"
        dispatcher.utter_message(text=text)
        return [SlotSet("ticket_number", None)]
