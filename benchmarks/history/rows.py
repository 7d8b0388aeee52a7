"""Where the stories put what they write: rows per table, with the ids they will have.

Ids are given here, not by the database, because rows refer to each other before any of them is
written (an event names its message, a ticket its conversation) and because the same seed must
give the same ids. Tables are listed in the order their foreign keys need.
"""

from datetime import datetime
from typing import Any

TABLES = (
    "customers", "conversations", "tickets", "messages", "outbox", "ticket_events", "sla_marks", "kb_queries",
)

Row = dict[str, Any]


class Rows:
    """Rows waiting to be written, and the next id of each table that the stories number."""

    def __init__(self) -> None:
        self.tables: dict[str, list[Row]] = {name: [] for name in TABLES}
        self.next_id = {name: 1 for name in TABLES}
        self.written = {name: 0 for name in TABLES}

    def add(self, table: str, row: Row) -> int:
        """Keep `row`; it gets the table's next id unless it has one already."""
        if "id" not in row:
            row["id"] = self.next_id[table]
            self.next_id[table] += 1
        self.tables[table].append(row)
        return int(row["id"])

    def pending(self) -> int:
        return sum(len(rows) for rows in self.tables.values())

    def take(self) -> list[tuple[str, list[Row]]]:
        """Everything kept so far, table by table in foreign-key order, and start afresh."""
        batch = [(name, rows) for name, rows in self.tables.items() if rows]
        for name, rows in batch:
            self.written[name] += len(rows)
        self.tables = {name: [] for name in TABLES}
        return batch

    def count(self, table: str) -> int:
        """Rows of `table` written or waiting."""
        return self.written[table] + len(self.tables[table])


class CountingRows(Rows):
    """Rows that are only counted: a dry run of a story, to learn how many messages it writes."""

    def add(self, table: str, row: Row) -> int:
        self.written[table] += 1
        if "id" in row:
            return int(row["id"])
        self.next_id[table] += 1
        return self.next_id[table] - 1


def message_row(
    *, conversation_id: int, sender: str, text: str, at: datetime, payload: str | None = None,
    buttons: list[dict[str, str]] | None = None, meta: dict[str, Any] | None = None,
    agent_id: int | None = None, internal: bool = False, channel_message_id: str | None = None,
) -> Row:
    """A `messages` row as `handoff.conversations.record_message` writes it."""
    return {
        "conversation_id": conversation_id, "sender": sender, "text": text, "payload": payload,
        "buttons": buttons or [], "meta": meta or {}, "agent_id": agent_id, "internal": internal,
        "channel_message_id": channel_message_id, "created_at": at, "edited_at": None,
    }
