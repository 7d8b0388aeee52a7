"""`calibrate`: fit the decision on labelled questions and publish it with the index.

The calibrated index is a new version (hard links to the same vectors plus a new
calibration.json), so running processes switch to it exactly as they do after an ingest.
"""

from __future__ import annotations

import logging
from pathlib import Path

from kb_index import store
from kb_index.calibration import DEFAULT_CLARIFY_BAND, DEFAULT_TARGET_PRECISION, Calibration
from kb_index.fitting import fit_calibration
from kb_index.labelled import observe, read_labelled
from kb_index.retrieval import DEFAULT_ALPHA, HybridRetriever
from kb_index.snapshot import (
    CALIBRATION_FILE,
    COARSE_FILE,
    HUMAN_FILE,
    META_FILE,
    VECTORS_FILE,
    load_snapshot,
)

logger = logging.getLogger(__name__)


def calibrate(
    index_dir: Path,
    labelled: Path,
    *,
    target_precision: float = DEFAULT_TARGET_PRECISION,
    folds: int = 5,
) -> Calibration:
    """Fit on `labelled`, store the calibration as a new index version, return it."""
    questions = read_labelled(labelled)
    with store.writer_lock(index_dir):
        live = store.current_version_dir(index_dir)
        if live is None:
            raise FileNotFoundError(f"no index in {index_dir}; run ingest first")
        snapshot = load_snapshot(live)
        alpha = float(snapshot.settings.get("fusion_alpha", DEFAULT_ALPHA))
        retriever = HybridRetriever(snapshot, alpha=alpha)
        observations = observe(questions, retriever, snapshot, band=DEFAULT_CLARIFY_BAND)
        calibration = fit_calibration(
            observations, target_precision=target_precision, oos_recall=target_precision,
            folds=folds,
        )
        calibration.report["labelled_file"] = str(labelled)
        calibration.report["index_version"] = live.name
        staging = store.new_staging_dir(index_dir)
        for name in (META_FILE, VECTORS_FILE, HUMAN_FILE, COARSE_FILE):
            if (live / name).exists():
                store.link_or_copy(live / name, staging / name)
        store.write_json(staging / CALIBRATION_FILE, calibration.to_json())
        store.publish(index_dir, staging)
    return calibration
