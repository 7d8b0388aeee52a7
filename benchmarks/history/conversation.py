"""One conversation of the history: its customer, the bot part, and the ticket if it ends with one.

Each conversation draws from its own random stream (seed and conversation id), so it comes out
the same whichever others are made, and can be told twice: the months-long Telegram chats are
first told without their early small talk to count what the ticket part writes, then told for
real with exactly as many bot rounds as their share of the message total leaves.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from actions.handoff import HANDED_OFF_TEXT
from bot.conversation_flow import TROUBLE_TEXT
from handoff.classification import classify
from handoff.sla_clock import first_reply_promise
from handoff.status_links import status_url

from history.chat import (
    HANDOFF_REASONS,
    Chat,
    Words,
    answered_question,
    bot_only,
    seconds,
    until_handoff,
)
from history.desk import Desk
from history.plan import ConversationPlan
from history.rows import CountingRows, Rows
from history.ticket_actions import TicketActions
from history.ticket_life import live
from history.ticket_story import Cutoff

RASA_TIMEOUT_ERROR = "Rasa did not answer within 15.0 seconds"


@dataclass
class History:
    """What every conversation needs: the words, the team, where rows go, when the history ends."""

    words: Words
    desk: Desk
    rows: Rows
    end: datetime
    seed: int
    customers_written: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class Classified:
    category: str
    method: str
    confidence: float
    priority: str
    sentiment: str


def _classification(chat: Chat, reason: str) -> Classified:
    """Category, priority and sentiment as `handoff.tickets.create_ticket` decides them."""
    rules = classify(" \n".join(chat.customer_texts))
    if rules.rule_matched:
        return Classified(rules.category, "rules", 1.0, rules.priority, rules.sentiment)
    if chat.last_article is not None and reason != "always_human_topic":
        # The learned classifier when it is confident, else the category of the article shown.
        confident = chat.rng.random() < 0.6
        confidence = round(chat.rng.uniform(0.5, 0.95), 3) if confident else 0.5
        method = "model" if confident else "kb_article"
        return Classified(chat.last_article.category, method, confidence, rules.priority, rules.sentiment)
    return Classified("general", "default", 0.0, rules.priority, rules.sentiment)


def _notice(chat: Chat, story: TicketActions, reason: str, at: datetime) -> None:
    """What the bot tells the customer once the ticket is open (`actions.handoff`, or the gateway
    when Rasa did not answer)."""
    promise = first_reply_promise(story.targets.calendar, at, story.ticket["first_response_due"])
    notice_at = at + seconds(chat.rng, 0.2, 0.8)
    if reason == "bot_unavailable":
        chat.message("bot", TROUBLE_TEXT.format(number=story.number, promise=promise), notice_at,
                     meta={"error": RASA_TIMEOUT_ERROR, "ticket": story.number})
        return
    text = HANDED_OFF_TEXT.format(number=story.number, promise=promise, status_url=status_url(story.number))
    chat.message("bot", text, notice_at, meta={"ticket_number": story.number, "handoff_reason": reason})


def _hand_off(
    chat: Chat, history: History, plan: ConversationPlan, start: datetime, *, thanks: bool
) -> TicketActions:
    """The bot part that ends in a handoff, the ticket, the bot's notice, and the team's work."""
    assert plan.ticket_id is not None
    reason = chat.rng.choices([r for r, _ in HANDOFF_REASONS], weights=[w for _, w in HANDOFF_REASONS])[0]
    handed_off = until_handoff(chat, start, reason)
    story = TicketActions(chat, ticket_id=plan.ticket_id, desk=history.desk, end=history.end)
    classified = _classification(chat, reason)
    story.open(
        handed_off, reason=reason, category=classified.category, category_method=classified.method,
        category_confidence=classified.confidence, priority=classified.priority,
        sentiment=classified.sentiment,
        subject=chat.customer_texts[0] if chat.customer_texts else "Conversation handed off",
        bot_seconds=(handed_off - plan.started_at).total_seconds(),
    )
    _notice(chat, story, reason, handed_off)
    try:
        if thanks:  # one more line from the customer, to make a long transcript's count exact
            story.customer_writes(story.now + timedelta(seconds=21), "thanks, I'll wait here")
        live(story)
    except Cutoff:
        pass
    return story


def _session(
    chat: Chat, history: History, plan: ConversationPlan, start: datetime, *, thanks: bool = False
) -> str:
    """The conversation's own part (after any small talk); returns the conversation's mode at the end."""
    if plan.ticket_id is None:
        bot_only(chat, start)
        return "bot"
    story = _hand_off(chat, history, plan, start, thanks=thanks)
    return "bot" if story.ticket["status"] == "closed" else "human"


def _chat(plan: ConversationPlan, rows: Rows, words: Words, seed: int) -> Chat:
    name = plan.customer.display_name or ""
    return Chat(rows, plan.id, plan.customer.channel, name, words, random.Random(f"{seed}:{plan.id}"))


def tell(plan: ConversationPlan, history: History, *, message_budget: int = 0) -> None:
    """Write one conversation (a long one fills `message_budget` messages with earlier bot rounds)."""
    customer = plan.customer
    if customer.id not in history.customers_written:
        history.customers_written.add(customer.id)
        history.rows.add("customers", {
            "id": customer.id, "channel": customer.channel, "external_id": customer.external_id,
            "display_name": customer.display_name, "created_at": customer.first_seen,
        })
    chat = _chat(plan, history.rows, history.words, history.seed)
    start = plan.started_at
    thanks = False
    if plan.long:
        hours_before_end = random.Random(f"{history.seed}:{plan.id}:start").uniform(2, 480)
        start = history.end - timedelta(hours=hours_before_end)
        dry = _chat(plan, CountingRows(), history.words, history.seed)
        _session(dry, History(history.words, history.desk, dry.rows, history.end, history.seed), plan, start)
        filler = max(0, message_budget - dry.rows.count("messages"))
        thanks = filler % 2 == 1
        small_talk = random.Random(f"{history.seed}:{plan.id}:small talk")
        _small_talk(chat, small_talk, plan.started_at, start, filler // 2)
    mode = _session(chat, history, plan, start, thanks=thanks)
    history.rows.add("conversations", {
        "id": plan.id, "public_id": plan.public_id, "token_hash": plan.token_hash, "customer_id": customer.id,
        "channel": customer.channel, "mode": mode, "created_at": plan.started_at,
        "last_message_at": chat.last_message_at or plan.started_at,
    })


def _small_talk(chat: Chat, rng: random.Random, first: datetime, last: datetime, rounds: int) -> None:
    """Months of questions the bot answered, two messages each, spread between `first` and `last`."""
    own = chat.rng
    chat.rng = rng
    span = (last - first - timedelta(minutes=30)) / max(1, rounds)
    for turn in range(rounds):
        answered_question(chat, first + span * turn + span * rng.uniform(0, 0.5))
    chat.rng = own
    chat.customer_texts.clear()  # the ticket is made from the last session's words
    chat.last_article = None
    chat.latest_answer = None
