"""Calibration: fitted on labelled questions, stored with the index, used by answers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from kb_index import IngestReport, load_knowledge_base
from kb_index.calibration import Calibration, CalibrationError, default_calibration
from kb_index.cli import main
from kb_index.features import FEATURES, RETRIEVAL_FEATURES
from kb_index.fitting import fit_calibration
from kb_index.labelled import LabelledQuestion, Observation
from kb_index.store import current_version_dir

from .conftest import FIXTURES


def _synthetic(n: int, seed: int = 0) -> list[Observation]:
    """Questions whose top score separates right from wrong, with some overlap."""
    rng = np.random.default_rng(seed)
    obs = []
    for i in range(n):
        in_scope = i % 3 != 0
        correct = in_scope and rng.random() < 0.8
        features = rng.normal(0.0, 0.05, len(RETRIEVAL_FEATURES))
        features[0] = rng.normal(0.75 if correct else 0.45, 0.08)
        expected = "a" if in_scope else None
        obs.append(Observation(LabelledQuestion(f"q{i}", expected), features,
                               ("a" if correct else "b", "c"), correct, False, False, False))
    return obs


def test_fit_reaches_target_precision_on_held_out_folds() -> None:
    calibration = fit_calibration(_synthetic(300), target_precision=0.9)
    held = calibration.report["held_out"]
    assert held["precision"] >= 0.85
    assert held["coverage"] > 0.5
    assert held["oos_human_recall"] >= 0.85
    assert 0.0 < calibration.answer_threshold < 1.0
    high = np.zeros(len(FEATURES))
    high[0] = 0.9
    assert calibration.answer_probability(high) > calibration.answer_threshold


def test_calibration_round_trips_through_json() -> None:
    calibration = fit_calibration(_synthetic(120), target_precision=0.8)
    again = Calibration.from_json(json.loads(json.dumps(calibration.to_json())))
    x = np.concatenate([_synthetic(1, seed=3)[0].features, np.zeros(len(FEATURES) - len(RETRIEVAL_FEATURES))])
    assert again.answer_probability(x) == pytest.approx(calibration.answer_probability(x))
    assert again.answer_threshold == calibration.answer_threshold


def test_too_few_questions_are_refused() -> None:
    with pytest.raises(CalibrationError):
        fit_calibration(_synthetic(8))


def test_default_is_conservative() -> None:
    default = default_calibration()
    assert default.is_default
    weak = np.zeros(len(FEATURES))
    weak[0] = 0.5
    assert default.answer_probability(weak) < default.answer_threshold


def test_calibrate_command_stores_calibration_with_index(
    built: tuple[Path, IngestReport], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index_dir = tmp_path / "index"
    shutil.copytree(built[0], index_dir)
    code = main(["calibrate", "--index", str(index_dir), "--labelled",
                 str(FIXTURES / "questions.csv"), "--target-precision", "0.9", "--folds", "3"])
    assert code == 0
    out = capsys.readouterr().out
    assert "held-out (3-fold): precision" in out
    live = current_version_dir(index_dir)
    assert live is not None and (live / "calibration.json").exists()
    kb = load_knowledge_base(index_dir)
    assert not kb.calibration.is_default
    assert kb.calibration.target_precision == 0.9
    assert kb.answer("tell me about the weather on mars").decision == "handoff"
