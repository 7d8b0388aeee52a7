"""A small help-desk history with known answers, built through the real handoff functions.

The core stamps `utcnow()` on tickets and timeline events; each helper here does the real
thing and then moves those stamps to the moment the story says, so the dashboard sees a past
that happened at known times. The story (all times UTC; Berlin is UTC+1 until the clocks go
forward on Sunday 29 March 2026, UTC+2 after):

Previous period, Tue 17 – Mon 23 March:
- C0 answered, "that helped"; C11 answered, "didn't help", no ticket.
- C10 missed twice on Fri 20th 09:00, handed off as T0 at 10:00; Alice replies 11:00, resolves
  15:00, CSAT 4; closed Sat 21st.
- T8 opened Mon 23rd 12:00 without the bot; assigned to Alice Tue 24th 09:00, resolved (late,
  without a reply) Thu 26th 12:00.

Period, Tue 24 – Mon 30 March:
- C1 answered + "that helped"; C2 and C3 (Telegram) answered; C4 missed; C7 (Telegram) was
  offered choices; C8 answered + "didn't help": none of these got a ticket.
- C5 answered + "didn't help", handed off as T1 (billing); Bob replies and waits for the
  customer, who answers the next day; resolved, CSAT 5; reopened Friday and resolved again.
- C6 answered + "that helped", then asked for a person: T2 (integrations), escalated twice
  (tiers 2 and 3), never answered.
- C12 (Telegram) asked about a hacked account: T4 (security, 24x7 calendar), answered in 10
  minutes, resolved in 180 (target 120), CSAT 2.
- C9 asked on Friday 16:20, handed off as T3 at 16:30; Alice replies Monday 07:00 (after the
  weekend and the clock change) and resolves at 09:00.
- C10 asks again on Saturday and gets an answer.
- T6: a follow-up opened on C0's conversation Tue 14:00, resolved 15:00 without a reply.
- T5: opened Mon 30th 13:00 without the bot, unanswered.

After the period: T7 opened Tue 31st 07:14. `NOW` is Tue 31st 08:00.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handoff import (
    Agent,
    Conversation,
    Ticket,
    add_agent_reply,
    assign,
    change_status,
    escalate,
    get_ticket,
    hand_off,
    record_csat,
    record_message,
    reopen,
    resolve,
    start_conversation,
)
from handoff.kb_queries import record_kb_feedback, record_kb_query
from handoff.metrics import Period
from handoff.models import KbQuery, TicketEvent
from handoff.sla_service import (
    apply_targets,
    check_ticket,
    measure_first_response,
    measure_resolution,
    refresh_resolution_due,
)
from tests.utils.factories import make_agent

PERIOD = Period(start=datetime(2026, 3, 24, tzinfo=UTC), end=datetime(2026, 3, 31, tzinfo=UTC))
NOW = datetime(2026, 3, 31, 8, 0, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in March 2026, UTC."""
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def _last_event_id(session: Session) -> int:
    session.flush()
    return int(session.scalar(select(func.max(TicketEvent.id))) or 0)


def _stamp_events(session: Session, ticket: Ticket, after: int, moment: datetime) -> None:
    """Move the ticket's timeline entries written since event `after` to `moment`."""
    session.flush()
    for event in session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id,
                                                           TicketEvent.id > after)):
        event.created_at = moment
    session.flush()


def conversation(session: Session, started: datetime, text: str, *, channel: str = "web") -> Conversation:
    """A conversation started at `started` in which the customer wrote `text`."""
    conv, _token = start_conversation(session, channel=channel)
    conv.created_at = started
    record_message(session, conversation=conv, sender="customer", text=text)
    return conv


def ask(session: Session, conv: Conversation, moment: datetime, decision: str,
        feedback: bool | None = None, question: str = "a question") -> KbQuery:
    """The bot looked up a question at `moment`; optionally the customer clicked feedback."""
    query = record_kb_query(
        session, conversation_public_id=conv.public_id, question=question, decision=decision,
        article_id="some-article" if decision == "answer" else None, confidence=0.9,
        nearest_article_id="some-article", nearest_score=0.8, embedding=None,
    )
    assert query is not None
    query.created_at = moment
    if feedback is not None:
        clicked = record_kb_feedback(session, conversation=conv, helped=feedback)
        assert clicked is query
        query.feedback_at = moment
    session.flush()
    return query


def handed_off(session: Session, conv: Conversation, moment: datetime, reason: str) -> Ticket:
    """`hand_off` at `moment`: the ticket's SLA counted from then, its time with the bot measured."""
    mark = _last_event_id(session)
    result = hand_off(session, conversation_public_id=conv.public_id, reason=reason)
    ticket = get_ticket(session, number=result.ticket_number)
    assert ticket is not None
    ticket.created_at = moment
    apply_targets(session, ticket, start=moment)
    ticket.bot_seconds = None if reason == "follow_up" else (moment - conv.created_at).total_seconds()
    _stamp_events(session, ticket, mark, moment)
    return ticket


def reply(session: Session, ticket: Ticket, agent: Agent, moment: datetime, *, await_customer: bool = False) -> None:
    """`add_agent_reply` at `moment` (the first reply measures the first-response time)."""
    mark = _last_event_id(session)
    first = ticket.first_responded_at is None
    message = add_agent_reply(session, number=ticket.number or 0, agent=agent, text="Hello, I'm on it.",
                              await_customer=await_customer)
    message.created_at = moment
    if first:
        ticket.first_responded_at = moment
        measure_first_response(session, ticket)
    if await_customer:
        ticket.pauses = [*ticket.pauses[:-1], [moment.isoformat(), None]]
    _stamp_events(session, ticket, mark, moment)


def customer_back(session: Session, ticket: Ticket, moment: datetime) -> None:
    """The awaited customer answered at `moment`: the pause ends, the deadline moves."""
    mark = _last_event_id(session)
    change_status(session, ticket, "in_progress", actor="customer", reason="customer replied", now=moment)
    refresh_resolution_due(session, ticket, now=moment)
    _stamp_events(session, ticket, mark, moment)


def resolved(session: Session, ticket: Ticket, moment: datetime) -> None:
    """`resolve` at `moment` (measures the resolution time)."""
    mark = _last_event_id(session)
    resolve(session, number=ticket.number or 0, actor="agent:1")
    ticket.resolved_at = moment
    measure_resolution(session, ticket)
    _stamp_events(session, ticket, mark, moment)


def reopened(session: Session, ticket: Ticket, moment: datetime) -> None:
    """`reopen` at `moment`: a new human cycle starts then."""
    mark = _last_event_id(session)
    reopen(session, ticket, actor="customer", reason="customer replied")
    apply_targets(session, ticket, start=moment)
    _stamp_events(session, ticket, mark, moment)


def escalated(session: Session, ticket: Ticket, moment: datetime) -> None:
    """`escalate` (by an agent) at `moment`."""
    mark = _last_event_id(session)
    escalate(session, ticket, actor="agent:1", reason="agent")
    _stamp_events(session, ticket, mark, moment)


def rated(session: Session, ticket: Ticket, score: int, moment: datetime) -> None:
    """The customer's CSAT click at `moment`."""
    mark = _last_event_id(session)
    assert record_csat(session, conversation=ticket.conversation, score=score) is ticket
    _stamp_events(session, ticket, mark, moment)


def closed(session: Session, ticket: Ticket, moment: datetime) -> None:
    mark = _last_event_id(session)
    change_status(session, ticket, "closed", actor="system", reason="auto-closed", now=moment)
    _stamp_events(session, ticket, mark, moment)


def assigned(session: Session, ticket: Ticket, agent: Agent, moment: datetime) -> None:
    mark = _last_event_id(session)
    assign(session, ticket, agent, actor="agent:1", reason="dispatcher")
    _stamp_events(session, ticket, mark, moment)


@dataclass
class History:
    alice: Agent
    bob: Agent
    tickets: dict[str, Ticket]


def build_history(session: Session) -> History:
    """The story in this module's docstring."""
    alice = make_agent(session, "alice@example.com")
    bob = make_agent(session, "bob@example.com")
    password = "how do I change my password"

    # Previous period.
    c0 = conversation(session, at(18, 9), "where is my receipt")
    ask(session, c0, at(18, 9), "answer", feedback=True)
    c11 = conversation(session, at(18, 10), "how do I export")
    ask(session, c11, at(18, 10), "answer", feedback=False)
    c10 = conversation(session, at(20, 9), password)
    ask(session, c10, at(20, 9), "miss")
    ask(session, c10, at(20, 9, 30), "miss")
    t0 = handed_off(session, c10, at(20, 10), "repeated_miss")
    reply(session, t0, alice, at(20, 11))
    resolved(session, t0, at(20, 15))
    rated(session, t0, 4, at(20, 15, 30))
    closed(session, t0, at(21, 9))
    t8 = handed_off(session, conversation(session, at(23, 11, 59), password), at(23, 12), "asked_for_human")
    assigned(session, t8, alice, at(24, 9))
    resolved(session, t8, at(26, 12))

    # The period.
    c1 = conversation(session, at(24, 9), "how do I export")
    ask(session, c1, at(24, 9), "answer", feedback=True)
    ask(session, conversation(session, at(24, 10), "how do I export"), at(24, 10), "answer")
    ask(session, conversation(session, at(24, 11), "how do I export", channel="telegram"), at(24, 11), "answer")
    ask(session, conversation(session, at(25, 8), "something odd"), at(25, 8), "miss")
    ask(session, conversation(session, at(26, 8), "something", channel="telegram"), at(26, 8), "clarify")
    ask(session, conversation(session, at(26, 9), "how do I export"), at(26, 9), "answer", feedback=False)
    t6 = handed_off(session, c0, at(24, 14), "follow_up")
    resolved(session, t6, at(24, 15))

    c5 = conversation(session, at(25, 9), "refund please")
    ask(session, c5, at(25, 9), "answer", feedback=False)
    t1 = handed_off(session, c5, at(25, 9, 5), "not_helped")
    reply(session, t1, bob, at(25, 10, 5), await_customer=True)
    customer_back(session, t1, at(26, 9, 5))
    resolved(session, t1, at(26, 11, 5))
    rated(session, t1, 5, at(26, 11, 10))
    reopened(session, t1, at(27, 9))
    reply(session, t1, bob, at(27, 9, 30))
    resolved(session, t1, at(27, 10))

    c6 = conversation(session, at(25, 12), "my bank feed stopped updating")
    ask(session, c6, at(25, 12), "answer", feedback=True)
    t2 = handed_off(session, c6, at(25, 12, 10), "asked_for_human")
    escalated(session, t2, at(25, 13))
    escalated(session, t2, at(25, 14))

    c12 = conversation(session, at(26, 10), "I think my account was hacked, someone logged in", channel="telegram")
    ask(session, c12, at(26, 10), "always_human")
    t4 = handed_off(session, c12, at(26, 10, 1), "always_human_topic")
    reply(session, t4, bob, at(26, 10, 11))
    resolved(session, t4, at(26, 13, 1))
    rated(session, t4, 2, at(26, 13, 5))

    c9 = conversation(session, at(27, 16, 20), password)
    ask(session, c9, at(27, 16, 20), "answer")
    t3 = handed_off(session, c9, at(27, 16, 30), "asked_for_human")
    reply(session, t3, alice, at(30, 7))
    resolved(session, t3, at(30, 9))

    ask(session, c10, at(28, 10), "answer")
    t5 = handed_off(session, conversation(session, at(30, 12, 58), "refund please"), at(30, 13), "asked_for_human")

    # After the period; then the SLA check runs at NOW on the open tickets.
    t7 = handed_off(session, conversation(session, at(31, 7, 10), "I was charged twice on my invoice"),
                    at(31, 7, 14), "asked_for_human")
    for ticket in (t2, t5, t7):
        check_ticket(session, ticket, NOW)
    session.flush()
    tickets = {"T0": t0, "T1": t1, "T2": t2, "T3": t3, "T4": t4, "T5": t5, "T6": t6, "T7": t7, "T8": t8}
    return History(alice=alice, bob=bob, tickets=tickets)

