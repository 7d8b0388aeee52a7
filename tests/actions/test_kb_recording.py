"""action_answer_from_kb records every lookup for the dashboard, and never fails for it."""

import asyncio
import logging
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.answer import DONT_KNOW_TEXT, KB_DOWN_TEXT, ActionAnswerFromKb
from handoff import find_conversation, session_scope, start_conversation
from handoff.kb_queries import record_kb_query
from handoff.models import KbQuery
from handoff.settings import get_settings
from kb_index.embedding import encode_query


@pytest.fixture
def kb(kb_index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DESKMATE_KB_INDEX_DIR", str(kb_index_dir))
    return kb_index_dir


def _conversation() -> str:
    with session_scope() as session:
        conversation, _ = start_conversation(session, channel="web")
        return conversation.public_id


def _run(sender: str, text: str, *, intent: str = "ask_question", slots: dict[str, Any] | None = None,
         events: list[dict[str, Any]] | None = None) -> CollectingDispatcher:
    latest: dict[str, Any] = {"text": text, "intent": {"name": intent, "confidence": 1.0}}
    tracker = Tracker(sender, slots or {}, latest, events or [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionAnswerFromKb().run(dispatcher, tracker, {}))
    return dispatcher


def _lookups(sender: str) -> list[KbQuery]:
    with session_scope() as session:
        conversation = find_conversation(session, public_id=sender)
        assert conversation is not None
        return list(session.scalars(select(KbQuery).where(KbQuery.conversation_id == conversation.id)
                                    .order_by(KbQuery.id)))


def test_an_answer_is_recorded_with_the_article_and_the_questions_embedding(kb: Path) -> None:
    sender = _conversation()
    question = "I can't remember my password, how do I pick a new one?"
    _run(sender, question)
    [lookup] = _lookups(sender)
    assert (lookup.question, lookup.decision, lookup.article_id, lookup.nearest_article_id) == (
        question, "answer", "reset-password", "reset-password")
    assert lookup.confidence is not None and lookup.nearest_score is not None
    vector = np.frombuffer(lookup.embedding or b"", dtype=np.float32)
    assert np.allclose(vector, encode_query(question)[0], atol=1e-5)


def test_a_miss_is_recorded_with_the_nearest_article_that_was_not_good_enough(kb: Path) -> None:
    sender = _conversation()
    dispatcher = _run(sender, "What will the weather be like in Lisbon on Saturday?")
    assert dispatcher.messages[0]["text"] == DONT_KNOW_TEXT
    [lookup] = _lookups(sender)
    assert lookup.decision == "miss" and lookup.article_id is None
    assert lookup.nearest_article_id is not None and lookup.embedding is not None


def test_an_always_human_topic_is_recorded(kb: Path) -> None:
    sender = _conversation()
    _run(sender, "I think my account was hacked, someone logged in")
    [lookup] = _lookups(sender)
    assert lookup.decision == "always_human" and lookup.embedding is not None


def test_the_kb_being_down_is_recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESKMATE_KB_INDEX_DIR", str(tmp_path / "no-index-here"))
    sender = _conversation()
    dispatcher = _run(sender, "how do I reset my password")
    assert dispatcher.messages[0]["text"] == KB_DOWN_TEXT
    [lookup] = _lookups(sender)
    assert lookup.decision == "unavailable" and lookup.nearest_article_id is None


def test_a_chosen_article_is_recorded_as_the_answer_to_the_offered_question(kb: Path) -> None:
    sender = _conversation()
    with session_scope() as session:
        record_kb_query(session, conversation_public_id=sender, question="money back?", decision="clarify",
                        article_id=None, confidence=0.3, nearest_article_id="refund-policy", nearest_score=0.5,
                        embedding=b"\x00" * 16)
    _run(sender, '/choose_article{"article_id":"refund-policy"}', intent="choose_article",
         slots={"article_id": "refund-policy"})
    offered, chosen = _lookups(sender)
    assert (chosen.decision, chosen.article_id, chosen.question, chosen.embedding) == (
        "answer", "refund-policy", "money back?", offered.embedding)


def test_a_database_failure_is_logged_and_the_answer_still_goes_out(
    kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("DESKMATE_DATABASE_URL", f"sqlite:///{tmp_path / 'no-tables.db'}")
    get_settings.cache_clear()
    with caplog.at_level(logging.ERROR, logger="actions.services"):
        dispatcher = _run("someone", "I can't remember my password, how do I pick a new one?")
    assert "More in our help article" in dispatcher.messages[0]["text"]
    assert "could not record a knowledge-base lookup" in caplog.text
