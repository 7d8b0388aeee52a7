"""What happened to the conversations that asked the bot something, and why tickets were opened.

A *bot conversation* is one with at least one knowledge-base question in the period. Its
outcome is exactly one of, in this order:
- handed off: the bot handed it to a person (a ticket for any reason but a follow-up to a
  closed ticket) at or after its first question in the period; this wins over everything, also
  over an earlier "that helped" click;
- abandoned: a "didn't help" click, or the bot's last word was not an answer (it did not know,
  or offered choices) and the customer left;
- resolved by the bot, confirmed by a "that helped" click, or assumed otherwise.
The four shares add up to 100 % of the bot conversations. Deflection is the resolved share.
"""

import logging
from datetime import datetime

from sqlalchemy import case, exists, func, or_, select
from sqlalchemy.orm import Session

from handoff.metrics.filters import DashboardFilters, ticket_conditions
from handoff.metrics.model import Figure, Section, Table, ratio
from handoff.metrics.period import Period
from handoff.models import Conversation, KbQuery, Ticket
from handoff.tickets import HANDOFF_REASONS

logger = logging.getLogger(__name__)

OUTCOME_LABELS = {
    "confirmed": "Resolved by the bot, confirmed",
    "assumed": "Resolved by the bot, assumed",
    "handed_off": "Handed off to a person",
    "abandoned": "Abandoned",
}
REASON_LABELS = {
    "asked_for_human": "Asked for a person",
    "repeated_miss": "Bot had no answer twice",
    "not_helped": "Answer didn't help",
    "always_human_topic": "Always-human topic",
    "bot_unavailable": "Bot unavailable",
    "follow_up": "Follow-up to a closed ticket",
}
BOT_REASONS = tuple(reason for reason in HANDOFF_REASONS if reason != "follow_up")
TICKET_FILTER_NOTE = (" Not defined with a category, group or agent filter: a conversation the bot resolved"
                      " has none of these.")


def outcome_counts(session: Session, period: Period, filters: DashboardFilters) -> dict[str, int]:
    """Bot conversations of the period per outcome (every outcome present, zeros included)."""
    # The latest question's id, doubled, plus one if the bot answered it: its parity says how the
    # conversation's talk with the bot ended without joining the questions a second time.
    last_answered = func.max(KbQuery.id * 2 + case((KbQuery.decision == "answer", 1), else_=0))
    per_conversation = (
        select(
            KbQuery.conversation_id.label("conversation_id"),
            func.min(KbQuery.created_at).label("first_at"),
            last_answered.label("last_answered"),
            func.max(case((KbQuery.feedback == "helped", 1), else_=0)).label("helped"),
            func.max(case((KbQuery.feedback == "not_helped", 1), else_=0)).label("not_helped"),
        )
        .where(KbQuery.created_at >= period.start, KbQuery.created_at < period.end)
        .group_by(KbQuery.conversation_id)
    )
    if filters.channel:
        per_conversation = per_conversation.where(KbQuery.conversation_id.in_(
            select(Conversation.id).where(Conversation.channel == filters.channel)))
    conversations = per_conversation.subquery()
    handed_off = exists().where(Ticket.conversation_id == conversations.c.conversation_id,
                                Ticket.created_at >= conversations.c.first_at, Ticket.reason.in_(BOT_REASONS))
    outcome = case(
        (handed_off, "handed_off"),
        (or_(conversations.c.not_helped == 1, conversations.c.last_answered % 2 == 0), "abandoned"),
        (conversations.c.helped == 1, "confirmed"),
        else_="assumed",
    )
    outcomes = select(outcome.label("outcome")).select_from(conversations).subquery()
    counts = {key: 0 for key in OUTCOME_LABELS}
    for key, count in session.execute(select(outcomes.c.outcome, func.count()).group_by(outcomes.c.outcome)):
        counts[key] = int(count)
    return counts


def handoff_counts(session: Session, period: Period, filters: DashboardFilters) -> dict[str, int]:
    """Tickets opened in the period per handoff reason (every reason present, zeros included)."""
    query = (
        select(Ticket.reason, func.count())
        .where(Ticket.created_at >= period.start, Ticket.created_at < period.end, *ticket_conditions(filters))
        .group_by(Ticket.reason)
    )
    counts = {reason: 0 for reason in HANDOFF_REASONS}
    for reason, count in session.execute(query):
        counts[reason] = counts.get(reason, 0) + int(count)
    return counts


def build(session: Session, *, period: Period, filters: DashboardFilters, now: datetime) -> Section:
    """Bot conversations, deflection, outcome shares and handoffs by reason."""
    handoffs = handoff_counts(session, period, filters)
    handoffs_before = handoff_counts(session, period.previous(), filters)
    if filters.ticket_only:
        counts: dict[str, int] | None = None
        counts_before: dict[str, int] | None = None
    else:
        counts = outcome_counts(session, period, filters)
        counts_before = outcome_counts(session, period.previous(), filters)
    figures = _outcome_figures(counts, counts_before)
    figures.append(Figure(
        "handoffs", "Handoffs", sum(handoffs[r] for r in BOT_REASONS),
        sum(handoffs_before[r] for r in BOT_REASONS), "count",
        "Tickets opened from a conversation with the bot in the period, for any reason but a follow-up to "
        "a closed ticket.",
    ))
    total = sum(handoffs.values())
    reasons = Table(
        key="handoffs_by_reason",
        title="Handoffs by reason",
        columns=["Reason", "Tickets", "Share", "Previous period"],
        rows=[[REASON_LABELS.get(reason, reason), handoffs[reason], ratio(handoffs[reason], total),
               handoffs_before[reason]] for reason in handoffs],
        chart="bar",
    )
    return Section(figures=figures, tables=[_outcome_table(counts), reasons])


def _outcome_figures(now_counts: dict[str, int] | None, before_counts: dict[str, int] | None) -> list[Figure]:
    """The outcome figures; counts None means a ticket-only filter left them undefined."""
    note = TICKET_FILTER_NOTE if now_counts is None else ""

    def share(counts: dict[str, int] | None, *keys: str) -> float | None:
        return None if counts is None else ratio(sum(counts[k] for k in keys), sum(counts.values()))

    def total(counts: dict[str, int] | None) -> int | None:
        return None if counts is None else sum(counts.values())

    return [
        Figure("bot_conversations", "Bot conversations", total(now_counts), total(before_counts), "count",
               "Conversations that asked the bot at least one question in the period." + note),
        Figure("deflection_rate", "Deflection rate", share(now_counts, "confirmed", "assumed"),
               share(before_counts, "confirmed", "assumed"), "ratio",
               "Share of bot conversations resolved by the bot: no ticket, no \"didn't help\" click, and the "
               "bot's last reply was an answer." + note),
        Figure("confirmed_deflection_rate", "Confirmed deflection rate", share(now_counts, "confirmed"),
               share(before_counts, "confirmed"), "ratio",
               "Share of bot conversations resolved by the bot where the customer clicked \"that helped\"."
               + note),
        Figure("handed_off_rate", "Handed off", share(now_counts, "handed_off"),
               share(before_counts, "handed_off"), "ratio",
               "Share of bot conversations the bot handed to a person (a ticket opened at or after their "
               "first question), whatever the customer clicked before." + note),
        Figure("abandoned_rate", "Abandoned", share(now_counts, "abandoned"),
               share(before_counts, "abandoned"), "ratio",
               "Share of bot conversations without a ticket that ended with a \"didn't help\" click or "
               "without an answer (the bot did not know, or offered choices)." + note),
    ]


def _outcome_table(counts: dict[str, int] | None) -> Table:
    columns = ["Outcome", "Conversations", "Share"]
    if counts is None:
        return Table(key="bot_outcomes",
                     title="Bot outcomes (not defined with a category, group or agent filter)",
                     columns=columns, rows=[], chart="pie", value_columns=(1,))
    total = sum(counts.values())
    rows: list[list[str | int | float | None]] = [
        [label, counts[key], ratio(counts[key], total)] for key, label in OUTCOME_LABELS.items()
    ]
    return Table(key="bot_outcomes", title=f"Bot outcomes (of {total} bot conversations)", columns=columns,
                 rows=rows, chart="pie", value_columns=(1,))
