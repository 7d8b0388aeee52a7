"""Labelled questions (CSV `question,expected_article_id[,kind]`) and what the KB made of them.

An empty `expected_article_id` means no article answers the question and a person should
take it. `observe` runs the retrieval once per question and keeps what calibration and
evaluation both need, so neither has to search twice.
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kb_index.embedding import encode
from kb_index.features import offered_articles, retrieval_features
from kb_index.retrieval import Retriever
from kb_index.snapshot import IndexSnapshot

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LabelledQuestion:
    """One row of the labelled file."""

    question: str
    expected: str | None  # None: out of scope, a person should answer
    kind: str = ""


@dataclass(frozen=True)
class Observation:
    """A labelled question's retrieval, reduced to labels and features."""

    question: LabelledQuestion
    features: np.ndarray
    ranking: tuple[str, ...]  # article ids, best first
    top_correct: bool
    in_offered: bool  # the expected article is among the clarify buttons
    has_offer: bool  # two or three articles are close enough to offer
    top_always_human: bool

    @property
    def top(self) -> str | None:
        """Id of the article ranked first."""
        return self.ranking[0] if self.ranking else None

    @property
    def in_scope(self) -> bool:
        """An article answers this question."""
        return self.question.expected is not None

    def rank(self) -> int | None:
        """1-based rank of the expected article, None if not retrieved."""
        expected = self.question.expected
        return self.ranking.index(expected) + 1 if expected in self.ranking else None


def read_labelled(path: Path) -> list[LabelledQuestion]:
    """Rows of the labelled CSV; blank questions are skipped."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = {"question", "expected_article_id"} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        rows = []
        for row in reader:
            question = (row.get("question") or "").strip()
            if question:
                expected = (row.get("expected_article_id") or "").strip() or None
                rows.append(LabelledQuestion(question, expected, (row.get("kind") or "").strip()))
    return rows


def observe(
    questions: list[LabelledQuestion],
    retriever: Retriever,
    snapshot: IndexSnapshot,
    *,
    band: float,
    vectors: np.ndarray | None = None,
) -> list[Observation]:
    """Retrieve every question once (embedding them in one batch)."""
    if vectors is None:
        vectors = encode([q.question for q in questions])
    unknown = {q.expected for q in questions if q.expected and q.expected not in snapshot.by_id}
    if unknown:
        logger.warning("labelled ids not in the index: %s", ", ".join(sorted(unknown)))
    observations = []
    for question, vector in zip(questions, vectors, strict=True):
        retrieval = retriever.retrieve(question.question, vector=vector)
        ids = tuple(snapshot.articles[s.index].id for s in retrieval.ranked)
        offered = {snapshot.articles[s.index].id for s in offered_articles(retrieval.ranked, band)}
        top_human = bool(ids) and snapshot.articles[retrieval.ranked[0].index].always_human
        observations.append(
            Observation(
                question=question,
                features=retrieval_features(retrieval, snapshot, band=band),
                ranking=ids,
                top_correct=bool(ids) and question.expected == ids[0],
                in_offered=question.expected in offered,
                has_offer=bool(offered),
                top_always_human=top_human,
            )
        )
    return observations
