"""KB-gap questions for tests: misses recorded through `record_kb_query`, one topic per call.

The action server stores each question's MiniLM embedding; here each topic is a random unit
vector and its questions lie close around it, so they cluster together as one gap without a
model in the test process.
"""

import numpy as np
from sqlalchemy.orm import Session

from handoff import Conversation, start_conversation
from handoff.kb_queries import record_kb_query

DIMENSION = 384


def unit_vector(rng: np.random.Generator, around: np.ndarray | None = None) -> np.ndarray:
    """A random unit vector, or one close to `around` (cosine about 0.9: one topic for any sane threshold)."""
    vector = rng.normal(size=DIMENSION) if around is None else around + rng.normal(scale=0.02, size=DIMENSION)
    return (vector / np.linalg.norm(vector)).astype(np.float32)


def missed_questions(
    session: Session, texts: list[str], *, seed: int = 7, channel: str = "web"
) -> list[Conversation]:
    """Questions the bot had no answer for, each in a conversation of its own, all on one topic."""
    rng = np.random.default_rng(seed)
    topic = unit_vector(rng)
    conversations = []
    for text in texts:
        conversation, _token = start_conversation(session, channel=channel)
        query = record_kb_query(
            session,
            conversation_public_id=conversation.public_id,
            question=text,
            decision="miss",
            article_id=None,
            confidence=0.2,
            nearest_article_id="invoices-export",
            nearest_score=0.41,
            embedding=unit_vector(rng, topic).tobytes(),
        )
        assert query is not None
        conversations.append(conversation)
    session.flush()
    return conversations
