"""The learned classifier takes over where no keyword rule matches; corrections count."""

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from handoff import get_ticket, hand_off
from handoff import classifier_training
from tests.utils.factories import make_conversation

KB_PAIRS = [
    ("Move from QuickBooks or Xero", "integrations"), ("import my old books from another program", "integrations"),
    ("sync my online shop orders", "integrations"), ("connect my payroll provider", "integrations"),
    ("Update the card you pay with", "billing"), ("my subscription renewal", "billing"),
    ("download receipts for my plan payments", "billing"), ("why was my payment declined", "billing"),
    ("Reset a forgotten password", "account"), ("sign in problems", "account"),
    ("add a colleague to my workspace", "account"), ("change my login email", "account"),
]


@pytest.fixture
def trained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, session: Session) -> Path:
    path = tmp_path / "category.joblib"
    monkeypatch.setattr(classifier_training, "classifier_path", lambda: path)
    classifier_training.retrain(session, KB_PAIRS, path)
    return path


def test_model_categorises_when_no_rule_matches(trained: Path, session: Session) -> None:
    conversation = make_conversation(session, "how do I bring over my old books from my previous accounting program")
    ticket = get_ticket(session, number=hand_off(
        session, conversation_public_id=conversation.public_id, reason="asked_for_human").ticket_number)
    assert ticket is not None
    assert (ticket.category, ticket.category_method) == ("integrations", "model")
    assert ticket.category_confidence is not None and ticket.category_confidence >= 0.5


def test_keyword_rules_still_come_first(trained: Path, session: Session) -> None:
    conversation = make_conversation(session, "I forgot my password")
    ticket = get_ticket(session, number=hand_off(
        session, conversation_public_id=conversation.public_id, reason="asked_for_human").ticket_number)
    assert ticket is not None and (ticket.category, ticket.category_method) == ("account", "rules")
