"""The sample knowledge base (data/kb) calibrated on data/kb_questions.csv: a customer's plain
question that an article's title obviously covers is answered; an off-topic one is not."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb_index import KnowledgeBase, ingest, load_knowledge_base
from kb_index.calibrate import calibrate

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture(scope="session")
def sample_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """data/kb ingested and calibrated once per session (about half a minute)."""
    index_dir = tmp_path_factory.mktemp("sample-index")
    ingest([DATA / "kb"], index_dir)
    calibrate(index_dir, DATA / "kb_questions.csv")
    return load_knowledge_base(index_dir)


@pytest.mark.parametrize(
    ("question", "article_id"),
    [
        ("how do I reset my password?", "reset-password"),
        ("I forgot my password and the reset email never arrived", "reset-password"),
        ("how can I connect my bank account?", "connect-bank-feed"),
        ("how do I cancel my subscription", "cancel-subscription"),
        ("can I get a refund on my annual plan", "refund-policy"),
        ("how do I invite a colleague to my team", "invite-team-members"),
        ("how do I set up two-factor authentication", "two-factor-setup"),
        ("how do I export my data", "export-your-data"),
    ],
)
def test_plain_question_an_article_covers_is_answered(
    sample_kb: KnowledgeBase, question: str, article_id: str
) -> None:
    answer = sample_kb.answer(question)
    assert (answer.decision, answer.article_id) == ("answer", article_id), answer.reason
    assert answer.passage


@pytest.mark.parametrize(
    "question",
    [
        "what's the weather in Berlin",
        "recommend a pizza place in Naples",
        "who won the world cup in 2014",
        "I want to talk to a human",
    ],
)
def test_off_topic_question_is_handed_off(sample_kb: KnowledgeBase, question: str) -> None:
    answer = sample_kb.answer(question)
    assert answer.decision == "handoff"
    assert answer.article_id is None


def test_sample_calibration_meets_the_targets_held_out(sample_kb: KnowledgeBase) -> None:
    """The reported figures come from folds the calibration did not see."""
    calibration = sample_kb.calibration
    assert not calibration.is_default
    held = calibration.report["held_out"]
    assert held["precision"] >= 0.88
    assert held["oos_human_recall"] >= 0.88
    assert held["coverage"] >= 0.5
