"""Fitting a calibration on labelled questions, with an honest held-out report.

The labelled questions are used only here, to fit the three monotone models and to place
their thresholds; nothing of them is stored or consulted when a question is answered. The
shipped models are fitted on all questions; their thresholds come from out-of-fold
probabilities, so they are set on predictions the model did not train on. The reported
figures come from nested cross-validation: each outer fold is decided by a calibration
(models and thresholds) fitted without it.
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
    NEVER,
    Calibration,
    CalibrationError,
    LogisticModel,
)
from kb_index.labelled import Observation
from kb_index.metrics import decide, decision_metrics

logger = logging.getLogger(__name__)

MIN_ANSWERED = 5
PESSIMISM = 1.0  # see `_thresholds`
CLARIFY_WORTH = 0.5  # a clarify that offers the right article, against an answer

Models = tuple[LogisticModel, LogisticModel, LogisticModel]  # scope, pick, offer


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


def _fit_models(obs: Sequence[Observation]) -> Models:
    """scope on all questions; pick and offer on the in-scope ones (offer: those with an offer)."""
    x = np.array([o.features for o in obs])
    in_scope = np.array([o.in_scope for o in obs])
    scope = LogisticModel.fit_or_constant(x, in_scope.astype(int), model="scope")
    pick = LogisticModel.fit_or_constant(
        x[in_scope], np.array([o.top_correct for o in obs], dtype=int)[in_scope], model="pick")
    offered = in_scope & np.array([o.has_offer for o in obs])
    offer = LogisticModel.fit_or_constant(
        x[offered], np.array([o.in_offered for o in obs], dtype=int)[offered], model="offer")
    return scope, pick, offer


def _predict(models: Models, obs: Sequence[Observation]) -> tuple[np.ndarray, np.ndarray]:
    x = np.array([o.features for o in obs])
    calibration = Calibration(*models, NEVER, NEVER)
    return calibration.answer_probabilities(x), calibration.clarify_probabilities(x)


def _candidates(p: np.ndarray, most: int) -> np.ndarray:
    """Distinct probabilities, highest first (at most `most`, spread by rank), then NEVER."""
    values = np.unique(p)[::-1]
    if len(values) > most:
        values = values[np.unique(np.linspace(0, len(values) - 1, most).round().astype(int))]
    return np.append(values, NEVER)


def _thresholds(
    obs: Sequence[Observation], pa: np.ndarray, pc: np.ndarray, target: float, oos_target: float
) -> tuple[float, float]:
    """The answer and clarify thresholds that resolve the most questions within the targets.

    Answered in-scope questions count 1 and clarified ones whose right article is offered
    count `CLARIFY_WORTH`, subject to: answer precision >= target, right article among the
    offered ones for >= target of the clarified questions, and out-of-scope questions that
    are answered or clarified <= 1 - oos_target of them. All pairs of candidate thresholds are
    tried at once (threshold-by-question matrices). Picking the best of many thresholds
    flatters the one picked, so each must still meet its targets with `PESSIMISM` more wrong
    answers (wrong offers, out-of-scope questions let through) than it had.
    """
    correct = np.array([o.top_correct for o in obs])
    in_scope = np.array([o.in_scope for o in obs])
    eligible = ~np.array([o.top_always_human for o in obs])
    offer = np.array([o.has_offer for o in obs]) & eligible
    hit = np.array([o.in_offered for o in obs])
    n_oos = (~in_scope).sum()
    allowed_oos = (1 - oos_target) * n_oos + 1e-9 - PESSIMISM

    ta, tc = _candidates(pa, 300), _candidates(pc[offer], 100)
    answered = (pa[None, :] >= ta[:, None]) & eligible  # (answer thresholds, questions)
    count = answered.sum(1)
    right = (answered & correct).sum(1)
    covered = (answered & in_scope).sum(1)
    ok_a = (count >= MIN_ANSWERED) & (right >= target * (count + PESSIMISM))
    if not ok_a.any():
        return NEVER, NEVER
    # clarify: a question not answered, with an offer, above the clarify threshold
    wants = offer[None, :] & (pc[None, :] >= tc[:, None])  # (clarify thresholds, questions)
    left = ~answered[ok_a]  # (usable answer thresholds, questions)
    clarified = left[:, None, :] & wants[None, :, :]
    n_clar = clarified.sum(2)
    hits = (clarified & hit).sum(2)
    oos = (answered[ok_a] & ~in_scope).sum(1)[:, None] + (clarified & ~in_scope).sum(2)
    ok = (oos <= allowed_oos) & ((n_clar == 0) | (hits >= target * (n_clar + PESSIMISM)))
    if not ok.any():
        return NEVER, NEVER
    value = np.where(ok, covered[ok_a][:, None] + CLARIFY_WORTH * hits, -1.0)
    i, j = np.unravel_index(np.argmax(value), value.shape)
    return float(ta[ok_a][i]), float(tc[j]) if n_clar[i, j] else NEVER


def _out_of_fold(obs: Sequence[Observation], folds: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    pa, pc = np.zeros(len(obs)), np.zeros(len(obs))
    for train, test in _folds(obs, folds, seed):
        models = _fit_models([obs[i] for i in train])
        pa[test], pc[test] = _predict(models, [obs[i] for i in test])
    return pa, pc


def _calibrate(
    obs: Sequence[Observation], target: float, oos_target: float, folds: int, seed: int
) -> tuple[Models, float, float]:
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
    models, t_a, t_c = _calibrate(obs, target_precision, oos_recall, folds, seed)
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
    return Calibration(*models, t_a, t_c, band, target_precision, False, report)
