"""Labelled questions kept with the calibration as references for new questions.

A new question that closely resembles a labelled question nobody could answer is probably
out of scope too; one that resembles questions answered by the article now ranked first is
probably answered by it. Near neighbours carry what retrieval scores cannot: the wording
of this product's customers. While fitting, a question is never its own reference
(leave-one-out, and identical wording is skipped), so the features stay honest.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

REFERENCE_FEATURES = ("ref_negative", "ref_positive", "ref_margin")
VECTORS_FILE = "references.npy"


@dataclass(frozen=True)
class ReferenceBank:
    """Embeddings of labelled questions with their expected article (None: a person's)."""

    questions: tuple[str, ...]
    expected: tuple[str | None, ...]
    vectors: np.ndarray

    @classmethod
    def empty(cls, dim: int = 384) -> ReferenceBank:
        """No references: every reference feature is 0."""
        return cls((), (), np.zeros((0, dim), dtype=np.float32))

    def __post_init__(self) -> None:
        expected = np.array([e is None for e in self.expected], dtype=bool)
        object.__setattr__(self, "_negative", expected)
        object.__setattr__(self, "_by_article", {})
        by_article: dict[str, list[int]] = self._by_article  # type: ignore[attr-defined]
        for i, e in enumerate(self.expected):
            if e is not None:
                by_article.setdefault(e, []).append(i)

    def features(self, vector: np.ndarray, top_article: str | None, *,
                 exclude: int | None = None, exclude_text: str | None = None) -> np.ndarray:
        """(similarity to the nearest unanswerable question, to the nearest question of the
        top article, their difference)."""
        if not len(self.questions):
            return np.zeros(len(REFERENCE_FEATURES))
        sims = self.vectors @ vector
        if exclude is not None:
            sims[exclude] = -1.0
        if exclude_text is not None:
            text = exclude_text.strip().lower()
            for i, q in enumerate(self.questions):
                if q.strip().lower() == text:
                    sims[i] = -1.0
        negative = self._negative  # type: ignore[attr-defined]
        neg = float(sims[negative].max()) if negative.any() else 0.0
        rows = self._by_article.get(top_article, [])  # type: ignore[attr-defined]
        pos = float(sims[rows].max()) if rows else 0.0
        return np.array([max(neg, 0.0), max(pos, 0.0), max(pos, 0.0) - max(neg, 0.0)])

    def to_json(self) -> dict[str, list[str | None] | list[str]]:
        """Questions and labels (the vectors go to a .npy beside the JSON)."""
        return {"questions": list(self.questions), "expected": list(self.expected)}

    def save_vectors(self, folder: Path) -> None:
        """Write the vectors next to calibration.json."""
        np.save(folder / VECTORS_FILE, self.vectors.astype(np.float32))

    @classmethod
    def load(cls, data: dict[str, list[str | None]] | None, folder: Path | None) -> ReferenceBank:
        """Inverse of `to_json` + `save_vectors`; empty when either part is missing."""
        if not data or folder is None or not (folder / VECTORS_FILE).exists():
            return cls.empty()
        vectors = np.load(folder / VECTORS_FILE).astype(np.float32)
        if len(vectors) != len(data["questions"]):
            logger.warning("reference vectors do not match their questions; ignoring them")
            return cls.empty()
        return cls(tuple(str(q) for q in data["questions"]), tuple(data["expected"]), vectors)
