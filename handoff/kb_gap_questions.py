"""Which questions are KB gaps, read from `kb_queries` with their embeddings.

A *gap question* is a question the knowledge base did not settle for the customer:
- `miss`: no article was good enough, the bot said it did not know;
- `answer` with a "didn't help" click: the article it gave was not what they needed;
- `clarify` that nothing answered afterwards: the bot offered two or three articles and the
  customer picked none of them (a pick is recorded as a later answered lookup of the same
  conversation) and got no answer to anything they asked after.
Not gaps: `always_human` (a topic configured to go to a person, not a missing article) and
`unavailable` (an outage). Questions a lead marked handled (`gap_handled_at` set) are left out.

The dashboard filters apply as to every other figure: channel through the conversation;
category, skill group and agent through a ticket of the conversation, if it has one.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import ColumnElement, and_, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from handoff.metrics import DashboardFilters, Period
from handoff.metrics.filters import ticket_conditions
from handoff.models import Conversation, KbQuery, Ticket

logger = logging.getLogger(__name__)

DIMENSION = 384  # MiniLM's vectors, as the action server stores them (float32 bytes)


@dataclass(frozen=True)
class GapQuestions:
    """The gap questions of one period that could be placed by meaning, in id order."""

    ids: np.ndarray  # kb_queries.id
    conversation_ids: np.ndarray
    texts: list[str]
    created_at: list[datetime]
    nearest_article_ids: list[str | None]
    nearest_scores: list[float | None]
    vectors: np.ndarray  # (n, 384) float32, unit length
    skipped: int  # questions without an embedding that could not be embedded here


def gap_conditions(period: Period, filters: DashboardFilters) -> list[ColumnElement[bool]]:
    """WHERE conditions on `KbQuery` selecting the period's unhandled gap questions."""
    later = aliased(KbQuery)
    answered_later = exists().where(
        later.conversation_id == KbQuery.conversation_id, later.id > KbQuery.id, later.decision == "answer"
    )
    is_gap = or_(
        KbQuery.decision == "miss",
        and_(KbQuery.decision == "answer", KbQuery.feedback == "not_helped"),
        and_(KbQuery.decision == "clarify", ~answered_later),
    )
    conditions = [
        KbQuery.created_at >= period.start,
        KbQuery.created_at < period.end,
        KbQuery.gap_handled_at.is_(None),
        is_gap,
    ]
    if filters.channel:
        conditions.append(KbQuery.conversation_id.in_(
            select(Conversation.id).where(Conversation.channel == filters.channel)))
    if filters.ticket_only:
        on_tickets = ticket_conditions(
            DashboardFilters(category=filters.category, group=filters.group, agent_id=filters.agent_id))
        conditions.append(exists().where(Ticket.conversation_id == KbQuery.conversation_id, *on_tickets))
    return conditions


def gap_fingerprint(session: Session, period: Period, filters: DashboardFilters) -> tuple[object, ...]:
    """A cheap summary that changes whenever the period's set of gap questions changes.

    New questions, a "didn't help" click turning an answer into a gap, and a cluster marked
    handled all change the count, the id sum or the newest id; conversations, text lengths and
    times tell apart two sets that reuse ids (SQLite hands out rolled-back ids again); the count
    of embedded ones changes when a backfill gives vectors to questions left out before.
    """
    row = session.execute(
        select(func.count(KbQuery.id), func.count(KbQuery.embedding), func.sum(KbQuery.id),
               func.max(KbQuery.id),
               func.sum(KbQuery.conversation_id), func.sum(func.length(KbQuery.question)),
               func.min(KbQuery.created_at), func.max(KbQuery.created_at))
        .where(*gap_conditions(period, filters))
    ).one()
    return tuple(row)


def load_gap_questions(session: Session, period: Period, filters: DashboardFilters) -> GapQuestions:
    """The period's gap questions with unit-length vectors.

    Questions recorded without a vector (rows older than the embedding column, or written by
    something other than the action server) are left out and counted in `skipped`: embedding
    them here would load MiniLM into the gateway in the middle of a web request. They are
    embedded once, in place, by `backfill_embeddings` (`python -m handoff embed-gap-questions`).
    """
    rows = session.execute(
        select(KbQuery.id, KbQuery.conversation_id, KbQuery.question, KbQuery.created_at,
               KbQuery.nearest_article_id, KbQuery.nearest_score, KbQuery.embedding)
        .where(*gap_conditions(period, filters))
        .order_by(KbQuery.id)
    ).all()
    vectors: list[np.ndarray | None] = [_decode(row.embedding) for row in rows]
    kept = [i for i, vector in enumerate(vectors) if vector is not None]
    skipped = len(rows) - len(kept)
    if skipped:
        logger.warning("%d KB-gap questions have no embedding; left out until "
                       "`python -m handoff embed-gap-questions` embeds them", skipped)
    return GapQuestions(
        ids=np.array([rows[i].id for i in kept], dtype=np.int64),
        conversation_ids=np.array([rows[i].conversation_id for i in kept], dtype=np.int64),
        texts=[rows[i].question for i in kept],
        created_at=[rows[i].created_at for i in kept],
        nearest_article_ids=[rows[i].nearest_article_id for i in kept],
        nearest_scores=[rows[i].nearest_score for i in kept],
        vectors=np.vstack([vectors[i] for i in kept]).astype(np.float32) if kept
        else np.zeros((0, DIMENSION), dtype=np.float32),
        skipped=skipped,
    )


def backfill_embeddings(
    session: Session, *, batch_size: int = 256, on_batch: Callable[[int], None] | None = None
) -> int:
    """Embed and store the vectors of recorded questions that have none; returns how many.

    Loads MiniLM (torch), so it runs from the command line or a batch job, never in a web
    request. Commits per batch, so an interrupted run keeps what it did.
    """
    from kb_index.embedding import encode  # noqa: PLC0415  (heavy: only for this job)

    done = 0
    last_id = 0
    while True:
        rows = session.execute(
            select(KbQuery.id, KbQuery.question)
            .where(KbQuery.embedding.is_(None), KbQuery.id > last_id)
            .order_by(KbQuery.id)
            .limit(batch_size)
        ).all()
        if not rows:
            return done
        vectors = encode([row.question for row in rows]).astype(np.float32)
        for row, vector in zip(rows, vectors, strict=True):
            session.execute(update(KbQuery).where(KbQuery.id == row.id).values(embedding=vector.tobytes()))
        session.commit()
        done += len(rows)
        last_id = rows[-1].id
        if on_batch is not None:
            on_batch(len(rows))


def _decode(blob: bytes | None) -> np.ndarray | None:
    if blob is None or len(blob) != DIMENSION * 4:
        return None
    vector = np.frombuffer(blob, dtype=np.float32)
    norm = float(np.linalg.norm(vector))
    if not np.isfinite(norm) or norm == 0.0:
        return None
    return vector / norm
