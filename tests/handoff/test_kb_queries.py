"""Knowledge-base lookups and feedback clicks are recorded for the dashboard."""

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.conversation_flow import ConversationFlow
from bot.live import LiveHub
from bot.rasa_client import RasaClient
from handoff import find_conversation, session_scope, start_conversation
from handoff.kb_queries import record_chosen_article, record_kb_feedback, record_kb_query
from handoff.migrate import upgrade_database
from handoff.models import KbQuery, Ticket
from handoff.settings import get_settings


def _record(session: Session, public_id: str, decision: str, question: str = "how do I export?",
            embedding: bytes | None = None) -> KbQuery | None:
    return record_kb_query(session, conversation_public_id=public_id, question=question, decision=decision,
                           article_id="export-data" if decision == "answer" else None, confidence=0.8,
                           nearest_article_id="export-data", nearest_score=0.71, embedding=embedding)


def test_a_lookup_is_stored_with_its_decision_nearest_article_and_embedding(session: Session) -> None:
    conversation, _ = start_conversation(session, channel="web")
    vector = np.arange(384, dtype=np.float32).tobytes()
    query = _record(session, conversation.public_id, "miss", embedding=vector)
    assert query is not None
    stored = session.get(KbQuery, query.id)
    assert stored is not None
    assert (stored.conversation_id, stored.decision, stored.nearest_article_id, stored.nearest_score) == (
        conversation.id, "miss", "export-data", 0.71)
    assert np.array_equal(np.frombuffer(stored.embedding or b"", dtype=np.float32), np.arange(384))


def test_a_lookup_for_an_unknown_conversation_is_skipped(session: Session) -> None:
    assert _record(session, "not-a-conversation", "answer") is None


def test_an_unknown_decision_is_refused(session: Session) -> None:
    conversation, _ = start_conversation(session, channel="web")
    with pytest.raises(ValueError, match="unknown knowledge-base decision 'maybe'"):
        _record(session, conversation.public_id, "maybe")


def test_feedback_goes_on_the_latest_answered_question_and_a_later_click_replaces_it(session: Session) -> None:
    conversation, _ = start_conversation(session, channel="web")
    first = _record(session, conversation.public_id, "answer")
    second = _record(session, conversation.public_id, "answer", question="and to CSV?")
    _record(session, conversation.public_id, "miss", question="what about PDF?")
    assert record_kb_feedback(session, conversation=conversation, helped=False) is second
    assert record_kb_feedback(session, conversation=conversation, helped=True) is second
    assert first is not None and second is not None
    assert (first.feedback, second.feedback) == (None, "helped")
    assert second.feedback_at is not None


def test_feedback_without_an_answer_is_not_stored(session: Session) -> None:
    conversation, _ = start_conversation(session, channel="web")
    _record(session, conversation.public_id, "miss")
    assert record_kb_feedback(session, conversation=conversation, helped=True) is None


def test_a_chosen_article_is_an_answer_to_the_question_the_choices_were_for(session: Session) -> None:
    conversation, _ = start_conversation(session, channel="web")
    vector = np.ones(384, dtype=np.float32).tobytes()
    _record(session, conversation.public_id, "clarify", question="cancel my plan", embedding=vector)
    chosen = record_chosen_article(session, conversation_public_id=conversation.public_id,
                                   article_id="cancel-subscription", question="typed before")
    assert chosen is not None
    assert (chosen.decision, chosen.article_id, chosen.question, chosen.embedding) == (
        "answer", "cancel-subscription", "cancel my plan", vector)
    assert record_kb_feedback(session, conversation=conversation, helped=False) is chosen


@pytest.fixture
def database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated SQLite file that the gateway's own sessions use (they commit)."""
    url = f"sqlite:///{tmp_path / 'gateway.db'}"
    upgrade_database(url)
    monkeypatch.setenv("DESKMATE_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_the_gateway_records_a_feedback_click_even_when_the_bot_is_down(database_url: str) -> None:
    with session_scope() as session:
        conversation, _ = start_conversation(session, channel="web")
        public_id = conversation.public_id
        _record(session, public_id, "answer")
    rasa_down = RasaClient("http://127.0.0.1:9", timeout_seconds=1.0)
    flow = ConversationFlow(rasa_down, LiveHub())
    flow.handle_customer_message(conversation_public_id=public_id, text="No, I need more help",
                                 payload="/feedback_not_helped")
    with session_scope() as session:
        conversation = find_conversation(session, public_id=public_id)
        assert conversation is not None
        query = session.scalar(select(KbQuery).where(KbQuery.conversation_id == conversation.id))
        assert query is not None and query.feedback == "not_helped"
        ticket = session.scalar(select(Ticket).where(Ticket.conversation_id == conversation.id))
        assert ticket is not None and ticket.reason == "bot_unavailable"  # the bot's failure still hands off
