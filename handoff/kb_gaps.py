"""KB gaps: what to write next in the knowledge base, from the questions the bot could not settle.

The period's gap questions (see `handoff.kb_gap_questions` for exactly which) are grouped by
meaning (`handoff.kb_gap_clustering`). A group becomes a *gap cluster* when at least two
questions from at least two conversations are in it: one customer rephrasing the same question
after a miss is not yet a topic. The rest are counted as "other questions", never dropped
silently. Each cluster carries:
- its size, and its trend: the previous period's gap questions that are on average as close to
  the cluster's questions as the clustering itself demands, and its questions per ISO week;
- its three most central questions (highest average similarity to the rest), as typed;
- the nearest existing article: the one most members came closest to, with their average
  score, and its title from the live index (None when the article is gone);
- a suggested title for the article to write (`handoff.kb_gap_titles`).

A lead marks a cluster handled once an article is written (or the topic dismissed): its
questions get `gap_handled_at` and leave every later clustering; new questions on the same
topic form a cluster again, which says the article did not close the gap.

Clustering takes seconds for tens of thousands of questions, so reports are kept in process,
keyed by the database, the filters, the ISO weeks of the period, a fingerprint of the gap
questions of the period and of the one before (`gap_fingerprint`: any new question, "didn't
help" click or handled cluster changes it) and the index version. The period's exact ends are
not in the key: a rolling "last 30 days" that moved by a minute without new questions reuses the
report, and marking handled finds the cluster the page showed.
"""

import hashlib
import logging
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
from sqlalchemy import update
from sqlalchemy.orm import Session

from handoff.kb_gap_articles import IndexedArticles, indexed_articles
from handoff.kb_gap_clustering import (
    DISTANCE_THRESHOLD,
    centrality,
    closest_clusters,
    cluster_by_meaning,
    cluster_sums,
)
from handoff.kb_gap_questions import GapQuestions, gap_fingerprint, load_gap_questions
from handoff.kb_gap_titles import distinctive_terms, suggested_title
from handoff.metrics import DashboardFilters, Period
from handoff.models import Agent, KbQuery, utcnow

logger = logging.getLogger(__name__)

MIN_QUESTIONS = 2
MIN_CONVERSATIONS = 2
REPRESENTATIVES = 3
CACHE_SIZE = 16
UPDATE_BATCH = 500  # ids per UPDATE when marking handled (well under SQLite's parameter limit)


@dataclass(frozen=True)
class GapCluster:
    """One topic the knowledge base does not cover well enough."""

    key: str  # stable for the same member set (hash of sorted kb_query ids)
    size: int  # questions in the period
    previous_size: int  # questions of the same topic in the previous period (trend)
    weekly: list[tuple[date, int]]  # (Monday of each ISO week the period touches, questions)
    representatives: list[str]  # up to 3 most central questions, as typed
    nearest_article_id: str | None
    nearest_article_title: str | None
    nearest_score: float | None
    suggested_title: str
    query_ids: list[int]


@dataclass(frozen=True)
class GapReport:
    """Every gap cluster of a period, largest first, and what was left out of them."""

    clusters: list[GapCluster]
    questions: int  # gap questions of the period that were placed by meaning
    other_questions: int  # of those, in no cluster (asked once, or in one conversation only)
    skipped_questions: int  # without an embedding, and no model in this process to make one


def find_gap_clusters(
    session: Session, *, period: Period, filters: DashboardFilters, limit: int = 20
) -> list[GapCluster]:
    """The `limit` largest gap clusters of the period."""
    return find_gap_report(session, period=period, filters=filters).clusters[:limit]


def find_gap_report(session: Session, *, period: Period, filters: DashboardFilters) -> GapReport:
    """All gap clusters of the period with the counts of questions outside them (cached)."""
    weeks = iso_weeks(period)
    articles = indexed_articles()
    key = (str(session.get_bind().engine.url), filters, weeks[0], weeks[-1],
           gap_fingerprint(session, period, filters), gap_fingerprint(session, period.previous(), filters),
           articles.version)
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None:
            _cache.move_to_end(key)
            return cached
    report = _build_report(session, period, filters, articles)
    with _cache_lock:
        _cache[key] = report
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return report


def mark_cluster_handled(
    session: Session, *, period: Period, filters: DashboardFilters, key: str, agent: Agent
) -> int:
    """Set `gap_handled_at` on the cluster's questions; returns how many. KeyError if no cluster
    of this period and these filters has `key` (any more: new questions change the key)."""
    report = find_gap_report(session, period=period, filters=filters)
    cluster = next((cluster for cluster in report.clusters if cluster.key == key), None)
    if cluster is None:
        raise KeyError(key)
    now = utcnow()
    marked = 0
    for start in range(0, len(cluster.query_ids), UPDATE_BATCH):
        batch = cluster.query_ids[start : start + UPDATE_BATCH]
        result = session.execute(
            update(KbQuery).where(KbQuery.id.in_(batch), KbQuery.gap_handled_at.is_(None))
            .values(gap_handled_at=now)
        )
        marked += result.rowcount  # type: ignore[attr-defined]
    session.flush()
    logger.info("KB gap %s (%r) marked handled by agent %s: %d questions",
                key, cluster.suggested_title, agent.id, marked)
    return marked


def clear_cache() -> None:
    """Forget every kept report (tests that reuse rolled-back ids; a changed clustering setting)."""
    with _cache_lock:
        _cache.clear()


def iso_weeks(period: Period) -> list[date]:
    """The Monday of every ISO week the period touches, first to last (UTC)."""
    first = _monday(period.start)
    last = _monday(period.end - timedelta(microseconds=1))
    return [first + timedelta(weeks=offset) for offset in range((last - first).days // 7 + 1)]


_cache: OrderedDict[tuple[object, ...], GapReport] = OrderedDict()
_cache_lock = threading.Lock()


def _build_report(
    session: Session, period: Period, filters: DashboardFilters, articles: IndexedArticles
) -> GapReport:
    questions = load_gap_questions(session, period, filters)
    labels = cluster_by_meaning(questions.vectors)
    groups = [members for members in _groups(labels)
              if len(members) >= MIN_QUESTIONS
              and len(set(questions.conversation_ids[members].tolist())) >= MIN_CONVERSATIONS]
    in_groups = np.zeros(len(labels), dtype=bool)
    for members in groups:
        in_groups[members] = True
    # Most central first within each group: representatives and title candidates.
    groups = [members[np.argsort(-centrality(questions.vectors[members]), kind="stable")]
              for members in groups]
    others = [text for text, placed in zip(questions.texts, in_groups, strict=True) if not placed]
    terms = distinctive_terms([[questions.texts[i] for i in members] for members in groups], others)
    previous = _previous_sizes(session, period, filters, questions, groups)
    weeks = iso_weeks(period)
    clusters = [
        _gap_cluster(questions, members, previous_size, weeks, cluster_terms, articles)
        for members, previous_size, cluster_terms in zip(groups, previous, terms, strict=True)
    ]
    clusters.sort(key=lambda cluster: (-cluster.size, cluster.key))
    logger.info("KB gaps %s..%s: %d questions, %d clusters, %d other, %d skipped",
                period.start.date(), period.end.date(), len(labels), len(clusters),
                int((~in_groups).sum()), questions.skipped)
    return GapReport(clusters=clusters, questions=len(labels), other_questions=int((~in_groups).sum()),
                     skipped_questions=questions.skipped)


def _groups(labels: np.ndarray) -> list[np.ndarray]:
    """Row indices of each label, in label order."""
    if not len(labels):
        return []
    order = np.argsort(labels, kind="stable")
    bounds = np.flatnonzero(np.diff(labels[order])) + 1
    return np.split(order, bounds)


def _previous_sizes(
    session: Session, period: Period, filters: DashboardFilters, questions: GapQuestions,
    groups: list[np.ndarray],
) -> list[int]:
    """Per group, the previous period's gap questions that would have joined it."""
    if not groups:
        return []
    earlier = load_gap_questions(session, period.previous(), filters)
    if not len(earlier.ids):
        return [0] * len(groups)
    labels = np.concatenate([np.full(len(members), index) for index, members in enumerate(groups)])
    sums, sizes = cluster_sums(questions.vectors[np.concatenate(groups)], labels)
    best, similarity = closest_clusters(earlier.vectors, sums, sizes)
    joined = best[similarity >= 1.0 - DISTANCE_THRESHOLD]
    return np.bincount(joined, minlength=len(groups)).tolist()


def _gap_cluster(
    questions: GapQuestions, members: np.ndarray, previous_size: int, weeks: list[date],
    terms: list[tuple[str, float]], articles: IndexedArticles,
) -> GapCluster:
    ids = sorted(int(questions.ids[i]) for i in members)
    central_texts = [questions.texts[i] for i in members]
    per_week = Counter(_monday(questions.created_at[i]) for i in members)
    article_id, score = _nearest_article(questions, members)
    return GapCluster(
        key=hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:16],
        size=len(members),
        previous_size=previous_size,
        weekly=[(week, per_week.get(week, 0)) for week in weeks],
        representatives=_distinct(central_texts)[:REPRESENTATIVES],
        nearest_article_id=article_id,
        nearest_article_title=articles.title(article_id),
        nearest_score=score,
        suggested_title=suggested_title(_distinct(central_texts), terms),
        query_ids=ids,
    )


def _nearest_article(questions: GapQuestions, members: np.ndarray) -> tuple[str | None, float | None]:
    """The article most members came closest to (ties: the higher average score), and that average."""
    scores: dict[str, list[float]] = {}
    counts: Counter[str] = Counter()
    for i in members:
        article_id, score = questions.nearest_article_ids[i], questions.nearest_scores[i]
        if article_id:
            counts[article_id] += 1
            if score is not None:
                scores.setdefault(article_id, []).append(float(score))
    if not counts:
        return None, None

    def average(article_id: str) -> float | None:
        values = scores.get(article_id)
        return round(sum(values) / len(values), 3) if values else None

    best = max(counts, key=lambda article_id: (counts[article_id], average(article_id) or 0.0, article_id))
    return best, average(best)


def _distinct(texts: list[str]) -> list[str]:
    """Texts in order without repeats that differ only in case, spacing or end punctuation."""
    seen: set[str] = set()
    kept = []
    for text in texts:
        normal = " ".join(text.casefold().split()).strip(" ?!.,")
        if normal not in seen:
            seen.add(normal)
            kept.append(text)
    return kept


def _monday(moment: datetime) -> date:
    day = moment.astimezone(UTC).date()
    return day - timedelta(days=day.weekday())
