"""BM25 scores and query-word coverage."""

from __future__ import annotations

import numpy as np
from rank_bm25 import BM25Okapi

from kb_index.lexical import LexicalIndex, tokenize

DOCS = [
    "Reset a forgotten password from the sign-in page",
    "Refunds for annual subscriptions within 30 days",
    "Export invoices and customers to CSV files",
    "Invoices are emailed to customers",
]


def test_tokenize_drops_stop_words_and_stems() -> None:
    assert tokenize("How do I export my Invoices?") == ["export", "invoic"]


def test_sparse_scores_equal_rank_bm25() -> None:
    index = LexicalIndex(DOCS)
    query = tokenize("export the invoices for my customers")
    expected = BM25Okapi([tokenize(d) for d in DOCS]).get_scores(query)
    assert np.allclose(index.scores(query), expected, atol=1e-5)
    assert int(np.argmax(index.scores(query))) == 2


def test_coverage_weighs_words_the_kb_never_uses() -> None:
    index = LexicalIndex(DOCS)
    assert index.coverage(tokenize("refund annual subscription"), 1) == 1.0
    assert index.coverage(tokenize("refund in bitcoin"), 1) < 0.5
    assert index.known_share(tokenize("refund in bitcoin")) == 0.5
