"""Labelled questions as references: near neighbours, never a question's own entry."""

from __future__ import annotations

import numpy as np

from kb_index.references import ReferenceBank


def _bank() -> ReferenceBank:
    vectors = np.eye(3, dtype=np.float32)
    return ReferenceBank(("refund please", "weather today", "reset password"),
                         ("refund-policy", None, "reset-password"), vectors)


def test_features_measure_nearest_negative_and_positive() -> None:
    bank = _bank()
    q = np.array([0.6, 0.8, 0.0], dtype=np.float32)
    neg, pos, margin = bank.features(q, "refund-policy")
    assert (neg, pos) == (np.float32(0.8), np.float32(0.6))
    assert margin == pos - neg
    assert bank.features(q, "unknown-article")[1] == 0.0


def test_a_question_is_never_its_own_reference() -> None:
    bank = _bank()
    q = np.array([0.0, 1.0, 0.0], dtype=np.float32)
    assert bank.features(q, None)[0] == 1.0
    assert bank.features(q, None, exclude=1)[0] == 0.0
    assert bank.features(q, None, exclude_text="  Weather today ")[0] == 0.0


def test_empty_bank_gives_zeros() -> None:
    assert not ReferenceBank.empty().features(np.ones(384, np.float32), "x").any()
