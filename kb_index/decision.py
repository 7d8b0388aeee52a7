"""answer / clarify / handoff for one retrieval, from the calibrated probabilities.

The order matters: a topic marked always-human goes to a person even when the match is
perfect; then a confident top article is answered; then, if the right article is probably
among two or three close ones, the customer is asked to pick; otherwise a person takes it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from kb_index.calibration import Calibration
from kb_index.features import TOP_CANDIDATES, offered_articles, retrieval_features
from kb_index.models import Answer, Candidate
from kb_index.retrieval import Retrieval, ScoredArticle
from kb_index.snapshot import IndexSnapshot

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verdict:
    """The decision with the numbers behind it (what `eval` and `calibrate` inspect)."""

    decision: str
    confidence: float
    clarify_confidence: float
    offered: list[ScoredArticle]
    features: np.ndarray
    reason: str


def judge(retrieval: Retrieval, snapshot: IndexSnapshot, calibration: Calibration) -> Verdict:
    """Decide without building the public `Answer`."""
    ranked = retrieval.ranked
    features = retrieval_features(retrieval, snapshot, band=calibration.clarify_band)
    if not ranked:
        return Verdict("handoff", 0.0, 0.0, [], features, "the knowledge base is empty")
    confidence = calibration.answer_probability(features)
    offered = offered_articles(ranked, calibration.clarify_band)
    set_confidence = calibration.clarify_probability(features) if offered else 0.0
    top = snapshot.articles[ranked[0].index]
    if top.always_human:
        return Verdict(
            "handoff", confidence, set_confidence, [], features,
            f"'{top.id}' is a topic that always goes to a person",
        )
    if confidence >= calibration.answer_threshold:
        return Verdict("answer", confidence, set_confidence, [], features, "confident match")
    if offered and set_confidence >= calibration.clarify_threshold:
        offered = [s for s in offered if not snapshot.articles[s.index].always_human]
        if len(offered) >= 2:
            return Verdict(
                "clarify", confidence, set_confidence, offered, features,
                "several close articles",
            )
    return Verdict("handoff", confidence, set_confidence, [], features, "no article good enough")


def build_answer(
    verdict: Verdict, retrieval: Retrieval, snapshot: IndexSnapshot, passage: str | None
) -> Answer:
    """The public `Answer` for a verdict; `passage` is the top article's best section."""
    def candidate(s: ScoredArticle) -> Candidate:
        return snapshot.articles[s.index].candidate(s.score)

    if verdict.decision == "clarify":
        candidates = [candidate(s) for s in verdict.offered]
    else:
        candidates = [candidate(s) for s in retrieval.ranked[:TOP_CANDIDATES]]
    if verdict.decision != "answer":
        return Answer(
            verdict.decision,  # type: ignore[arg-type]
            verdict.confidence, None, None, None, None, None, candidates, verdict.reason,
        )
    top = snapshot.articles[retrieval.ranked[0].index]
    return Answer(
        "answer", verdict.confidence, top.id, top.title, top.url, top.category, passage,
        candidates, verdict.reason,
    )
