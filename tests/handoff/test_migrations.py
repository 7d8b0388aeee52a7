"""Data migrations: an upgrade fills what older versions did not record, on both databases."""

from pathlib import Path

from alembic import command
from sqlalchemy import text

from handoff import escalate, get_ticket, hand_off, session_scope, start_conversation
from handoff.migrate import alembic_config, upgrade_database

BEFORE_ESCALATION_BACKFILL = "f68acf811c80"


def test_escalations_made_before_the_count_existed_are_counted(fresh_url: str) -> None:
    upgrade_database(fresh_url)
    with session_scope(fresh_url) as session:
        conversation, _token = start_conversation(session, channel="web")
        result = hand_off(session, conversation_public_id=conversation.public_id, reason="asked_for_human")
        ticket = get_ticket(session, number=result.ticket_number)
        assert ticket is not None
        escalate(session, ticket, actor="agent:1", reason="agent")
        escalate(session, ticket, actor="agent:1", reason="agent")
    with session_scope(fresh_url) as session:  # as an older version left it: escalated, not counted
        session.execute(text("UPDATE tickets SET escalated_count = 0"))

    command.downgrade(alembic_config(fresh_url), BEFORE_ESCALATION_BACKFILL)
    command.upgrade(alembic_config(fresh_url), "head")

    with session_scope(fresh_url) as session:
        assert session.scalar(text("SELECT escalated_count FROM tickets")) == 2


def test_each_start_gives_sqlite_statistics_for_the_query_planner(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'planned.db'}"
    upgrade_database(url)  # the first start: empty tables
    with session_scope(url) as session:
        conversation, _token = start_conversation(session, channel="web")
        hand_off(session, conversation_public_id=conversation.public_id, reason="asked_for_human")
    upgrade_database(url)  # `make run` migrates on every start
    with session_scope(url) as session:
        analysed = set(session.scalars(text("SELECT DISTINCT tbl FROM sqlite_stat1")))
    # Without statistics SQLite guesses its plans; on a large history it picks the wrong index.
    assert {"tickets", "conversations", "ticket_events"} <= analysed
