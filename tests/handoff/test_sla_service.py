"""SLA states on tickets, recorded once, time-based escalation and auto-close — on both databases."""

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handoff import get_ticket, hand_off, resolve, run_sla_checks
from handoff.models import SlaMark, Ticket, utcnow
from tests.utils.factories import make_conversation


def _urgent_ticket(session: Session) -> Ticket:
    # "hacked" is urgent; the Urgent policy runs on the always-open calendar: 30 minutes to respond.
    conversation = make_conversation(session, "I think my account was hacked, someone logged in")
    result = hand_off(session, conversation_public_id=conversation.public_id, reason="always_human_topic")
    ticket = get_ticket(session, number=result.ticket_number)
    assert ticket is not None and ticket.priority == "urgent"
    return ticket


def test_sla_goes_yellow_then_red_and_each_change_is_recorded_once(session: Session) -> None:
    ticket = _urgent_ticket(session)
    start = ticket.human_started_at
    assert start is not None
    assert ticket.first_response_minutes == 15  # the security category's own policy
    run_sla_checks(session, now=start + timedelta(minutes=5))
    assert ticket.first_response_state == "ok"
    run_sla_checks(session, now=start + timedelta(minutes=12))
    assert ticket.first_response_state == "at_risk"
    run_sla_checks(session, now=start + timedelta(minutes=16))
    run_sla_checks(session, now=start + timedelta(minutes=17))  # a second scheduler pass changes nothing
    assert ticket.first_response_state == "breached"
    marks = session.scalar(select(func.count(SlaMark.id)).where(SlaMark.ticket_id == ticket.id,
                                                                SlaMark.metric.like("first_response%")))
    assert marks == 2
    kinds = [event.kind for event in ticket.events]
    assert kinds.count("sla_at_risk") >= 1 and kinds.count("sla_breached") == 1


def test_unanswered_ticket_escalates_once(session: Session) -> None:
    ticket = _urgent_ticket(session)
    start = ticket.human_started_at
    assert start is not None and ticket.skill_group == "privacy"
    later = start + timedelta(minutes=15 + 130)
    run_sla_checks(session, now=later)
    run_sla_checks(session, now=later + timedelta(minutes=1))
    assert ticket.skill_group == "engineering"
    assert [event.kind for event in ticket.events].count("escalated") == 1


def test_resolved_tickets_close_after_the_configured_days(session: Session) -> None:
    ticket = _urgent_ticket(session)
    resolve(session, number=ticket.number or 0, actor="agent:1")
    run_sla_checks(session, now=utcnow() + timedelta(days=1))
    assert ticket.status == "resolved"
    run_sla_checks(session, now=utcnow() + timedelta(days=8))
    assert ticket.status == "closed" and ticket.conversation.mode == "bot"
