"""Numbers that describe how sure a retrieval looks, fed to the calibration model.

Every feature comes from the retrieval and the articles alone (never from labelled
questions), and each has a known direction: a higher value makes the top article more (+1)
or less (-1) likely to be right. The calibration keeps its weights to those signs, so a
clearer match can never lower the confidence.
"""

from __future__ import annotations

import logging

import numpy as np

from kb_index.retrieval import Retrieval, ScoredArticle
from kb_index.snapshot import IndexSnapshot

logger = logging.getLogger(__name__)

TOP_CANDIDATES = 3  # at most this many articles are offered as buttons
EXPLAIN_RIDGE = 0.5  # keeps `explained` from mixing many keys freely

# (name, direction): what each one says that a raw cosine does not
FEATURE_SIGNS: tuple[tuple[str, int], ...] = (
    ("top_score", +1),  # fused score of the top article
    ("margin", +1),  # its lead over the second article
    ("explained", +1),  # how much of the question its keys account for together
    ("word_coverage", +1),  # idf-weighted share of question words in one of its sections/examples
    ("known_words", +1),  # share of question words the knowledge base uses at all
    ("lexical_agrees", +1),  # BM25 ranks the same article first
    ("escalation", -1),  # closeness to an escalation request (human_topics.py)
    ("escalation_margin", -1),  # that closeness minus the top article's cosine
    ("offer_gap", +1),  # score gap between the offered articles and the next one (0: no offer)
)
FEATURES: tuple[str, ...] = tuple(name for name, _ in FEATURE_SIGNS)

# Which features each model of the calibration reads (calibration.py):
# "scope": does any article answer this? "pick": is it the top one? "offer": is it offered?
MODEL_FEATURES: dict[str, tuple[str, ...]] = {
    "scope": ("top_score", "explained", "word_coverage", "known_words", "escalation",
              "escalation_margin"),
    "pick": ("top_score", "margin", "lexical_agrees", "word_coverage"),
    "offer": ("top_score", "offer_gap", "word_coverage"),
}


def model_signs(model: str) -> tuple[int, ...]:
    """Sign constraints for one model over the full feature vector (0: not read)."""
    used = MODEL_FEATURES[model]
    return tuple(sign if name in used else 0 for name, sign in FEATURE_SIGNS)


def offered_articles(ranked: list[ScoredArticle], band: float) -> list[ScoredArticle]:
    """The two or three articles close enough to the top one to offer as buttons."""
    if len(ranked) < 2:
        return []
    close = [s for s in ranked[:TOP_CANDIDATES] if s.score >= ranked[0].score - band]
    return close if len(close) >= 2 else []


def explained(snapshot: IndexSnapshot, article: int, vector: np.ndarray) -> float:
    """Length of the question vector's (ridge) projection onto the span of the article's keys.

    A question the article answers is largely a mix of its title, sections and example
    questions; one that only shares its topic ("reset the password of my online banking")
    keeps a part no key accounts for. 1.0 means fully explained.
    """
    start, end = snapshot.articles[article].key_range
    if end <= start:
        return 0.0
    keys = snapshot.vectors[start:end].astype(np.float64)
    gram = keys @ keys.T + EXPLAIN_RIDGE * np.eye(end - start)
    weights = np.linalg.solve(gram, keys @ vector.astype(np.float64))
    return float(np.linalg.norm(keys.T @ weights))


def word_coverage(snapshot: IndexSnapshot, article: int, tokens: list[str]) -> float:
    """Best idf-weighted share of the question's words found together in one section or
    example question of the article (its title counts for each).

    Words the knowledge base never uses weigh most: a question about something the KB does
    not cover usually names that thing, and no article contains the name.
    """
    weights = snapshot.lexical.weights(tokens)
    total = sum(weights.values())
    if not total:
        return 0.0
    best = 0.0
    for terms in snapshot.unit_terms(article):
        best = max(best, sum(w for t, w in weights.items() if t in terms) / total)
    return best


def retrieval_features(retrieval: Retrieval, snapshot: IndexSnapshot, *, band: float) -> np.ndarray:
    """The feature vector (`FEATURES` order) of a retrieval; zeros when nothing was found."""
    ranked = retrieval.ranked
    if not ranked:
        return np.zeros(len(FEATURES), dtype=np.float64)
    top = ranked[0]
    second = ranked[1].score if len(ranked) > 1 else 0.0
    humans = snapshot.human_vectors
    human = float((humans @ retrieval.vector).max()) if len(humans) else 0.0
    offered = offered_articles(ranked, band)
    gap = 0.0
    if offered:
        following = ranked[len(offered)].score if len(ranked) > len(offered) else 0.0
        gap = offered[-1].score - following
    return np.array(
        [
            top.score,
            top.score - second,
            explained(snapshot, top.index, retrieval.vector),
            word_coverage(snapshot, top.index, retrieval.tokens),
            snapshot.lexical.known_share(retrieval.tokens),
            1.0 if retrieval.lexical_top == top.index else 0.0,
            human,
            human - top.dense,
            gap,
        ],
        dtype=np.float64,
    )
