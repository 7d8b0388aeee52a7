"""The bot side of a conversation: questions, the knowledge base's answers, feedback clicks, handoffs.

Bot turns are written as the gateway stores Rasa's replies (text, buttons, the article in
`meta`), with the action server's own texts and buttons (`actions.answer`, `actions.handoff`),
and every lookup leaves a `kb_queries` row with its decision, as the dashboard reads them.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import yaml

from actions.answer import CLARIFY_TEXT, DONT_KNOW_TEXT, FEEDBACK_BUTTONS, HUMAN_BUTTON
from actions.answer import _answer_text as answer_text  # the bot's own wording of an answer
from handoff.classification import always_human_topic

from history.rows import Row, Rows, message_row
from history.texts import (
    ALWAYS_HUMAN,
    ASK_FOR_HUMAN,
    GAP_TOPICS,
    KB_FOLDER,
    KbArticle,
    fill,
    load_articles,
    typed,
)

GLAD_TEXT = yaml.safe_load((KB_FOLDER.parents[1] / "domain.yml").read_text(encoding="utf-8"))[
    "responses"]["utter_glad_it_helped"][0]["text"]
HELPED, NOT_HELPED = FEEDBACK_BUTTONS
# Why tickets are opened, and how often (the rest of the conversations end with the bot).
HANDOFF_REASONS = (("asked_for_human", 0.42), ("not_helped", 0.2), ("always_human_topic", 0.28),
                   ("repeated_miss", 0.065), ("bot_unavailable", 0.035))


@dataclass(frozen=True)
class Words:
    """The knowledge base and the questions it can and cannot answer."""

    articles: tuple[KbArticle, ...]
    questions: tuple[tuple[KbArticle, str], ...]  # (article, an example question it answers)
    gap_weights: tuple[float, ...]

    @classmethod
    def load(cls) -> "Words":
        articles = tuple(load_articles())
        known = {article.article_id for article in articles}
        unknown = sorted({nearest for nearest, _ in GAP_TOPICS} - known)
        if unknown:
            raise ValueError(f"gap topics name articles that do not exist: {unknown}")
        questions = tuple((article, example) for article in articles for example in article.examples
                          if always_human_topic(example) is None)
        return cls(articles, questions, tuple(1 / (rank + 1) for rank in range(len(GAP_TOPICS))))

    def categories(self) -> list[str]:
        return sorted({article.category for article in self.articles if article.category})


@dataclass
class Chat:
    """One conversation being written: its messages, its lookups, and what the ticket needs to know."""

    rows: Rows
    conversation_id: int
    channel: str
    customer_name: str
    words: Words
    rng: random.Random
    customer_texts: list[str] = field(default_factory=list)
    last_article: KbArticle | None = None
    last_message_at: datetime | None = None
    latest_answer: Row | None = None
    telegram_message_id: int = 0

    def message(self, sender: str, text: str, at: datetime, **values: Any) -> int:
        if sender == "customer" and self.channel == "telegram":
            self.telegram_message_id += 1
            values.setdefault("channel_message_id", str(self.telegram_message_id))
        self.last_message_at = at
        return self.rows.add("messages", message_row(conversation_id=self.conversation_id, sender=sender,
                                                     text=text, at=at, **values))

    def customer(self, text: str, at: datetime, payload: str | None = None) -> int:
        if payload is None:
            self.customer_texts.append(text)
        return self.message("customer", text, at, payload=payload)

    def lookup(self, question: str, at: datetime, decision: str, *, article: KbArticle | None = None,
               confidence: float | None = None, nearest: str | None = None,
               nearest_score: float | None = None) -> Row:
        row: Row = {
            "conversation_id": self.conversation_id, "question": question, "decision": decision,
            "article_id": article.article_id if article else None, "confidence": confidence,
            "nearest_article_id": nearest, "nearest_score": nearest_score, "embedding": None,
            "feedback": None, "feedback_at": None, "created_at": at, "gap_handled_at": None,
        }
        self.rows.add("kb_queries", row)
        return row


def seconds(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(seconds=rng.uniform(low, high))


def _candidates(chat: Chat, article: KbArticle, score: float) -> list[dict[str, Any]]:
    others = chat.rng.sample([a for a in chat.words.articles if a.article_id != article.article_id], 2)
    scored = [(article, score), (others[0], score - chat.rng.uniform(0.05, 0.2)),
              (others[1], score - chat.rng.uniform(0.2, 0.35))]
    return [{"article_id": a.article_id, "title": a.title, "url": a.url, "category": a.category,
             "score": round(s, 4), "id": a.article_id} for a, s in scored]


def answered_question(chat: Chat, at: datetime, question: tuple[KbArticle, str] | None = None) -> datetime:
    """The customer asks something the knowledge base answers; returns when the answer came."""
    article, example = question or chat.rng.choice(chat.words.questions)
    text = typed(chat.rng, example)
    chat.customer(text, at)
    confidence = round(chat.rng.uniform(0.58, 0.97), 4)
    chat.latest_answer = chat.lookup(text, at, "answer", article=article, confidence=confidence,
                                     nearest=article.article_id, nearest_score=round(confidence - 0.05, 4))
    chat.last_article = article
    answered = at + seconds(chat.rng, 0.8, 3)
    meta = {"article": {
        "decision": "answer", "confidence": confidence, "article_id": article.article_id,
        "title": article.title, "url": article.url, "category": article.category, "passage": article.passage,
        "candidates": _candidates(chat, article, confidence), "reason": "",
    }}
    chat.message("bot", answer_text(article.passage, article.title, article.url), answered,
                 buttons=FEEDBACK_BUTTONS, meta=meta)
    return answered


def feedback_click(chat: Chat, at: datetime, button: dict[str, str]) -> datetime:
    """A click on "that helped" / "I need more help", stored on the latest answered lookup."""
    chat.customer(button["title"], at, payload=button["payload"])
    if chat.latest_answer is not None:
        chat.latest_answer["feedback"] = "helped" if button is HELPED else "not_helped"
        chat.latest_answer["feedback_at"] = at
    if button is HELPED:
        chat.message("bot", GLAD_TEXT, at + seconds(chat.rng, 0.5, 1.5))
    return at


def clarified_question(chat: Chat, at: datetime) -> datetime:
    """Two or three articles were close: the bot asks which one, the customer picks, the bot answers."""
    article, example = chat.rng.choice(chat.words.questions)
    text = typed(chat.rng, example)
    chat.customer(text, at)
    score = round(chat.rng.uniform(0.35, 0.55), 4)
    chat.lookup(text, at, "clarify", confidence=score, nearest=article.article_id, nearest_score=score)
    candidates = _candidates(chat, article, score)
    buttons = [{"title": c["title"], "payload": f'/choose_article{{"article_id":"{c["article_id"]}"}}'}
               for c in candidates]
    at += seconds(chat.rng, 0.8, 3)
    chat.message("bot", CLARIFY_TEXT, at, buttons=[*buttons, HUMAN_BUTTON])
    chosen = candidates[0] if chat.rng.random() < 0.8 else candidates[1]
    at += seconds(chat.rng, 5, 40)
    chat.customer(chosen["title"], at, payload=f'/choose_article{{"article_id":"{chosen["article_id"]}"}}')
    picked = next(a for a in chat.words.articles if a.article_id == chosen["article_id"])
    # `handoff.kb_queries.record_chosen_article`: the pick counts as an answer to the question asked.
    chat.latest_answer = chat.lookup(text, at, "answer", article=picked, nearest=picked.article_id)
    chat.last_article = picked
    at += seconds(chat.rng, 0.8, 3)
    chat.message("bot", answer_text(picked.passage, picked.title, picked.url), at, buttons=FEEDBACK_BUTTONS)
    return at


def missed_question(chat: Chat, at: datetime, topic: int | None = None, *, say_so: bool = True) -> int:
    """A question the knowledge base has no article for; returns the gap topic it was about."""
    if topic is None:
        topic = chat.rng.choices(range(len(GAP_TOPICS)), weights=chat.words.gap_weights)[0]
    nearest, phrasings = GAP_TOPICS[topic]
    text = typed(chat.rng, chat.rng.choice(phrasings))
    chat.customer(text, at)
    chat.lookup(text, at, "miss", confidence=round(chat.rng.uniform(0.05, 0.35), 4), nearest=nearest,
                nearest_score=round(chat.rng.uniform(0.2, 0.45), 4))
    if say_so:  # the second miss in a row hands off without saying it again
        chat.message("bot", DONT_KNOW_TEXT, at + seconds(chat.rng, 0.8, 3), buttons=[HUMAN_BUTTON])
    return topic


def bot_only(chat: Chat, at: datetime) -> None:
    """A conversation the bot handles alone: one to three questions, some thanked for."""
    for turn in range(chat.rng.choices((1, 2, 3), weights=(0.9, 0.08, 0.02))[0]):
        if turn:
            at += seconds(chat.rng, 20, 180)
        roll = chat.rng.random()
        if roll < 0.045:
            missed_question(chat, at)
            continue
        at = clarified_question(chat, at) if roll > 0.95 else answered_question(chat, at)
        if chat.rng.random() < 0.12:
            at = feedback_click(chat, at + seconds(chat.rng, 10, 90), HELPED)


def until_handoff(chat: Chat, at: datetime, reason: str) -> datetime:
    """The bot part of a conversation that ends with a ticket; returns the moment of the handoff."""
    rng = chat.rng
    if reason == "always_human_topic":
        text = typed(rng, fill(rng, rng.choice(ALWAYS_HUMAN)))
        chat.customer(text, at)
        chat.lookup(text, at, "always_human")
    elif reason == "bot_unavailable":
        chat.customer(typed(rng, rng.choice(chat.words.questions)[1]), at)
    elif reason == "repeated_miss":
        if rng.random() < 0.2:
            at = answered_question(chat, at) + seconds(rng, 20, 120)
        topic = missed_question(chat, at)
        at += seconds(rng, 15, 90)
        missed_question(chat, at, topic, say_so=False)
    elif reason == "not_helped":
        at = answered_question(chat, at) + seconds(rng, 10, 90)
        feedback_click(chat, at, NOT_HELPED)
    else:  # asked_for_human, right away or after an answer that was not enough
        if rng.random() < 0.5:
            at = answered_question(chat, at) + seconds(rng, 15, 120)
        chat.customer(typed(rng, rng.choice(ASK_FOR_HUMAN)), at)
    return at + seconds(rng, 0.5, 2)
