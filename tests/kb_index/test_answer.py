"""Answering questions: the right article, passages, and handoff when nothing fits."""

from __future__ import annotations

from pathlib import Path

from kb_index import Answer, KnowledgeBase, ingest, load_knowledge_base


def test_paraphrase_gets_the_right_article(kb: KnowledgeBase) -> None:
    answer = kb.answer("I can't remember my password, how do I pick a new one?")
    assert answer.decision == "answer"
    assert answer.article_id == "reset-password"
    assert answer.url == "https://help.example.test/reset-password"
    assert answer.passage and "password" in answer.passage
    assert 0.5 < answer.confidence <= 1.0
    assert answer.candidates[0].article_id == "reset-password"
    assert len(answer.candidates) == 3


def test_article_without_examples_is_found(kb: KnowledgeBase) -> None:
    answer = kb.answer("how can I download all my invoices as a spreadsheet")
    assert answer.candidates[0].article_id == "export-data"


def test_unrelated_question_goes_to_a_person(kb: KnowledgeBase) -> None:
    answer = kb.answer("What will the weather be like in Lisbon on Saturday?")
    assert answer.decision == "handoff"
    assert answer.article_id is None and answer.passage is None
    assert answer.confidence < 0.5


def test_empty_question_is_handed_off(kb: KnowledgeBase) -> None:
    assert kb.answer("   ").decision == "handoff"


def test_best_passage_picks_the_matching_section(kb: KnowledgeBase) -> None:
    passage = kb.best_passage("reset-password", "the email with the link never came")
    assert "spam folder" in passage
    assert kb.best_passage("no-such-article", "anything") == ""


def test_article_lookup_for_a_clarify_button(kb: KnowledgeBase) -> None:
    found = kb.article("bank-feed")
    assert found is not None and found.category == "integrations"
    assert kb.article("missing") is None


def test_answer_to_dict_has_the_public_fields(kb: KnowledgeBase) -> None:
    data = kb.answer("add a colleague to my team").to_dict()
    assert {"decision", "confidence", "article_id", "title", "url", "category", "passage",
            "candidates"} <= set(data)
    assert {"id", "article_id", "title", "url", "category", "score"} <= set(data["candidates"][0])
    assert isinstance(Answer, type)


def test_escalation_request_goes_to_a_person(kb: KnowledgeBase) -> None:
    answer = kb.answer("I never authorised this refund charge, my attorney will sue your company")
    assert answer.decision == "handoff"


def test_always_human_article_is_handed_off(tmp_path: Path, kb_copy: Path) -> None:
    (kb_copy / "close-account.md").write_text(
        "---\nid: close-account\ntitle: Close your account and delete all data\n"
        "category: account\nalways_human: true\nexamples:\n  - delete my account\n---\n\n"
        "Our team closes accounts on request after checking your identity.\n",
        encoding="utf-8",
    )
    ingest([kb_copy], tmp_path / "index")
    answer = load_knowledge_base(tmp_path / "index").answer("please delete my account")
    assert answer.decision == "handoff"
    assert "always goes to a person" in answer.reason
    assert answer.candidates[0].article_id == "close-account"
