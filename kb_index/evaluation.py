"""`eval`: the calibrated system against dense-only and BM25-only baselines.

Ranking figures (top-1, top-3, MRR) are over in-scope questions. Decision figures are given
twice for the system: with the shipped calibration ("shipped": optimistic if the labelled
file is the one it was calibrated on) and with 5-fold cross-validated calibration
("cross_validated", what a new question can expect). Baselines get the same cross-validated
calibration over their own rankings, so the comparison is like for like.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import numpy as np

from kb_index.calibration import CalibrationError
from kb_index.embedding import encode, encode_query
from kb_index.fitting import cross_validate
from kb_index.knowledge_base import load_knowledge_base
from kb_index.labelled import observe, read_labelled
from kb_index.metrics import decide, decision_metrics, ranking_metrics
from kb_index.retrieval import Mode

logger = logging.getLogger(__name__)

MODES: tuple[Mode, ...] = ("fused", "dense", "bm25")
NAMES = {"fused": "calibrated (dense+BM25)", "dense": "dense only", "bm25": "BM25 only"}


def _latency(samples: list[float]) -> dict[str, float]:
    ms = np.array(samples) * 1000
    return {"p50": float(np.percentile(ms, 50)), "p95": float(np.percentile(ms, 95))}


def evaluate(index_dir: Path, labelled: Path, *, folds: int = 5) -> dict[str, Any]:
    """All figures of `eval` as one JSON-ready dict."""
    kb = load_knowledge_base(index_dir)
    questions = read_labelled(labelled)
    snapshot, calibration = kb.snapshot, kb.calibration
    vectors = encode([q.question for q in questions])
    target = calibration.target_precision
    systems: dict[str, Any] = {}
    for mode in MODES:
        retriever = kb.retriever(mode)
        obs = observe(questions, retriever, snapshot, band=calibration.clarify_band, vectors=vectors)
        entry: dict[str, Any] = {"name": NAMES[mode], **ranking_metrics(obs)}
        try:
            _, entry["cross_validated"] = cross_validate(obs, target=target, oos_target=target,
                                                         folds=folds)
        except (CalibrationError, ValueError) as exc:
            entry["cross_validated"] = {"error": str(exc)}
        if mode == "fused":
            decisions = [
                decide(o, calibration.answer_probability(o.features),
                       calibration.clarify_probability(o.features),
                       calibration.answer_threshold, calibration.clarify_threshold)
                for o in obs
            ]
            entry["shipped"] = decision_metrics(obs, decisions)
            timings = []
            for q in questions:
                started = time.perf_counter()
                kb.answer(q.question)
                timings.append(time.perf_counter() - started)
        else:
            timings = []
            for q in questions:
                started = time.perf_counter()
                retriever.retrieve(q.question, vector=encode_query(q.question))
                timings.append(time.perf_counter() - started)
        entry["latency_ms"] = _latency(timings)
        systems[mode] = entry
    return {
        "index_version": snapshot.version,
        "articles": len(snapshot.articles),
        "questions": len(questions),
        "in_scope": sum(q.expected is not None for q in questions),
        "out_of_scope": sum(q.expected is None for q in questions),
        "calibration": {
            "is_default": calibration.is_default,
            "target_precision": target,
            "answer_threshold": calibration.answer_threshold,
            "clarify_threshold": calibration.clarify_threshold,
        },
        "systems": systems,
    }


def format_evaluation(result: dict[str, Any]) -> str:
    """A Markdown table of `evaluate`'s figures."""
    cal = result["calibration"]
    lines = [
        f"{result['questions']} labelled questions ({result['in_scope']} in scope, "
        f"{result['out_of_scope']} out of scope), {result['articles']} articles, "
        f"index {result['index_version']}; calibration "
        f"{'built-in default' if cal['is_default'] else 'fitted'}, target precision "
        f"{cal['target_precision']:.2f}",
        "",
        "| system | top-1 | top-3 | MRR | precision | coverage | OOS→human | clarified "
        "| p50 ms | p95 ms |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for mode in MODES:
        s = result["systems"][mode]
        rows = [("shipped", s["shipped"])] if "shipped" in s else []
        rows.append(("5-fold CV", s["cross_validated"]))
        for label, d in rows:
            if "error" in d:
                figures = "| n/a | n/a | n/a | n/a "
            else:
                figures = (f"| {d['precision']:.3f} | {d['coverage']:.3f} | "
                           f"{d['oos_human_recall']:.3f} | {d['clarified']} ")
            lines.append(
                f"| {s['name']}, {label} | {s['top1']:.3f} | {s['top3']:.3f} | {s['mrr']:.3f} "
                f"{figures}| {s['latency_ms']['p50']:.1f} | {s['latency_ms']['p95']:.1f} |"
            )
    return "\n".join(lines)
