"""Calibration: fitted on labelled questions, stored with the index, used by answers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from kb_index import IngestReport, load_knowledge_base
from kb_index.calibration import (
    Calibration,
    CalibrationError,
    LogisticModel,
    default_calibration,
)
from kb_index.cli import main
from kb_index.features import FEATURE_SIGNS, FEATURES, model_signs
from kb_index.fitting import fit_calibration
from kb_index.labelled import LabelledQuestion, Observation
from kb_index.store import current_version_dir

from .conftest import FIXTURES

TOP, MARGIN = FEATURES.index("top_score"), FEATURES.index("margin")


def _synthetic(n: int, seed: int = 0) -> list[Observation]:
    """Questions whose top score tells in scope from out of scope and whose margin tells
    the right top article from a wrong one, with some overlap."""
    rng = np.random.default_rng(seed)
    obs = []
    for i in range(n):
        in_scope = i % 3 != 0
        correct = in_scope and rng.random() < 0.8
        features = rng.normal(0.0, 0.05, len(FEATURES))
        features[TOP] = rng.normal(0.75 if in_scope else 0.45, 0.08)
        features[MARGIN] = rng.normal(0.2 if correct else 0.05, 0.05)
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
    clear = np.zeros(len(FEATURES))
    clear[TOP], clear[MARGIN] = 0.9, 0.3
    assert calibration.answer_probability(clear) > calibration.answer_threshold


def test_weights_keep_the_direction_of_their_feature() -> None:
    """Labels that contradict a feature's meaning cannot give it the wrong sign."""
    rng = np.random.default_rng(1)
    x = rng.normal(0.0, 1.0, (200, len(FEATURES)))
    y = (x[:, TOP] < 0).astype(int)  # here a higher top score would mean *less* likely right
    signs = model_signs("scope")
    model = LogisticModel.fit(x, y, signs=signs)
    assert model.coef[TOP] == 0.0
    assert all(w * s >= 0.0 for w, s in zip(model.coef, signs, strict=True))
    assert all(w == 0.0 for w, s in zip(model.coef, signs, strict=True) if s == 0)


def test_a_clearer_match_never_lowers_the_confidence() -> None:
    calibration = fit_calibration(_synthetic(300), target_precision=0.9)
    base = np.full(len(FEATURES), 0.3)
    for i, (_, sign) in enumerate(FEATURE_SIGNS):
        better = base.copy()
        better[i] += 0.2 * sign
        assert calibration.answer_probability(better) >= calibration.answer_probability(base)


def test_calibration_round_trips_through_json() -> None:
    calibration = fit_calibration(_synthetic(120), target_precision=0.8)
    again = Calibration.from_json(json.loads(json.dumps(calibration.to_json())))
    x = _synthetic(1, seed=3)[0].features
    assert again.answer_probability(x) == pytest.approx(calibration.answer_probability(x))
    assert again.clarify_probability(x) == pytest.approx(calibration.clarify_probability(x))
    assert again.answer_threshold == calibration.answer_threshold


def test_a_calibration_for_other_features_is_refused() -> None:
    data = fit_calibration(_synthetic(120)).to_json()
    data["features"] = ["top_dense", "ref_negative"]
    with pytest.raises(CalibrationError):
        Calibration.from_json(data)


def test_too_few_questions_are_refused() -> None:
    with pytest.raises(CalibrationError):
        fit_calibration(_synthetic(8))


def test_default_is_conservative() -> None:
    default = default_calibration()
    assert default.is_default
    weak = np.zeros(len(FEATURES))
    weak[TOP] = 0.5
    assert default.answer_probability(weak) < default.answer_threshold
    assert default.clarify_probability(weak) < default.clarify_threshold


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
