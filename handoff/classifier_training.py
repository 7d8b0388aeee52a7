"""Training the category classifier from what the help desk already knows.

Examples come from three places: the knowledge base (article titles and example questions with
their categories), resolved tickets (their customer text and final category) and agents'
corrections, which weigh the most. Retraining runs at start-up (`python -m bot prepare`) and
on demand (`python -m handoff retrain-classifier`).
"""

import logging
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from handoff.classifier import (
    CategoryClassifier,
    Prediction,
    TrainingExample,
    examples_from_kb,
    load_classifier,
    train_classifier,
)
from handoff.models import Ticket, TicketEvent
from handoff.settings import get_settings

logger = logging.getLogger(__name__)


def classifier_path() -> Path:
    """Where the trained classifier lives (under the var folder)."""
    return get_settings().var_dir / "classifier" / "category.joblib"


def ticket_examples(session: Session) -> list[TrainingExample]:
    """Resolved and closed tickets with their final category; corrections marked as such."""
    corrected = set(session.scalars(select(TicketEvent.ticket_id).where(TicketEvent.kind == "category_corrected")))
    examples = []
    for ticket in session.scalars(select(Ticket).where(Ticket.status.in_(("resolved", "closed")))):
        if ticket.subject.strip() and ticket.category != "general":
            source = "correction" if ticket.id in corrected else "ticket"
            examples.append(TrainingExample(text=ticket.subject, category=ticket.category, source=source))
    return examples


def retrain(session: Session, kb_pairs: Iterable[tuple[str, str]], path: Path | None = None) -> CategoryClassifier:
    """Train on the knowledge base and the ticket history, save it, and return it."""
    examples = [*examples_from_kb(kb_pairs), *ticket_examples(session)]
    classifier = train_classifier(examples)
    target = path or classifier_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    classifier.save(target)
    _cached.cache_clear()
    logger.info("category classifier trained on %d examples", len(examples))
    return classifier


@lru_cache(maxsize=1)
def _cached(path: Path, mtime: float) -> CategoryClassifier | None:
    return load_classifier(path)


def predict_category(text: str) -> Prediction | None:
    """The trained classifier's guess for `text`, or None when no classifier has been trained."""
    path = classifier_path()
    if not path.exists() or not text.strip():
        return None
    classifier = _cached(path, path.stat().st_mtime)
    return classifier.predict(text) if classifier else None
