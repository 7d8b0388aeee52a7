"""KB gaps: unanswered questions grouped by meaning, with trend, nearest article and a title.

The questions are recorded as the action server records them: the real knowledge base (four
sample articles ingested once) gives the nearest article, the real MiniLM model the embedding.
"""

import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from handoff import Conversation, hand_off, require_ticket
from handoff.dispatch import assign
from handoff.kb_gap_questions import backfill_embeddings
from handoff.kb_gap_clustering import cluster_by_meaning
from handoff.kb_gap_titles import tidy_question
from handoff.kb_gaps import GapCluster, clear_cache, find_gap_clusters, find_gap_report, mark_cluster_handled
from handoff.kb_queries import record_chosen_article, record_kb_feedback, record_kb_query
from handoff.metrics import DashboardFilters, Period
from handoff.models import KbQuery
from kb_index import KnowledgeBase, ingest, load_knowledge_base
from kb_index.embedding import encode, encode_query
from tests.utils.factories import make_agent, make_conversation

SAMPLE_KB = Path(__file__).resolve().parents[2] / "data" / "kb"
INDEXED = ("paypal-integration", "mobile-app-sync", "multi-currency", "failed-payment")

NOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)  # a Wednesday
PERIOD = Period.last(28, now=NOW)  # 22 April 12:00 to 20 May 12:00: ISO weeks of 20 April .. 18 May
NO_FILTERS = DashboardFilters()

PAYPAL = [
    "can I pay my ledgerly subscription with paypal?",
    "hi, do you accept paypal for the monthly plan",
    "is paypal an option to pay for my subscription",
    "I'd like to pay for ledgerly using my paypal account",
    "paying the subscription via PayPal instead of a card, possible?",
    "how do I switch my subscription payment to paypal thanks",
]
DARK_MODE = [
    "is there a dark mode",
    "how do I turn on dark mode in ledgerly",
    "can I switch the app to a dark theme?",
    "dark mode please!",
    "does ledgerly have a night mode or dark theme",
]
SPANISH = [
    "is ledgerly available in spanish",
    "can I change the language of the app to Spanish",
    "hola, do you have a spanish version of the website",
    "my accountant only reads spanish, can the interface be in spanish?",
]
ONE_OFFS = [
    "what's the weather like in Lisbon tomorrow",
    "my cat keeps walking across my keyboard",
    "who won the football last night",
]


@pytest.fixture(scope="session")
def kb_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four sample articles ingested into an index of their own."""
    articles = tmp_path_factory.mktemp("gap_articles")
    for article_id in INDEXED:
        shutil.copy(SAMPLE_KB / f"{article_id}.md", articles / f"{article_id}.md")
    index_dir = tmp_path_factory.mktemp("gap_index")
    ingest([articles], index_dir)
    return index_dir


@pytest.fixture(scope="session")
def kb(kb_index_dir: Path) -> KnowledgeBase:
    return load_knowledge_base(kb_index_dir)


@pytest.fixture(autouse=True)
def _live_index(kb_index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Titles come from this index; reports kept by another test (SQLite reuses rolled-back ids) go."""
    monkeypatch.setenv("DESKMATE_KB_INDEX_DIR", str(kb_index_dir))
    clear_cache()
    yield
    clear_cache()


def ask(
    session: Session,
    kb: KnowledgeBase,
    question: str,
    *,
    at: datetime,
    decision: str = "miss",
    channel: str = "web",
    conversation: Conversation | None = None,
    embedded: bool = True,
) -> KbQuery:
    """One lookup recorded as the action server records it, `at` the given time."""
    conversation = conversation or make_conversation(session, question, channel=channel)
    nearest = kb.answer(question).candidates[0]
    query = record_kb_query(
        session, conversation_public_id=conversation.public_id, question=question, decision=decision,
        article_id=nearest.article_id if decision == "answer" else None, confidence=0.3,
        nearest_article_id=nearest.article_id, nearest_score=nearest.score,
        embedding=encode_query(question)[0].astype(np.float32).tobytes() if embedded else None,
    )
    assert query is not None
    query.created_at = at
    session.flush()
    return query


def ask_all(
    session: Session, kb: KnowledgeBase, questions: list[str], *, at: datetime, **options: object
) -> list[int]:
    """Each question from its own conversation, an hour apart from `at`; their ids."""
    return [ask(session, kb, question, at=at + timedelta(hours=hour), **options).id  # type: ignore[arg-type]
            for hour, question in enumerate(questions)]


def conversation_of(session: Session, query: KbQuery) -> Conversation:
    return session.get_one(Conversation, query.conversation_id)


def cluster_with(clusters: list[GapCluster], query_id: int) -> GapCluster:
    return next(cluster for cluster in clusters if query_id in cluster.query_ids)


def three_topics(session: Session, kb: KnowledgeBase) -> tuple[list[int], list[int], list[int]]:
    """PayPal, dark mode and Spanish asked in the period, plus three one-off questions."""
    at = NOW - timedelta(days=6)
    paypal = ask_all(session, kb, PAYPAL, at=at)
    dark = ask_all(session, kb, DARK_MODE, at=at)
    spanish = ask_all(session, kb, SPANISH, at=at)
    ask_all(session, kb, ONE_OFFS, at=at)
    return paypal, dark, spanish


def test_three_topics_come_out_as_three_clusters_largest_first(session: Session, kb: KnowledgeBase) -> None:
    paypal, dark, spanish = three_topics(session, kb)

    report = find_gap_report(session, period=PERIOD, filters=NO_FILTERS)

    assert [sorted(cluster.query_ids) for cluster in report.clusters] == [paypal, dark, spanish]
    assert [cluster.size for cluster in report.clusters] == [6, 5, 4]
    assert report.questions == 18
    assert report.other_questions == 3  # the one-off questions are counted, not lost
    for cluster, topic in zip(report.clusters, (PAYPAL, DARK_MODE, SPANISH), strict=True):
        assert len(cluster.representatives) == 3
        assert set(cluster.representatives) <= set(topic)
    assert find_gap_clusters(session, period=PERIOD, filters=NO_FILTERS, limit=2) == report.clusters[:2]


def test_suggested_title_is_a_tidy_question_naming_the_topic(session: Session, kb: KnowledgeBase) -> None:
    three_topics(session, kb)

    clusters = find_gap_clusters(session, period=PERIOD, filters=NO_FILTERS)
    titles = [cluster.suggested_title for cluster in clusters]

    assert "paypal" in titles[0].lower()
    assert "dark mode" in titles[1].lower()
    assert "spanish" in titles[2].lower()
    for title in titles:
        assert title[0].isupper() and not title.endswith(("!", "."))
        assert not title.lower().startswith(("hi", "hello")) and "thanks" not in title.lower()


def test_nearest_article_is_the_one_most_questions_came_closest_to(
    session: Session, kb: KnowledgeBase
) -> None:
    three_topics(session, kb)

    paypal = find_gap_clusters(session, period=PERIOD, filters=NO_FILTERS)[0]

    assert paypal.nearest_article_id == "paypal-integration"
    assert paypal.nearest_article_title == "Get paid with PayPal"  # from the live index's metadata
    assert paypal.nearest_score is not None and 0.0 < paypal.nearest_score < 1.0


def test_an_article_no_longer_in_the_index_has_no_title(session: Session, kb: KnowledgeBase) -> None:
    ids = ask_all(session, kb, DARK_MODE, at=NOW - timedelta(days=2))
    for query in session.scalars(select(KbQuery).where(KbQuery.id.in_(ids))):
        query.nearest_article_id = "themes-retired"  # an article deleted since the questions were asked
    session.flush()

    cluster = find_gap_clusters(session, period=PERIOD, filters=NO_FILTERS)[0]

    assert cluster.nearest_article_id == "themes-retired"
    assert cluster.nearest_article_title is None


def test_only_unsettled_questions_are_gaps(session: Session, kb: KnowledgeBase) -> None:
    at = NOW - timedelta(days=3)
    miss = ask(session, kb, PAYPAL[0], at=at)
    didnt_help = ask(session, kb, PAYPAL[1], at=at, decision="answer")
    record_kb_feedback(session, conversation=conversation_of(session, didnt_help), helped=False)
    left_with_choices = ask(session, kb, PAYPAL[2], at=at, decision="clarify")
    picked = ask(session, kb, PAYPAL[3], at=at, decision="clarify")
    record_chosen_article(session, conversation_public_id=conversation_of(session, picked).public_id,
                          article_id="paypal-integration", question=PAYPAL[3])
    helped = ask(session, kb, PAYPAL[4], at=at, decision="answer")
    record_kb_feedback(session, conversation=conversation_of(session, helped), helped=True)
    ask(session, kb, PAYPAL[5], at=at, decision="answer")  # answered, no click
    ask(session, kb, "I want to talk to a lawyer about paypal", at=at, decision="always_human")
    ask(session, kb, "paypal subscription payment question", at=at, decision="unavailable")
    ask(session, kb, "do you take paypal for subscriptions", at=NOW + timedelta(hours=1))  # after the period

    report = find_gap_report(session, period=PERIOD, filters=NO_FILTERS)

    assert [cluster.query_ids for cluster in report.clusters] == [
        sorted([miss.id, didnt_help.id, left_with_choices.id])]


def test_marked_cluster_leaves_the_list_and_comes_back_with_new_questions(
    session: Session, kb: KnowledgeBase
) -> None:
    paypal, dark, _spanish = three_topics(session, kb)
    lead = make_agent(session, "lead@example.com", role="lead")
    dark_cluster = find_gap_clusters(session, period=PERIOD, filters=NO_FILTERS)[1]

    marked = mark_cluster_handled(session, period=PERIOD, filters=NO_FILTERS, key=dark_cluster.key,
                                  agent=lead)

    assert marked == 5
    handled = session.scalars(select(KbQuery.gap_handled_at).where(KbQuery.id.in_(dark))).all()
    assert all(value is not None for value in handled)
    after = find_gap_clusters(session, period=PERIOD, filters=NO_FILTERS)
    assert [cluster.size for cluster in after] == [6, 4]
    assert not set(dark) & {query_id for cluster in after for query_id in cluster.query_ids}
    with pytest.raises(KeyError):
        mark_cluster_handled(session, period=PERIOD, filters=NO_FILTERS, key=dark_cluster.key, agent=lead)

    # The article did not close the gap: customers keep asking.
    again = ask_all(session, kb, ["is dark mode available yet", "still no dark mode?"],
                    at=NOW - timedelta(hours=5))
    back = find_gap_clusters(session, period=PERIOD, filters=NO_FILTERS)
    assert sorted(cluster_with(back, again[0]).query_ids) == again
    assert cluster_with(back, paypal[0]).size == 6


def test_trend_counts_the_previous_period_and_each_week(session: Session, kb: KnowledgeBase) -> None:
    previous_start = PERIOD.start - timedelta(days=28)
    ask_all(session, kb, ["paypal for my subscription, is that ok?", "can the monthly plan be paid by paypal",
                          "accept paypal for ledgerly subscriptions?"], at=previous_start + timedelta(days=2))
    ask(session, kb, "dark theme for the dashboard?", at=previous_start + timedelta(days=9))
    ask_all(session, kb, ONE_OFFS, at=previous_start + timedelta(days=10))
    # This period: PayPal in the weeks of 27 April (2) and 11 May (4); dark mode on 19 May.
    paypal = ask_all(session, kb, PAYPAL[:2], at=datetime(2026, 4, 28, 9, tzinfo=UTC))
    paypal += ask_all(session, kb, PAYPAL[2:], at=datetime(2026, 5, 14, 9, tzinfo=UTC))
    dark = ask_all(session, kb, DARK_MODE, at=datetime(2026, 5, 19, 9, tzinfo=UTC))

    clusters = find_gap_clusters(session, period=PERIOD, filters=NO_FILTERS)

    weeks = [date(2026, 4, 20), date(2026, 4, 27), date(2026, 5, 4), date(2026, 5, 11), date(2026, 5, 18)]
    by_paypal, by_dark = cluster_with(clusters, paypal[0]), cluster_with(clusters, dark[0])
    assert (by_paypal.size, by_paypal.previous_size) == (6, 3)
    assert by_paypal.weekly == list(zip(weeks, [0, 2, 0, 4, 0], strict=True))
    assert (by_dark.size, by_dark.previous_size) == (5, 1)
    assert by_dark.weekly == list(zip(weeks, [0, 0, 0, 0, 5], strict=True))


def test_filters_narrow_the_questions_clustered(session: Session, kb: KnowledgeBase) -> None:
    at = NOW - timedelta(days=4)
    on_telegram = ask_all(session, kb, PAYPAL[0::2], at=at, channel="telegram")
    on_web = ask_all(session, kb, PAYPAL[1::2], at=at, channel="web")
    ask_all(session, kb, DARK_MODE, at=at, channel="telegram")
    # Every web PayPal conversation was handed off; the rules file puts the first two under
    # integrations (technical group), the third under billing ("subscription"). Alex has two.
    alex = make_agent(session, "alex@example.com")
    tickets = []
    for query_id in on_web:
        conversation = conversation_of(session, session.get_one(KbQuery, query_id))
        handed = hand_off(session, conversation_public_id=conversation.public_id, reason="repeated_miss")
        tickets.append(require_ticket(session, number=handed.ticket_number))
    assign(session, tickets[0], alex, actor="system", reason="test")
    assign(session, tickets[2], alex, actor="system", reason="test")
    assert [(ticket.category, ticket.skill_group) for ticket in tickets] == [
        ("integrations", "technical"), ("integrations", "technical"), ("billing", "billing")]

    def clustered(filters: DashboardFilters) -> list[list[int]]:
        return [cluster.query_ids for cluster in find_gap_clusters(session, period=PERIOD, filters=filters)]

    telegram = clustered(DashboardFilters(channel="telegram"))
    assert len(telegram) == 2 and on_telegram in telegram
    assert clustered(DashboardFilters(channel="web")) == [on_web]
    assert clustered(DashboardFilters(category="integrations")) == [on_web[:2]]
    assert clustered(DashboardFilters(group="technical")) == [on_web[:2]]
    assert clustered(DashboardFilters(agent_id=alex.id)) == [[on_web[0], on_web[2]]]
    assert clustered(DashboardFilters(channel="telegram", category="integrations")) == []


def test_one_customer_rephrasing_is_not_yet_a_topic(session: Session, kb: KnowledgeBase) -> None:
    conversation = make_conversation(session, DARK_MODE[0])
    for question in DARK_MODE[:3]:
        ask(session, kb, question, at=NOW - timedelta(days=1), conversation=conversation)

    report = find_gap_report(session, period=PERIOD, filters=NO_FILTERS)

    assert report.clusters == []
    assert report.other_questions == 3


def test_questions_without_embedding_are_counted_then_clustered_once_backfilled(
    session: Session, kb: KnowledgeBase
) -> None:
    ids = ask_all(session, kb, SPANISH, at=NOW - timedelta(days=2), embedded=False)

    before = find_gap_report(session, period=PERIOD, filters=NO_FILTERS)
    assert before.clusters == [] and before.skipped_questions == len(ids)

    assert backfill_embeddings(session, batch_size=2) == len(ids)
    after = find_gap_report(session, period=PERIOD, filters=NO_FILTERS)
    assert [cluster.query_ids for cluster in after.clusters] == [ids]
    assert after.skipped_questions == 0
    assert backfill_embeddings(session) == 0


def test_report_is_kept_until_the_gap_questions_change(session: Session, kb: KnowledgeBase) -> None:
    ask_all(session, kb, SPANISH, at=NOW - timedelta(days=2))
    first = find_gap_report(session, period=PERIOD, filters=NO_FILTERS)
    a_minute_later = Period(start=PERIOD.start + timedelta(minutes=1), end=PERIOD.end + timedelta(minutes=1))

    assert find_gap_report(session, period=a_minute_later, filters=NO_FILTERS) is first

    # An answered question turns into a gap with a "didn't help" click: the report follows.
    answered = ask(session, kb, "does the app come in spanish", at=NOW - timedelta(hours=2),
                   decision="answer")
    assert find_gap_report(session, period=PERIOD, filters=NO_FILTERS) is first
    record_kb_feedback(session, conversation=conversation_of(session, answered), helped=False)
    changed = find_gap_report(session, period=PERIOD, filters=NO_FILTERS)
    assert changed.clusters[0].size == 5


def test_clustering_in_rounds_finds_the_same_topics_without_mixing_them() -> None:
    topics = [PAYPAL, DARK_MODE, SPANISH, *([one_off] for one_off in ONE_OFFS)]
    topic_of = np.array([index for index, topic in enumerate(topics) for _ in topic])
    vectors = encode([question for topic in topics for question in topic])

    exact = cluster_by_meaning(vectors)
    in_rounds = cluster_by_meaning(vectors, sample_size=6)  # a sample, assignment, then the rest

    for labels in (exact, in_rounds):
        for label in set(labels.tolist()):
            assert len(set(topic_of[labels == label].tolist())) == 1  # no cluster mixes topics
        for index, topic in enumerate(topics[:3]):
            largest = np.bincount(labels[topic_of == index]).max()
            assert largest >= len(topic) - 1  # at most one question of a topic strays
    assert len(set(exact[topic_of == 0].tolist())) == 1


def test_tidy_question_drops_greetings_and_thanks() -> None:
    assert tidy_question("hi, how do i pay with paypal?? thanks") == "How do I pay with paypal?"
    assert tidy_question("morning. is there a dark mode please help") == "Is there a dark mode?"
    assert tidy_question("Morning reports do not send") == "Morning reports do not send"
    assert tidy_question("hi there. HUB 5 STUCK PULSING BLUE??") == "Hub 5 stuck pulsing blue?"
    assert tidy_question("i'm moving, how do i take my wi-fi hub with me") == (
        "I'm moving, how do I take my wi-fi hub with me?")
    assert tidy_question("hello!") == ""
