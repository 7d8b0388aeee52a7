"""The learned category classifier on the real embedding model (loaded once for the module)."""

import json
from pathlib import Path

import pytest

from handoff.classifier import (
    CategoryClassifier,
    Prediction,
    TrainingExample,
    combine,
    examples_from_kb,
    load_classifier,
    train_classifier,
)

TRAINING = {
    "billing": [
        "I was charged twice this month",
        "Where can I download my invoice?",
        "My card payment failed",
        "How do I get a refund for my subscription?",
        "Can you add VAT details to my receipt?",
        "Why is my bill higher than last month?",
        "Change the credit card used for payments",
        "When will I be billed for the annual plan?",
    ],
    "account": [
        "I forgot my password",
        "How do I reset my login?",
        "I can't sign in to my account",
        "How do I turn on two-factor authentication?",
        "My account is locked after too many attempts",
        "Change the email address on my profile",
        "How do I invite a team member?",
        "Remove a user from my workspace",
    ],
    "integrations": [
        "How do I connect my bank feed?",
        "Sync orders from Shopify",
        "The Stripe integration stopped importing payouts",
        "Can I use Zapier with your app?",
        "Where do I find my API key?",
        "Export my data to QuickBooks",
        "Connect PayPal transactions automatically",
        "Webhook calls from your API are failing",
    ],
}

UNSEEN = {
    "billing": "I think you took money from me two times, please give it back",
    "account": "I keep getting 'wrong password' when I try to log in",
    "integrations": "Does it link with Xero so my transactions come in automatically?",
}


def _examples(source: str = "kb") -> list[TrainingExample]:
    return [
        TrainingExample(text=text, category=category, source=source)
        for category, texts in TRAINING.items()
        for text in texts
    ]


@pytest.fixture(scope="module")
def classifier() -> CategoryClassifier:
    return train_classifier(_examples())


def test_unseen_paraphrases_are_classified(classifier: CategoryClassifier) -> None:
    for category, text in UNSEEN.items():
        prediction = classifier.predict(text)
        assert prediction.category == category, (text, prediction)
        assert 0.0 < prediction.confidence <= 1.0
        names = [name for name, _ in prediction.alternatives]
        scores = [score for _, score in prediction.alternatives]
        assert sorted(names) == sorted(set(TRAINING) - {category})
        assert scores == sorted(scores, reverse=True)
        assert scores[0] <= prediction.confidence


def test_metadata_counts_categories_and_sources(classifier: CategoryClassifier) -> None:
    assert classifier.categories == ["account", "billing", "integrations"]
    assert classifier.metadata["categories"] == {"account": 8, "billing": 8, "integrations": 8}
    assert classifier.metadata["sources"] == {"kb": 24}
    assert "MiniLM" in classifier.metadata["model_id"]
    assert classifier.metadata["trained_at"]


def test_a_correction_changes_the_prediction_after_retrain(classifier: CategoryClassifier) -> None:
    text = "Stripe charged my customer but the payout never arrived"
    before = classifier.predict(text).category
    corrected_to = "account" if before != "account" else "billing"
    retrained = train_classifier([
        *_examples(),
        TrainingExample(text=text, category=before, source="ticket"),
        TrainingExample(text=text, category=corrected_to, source="correction"),
    ])
    assert retrained.predict(text).category == corrected_to
    paraphrase = "Stripe charged my client but the payout has not arrived"
    assert retrained.predict(paraphrase).category == corrected_to
    # The correction replaced the ticket's label for the same text.
    assert retrained.metadata["sources"] == {"correction": 1, "kb": 24}


def test_a_correction_weighs_more_than_a_kb_example() -> None:
    text = "Stripe charged my customer but the payout never arrived"
    as_kb = train_classifier([*_examples(), TrainingExample(text=text, category="account", source="kb")])
    as_correction = train_classifier(
        [*_examples(), TrainingExample(text=text, category="account", source="correction")]
    )
    assert as_correction.predict(text).category == "account"
    assert as_correction.predict(text).confidence > as_kb.predict(text).confidence


def test_save_and_load_round_trip(classifier: CategoryClassifier, tmp_path: Path) -> None:
    path = tmp_path / "models" / "category.joblib"
    classifier.save(path)
    loaded = load_classifier(path)
    assert loaded is not None
    assert loaded.metadata == classifier.metadata
    assert json.loads(path.with_suffix(".json").read_text()) == classifier.metadata
    text = UNSEEN["integrations"]
    assert loaded.predict(text) == classifier.predict(text)
    assert not list(path.parent.glob(".*.tmp"))


def test_load_missing_or_broken_file_gives_none(tmp_path: Path) -> None:
    assert load_classifier(tmp_path / "absent.joblib") is None
    broken = tmp_path / "broken.joblib"
    broken.write_bytes(b"not a model")
    assert load_classifier(broken) is None


def test_too_few_categories_is_refused() -> None:
    only_billing = [TrainingExample(text=t, category="billing", source="kb") for t in TRAINING["billing"]]
    with pytest.raises(ValueError, match="at least 2 categories"):
        train_classifier(only_billing)
    with pytest.raises(ValueError, match="at least 2 categories"):
        train_classifier([])


def test_unknown_source_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown example source"):
        train_classifier([TrainingExample(text="hi", category="billing", source="guess")])


def test_examples_from_kb_skips_blanks() -> None:
    examples = examples_from_kb([(" Reset your password ", "account"), ("", "billing"), ("Refunds", "")])
    assert examples == [TrainingExample(text="Reset your password", category="account", source="kb")]


def test_combine_prefers_rules_then_confident_model_then_general() -> None:
    confident = Prediction("billing", 0.82, [("account", 0.1)])
    unsure = Prediction("billing", 0.41, [("account", 0.39)])
    assert combine("integrations", confident) == ("integrations", 1.0, "rules")
    assert combine(None, confident) == ("billing", 0.82, "model")
    assert combine("general", confident) == ("billing", 0.82, "model")
    assert combine(None, unsure) == ("general", 0.0, "default")
    assert combine(None, unsure, min_confidence=0.4) == ("billing", 0.41, "model")
    assert combine(None, None) == ("general", 0.0, "default")
