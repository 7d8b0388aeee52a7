"""The dashboard's four filters, and how each narrows a query on tickets.

Every figure honours all four. Channel belongs to the conversation; category, skill group and
agent belong to tickets (their current values), so a conversation the bot resolved on its own
has none of them.
"""

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, select

from handoff.models import Conversation, Ticket

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DashboardFilters:
    """Channel, ticket category, skill group name and assignee; empty means no filter."""

    channel: str = ""
    category: str = ""
    group: str = ""
    agent_id: int | None = None

    @property
    def ticket_only(self) -> bool:
        """Whether a filter names something only tickets have (category, group or agent)."""
        return bool(self.category or self.group or self.agent_id is not None)

    def to_dict(self) -> dict[str, Any]:
        """The filters for JSON (empty ones included, so the shape never changes)."""
        return {"channel": self.channel, "category": self.category, "group": self.group,
                "agent_id": self.agent_id}


def ticket_conditions(filters: DashboardFilters) -> list[ColumnElement[bool]]:
    """WHERE conditions on `Ticket` for the filters (none when nothing is filtered)."""
    conditions: list[ColumnElement[bool]] = []
    if filters.channel:
        conditions.append(Ticket.conversation_id.in_(
            select(Conversation.id).where(Conversation.channel == filters.channel)))
    if filters.category:
        conditions.append(Ticket.category == filters.category)
    if filters.group:
        conditions.append(Ticket.skill_group == filters.group)
    if filters.agent_id is not None:
        conditions.append(Ticket.assignee_id == filters.agent_id)
    return conditions
