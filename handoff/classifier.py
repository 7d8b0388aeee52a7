"""The learned category classifier, asked when no YAML rule matches a new ticket.

A logistic regression on the knowledge base's sentence embeddings, trained from the KB
categories (article titles and example questions), resolved tickets and agents' corrections.
Corrections weigh most, so an agent who fixes a category changes the next retrain's answer.

The model file is a joblib pickle: load only files this module wrote.
"""

import json
import logging
import os
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from sklearn.linear_model import LogisticRegression

from kb_index.embedding import encode, model_id

logger = logging.getLogger(__name__)

DEFAULT_CATEGORY = "general"
SOURCES = ("kb", "ticket", "correction")
# How much one example counts, by where it came from: a person's correction beats a resolved
# ticket, which beats the KB's own wording.
SOURCE_WEIGHTS = {"kb": 1.0, "ticket": 2.0, "correction": 6.0}
# Inverse regularisation; unit-length embeddings need a weak penalty to separate close topics.
REGULARISATION_C = 10.0
MAX_ALTERNATIVES = 2
FORMAT_VERSION = 1


@dataclass(frozen=True)
class TrainingExample:
    """One labelled text: `source` is "kb", "ticket" or "correction"."""

    text: str
    category: str
    source: str


@dataclass(frozen=True)
class Prediction:
    """The most likely category, its probability, and the runners-up."""

    category: str
    confidence: float
    alternatives: list[tuple[str, float]] = field(default_factory=list)


def _embed(texts: list[str]) -> np.ndarray:
    return encode(texts)


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def _effective_examples(examples: Iterable[TrainingExample]) -> list[TrainingExample]:
    """Drop blank texts; where an agent corrected a text, the latest correction replaces its other labels."""
    kept: list[TrainingExample] = []
    corrected: dict[str, TrainingExample] = {}
    for example in examples:
        if example.source not in SOURCES:
            raise ValueError(f"unknown example source {example.source!r}; expected one of {SOURCES}")
        if not example.text.strip() or not example.category.strip():
            continue
        if example.source == "correction":
            corrected[_key(example.text)] = example
        else:
            kept.append(example)
    kept = [example for example in kept if _key(example.text) not in corrected]
    return kept + list(corrected.values())


class CategoryClassifier:
    """A trained model plus what it was trained on."""

    def __init__(self, model: LogisticRegression, metadata: dict[str, Any]) -> None:
        self._model = model
        self.metadata = metadata

    @property
    def categories(self) -> list[str]:
        """The categories the model can answer, sorted."""
        return [str(name) for name in self._model.classes_]

    def predict(self, text: str) -> Prediction:
        """The category for one customer text."""
        return self.predict_many([text])[0]

    def predict_many(self, texts: list[str]) -> list[Prediction]:
        """Categories for several texts, embedded in one batch."""
        if not texts:
            return []
        probabilities = self._model.predict_proba(_embed(texts))
        classes = self.categories
        predictions = []
        for row in probabilities:
            ranked = sorted(zip(classes, (float(p) for p in row), strict=True), key=lambda pair: -pair[1])
            best, confidence = ranked[0]
            alternatives = [(name, round(p, 4)) for name, p in ranked[1 : 1 + MAX_ALTERNATIVES]]
            predictions.append(Prediction(best, round(confidence, 4), alternatives))
        return predictions

    def save(self, path: Path) -> None:
        """Write the model to `path` and its metadata to `path` with a `.json` suffix, atomically."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
        joblib.dump({"format": FORMAT_VERSION, "model": self._model, "metadata": self.metadata}, tmp)
        os.replace(tmp, path)
        meta_path = path.with_suffix(".json")
        tmp = meta_path.with_name(f".{meta_path.name}.{uuid.uuid4().hex[:8]}.tmp")
        tmp.write_text(json.dumps(self.metadata, indent=1, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, meta_path)
        logger.info("saved category classifier to %s", path)


def train_classifier(examples: list[TrainingExample]) -> CategoryClassifier:
    """Fit the classifier; raises ValueError unless the examples cover at least two categories."""
    usable = _effective_examples(examples)
    categories = Counter(example.category for example in usable)
    if len(categories) < 2:
        raise ValueError(
            f"the classifier needs examples of at least 2 categories, got {len(categories)} "
            f"({', '.join(sorted(categories)) or 'none'})"
        )
    vectors = _embed([example.text for example in usable])
    labels = np.array([example.category for example in usable])
    weights = np.array([SOURCE_WEIGHTS[example.source] for example in usable])
    model = LogisticRegression(C=REGULARISATION_C, class_weight="balanced", max_iter=2000)
    model.fit(vectors, labels, sample_weight=weights)
    metadata = {
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "model_id": model_id(),
        "examples": len(usable),
        "categories": dict(sorted(categories.items())),
        "sources": dict(sorted(Counter(example.source for example in usable).items())),
    }
    logger.info("trained category classifier on %d examples in %d categories", len(usable), len(categories))
    return CategoryClassifier(model, metadata)


def load_classifier(path: Path) -> CategoryClassifier | None:
    """The classifier saved at `path`, or None if absent, unreadable or made for another embedding model."""
    path = Path(path)
    if not path.exists():
        return None
    try:
        data = joblib.load(path)
        model, metadata = data["model"], data["metadata"]
    except Exception:  # a bad file means "no classifier", not a crash
        logger.warning("cannot read category classifier at %s; ignoring it", path, exc_info=True)
        return None
    if metadata.get("model_id") != model_id():
        logger.warning("category classifier at %s was trained on %s, not %s; retrain it",
                       path, metadata.get("model_id"), model_id())
        return None
    return CategoryClassifier(model, metadata)


def examples_from_kb(articles: Iterable[tuple[str, str]]) -> list[TrainingExample]:
    """Training examples from (text, category) pairs: article titles and example questions."""
    return [
        TrainingExample(text=text.strip(), category=category, source="kb")
        for text, category in articles
        if text and text.strip() and category
    ]


def combine(
    rule_category: str | None, prediction: Prediction | None, min_confidence: float = 0.5
) -> tuple[str, float, str]:
    """(category, confidence, method): a rule match wins, else a confident model, else "general".

    A rule category of None or "general" counts as no match, since that is what
    `classification.classify` returns when no keyword matched.
    """
    if rule_category and rule_category != DEFAULT_CATEGORY:
        return rule_category, 1.0, "rules"
    if prediction is not None and prediction.confidence >= min_confidence:
        return prediction.category, prediction.confidence, "model"
    return DEFAULT_CATEGORY, 0.0, "default"
