"""Numbers that describe how sure a retrieval looks, fed to the calibration model.

Each says something a raw cosine does not: how far ahead the top article is, whether BM25
agrees with the embedding, and whether the question's words exist in the article (or in the
knowledge base at all) - the usual tell of a question the KB cannot answer.
"""

from __future__ import annotations

import logging

import numpy as np

from kb_index.references import REFERENCE_FEATURES
from kb_index.retrieval import Retrieval, ScoredArticle
from kb_index.snapshot import IndexSnapshot

logger = logging.getLogger(__name__)

RETRIEVAL_FEATURES = (
    "top_dense",  # best cosine of the top article
    "dense_margin",  # its cosine minus the best cosine of any other article
    "score_margin",  # ranking-score gap to the second article
    "score_margin3",  # ranking-score gap to the third article
    "coverage",  # idf-weighted share of question words found in the top article
    "known_words",  # share of question words found anywhere in the KB
    "lexical_agrees",  # BM25 ranks the same article first
    "example_hit",  # the best key is one of the article's example questions
    "section_dense",  # best cosine of the top article's sections (where answers are written)
    "unknown_words",  # question words the KB never uses (capped at 3)
    "human_similarity",  # closeness to a request a person should handle (human_topics.py)
    "human_margin",  # that closeness minus the top article's
)
FEATURES = RETRIEVAL_FEATURES + REFERENCE_FEATURES  # references.py adds the last ones


def _score(ranked: list[ScoredArticle], i: int) -> float:
    return ranked[i].score if len(ranked) > i else 0.0


def retrieval_features(retrieval: Retrieval, snapshot: IndexSnapshot) -> np.ndarray:
    """Retrieval part of the feature vector (`RETRIEVAL_FEATURES` order)."""
    ranked = retrieval.ranked
    if not ranked:
        return np.zeros(len(RETRIEVAL_FEATURES), dtype=np.float64)
    top = ranked[0]
    other_dense = max((s.dense for s in ranked[1:]), default=0.0)
    lexical = snapshot.lexical
    kind = snapshot.key_kinds[top.best_key] if top.best_key >= 0 else ""
    start, end = snapshot.articles[top.index].key_range
    sections = [k for k in range(start, end) if snapshot.key_chunks[k] >= 0]
    section_dense = float((snapshot.vectors[sections] @ retrieval.vector).max()) if sections else 0.0
    unknown = len({t for t in retrieval.tokens if t not in lexical.idf})
    humans = snapshot.human_vectors
    human = float((humans @ retrieval.vector).max()) if len(humans) else 0.0
    return np.array(
        [
            top.dense,
            top.dense - other_dense,
            top.score - _score(ranked, 1),
            top.score - _score(ranked, 2),
            lexical.coverage(retrieval.tokens, top.index),
            lexical.known_share(retrieval.tokens),
            1.0 if retrieval.lexical_top == top.index else 0.0,
            1.0 if kind == "example" else 0.0,
            section_dense,
            float(min(unknown, 3)),
            human,
            human - top.dense,
        ],
        dtype=np.float64,
    )
