"""Article-level search: dense (faiss over all keys of an article) fused with BM25.

An article is as good as its best key (a section, its title or one of its example
questions), so dense scores are the max over the article's keys. BM25 runs over whole
articles. The fused score is a convex combination of the cosine and the BM25 score
divided by the best BM25 score for the question; `mode` picks either part alone, which
is what the evaluation's baselines use.
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

    def _dense_for(self, article: int, vector: np.ndarray) -> tuple[float, int]:
        start, end = self.snapshot.articles[article].key_range
        if end <= start:
            return 0.0, -1
        sims = self.snapshot.vectors[start:end] @ vector
        best = int(np.argmax(sims))
        return float(sims[best]), start + best

    def retrieve(self, question: str, *, vector: np.ndarray | None = None) -> Retrieval:
        snap = self.snapshot
        tokens = tokenize(question)
        if not snap.articles:
            empty = np.zeros(snap.index.d, dtype=np.float32)
            return Retrieval(question, tokens, empty, [], 0.0, None, None)
        query = (encode_query(question) if vector is None else vector).reshape(1, -1)
        dense: dict[int, tuple[float, int]] = {}
        k = min(self.key_depth, snap.index.ntotal)
        if k:
            sims, keys = snap.index.search(query, k)
            for sim, key in zip(sims[0], keys[0], strict=True):
                if key < 0:
                    continue
                article = int(snap.key_article[key])
                if article not in dense:  # results come best first
                    dense[article] = (float(sim), int(key))
        lexical = snap.lexical.scores(tokens)
        lexical_max = float(lexical.max()) if lexical.size else 0.0
        candidates = set(dense)
        if lexical_max > 0:
            top = np.argsort(-lexical)[: self.lexical_depth]
            candidates.update(int(i) for i in top if lexical[i] > 0)
        q = query[0]
        scored: list[ScoredArticle] = []
        for article in candidates:
            d, key = dense.get(article) or self._dense_for(article, q)
            lex = float(lexical[article])
            norm = lex / lexical_max if lexical_max > 0 else 0.0
            if self.mode == "dense":
                score = d
            elif self.mode == "bm25":
                score = lex
            else:
                score = self.alpha * d + (1 - self.alpha) * norm
            scored.append(ScoredArticle(article, d, lex, score, key))
        scored.sort(key=lambda s: (-s.score, -s.dense, s.index))
        dense_top = max(scored, key=lambda s: s.dense).index if scored else None
        lexical_top = int(np.argmax(lexical)) if lexical_max > 0 else None
        return Retrieval(
            question, tokens, q, scored[: self.depth], lexical_max, lexical_top, dense_top
        )
