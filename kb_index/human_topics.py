"""Requests that a person should handle whatever the articles say, as example phrasings.

These are the usual escalation categories of any support desk (asking for a person,
complaints, disputed charges, legal and data-protection requests, compromised accounts).
They are embedded at ingest; how close a question comes to them is one of the calibration
features, so their weight is learned from labelled questions rather than set here. A lead
adds product-specific ones as articles with `always_human: true` in the front matter.
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

HUMAN_TOPICS: dict[str, tuple[str, ...]] = {
    "ask for a person": (
        "I would like to talk to a human being",
        "put me through to a support agent",
        "is there a real person I can chat with",
        "I need to speak with a supervisor",
    ),
    "complaint": (
        "I want to file a formal complaint about your service",
        "this is completely unacceptable, I am furious",
        "your product has let me down again and I've had enough",
        "nobody has replied to my emails for days",
    ),
    "disputed charge": (
        "I was billed the wrong amount, reverse the charge",
        "there is a payment on my statement I did not authorise",
        "I am disputing this transaction with my card issuer",
        "you took money from my account without my permission, give it back",
    ),
    "legal": (
        "I am going to sue your company",
        "expect to hear from my attorney",
        "we are a law firm and request records about a customer",
        "I will report your company to the consumer protection authority",
    ),
    "data protection request": (
        "I am exercising my right of access to all personal data you hold",
        "erase every piece of personal information you have about me",
        "this is a right to be forgotten request",
    ),
    "compromised account": (
        "a hacker took over my account",
        "someone is committing fraud using my account",
        "a scammer is pretending to be my business",
    ),
    "compensation": (
        "I expect compensation for the losses your outage caused",
        "refund me right now, I will not wait",
    ),
}


def human_phrases() -> list[tuple[str, str]]:
    """(topic, phrasing) pairs in a stable order."""
    return [(topic, text) for topic, texts in HUMAN_TOPICS.items() for text in texts]
