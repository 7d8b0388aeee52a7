"""Figures shared by `calibrate` and `eval`: ranking quality and decision quality.

Definitions (also in the README): precision = right answers / answers given (an answer to a
question no article answers is wrong); coverage = in-scope questions answered / in-scope
questions; out-of-scope recall = out-of-scope questions handed to a person / out-of-scope
questions (a clarify is not a handoff).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np

from kb_index.labelled import Observation

logger = logging.getLogger(__name__)


def decide(
    obs: Observation, p_answer: float, p_clarify: float, t_answer: float, t_clarify: float
) -> str:
    """The decision rule of `decision.judge`, on precomputed probabilities."""
    if obs.top_always_human:
        return "handoff"
    if p_answer >= t_answer:
        return "answer"
    if obs.has_offer and p_clarify >= t_clarify:
        return "clarify"
    return "handoff"


def ranking_metrics(observations: Sequence[Observation]) -> dict[str, float]:
    """top-1, top-3 accuracy and MRR over in-scope questions."""
    ranks = [o.rank() for o in observations if o.in_scope]
    if not ranks:
        return {"top1": 0.0, "top3": 0.0, "mrr": 0.0, "in_scope": 0}
    return {
        "top1": float(np.mean([r == 1 for r in ranks])),
        "top3": float(np.mean([r is not None and r <= 3 for r in ranks])),
        "mrr": float(np.mean([1.0 / r if r else 0.0 for r in ranks])),
        "in_scope": len(ranks),
    }


def decision_metrics(observations: Sequence[Observation], decisions: Sequence[str]) -> dict[str, Any]:
    """precision, coverage, out-of-scope recall and clarify figures for a set of decisions."""
    answered = [o for o, d in zip(observations, decisions, strict=True) if d == "answer"]
    clarified = [o for o, d in zip(observations, decisions, strict=True) if d == "clarify"]
    in_scope = [o for o in observations if o.in_scope]
    oos = [(o, d) for o, d in zip(observations, decisions, strict=True) if not o.in_scope]
    right = sum(o.top_correct for o in answered)
    return {
        "answered": len(answered),
        "precision": right / len(answered) if answered else 1.0,
        "coverage": sum(o.in_scope for o in answered) / len(in_scope) if in_scope else 0.0,
        "right_answers": right / len(in_scope) if in_scope else 0.0,
        "clarified": len(clarified),
        "clarify_hit": (
            sum(o.in_offered for o in clarified) / len(clarified) if clarified else 0.0
        ),
        "out_of_scope": len(oos),
        "oos_human_recall": sum(d == "handoff" for _, d in oos) / len(oos) if oos else 1.0,
        "oos_answered": sum(d == "answer" for _, d in oos),
    }
