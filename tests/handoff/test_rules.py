"""Classification rules and SLA arithmetic (no database)."""

from datetime import UTC, datetime

from handoff import always_human_topic, classify
from handoff.settings import HandoffSettings
from handoff.sla import describe_wait, due_times


def test_always_human_topics_are_recognised() -> None:
    assert always_human_topic("Please delete my account and all my data") == "account_deletion"
    assert always_human_topic("I think my account was hacked last night") == "security_incident"
    assert always_human_topic("I'm talking to my lawyer about this") == "legal"
    assert always_human_topic("How do I reset my password?") is None


def test_classify_picks_category_and_skill_group() -> None:
    result = classify("I was charged twice for my subscription")
    assert result.category == "billing"
    assert result.skill_group == "billing"
    assert result.priority == "high"


def test_category_hint_is_used_when_no_rule_matches() -> None:
    assert classify("hmm", category_hint="plans").category == "plans"
    assert classify("hmm").category == "general"


def test_due_times_follow_priority() -> None:
    settings = HandoffSettings()
    opened = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    urgent = due_times(opened, "urgent", settings)
    normal = due_times(opened, "normal", settings)
    assert urgent.first_response_due < normal.first_response_due
    assert (normal.first_response_due - opened).total_seconds() == 240 * 60


def test_describe_wait_in_plain_words() -> None:
    now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    assert describe_wait(now, datetime(2026, 1, 5, 9, 30, tzinfo=UTC)) == "within 30 minutes"
    assert describe_wait(now, datetime(2026, 1, 5, 13, 0, tzinfo=UTC)) == "within 4 hours"
