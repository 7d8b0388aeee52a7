"""Retrieval numbers that the speed work must not change: vectors and article scores."""

from __future__ import annotations

import numpy as np

from kb_index import KnowledgeBase
from kb_index.embedding import encode, encode_query
from tests.kb_index.texts import KB_TEXTS

TEXTS = KB_TEXTS


def test_ingest_batches_embed_as_one_question_at_a_time_would() -> None:
    together = encode(TEXTS)  # how ingest embeds: many texts at once
    alone = np.vstack([encode_query(text) for text in TEXTS])  # how a question is embedded
    assert np.allclose(together, alone, atol=1e-6)


def test_each_article_scores_its_best_key(kb: KnowledgeBase) -> None:
    snapshot = kb.snapshot
    retrieval = kb.retriever().retrieve("the password reset email never arrived")
    assert retrieval.ranked
    for scored in retrieval.ranked:
        start, end = snapshot.articles[scored.index].key_range
        sims = snapshot.vectors[start:end] @ retrieval.vector
        assert np.isclose(scored.dense, sims.max(), atol=1e-6)
        assert scored.best_key == start + int(np.argmax(sims))


def test_bm25_only_and_dense_only_rank_by_their_own_part(kb: KnowledgeBase) -> None:
    question = "download all my invoices as a spreadsheet"
    dense = kb.retriever("dense").retrieve(question).ranked
    lexical = kb.retriever("bm25").retrieve(question).ranked
    assert [s.score for s in dense] == sorted((s.dense for s in dense), reverse=True)
    assert [s.score for s in lexical] == sorted((s.lexical for s in lexical), reverse=True)
