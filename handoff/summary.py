"""An offline extractive summary of a handed-off conversation, for the agent who picks it up.

What the customer asked (their own sentences, picked by a simple score), which articles the bot
answered with and whether they helped, and why the bot handed off. Plain text only: escaping
is the job of whatever displays it.
"""

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from handoff.classification import always_human_topic

logger = logging.getLogger(__name__)

MAX_ASKED = 3
MAX_SENTENCE_CHARS = 240
# Sentences covered this much by one already picked add nothing new.
REDUNDANT_SHARE = 0.7

REASON_TEXT = {
    "asked_for_human": "The customer asked for a person",
    "repeated_miss": "The bot could not answer twice in a row",
    "not_helped": "The customer said the answer did not help",
    "always_human_topic": "Topic always handled by a person",
    "bot_unavailable": "The bot was unavailable",
}
FEEDBACK_PAYLOADS = {"feedback_helped": "helped", "feedback_not_helped": "not_helped"}
FEEDBACK_TEXT = {"helped": "helped", "not_helped": "did not help", None: "no feedback"}

# Words that carry no topic: function words, greetings, thanks, and asking for a person.
_NON_CONTENT = frozenset(
    """
    a about after again all also am an and any anyone are as at be been but by can could did do
    does doing for from get got had has have he her here hers him his how i i'd i'm i've if in
    into is it it's its just know let me more my need no not now of off ok okay on or our out
    please same she should so some still that that's the their them then there these they this
    those to too up us very was we were what when where which who why will with would yes you
    your you're hi hello hey dear morning afternoon evening good thanks thank thx ty cheers great
    bye goodbye sure alright fine much many lot appreciate appreciated help helpful hmm well
    talk speak chat connect person human agent someone somebody real representative operator
    staff support team want like wanted
    """.split()
)
_WORD = re.compile(r"[a-z0-9][a-z0-9']*")
_CURLY_APOSTROPHE = "\u2019"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


@dataclass(frozen=True)
class SummaryMessage:
    """One transcript message as the summary needs it (the caller converts ORM rows)."""

    sender: str  # customer | bot | agent | system
    text: str = ""
    payload: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TicketSummary:
    """What the agent reads first on a handed-off ticket."""

    asked: list[str]
    bot_answers: list[dict[str, Any]]
    handoff_reason: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for the agent API."""
        return {
            "asked": list(self.asked),
            "bot_answers": [dict(answer) for answer in self.bot_answers],
            "handoff_reason": self.handoff_reason,
            "text": self.text,
        }


def _content_words(text: str) -> set[str]:
    words = _WORD.findall(text.lower().replace(_CURLY_APOSTROPHE, "'"))
    return {_stem(word) for word in words if len(word) > 1 and word not in _NON_CONTENT}


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 4 and word.endswith("s") and not word.endswith("ss") else word


def _clean(sentence: str) -> str:
    sentence = " ".join(sentence.split())
    if len(sentence) > MAX_SENTENCE_CHARS:
        sentence = sentence[: MAX_SENTENCE_CHARS - 1].rstrip() + "…"
    return sentence


def _is_button_press(message: SummaryMessage) -> bool:
    return bool(message.payload) or message.text.lstrip().startswith("/")


@dataclass(frozen=True)
class _Sentence:
    text: str
    message_index: int
    position: int
    words: frozenset[str]

    @property
    def is_question(self) -> bool:
        return self.text.rstrip().endswith("?")

    @property
    def is_substantive(self) -> bool:
        return len(self.words) >= 2 or (self.is_question and len(self.words) >= 1)


def _customer_sentences(messages: Sequence[SummaryMessage]) -> list[_Sentence]:
    sentences: list[_Sentence] = []
    for index, message in enumerate(messages):
        if message.sender != "customer" or _is_button_press(message):
            continue
        for part in _SENTENCE_END.split(message.text):
            text = _clean(part)
            if text:
                sentences.append(_Sentence(text, index, len(sentences), frozenset(_content_words(text))))
    return [sentence for sentence in sentences if sentence.is_substantive]


def _score(sentence: _Sentence, sentences: list[_Sentence]) -> float:
    """A question counts 1, length up to 1 (12 content words), overlap with other messages up to 1."""
    elsewhere: set[str] = set()
    for other in sentences:
        if other.message_index != sentence.message_index:
            elsewhere |= other.words
    overlap = len(sentence.words & elsewhere) / len(sentence.words)
    return (1.0 if sentence.is_question else 0.0) + min(len(sentence.words), 12) / 12 + overlap


def _redundant(sentence: _Sentence, picked: list[_Sentence]) -> bool:
    return any(
        len(sentence.words & chosen.words) >= REDUNDANT_SHARE * len(sentence.words) for chosen in picked
    )


def key_sentences(messages: Sequence[SummaryMessage], limit: int = MAX_ASKED) -> list[str]:
    """The customer's first substantive question, then the best-scoring later sentences, in order."""
    sentences = _customer_sentences(messages)
    if not sentences:
        return []
    first = next((sentence for sentence in sentences if sentence.is_question), sentences[0])
    picked = [first]
    rest = sorted(
        (sentence for sentence in sentences if sentence is not first),
        key=lambda sentence: (-_score(sentence, sentences), sentence.position),
    )
    for sentence in rest:
        if len(picked) >= limit:
            break
        if not _redundant(sentence, picked):
            picked.append(sentence)
    return [sentence.text for sentence in sorted(picked, key=lambda sentence: sentence.position)]


def bot_answers(messages: Sequence[SummaryMessage]) -> list[dict[str, Any]]:
    """Articles the bot answered with, first use first, with the customer's latest feedback on each."""
    answers: dict[str, dict[str, Any]] = {}
    last: str | None = None
    for message in messages:
        article = (message.meta or {}).get("article") if message.sender == "bot" else None
        if isinstance(article, dict) and article.get("article_id"):
            last = str(article["article_id"])
            answers.setdefault(last, {
                "article_id": last,
                "title": str(article.get("title") or ""),
                "url": str(article.get("url") or ""),
                "feedback": None,
            })
        elif message.sender == "customer" and message.payload and last is not None:
            intent = message.payload.lstrip("/").split("{", 1)[0].strip()
            if intent in FEEDBACK_PAYLOADS:
                answers[last]["feedback"] = FEEDBACK_PAYLOADS[intent]
    return list(answers.values())


def _topic_from_rules(messages: Sequence[SummaryMessage]) -> str | None:
    try:
        for message in messages:
            if message.sender == "customer" and not _is_button_press(message):
                topic = always_human_topic(message.text)
                if topic:
                    return topic
    except (OSError, ValueError):
        logger.warning("cannot read the always-human topics for a summary", exc_info=True)
    return None


def describe_reason(reason: str, topic: str | None = None) -> str:
    """A handoff reason code in plain words."""
    text = REASON_TEXT.get(reason) or reason.replace("_", " ").capitalize()
    if reason == "always_human_topic" and topic:
        text += f" ({topic.replace('_', ' ')})"
    return text


def _render(asked: list[str], answers: list[dict[str, Any]], reason_text: str) -> str:
    asked_line = " / ".join(f'"{sentence}"' for sentence in asked) or "nothing typed (buttons only)"
    if answers:
        answered = "; ".join(
            f'"{answer["title"] or answer["article_id"]}" ({FEEDBACK_TEXT[answer["feedback"]]})'
            for answer in answers
        )
    else:
        answered = "no knowledge-base article"
    return f"Asked: {asked_line}\nBot answered with: {answered}\nHanded off: {reason_text}"


def summarize(
    messages: Sequence[SummaryMessage], *, reason: str, topic: str | None = None
) -> TicketSummary:
    """Summarise a transcript; for "always_human_topic" the topic is found by the rules unless given."""
    if reason == "always_human_topic" and topic is None:
        topic = _topic_from_rules(messages)
    asked = key_sentences(messages)
    answers = bot_answers(messages)
    reason_text = describe_reason(reason, topic)
    return TicketSummary(asked=asked, bot_answers=answers, handoff_reason=reason_text,
                         text=_render(asked, answers, reason_text))
