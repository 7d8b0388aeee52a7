"""The bot's knowledge-base lookups and the customers' "that helped" clicks, kept for the dashboard.

The action server records every question it looked up with the decision it made, the nearest
article and the question's embedding; the gateway records the feedback buttons on the latest
answered question. Deflection and the KB gaps are computed from these rows.
"""

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from handoff.conversations import find_conversation
from handoff.models import Conversation, KbQuery, utcnow

logger = logging.getLogger(__name__)

DECISIONS = ("answer", "clarify", "miss", "always_human", "unavailable")
MAX_QUESTION_CHARS = 2000


def record_kb_query(
    session: Session,
    *,
    conversation_public_id: str,
    question: str,
    decision: str,
    article_id: str | None,
    confidence: float | None,
    nearest_article_id: str | None,
    nearest_score: float | None,
    embedding: bytes | None,
) -> KbQuery | None:
    """Store one lookup; None when the conversation is unknown (a `rasa shell` session, a script).

    `embedding` is the question's MiniLM vector as float32 bytes, so the KB gaps can be
    clustered without loading a model in the gateway.
    """
    if decision not in DECISIONS:
        raise ValueError(
            f"unknown knowledge-base decision {decision!r}; expected one of {', '.join(DECISIONS)}")
    conversation = find_conversation(session, public_id=conversation_public_id)
    if conversation is None:
        logger.info("kb lookup not recorded: no conversation %s", conversation_public_id)
        return None
    query = KbQuery(
        conversation_id=conversation.id,
        question=question[:MAX_QUESTION_CHARS],
        decision=decision,
        article_id=article_id,
        confidence=confidence,
        nearest_article_id=nearest_article_id,
        nearest_score=nearest_score,
        embedding=embedding,
        created_at=utcnow(),
    )
    session.add(query)
    session.flush()
    return query


def record_chosen_article(
    session: Session, *, conversation_public_id: str, article_id: str, question: str
) -> KbQuery | None:
    """Store the answer the customer picked among the bot's choices, as an answered lookup.

    The question is the one the choices were offered for (the latest clarify lookup), with its
    embedding, so a "didn't help" on this answer points the KB gaps at what was asked without
    embedding it again; `question` is used when no choices were recorded.
    """
    conversation = find_conversation(session, public_id=conversation_public_id)
    if conversation is None:
        logger.info("chosen article not recorded: no conversation %s", conversation_public_id)
        return None
    offered = session.scalar(
        select(KbQuery).where(KbQuery.conversation_id == conversation.id, KbQuery.decision == "clarify")
        .order_by(KbQuery.id.desc()).limit(1)
    )
    return record_kb_query(
        session, conversation_public_id=conversation_public_id,
        question=offered.question if offered else question, decision="answer", article_id=article_id,
        confidence=None, nearest_article_id=article_id, nearest_score=None,
        embedding=offered.embedding if offered else None,
    )


def latest_answered_query(session: Session, conversation: Conversation) -> KbQuery | None:
    """The conversation's most recent lookup the bot answered, or None."""
    return session.scalar(
        select(KbQuery).where(KbQuery.conversation_id == conversation.id, KbQuery.decision == "answer")
        .order_by(KbQuery.id.desc()).limit(1)
    )


def record_kb_feedback(session: Session, *, conversation: Conversation, helped: bool) -> KbQuery | None:
    """Store a "that helped" / "I need more help" click on the latest answered question.

    A later click replaces an earlier one (the customer changed their mind). Returns the
    question it was stored on, or None if the bot never answered in this conversation.
    """
    query = latest_answered_query(session, conversation)
    if query is None:
        logger.info("feedback without an answered question in conversation %s", conversation.public_id)
        return None
    query.feedback = "helped" if helped else "not_helped"
    query.feedback_at = utcnow()
    session.flush()
    return query
