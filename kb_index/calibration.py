"""Turning retrieval features into probabilities, and probabilities into decisions.

Two logistic models share the features: P(top article is right) decides `answer`, and
P(the right article is among the two or three offered) decides `clarify`. Their thresholds
are not hand-set: `thresholds.py` picks them on labelled questions for a target precision.
Without a calibration the built-in default below is used; it answers only on very close
matches and says so in `is_default`.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from kb_index.features import FEATURES
from kb_index.references import ReferenceBank

logger = logging.getLogger(__name__)

DEFAULT_TARGET_PRECISION = 0.90
DEFAULT_CLARIFY_BAND = 0.05  # offered articles score within this of the top one


class CalibrationError(ValueError):
    """The labelled questions cannot support a calibration (too few, one class only)."""


@dataclass(frozen=True)
class LogisticModel:
    """A fitted (or hand-set) logistic regression over standardised features."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def probability(self, features: np.ndarray) -> np.ndarray:
        """P(label = 1) for one feature vector or a matrix of them."""
        x = (np.atleast_2d(features) - np.array(self.mean)) / np.array(self.scale)
        z = np.clip(x @ np.array(self.coef) + self.intercept, -40, 40)
        return np.asarray(1.0 / (1.0 + np.exp(-z)))

    @classmethod
    def fit(cls, x: np.ndarray, y: np.ndarray, *, c: float = 1.0) -> LogisticModel:
        """Standardise then fit; refuses a label with a single class."""
        if len(set(y.tolist())) < 2:
            raise CalibrationError("labels have a single class; need right and wrong examples")
        scaler = StandardScaler().fit(x)
        scale = np.where(scaler.scale_ > 1e-9, scaler.scale_, 1.0)
        model = LogisticRegression(C=c, max_iter=1000).fit((x - scaler.mean_) / scale, y)
        return cls(
            tuple(float(v) for v in scaler.mean_),
            tuple(float(v) for v in scale),
            tuple(float(v) for v in model.coef_[0]),
            float(model.intercept_[0]),
        )


def _hand_set(weights: dict[str, float], intercept: float) -> LogisticModel:
    n = len(FEATURES)
    return LogisticModel(
        (0.0,) * n, (1.0,) * n, tuple(weights.get(f, 0.0) for f in FEATURES), intercept
    )


@dataclass(frozen=True)
class Calibration:
    """What `calibrate` stores with the index: models, thresholds and how well they did."""

    answer_model: LogisticModel
    clarify_model: LogisticModel
    answer_threshold: float
    clarify_threshold: float
    clarify_band: float = DEFAULT_CLARIFY_BAND
    target_precision: float = DEFAULT_TARGET_PRECISION
    is_default: bool = False
    report: dict[str, Any] = field(default_factory=dict)
    features: tuple[str, ...] = FEATURES
    references: ReferenceBank = field(default_factory=ReferenceBank.empty, repr=False)

    def full_features(self, retrieval_features: np.ndarray, vector: np.ndarray,
                      top_article: str | None, *, exclude_text: str | None = None) -> np.ndarray:
        """Retrieval features plus those from the labelled reference questions."""
        refs = self.references.features(vector, top_article, exclude_text=exclude_text)
        return np.concatenate([retrieval_features, refs])

    def answer_probability(self, features: np.ndarray) -> float:
        """Calibrated probability that the top article is the right one."""
        return float(self.answer_model.probability(features)[0])

    def clarify_probability(self, features: np.ndarray) -> float:
        """Calibrated probability that the right article is among those offered."""
        return float(self.clarify_model.probability(features)[0])

    def to_json(self) -> dict[str, Any]:
        """calibration.json form (reference vectors are saved apart, see `save`)."""
        data = asdict(self)
        data["features"] = list(self.features)
        data["references"] = self.references.to_json()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any], folder: Any = None) -> Calibration:
        """Inverse of `to_json`; a file made for other features is refused."""
        if tuple(data.get("features", ())) != FEATURES:
            raise CalibrationError("calibration was made for other features; run calibrate")
        models = {k: LogisticModel(**{f: (tuple(v) if isinstance(v, list) else v)
                                      for f, v in data[k].items()})
                  for k in ("answer_model", "clarify_model")}
        rest = {k: v for k, v in data.items()
                if k not in models and k not in ("features", "references")}
        return cls(**models, **rest, references=ReferenceBank.load(data.get("references"), folder))


def default_calibration() -> Calibration:
    """Conservative until a lead calibrates: answer only a near-verbatim, unambiguous match."""
    answer = _hand_set(
        {"top_dense": 14.0, "dense_margin": 10.0, "coverage": 3.0, "lexical_agrees": 0.5,
         "human_margin": -10.0},
        intercept=-14.0 * 0.62 - 1.5,
    )
    clarify = _hand_set({"top_dense": 14.0, "coverage": 3.0}, intercept=-14.0 * 0.55 - 1.5)
    return Calibration(
        answer_model=answer,
        clarify_model=clarify,
        answer_threshold=0.9,
        clarify_threshold=0.8,
        is_default=True,
        report={"note": "built-in default; run `python -m kb_index calibrate` for real figures"},
    )


def load_calibration(data: dict[str, Any] | None, folder: Any = None) -> Calibration:
    """The stored calibration, or the default when there is none or it no longer fits."""
    if data is None:
        return default_calibration()
    try:
        return Calibration.from_json(data, folder)
    except (CalibrationError, KeyError, TypeError) as exc:
        logger.warning("ignoring stored calibration (%s); using the default", exc)
        return default_calibration()

