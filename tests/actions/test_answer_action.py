"""action_answer_from_kb when the knowledge base itself is missing: say so and hand off."""

import asyncio
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import KB_DOWN_TEXT, ActionAnswerFromKb


def _tracker(text: str) -> Tracker:
    latest: dict[str, Any] = {"text": text, "intent": {"name": "ask_question", "confidence": 1.0}}
    return Tracker("conversation-1", {}, latest, [], False, None, {}, "action_listen")


def test_missing_knowledge_base_hands_off_with_a_clear_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESKMATE_KB_INDEX_DIR", str(tmp_path / "no-index-here"))
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionAnswerFromKb().run(dispatcher, _tracker("how do I reset my password"), {}))
    assert dispatcher.messages[0]["text"] == KB_DOWN_TEXT
    assert {"event": "slot", "timestamp": None, "name": "handoff_reason", "value": "bot_unavailable"} in events
    assert events[-1]["event"] == "followup" and events[-1]["name"] == "action_handoff"
