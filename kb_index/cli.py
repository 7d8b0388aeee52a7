"""`python -m kb_index ingest|calibrate|ask|eval`: the commands a support lead scripts.

This is the only module that prints: results go to stdout (JSON with --json), progress and
log messages to stderr.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

from kb_index.calibration import DEFAULT_TARGET_PRECISION, CalibrationError
from kb_index.store import default_index_dir

logger = logging.getLogger(__name__)


def _emit(data: dict[str, Any]) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def cmd_ingest(args: argparse.Namespace) -> int:
    """Build a new index version from the sources."""
    from kb_index.ingest import IngestError, ingest

    try:
        report = ingest(args.sources, args.index, progress=not args.json)
    except IngestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        _emit(report.to_dict())
    else:
        print(report.summary())
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Fit the confidence model on labelled questions and store it with the index."""
    from kb_index.calibrate import calibrate

    try:
        calibration = calibrate(args.index, args.labelled, target_precision=args.target_precision,
                                folds=args.folds)
    except CalibrationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    report = calibration.report
    if args.json:
        _emit({"answer_threshold": calibration.answer_threshold,
               "clarify_threshold": calibration.clarify_threshold, **report})
        return 0
    held = report["held_out"]
    print(f"calibrated on {report['questions']} questions ({report['in_scope']} in scope), "
          f"target precision {report['target_precision']:.2f}")
    print(f"answer threshold {calibration.answer_threshold:.3f}, "
          f"clarify threshold {calibration.clarify_threshold:.3f}")
    print(f"held-out ({report['folds']}-fold): precision {held['precision']:.3f}, "
          f"coverage {held['coverage']:.3f}, out-of-scope to human {held['oos_human_recall']:.3f}, "
          f"clarified {held['clarified']} (right article offered {held['clarify_hit']:.2f})")
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    """Answer one question as the bot would."""
    from kb_index.knowledge_base import KnowledgeBaseNotFound, load_knowledge_base

    try:
        answer = load_knowledge_base(args.index).answer(args.question)
    except KnowledgeBaseNotFound as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        _emit(answer.to_dict())
        return 0
    print(f"{answer.decision} (confidence {answer.confidence:.2f}): {answer.reason}")
    if answer.decision == "answer":
        print(f"{answer.title} <{answer.url}>\n\n{answer.passage}\n")
    for c in answer.candidates:
        print(f"  {c.score:.3f}  {c.article_id}  {c.title}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """Score the calibrated system and its dense-only and BM25-only baselines."""
    from kb_index.evaluation import evaluate, format_evaluation

    result = evaluate(args.index, args.labelled)
    if args.json:
        _emit(result)
    else:
        print(format_evaluation(result))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (separate so tests and docs can inspect it)."""
    parser = argparse.ArgumentParser(prog="python -m kb_index", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="command", required=True)

    def index_arg(p: argparse.ArgumentParser) -> None:
        p.add_argument("--index", type=Path, default=None,
                       help="index folder (default: $DESKMATE_KB_INDEX_DIR or var/kb_index)")

    p = sub.add_parser("ingest", help="read sources and publish a new index version")
    p.add_argument("sources", nargs="+", type=Path, help="Markdown/HTML folders, FAQ CSV/JSONL")
    index_arg(p)
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--fast", action="store_true",
                   help="no effect, kept for old scripts: the default ingest is the fast one")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("calibrate", help="fit the confidence on labelled questions")
    index_arg(p)
    p.add_argument("--labelled", type=Path, required=True,
                   help="CSV with question,expected_article_id")
    p.add_argument("--target-precision", type=float, default=DEFAULT_TARGET_PRECISION)
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_calibrate)

    p = sub.add_parser("ask", help="answer one question")
    p.add_argument("question")
    index_arg(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("eval", help="measure the system and its baselines on labelled questions")
    index_arg(p)
    p.add_argument("--labelled", type=Path, required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_eval)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m kb_index`."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    if args.index is None:
        args.index = default_index_dir()
    return int(args.func(args))
