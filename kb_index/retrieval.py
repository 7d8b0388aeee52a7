"""Article-level search: dense (faiss over all keys of an article) fused with BM25.

An article is as good as its best key (a section, its title or one of its example
questions), so dense scores are the max over the article's keys. BM25 runs over whole
articles. The articles of the nearest keys and the best BM25 articles are the candidates;
each candidate's dense score is then computed exactly from its own keys, so a coarse
(approximate) key search can only miss an article, never misjudge one. The fused score is a
convex combination of the cosine and the BM25 score divided by the best BM25 score for the
question; `mode` picks either part alone, which is what the evaluation's baselines use.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Literal

import numpy as np

from kb_index.embedding import encode_query
from kb_index.lexical import tokenize
from kb_index.snapshot import IndexSnapshot

logger = logging.getLogger(__name__)

Mode = Literal["fused", "dense", "bm25"]
DEFAULT_ALPHA = 0.9  # weight of the dense part; chosen on a public intent set, not the sample


@dataclass(frozen=True)
class ScoredArticle:
    """One article's scores for one question."""

    index: int
    dense: float  # best cosine over the article's keys
    lexical: float  # raw BM25
    score: float  # the ranking score of the retriever's mode
    best_key: int


@dataclass(frozen=True)
class Retrieval:
    """Ranked articles for a question, with what the features need to explain them."""

    question: str
    tokens: list[str]
    vector: np.ndarray
    ranked: list[ScoredArticle]
    lexical_max: float
    lexical_top: int | None  # article BM25 ranks first, None if no word matched
    dense_top: int | None


def _best(scores: np.ndarray, count: int) -> np.ndarray:
    """Indexes of the `count` highest scores, in no order (a partial sort: at 100,000
    articles a full one would cost more than the rest of the lexical search)."""
    if count >= scores.size:
        return np.arange(scores.size)
    return np.argpartition(-scores, count - 1)[:count]


class Retriever(ABC):
    """Anything that ranks the articles of a snapshot for a question."""

    @abstractmethod
    def retrieve(self, question: str, *, vector: np.ndarray | None = None) -> Retrieval:
        """Rank articles for `question`; `vector` skips embedding when already known."""


class HybridRetriever(Retriever):
    """Faiss inner-product search over keys, BM25 over articles, fused at article level."""

    def __init__(
        self,
        snapshot: IndexSnapshot,
        *,
        mode: Mode = "fused",
        alpha: float = DEFAULT_ALPHA,
        key_depth: int = 256,
        lexical_depth: int = 50,
        depth: int = 10,
    ) -> None:
        self.snapshot = snapshot
        self.mode = mode
        self.alpha = alpha
        self.key_depth = key_depth
        self.lexical_depth = lexical_depth
        self.depth = depth

    def _dense_for(self, articles: np.ndarray, vector: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Best cosine over each article's keys and the row of that key (-1: no keys),
        as one matrix product over the keys of all `articles`."""
        snap = self.snapshot
        starts, lengths = snap.key_starts[articles], snap.key_ends[articles] - snap.key_starts[articles]
        best = np.zeros(len(articles), dtype=np.float32)
        best_key = np.full(len(articles), -1, dtype=np.int64)
        has = lengths > 0
        if not has.any():
            return best, best_key
        starts, lengths = starts[has], lengths[has]
        offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        rows = np.arange(int(lengths.sum())) - np.repeat(offsets - starts, lengths)
        sims = snap.vectors[rows] @ vector
        top = np.maximum.reduceat(sims, offsets)
        owner = np.repeat(np.arange(len(starts)), lengths)
        hits = np.flatnonzero(sims >= top[owner])
        first = np.unique(owner[hits], return_index=True)[1]  # each article's first best key
        best[has], best_key[has] = top, rows[hits[first]]
        return best, best_key

    def retrieve(self, question: str, *, vector: np.ndarray | None = None) -> Retrieval:
        snap = self.snapshot
        tokens = tokenize(question)
        if not snap.articles:
            empty = np.zeros(snap.index.d, dtype=np.float32)
            return Retrieval(question, tokens, empty, [], 0.0, None, None)
        query = (encode_query(question) if vector is None else vector).reshape(1, -1)
        q = query[0]
        _, keys = snap.search_keys(query, self.key_depth)
        candidates = set(snap.key_article[keys[keys >= 0]].tolist())
        lexical = snap.lexical.scores(tokens)
        lexical_max = float(lexical.max()) if lexical.size else 0.0
        if lexical_max > 0:
            top = _best(lexical, self.lexical_depth)
            candidates.update(top[lexical[top] > 0].tolist())
        order = np.array(sorted(candidates), dtype=np.int64)
        dense, best_keys = self._dense_for(order, q)
        lexical_part = lexical[order].astype(np.float64)
        if self.mode == "dense":
            scores = dense.astype(np.float64)
        elif self.mode == "bm25":
            scores = lexical_part
        else:
            norm = lexical_part / lexical_max if lexical_max > 0 else np.zeros_like(lexical_part)
            scores = self.alpha * dense.astype(np.float64) + (1 - self.alpha) * norm
        scored = [
            ScoredArticle(a, d, x, s, k)
            for a, d, x, s, k in zip(order.tolist(), dense.tolist(), lexical_part.tolist(),
                                     scores.tolist(), best_keys.tolist(), strict=True)
        ]
        scored.sort(key=lambda s: (-s.score, -s.dense, s.index))
        dense_top = max(scored, key=lambda s: s.dense).index if scored else None
        lexical_top = int(np.argmax(lexical)) if lexical_max > 0 else None
        return Retrieval(
            question, tokens, q, scored[: self.depth], lexical_max, lexical_top, dense_top
        )
