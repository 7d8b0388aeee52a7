"""Fitting a calibration on labelled questions, with an honest held-out report.

The shipped models are fitted on all questions; their thresholds come from out-of-fold
probabilities, so they are set on predictions the model did not train on. The reported
precision and coverage come from nested cross-validation: each outer fold is decided by a
calibration (models and thresholds) fitted without it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

import numpy as np
from sklearn.model_selection import KFold, StratifiedKFold

from kb_index.calibration import (
    DEFAULT_CLARIFY_BAND,
    DEFAULT_TARGET_PRECISION,
    Calibration,
    CalibrationError,
    LogisticModel,
)
from kb_index.labelled import Observation
from kb_index.references import REFERENCE_FEATURES, ReferenceBank
from kb_index.metrics import decide, decision_metrics

logger = logging.getLogger(__name__)

MIN_ANSWERED = 5
NEVER = 1.000001  # a threshold no probability reaches


def _folds(obs: Sequence[Observation], k: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified by (in scope, right) where every group can fill the folds, else coarser."""
    index = np.zeros(len(obs))
    for strata in (
        np.array([2 * o.in_scope + o.top_correct for o in obs]),
        np.array([o.top_correct for o in obs]),
    ):
        counts = np.bincount(strata)
        if counts[counts > 0].min() >= k:
            splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
            return list(splitter.split(index, strata))
    return list(KFold(n_splits=min(k, len(obs)), shuffle=True, random_state=seed).split(index))


def reference_bank(obs: Sequence[Observation]) -> ReferenceBank:
    """The labelled questions of `obs` as references (empty if they carry no vectors)."""
    if not obs or any(o.vector is None for o in obs):
        return ReferenceBank.empty()
    return ReferenceBank(
        tuple(o.question.question for o in obs),
        tuple(o.question.expected for o in obs),
        np.array([o.vector for o in obs], dtype=np.float32),
    )


def full_features(obs: Sequence[Observation], bank: ReferenceBank, *, own: bool) -> np.ndarray:
    """Retrieval plus reference features; `own`: the questions are in the bank (leave-one-out)."""
    rows = []
    for i, o in enumerate(obs):
        if o.vector is None:
            refs = np.zeros(len(REFERENCE_FEATURES))
        else:
            refs = bank.features(o.vector, o.top, exclude=i if own else None,
                                 exclude_text=o.question.question)
        rows.append(np.concatenate([o.features, refs]))
    return np.array(rows)


def _fit_models(obs: Sequence[Observation]) -> tuple[LogisticModel, LogisticModel, ReferenceBank]:
    bank = reference_bank(obs)
    x = full_features(obs, bank, own=True)
    answer = LogisticModel.fit(x, np.array([o.top_correct for o in obs], dtype=int))
    offer = np.array([o.has_offer for o in obs])
    y_offer = np.array([o.in_offered for o in obs], dtype=int)[offer]
    if offer.sum() >= 10 and 0 < y_offer.sum() < offer.sum():
        clarify = LogisticModel.fit(x[offer], y_offer)
    else:  # too few close calls to learn from: never clarify
        clarify = LogisticModel(answer.mean, answer.scale, (0.0,) * len(answer.coef), -50.0)
    return answer, clarify, bank


def _predict(models: tuple[LogisticModel, LogisticModel, ReferenceBank],
             obs: Sequence[Observation]) -> tuple[np.ndarray, np.ndarray]:
    answer, clarify, bank = models
    x = full_features(obs, bank, own=False)
    return answer.probability(x), clarify.probability(x)


def _thresholds(
    obs: Sequence[Observation], pa: np.ndarray, pc: np.ndarray, target: float, oos_target: float
) -> tuple[float, float]:
    """Highest coverage with precision >= target and out-of-scope recall >= oos_target.

    Every distinct probability is tried as a threshold at once (a threshold-by-question
    matrix), then the clarify threshold the same way among questions not answered.
    """
    correct = np.array([o.top_correct for o in obs])
    in_scope = np.array([o.in_scope for o in obs])
    eligible = ~np.array([o.top_always_human for o in obs])
    offer = np.array([o.has_offer for o in obs]) & eligible
    hit = np.array([o.in_offered for o in obs])
    n_in, n_oos = max(in_scope.sum(), 1), (~in_scope).sum()
    allowed_oos = np.floor((1 - oos_target) * n_oos + 1e-9)

    ts = np.unique(pa)[::-1]
    answered = (pa[None, :] >= ts[:, None]) & eligible
    count = answered.sum(1)
    precision = (answered & correct).sum(1) / np.maximum(count, 1)
    coverage = (answered & in_scope).sum(1) / n_in
    oos_answered = (answered & ~in_scope).sum(1)
    ok = (count >= MIN_ANSWERED) & (precision >= target) & (oos_answered <= allowed_oos)
    if not ok.any():
        return NEVER, NEVER
    best = np.flatnonzero(ok)[np.argmax(coverage[ok])]
    t_answer = float(ts[best])

    left = offer & ~answered[best]
    tc = np.unique(pc[left])[::-1] if left.any() else np.array([])
    if not len(tc):
        return t_answer, NEVER
    clarified = (pc[None, :] >= tc[:, None]) & left
    hits = (clarified & hit).sum(1)
    rate = hits / np.maximum(clarified.sum(1), 1)
    oos_lost = oos_answered[best] + (clarified & ~in_scope).sum(1)
    ok_c = (rate >= target) & (oos_lost <= allowed_oos)
    if not ok_c.any():
        return t_answer, NEVER
    return t_answer, float(tc[np.flatnonzero(ok_c)[np.argmax(hits[ok_c])]])


def _out_of_fold(obs: Sequence[Observation], folds: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    pa, pc = np.zeros(len(obs)), np.zeros(len(obs))
    for train, test in _folds(obs, folds, seed):
        models = _fit_models([obs[i] for i in train])
        pa[test], pc[test] = _predict(models, [obs[i] for i in test])
    return pa, pc


def _calibrate(
    obs: Sequence[Observation], target: float, oos_target: float, folds: int, seed: int
) -> tuple[tuple[LogisticModel, LogisticModel, ReferenceBank], float, float]:
    pa, pc = _out_of_fold(obs, folds, seed)
    t_answer, t_clarify = _thresholds(obs, pa, pc, target, oos_target)
    return _fit_models(obs), t_answer, t_clarify


def cross_validate(obs: Sequence[Observation], *, target: float, oos_target: float,
                   folds: int = 5, seed: int = 0) -> tuple[list[str], dict[str, Any]]:
    """Decisions for every question from calibrations that never saw it, and their metrics."""
    decisions = [""] * len(obs)
    for train, test in _folds(obs, folds, seed):
        models, t_a, t_c = _calibrate([obs[i] for i in train], target, oos_target, folds, seed)
        held = [obs[i] for i in test]
        pa, pc = _predict(models, held)
        for i, a, c in zip(test, pa, pc, strict=True):
            decisions[i] = decide(obs[i], float(a), float(c), t_a, t_c)
    return decisions, decision_metrics(obs, decisions)


def fit_calibration(
    obs: Sequence[Observation],
    *,
    target_precision: float = DEFAULT_TARGET_PRECISION,
    oos_recall: float = DEFAULT_TARGET_PRECISION,
    folds: int = 5,
    seed: int = 0,
    band: float = DEFAULT_CLARIFY_BAND,
) -> Calibration:
    """A calibration for `obs` with its held-out report; raises CalibrationError if impossible."""
    if sum(o.top_correct for o in obs) < 2 * folds or len(obs) < 4 * folds:
        raise CalibrationError(
            f"need at least {4 * folds} labelled questions with {2 * folds} the index gets "
            f"right; got {len(obs)} with {sum(o.top_correct for o in obs)}"
        )
    (answer, clarify, bank), t_a, t_c = _calibrate(obs, target_precision, oos_recall, folds, seed)
    _, held_out = cross_validate(obs, target=target_precision, oos_target=oos_recall,
                                 folds=folds, seed=seed)
    report = {
        "fitted_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "questions": len(obs),
        "in_scope": sum(o.in_scope for o in obs),
        "target_precision": target_precision,
        "target_oos_recall": oos_recall,
        "folds": folds,
        "held_out": held_out,
    }
    if t_a >= NEVER:
        logger.warning("no threshold reaches precision %.2f: the bot will never answer", target_precision)
    return Calibration(answer, clarify, t_a, t_c, band, target_precision, False, report,
                       references=bank)
