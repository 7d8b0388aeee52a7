"""What a customer is told when they ask for the status of a ticket: only ever their own."""

import re

from sqlalchemy.orm import Session

from handoff.models import Ticket
from handoff.status_links import status_url
from handoff.tickets import ticket_for_customer

STATUS_WORDS = {
    "new": "waiting for a person on our team to pick it up",
    "in_progress": "being worked on",
    "awaiting_customer": "waiting for your reply",
    "resolved": "resolved",
    "closed": "closed",
}
# "status of ticket 1042", "/status 1042", "what's happening with #1042?"
STATUS_QUESTION = re.compile(r"(?:\bstatus\b|^/status\b).*?#?(\d{3,7})\b|#(\d{3,7}).*\bstatus\b", re.IGNORECASE)


def asked_ticket_number(text: str) -> int | None:
    """The ticket number in a status question, or None if the text is not one."""
    found = STATUS_QUESTION.search(text)
    if not found:
        return None
    return int(found.group(1) or found.group(2))


def status_text(ticket: Ticket) -> str:
    """One friendly sentence on the ticket's state, who has it, and the status page link."""
    who = f" {ticket.assignee.display_name} is looking after it." if ticket.assignee else ""
    state = STATUS_WORDS.get(ticket.status, ticket.status)
    return f"Ticket #{ticket.number} is {state}.{who} Details: {status_url(ticket.number or 0)}"


def status_reply(session: Session, *, conversation_public_id: str, number: int) -> str:
    """The answer to "status of ticket N" for this conversation's customer.

    A wrong number and someone else's ticket get the same answer, on purpose.
    """
    ticket = ticket_for_customer(session, conversation_public_id=conversation_public_id, number=number)
    if ticket is None:
        return f"I couldn't find ticket #{number} for you. Please check the number; I can only show tickets you opened."
    return status_text(ticket)
