"""Word-level matching: a tokenizer, BM25 over articles, and query-term coverage.

BM25 comes from rank-bm25; its per-query scoring loops over every document in Python, so
the weights are laid out once as a sparse term-by-article matrix and a query becomes one
sparse product (same scores, milliseconds at 10,000 articles).
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter

import numpy as np
from rank_bm25 import BM25Okapi
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

logger = logging.getLogger(__name__)

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Question words matter to meaning but not to which article answers; "not"/"no" do not help BM25.
_STOP = frozenset(ENGLISH_STOP_WORDS) | {"hi", "hello", "thanks", "thank", "please", "pls", "im"}


def stem(word: str) -> str:
    """A light suffix stripper: "invoices"/"invoicing"/"invoiced" meet at "invoic"."""
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)] + keep
    return word


_STEMS: dict[str, str] = {}  # word -> stem: a knowledge base reuses a few thousand words
_STEMS_KEPT = 200_000  # past this many distinct words, stems are computed and not kept


def tokenize(text: str) -> list[str]:
    """Lower-cased, stop words removed, lightly stemmed word tokens."""
    tokens = []
    for word in _WORD.findall(text.lower()):
        if len(word) < 2 or word in _STOP:
            continue
        stemmed = _STEMS.get(word)
        if stemmed is None:
            stemmed = stem(word)
            if len(_STEMS) < _STEMS_KEPT:
                _STEMS[word] = stemmed
        tokens.append(stemmed)
    return tokens


class LexicalIndex:
    """BM25 over one document per article, plus document frequencies for coverage."""

    def __init__(self, documents: list[str], *, k1: float = 1.5, b: float = 0.75) -> None:
        tokens = [tokenize(doc) for doc in documents]
        self.size = len(tokens)
        self.doc_terms: list[frozenset[str]] = [frozenset(t) for t in tokens]
        df: Counter[str] = Counter()
        for terms in self.doc_terms:
            df.update(terms)
        self.vocab = {term: i for i, term in enumerate(sorted(df))}
        n = max(self.size, 1)
        self.idf = {t: math.log((n + 1) / (c + 1)) + 1.0 for t, c in df.items()}
        self.unknown_idf = math.log(n + 1) + 1.0
        self._weights = self._bm25_weights(tokens, k1=k1, b=b)

    def _bm25_weights(self, tokens: list[list[str]], *, k1: float, b: float) -> sparse.csr_matrix:
        shape = (len(self.vocab), self.size)
        if not any(tokens):
            return sparse.csr_matrix(shape, dtype=np.float32)
        bm25 = BM25Okapi([t or [""] for t in tokens], k1=k1, b=b)
        rows: list[int] = []
        cols: list[int] = []
        freqs: list[int] = []
        for d, doc in enumerate(bm25.doc_freqs):
            terms = [t for t in doc if t in self.vocab]
            rows.extend(self.vocab[t] for t in terms)
            cols.extend([d] * len(terms))
            freqs.extend(doc[t] for t in terms)
        idf = np.array([bm25.idf[t] for t in self.vocab], dtype=np.float64)  # vocab order
        f = np.array(freqs, dtype=np.float64)
        norm = k1 * (1 - b + b * np.array(bm25.doc_len, dtype=np.float64) / bm25.avgdl)
        row, col = np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)
        values = idf[row] * f * (k1 + 1) / (f + norm[col])
        return sparse.csr_matrix((values, (row, col)), shape=shape, dtype=np.float32)

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 score of every article, as rank-bm25's `get_scores` would give."""
        counts = Counter(t for t in query_tokens if t in self.vocab)
        if not counts:
            return np.zeros(self.size, dtype=np.float32)
        q = sparse.csr_matrix(
            (list(counts.values()), ([0] * len(counts), [self.vocab[t] for t in counts])),
            shape=(1, len(self.vocab)),
            dtype=np.float32,
        )
        return np.asarray((q @ self._weights).todense()).ravel()

    def weights(self, query_tokens: list[str]) -> dict[str, float]:
        """idf of each distinct question word; words the KB never uses get the highest."""
        return {t: self.idf.get(t, self.unknown_idf) for t in set(query_tokens)}

    def coverage(self, query_tokens: list[str], article: int) -> float:
        """Share of the question's (idf-weighted) words that the article contains.

        Words the knowledge base never uses weigh most: a question about something the KB
        does not cover usually names that thing, and no article contains the name.
        """
        weights = self.weights(query_tokens)
        if not weights:
            return 0.0
        found = sum(w for t, w in weights.items() if t in self.doc_terms[article])
        return found / sum(weights.values())

    def known_share(self, query_tokens: list[str]) -> float:
        """Share of the question's words that appear anywhere in the knowledge base."""
        terms = set(query_tokens)
        if not terms:
            return 0.0
        return sum(1 for t in terms if t in self.idf) / len(terms)
