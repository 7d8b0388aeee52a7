"""Turning retrieval features into probabilities, and probabilities into decisions.

Three small logistic models read the features of `features.py`:

- scope: P(some article answers the question), from how well the top article covers it and
  how much it sounds like an escalation request;
- pick: P(the top article is the one | some article is), from its lead over the others;
- offer: P(the right one is among the two or three offered | some article is).

P(answer right) = scope x pick decides `answer`, and scope x offer decides `clarify`. Each
weight is held to its feature's known direction (a monotone model), so a closer match never
lowers the confidence and a few odd labelled questions cannot flip a feature's meaning.
Thresholds are not hand-set: `fitting.py` picks them on labelled questions for a target
precision. Without a calibration the built-in default below is used; it answers only clear
matches, never clarifies, and says so in `is_default`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import minimize

from kb_index.features import FEATURES, model_signs

logger = logging.getLogger(__name__)

DEFAULT_TARGET_PRECISION = 0.90
DEFAULT_CLARIFY_BAND = 0.08  # offered articles score within this of the top one
DEFAULT_C = 1.0  # inverse L2 strength on standardised features
NEVER = 1.000001  # a threshold no probability reaches


MODELS = ("scope_model", "pick_model", "offer_model")


class CalibrationError(ValueError):
    """The labelled questions cannot support a calibration (too few, one class only)."""


def _bounds(signs: Sequence[int]) -> list[tuple[float | None, float | None]]:
    """+1: weight >= 0, -1: weight <= 0, 0: feature not used."""
    table: dict[int, tuple[float | None, float | None]] = {
        1: (0.0, None), -1: (None, 0.0), 0: (0.0, 0.0)}
    return [table[s] for s in signs]


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
    def fit(cls, x: np.ndarray, y: np.ndarray, *, signs: Sequence[int],
            c: float = DEFAULT_C) -> LogisticModel:
        """Standardise, then minimise L2-penalised log loss with each weight's sign fixed."""
        if len(set(y.tolist())) < 2:
            raise CalibrationError("labels have a single class; need right and wrong examples")
        mean = x.mean(axis=0)
        scale = x.std(axis=0)
        scale = np.where(scale > 1e-9, scale, 1.0)
        z = (x - mean) / scale
        target = y.astype(np.float64)
        n = z.shape[1]

        def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
            logits = z @ w[:n] + w[n]
            p = 1.0 / (1.0 + np.exp(-np.clip(logits, -40, 40)))
            value = float(np.sum(np.logaddexp(0.0, logits) - target * logits))
            value += 0.5 / c * float(w[:n] @ w[:n])
            residual = p - target
            return value, np.append(z.T @ residual + w[:n] / c, residual.sum())

        result = minimize(loss, np.zeros(n + 1), jac=True, method="L-BFGS-B",
                          bounds=[*_bounds(signs), (None, None)])
        w = result.x
        return cls(tuple(float(v) for v in mean), tuple(float(v) for v in scale),
                   tuple(float(v) for v in w[:n]), float(w[n]))

    @classmethod
    def constant(cls, probability: float) -> LogisticModel:
        """A model that gives every question the same probability."""
        p = min(max(probability, 1e-6), 1 - 1e-6)
        n = len(FEATURES)
        return cls((0.0,) * n, (1.0,) * n, (0.0,) * n, float(np.log(p / (1 - p))))

    @classmethod
    def fit_or_constant(cls, x: np.ndarray, y: np.ndarray, *, model: str) -> LogisticModel:
        """`fit` with the signs of `model`; the base rate when y has a single class."""
        if len(y) == 0:
            return cls.constant(0.0)
        if len(set(y.tolist())) < 2:
            return cls.constant(float(np.mean(y)))
        return cls.fit(x, y, signs=model_signs(model))


def _hand_set(weights: dict[str, float], intercept: float) -> LogisticModel:
    n = len(FEATURES)
    return LogisticModel(
        (0.0,) * n, (1.0,) * n, tuple(weights.get(f, 0.0) for f in FEATURES), intercept
    )


@dataclass(frozen=True)
class Calibration:
    """What `calibrate` stores with the index: models, thresholds and how well they did."""

    scope_model: LogisticModel
    pick_model: LogisticModel
    offer_model: LogisticModel
    answer_threshold: float
    clarify_threshold: float
    clarify_band: float = DEFAULT_CLARIFY_BAND
    target_precision: float = DEFAULT_TARGET_PRECISION
    is_default: bool = False
    report: dict[str, Any] = field(default_factory=dict)
    features: tuple[str, ...] = FEATURES

    def answer_probabilities(self, features: np.ndarray) -> np.ndarray:
        """P(top article is right) for a matrix of feature vectors."""
        scope = self.scope_model.probability(features)
        return np.asarray(scope * self.pick_model.probability(features))

    def clarify_probabilities(self, features: np.ndarray) -> np.ndarray:
        """P(right article is among those offered) for a matrix of feature vectors."""
        scope = self.scope_model.probability(features)
        return np.asarray(scope * self.offer_model.probability(features))

    def answer_probability(self, features: np.ndarray) -> float:
        """Calibrated probability that the top article is the right one."""
        return float(self.answer_probabilities(features)[0])

    def clarify_probability(self, features: np.ndarray) -> float:
        """Calibrated probability that the right article is among those offered."""
        return float(self.clarify_probabilities(features)[0])

    def to_json(self) -> dict[str, Any]:
        """calibration.json form."""
        data = asdict(self)
        data["features"] = list(self.features)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Calibration:
        """Inverse of `to_json`; a file made for other features is refused."""
        if tuple(data.get("features", ())) != FEATURES:
            raise CalibrationError("calibration was made for other features; run calibrate")
        scope, pick, offer = (
            LogisticModel(**{f: (tuple(v) if isinstance(v, list) else v) for f, v in data[k].items()})
            for k in MODELS
        )
        rest: dict[str, Any] = {k: v for k, v in data.items() if k not in (*MODELS, "features")}
        return cls(scope, pick, offer, **rest)


def default_calibration() -> Calibration:
    """Until a lead calibrates: answer only a close match (fused score above about 0.8) that
    uses the question's words, leads the other articles and does not read like an escalation
    request; never clarify."""
    scope = _hand_set(
        {"top_score": 20.0, "word_coverage": 6.0, "escalation_margin": -10.0},
        intercept=-20.0 * 0.8 - 6.0,
    )
    pick = _hand_set({"margin": 40.0, "lexical_agrees": 1.0}, intercept=-1.0)
    return Calibration(
        scope_model=scope,
        pick_model=pick,
        offer_model=LogisticModel.constant(0.0),
        answer_threshold=0.5,
        clarify_threshold=NEVER,
        is_default=True,
        report={"note": "built-in default; run `python -m kb_index calibrate` for real figures"},
    )


def load_calibration(data: dict[str, Any] | None) -> Calibration:
    """The stored calibration, or the default when there is none or it no longer fits."""
    if data is None:
        return default_calibration()
    try:
        return Calibration.from_json(data)
    except (CalibrationError, KeyError, TypeError) as exc:
        logger.warning("ignoring stored calibration (%s); using the default", exc)
        return default_calibration()
