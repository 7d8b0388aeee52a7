"""Process-wide access to the knowledge base, and the record of every lookup for the dashboard.

The executor constructs actions with no arguments, so heavy objects come from here instead.
Recording never stands in the way of an answer: a failure is logged and the customer still
gets the reply.
"""

import logging

import numpy as np
from sqlalchemy.exc import SQLAlchemyError

from handoff import session_scope
from handoff.kb_queries import record_chosen_article, record_kb_query
from kb_index import Answer, KnowledgeBase, load_knowledge_base

logger = logging.getLogger(__name__)


def knowledge_base() -> KnowledgeBase:
    """The product's knowledge base (cached by kb_index; reloads when a new index is written)."""
    return load_knowledge_base()


def question_embedding(question: str) -> bytes | None:
    """The question's vector as float32 bytes, embedded exactly as kb_index embeds questions.

    `KnowledgeBase.answer` keeps its own vector to itself, so the question is embedded here a
    second time (a few milliseconds with the model already loaded). None if the model cannot
    be loaded: the lookup is still worth recording without it.
    """
    try:
        from kb_index.embedding import encode_query  # noqa: PLC0415  (loads the model on first use)

        return np.asarray(encode_query(question)[0], dtype=np.float32).tobytes()
    except Exception:  # noqa: BLE001 - any failure here must not keep the answer from the customer
        logger.exception("could not embed a question for the KB-gap record")
        return None


def record_lookup(
    conversation_public_id: str, question: str, decision: str, answer: Answer | None = None
) -> None:
    """Record one knowledge-base lookup with its decision, nearest article and embedding."""
    if not question.strip():
        return
    nearest = answer.candidates[0] if answer is not None and answer.candidates else None
    embedding = question_embedding(question)
    try:
        with session_scope() as session:
            record_kb_query(
                session, conversation_public_id=conversation_public_id, question=question, decision=decision,
                article_id=answer.article_id if answer is not None and decision == "answer" else None,
                confidence=answer.confidence if answer is not None else None,
                nearest_article_id=nearest.article_id if nearest else None,
                nearest_score=nearest.score if nearest else None,
                embedding=embedding,
            )
    except SQLAlchemyError:
        logger.exception("could not record a knowledge-base lookup for %s", conversation_public_id)


def record_choice(conversation_public_id: str, article_id: str, question: str) -> None:
    """Record the article a customer picked among the bot's choices as an answered lookup."""
    try:
        with session_scope() as session:
            record_chosen_article(session, conversation_public_id=conversation_public_id,
                                  article_id=article_id, question=question)
    except SQLAlchemyError:
        logger.exception("could not record a chosen article for %s", conversation_public_id)
