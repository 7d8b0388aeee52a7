"""Knowledge-base answer quality, as a Markdown section for docs/benchmarks.md.

For each knowledge base (the sample one by default, plus any given with --extra): ingest
into a temporary folder, calibrate on the labelled questions, and evaluate the calibrated
system against dense-only and BM25-only baselines. Decision figures come from 5-fold
cross-validation of the calibration (every question decided by a calibration fitted
without it). Usage:

    python benchmarks/kb_quality.py [--kb data/kb --labelled data/kb_questions.csv]
        [--extra NAME KB_DIR LABELLED_CSV]... [--out FILE]
"""

from __future__ import annotations

import argparse
import logging
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb_index.calibrate import calibrate  # noqa: E402
from kb_index.evaluation import MODES, evaluate  # noqa: E402
from kb_index.ingest import ingest  # noqa: E402

logger = logging.getLogger(__name__)

TARGET = 0.90


def measure(name: str, kb_dir: Path, labelled: Path, folds: int) -> dict[str, Any]:
    """Ingest, calibrate and evaluate one knowledge base in a scratch index folder."""
    with tempfile.TemporaryDirectory(prefix="kb-quality-") as scratch:
        index = Path(scratch)
        started = time.perf_counter()
        report = ingest([kb_dir], index)
        ingest_s = time.perf_counter() - started
        calibration = calibrate(index, labelled, target_precision=TARGET, folds=folds)
        result = evaluate(index, labelled, folds=folds)
    result.update(name=name, ingest_seconds=ingest_s, skipped=len(report.skipped),
                  answer_threshold=calibration.answer_threshold)
    return result


def section(results: list[dict[str, Any]], folds: int) -> str:
    """The Markdown written to docs/benchmarks.md."""
    lines = [
        "## Knowledge base answer quality (`benchmarks/kb_quality.py`)",
        "",
        f"Target answer precision {TARGET:.2f}. Ranking figures over in-scope questions; "
        f"precision, coverage and out-of-scope→human recall from {folds}-fold cross-validation "
        "of the calibration (baselines calibrated the same way on their own rankings); "
        "latency per question with the model loaded, embedding included. "
        f"Machine: {platform.machine()}, Python {platform.python_version()}.",
    ]
    for r in results:
        lines += [
            "",
            f"### {r['name']}: {r['articles']} articles, {r['questions']} labelled questions "
            f"({r['in_scope']} in scope, {r['out_of_scope']} out of scope)",
            "",
            "| system | top-1 | top-3 | MRR | precision | coverage | OOS→human | clarified "
            "| p50 ms | p95 ms |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for mode in MODES:
            s = r["systems"][mode]
            cv = s["cross_validated"]
            lines.append(
                f"| {s['name']} | {s['top1']:.3f} | {s['top3']:.3f} | {s['mrr']:.3f} | "
                f"{cv['precision']:.3f} | {cv['coverage']:.3f} | {cv['oos_human_recall']:.3f} | "
                f"{cv['clarified']} | {s['latency_ms']['p50']:.1f} | {s['latency_ms']['p95']:.1f} |"
            )
        fused = r["systems"]["fused"]
        cv = fused["cross_validated"]
        beats = all(fused["mrr"] > r["systems"][m]["mrr"] for m in ("dense", "bm25"))
        lines += [
            "",
            f"Bar: precision ≥ {TARGET:.2f}: {'met' if cv['precision'] >= TARGET else 'NOT met'} "
            f"({cv['precision']:.3f}); out-of-scope→human ≥ 0.90: "
            f"{'met' if cv['oos_human_recall'] >= 0.9 else 'NOT met'} "
            f"({cv['oos_human_recall']:.3f}); calibrated MRR beats both baselines: "
            f"{'yes' if beats else 'NO'}. Ingest {r['ingest_seconds']:.1f} s; shipped answer "
            f"threshold {r['answer_threshold']:.3f}.",
        ]
    return "\n".join(lines) + "\n"


def main() -> int:
    """Run the benchmark and print (and optionally write) the Markdown section."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=Path, default=ROOT / "data" / "kb")
    parser.add_argument("--labelled", type=Path, default=ROOT / "data" / "kb_questions.csv")
    parser.add_argument("--name", default="Sample knowledge base (data/kb)")
    parser.add_argument("--extra", nargs=3, action="append", default=[],
                        metavar=("NAME", "KB_DIR", "LABELLED"))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--out", type=Path, help="also write the section to this file")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    runs = [(args.name, args.kb, args.labelled)] + [(n, Path(k), Path(q)) for n, k, q in args.extra]
    results = [measure(name, kb, labelled, args.folds) for name, kb, labelled in runs]
    text = section(results, args.folds)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
