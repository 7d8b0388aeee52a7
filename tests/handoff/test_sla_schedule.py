"""The SLA pass reads only tickets whose next SLA moment has come — on both databases.

Each ticket carries `sla_next_check_at`: the earliest moment one of its SLA states can change.
These tests check that the pass skips a ticket until then, that the ticket still turns at risk,
breached and escalated at the right business moments, and that everything that moves the clocks
(a pause, its end, a priority change, an escalation) makes the ticket due again.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from handoff import add_agent_reply, correct_classification, get_ticket, hand_off, run_sla_checks
from handoff.escalation import escalate
from handoff.lifecycle import change_status
from handoff.models import Agent, Calendar, Ticket, utcnow
from handoff.sla_service import apply_targets, recheck_open_tickets, tickets_due_for_check
from tests.utils.factories import add_to_group, make_agent, make_conversation

BERLIN = ZoneInfo("Europe/Berlin")


def _ticket(session: Session, text: str) -> Ticket:
    conversation = make_conversation(session, text)
    result = hand_off(session, conversation_public_id=conversation.public_id, reason="asked_for_human")
    ticket = get_ticket(session, number=result.ticket_number)
    assert ticket is not None
    return ticket


def _berlin(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in the week of Monday 16 November 2026 (no holidays), Berlin time, as UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


def _due(session: Session, now: datetime) -> list[int]:
    return [ticket.id for ticket in tickets_due_for_check(session, now)]


def test_the_pass_skips_a_ticket_over_the_weekend_and_it_turns_yellow_then_red_on_monday(session: Session) -> None:
    ticket = _ticket(session, "how do I change my plan")
    ticket.priority = "high"  # 60 business minutes to answer, on the Berlin office calendar (Mon-Fri 8-18)
    apply_targets(session, ticket, start=_berlin(20, 17, 30))  # Friday 17:30
    run_sla_checks(session, now=_berlin(20, 17, 40))
    assert ticket.first_response_state == "ok"
    # 45 business minutes (the at-risk share) are 30 on Friday and 15 on Monday morning.
    assert ticket.sla_next_check_at == _berlin(23, 8, 15) + timedelta(seconds=1)

    for night_or_weekend in (_berlin(20, 22), _berlin(21, 12), _berlin(22, 23), _berlin(23, 8, 15)):
        assert ticket.id not in _due(session, night_or_weekend)
        run_sla_checks(session, now=night_or_weekend)
        assert ticket.first_response_state == "ok"

    run_sla_checks(session, now=_berlin(23, 8, 16))
    assert ticket.first_response_state == "at_risk"
    assert ticket.sla_next_check_at == _berlin(23, 8, 30) + timedelta(seconds=1)  # the 60 minutes are up
    assert ticket.id not in _due(session, _berlin(23, 8, 29))
    run_sla_checks(session, now=_berlin(23, 8, 31))
    assert ticket.first_response_state == "breached"
    assert [event.kind for event in ticket.events].count("sla_breached") == 1


def test_a_pause_stops_the_checks_and_its_end_moves_them_by_the_time_waited(session: Session) -> None:
    ticket = _ticket(session, "I think my account was hacked, someone logged in")
    agent = make_agent(session)
    add_agent_reply(session, number=ticket.number or 0, agent=agent, text="Looking into it")
    start = ticket.human_started_at
    assert start is not None and ticket.resolution_minutes == 120  # the always-open security policy
    change_status(session, ticket, "awaiting_customer", actor="agent:1", now=start + timedelta(minutes=10))
    assert ticket.id in _due(session, start + timedelta(minutes=10))

    run_sla_checks(session, now=start + timedelta(minutes=20))
    assert ticket.sla_next_check_at is None  # answered, and the resolution clock is stopped
    assert ticket.id not in _due(session, start + timedelta(days=30))

    change_status(session, ticket, "in_progress", actor="customer", now=start + timedelta(minutes=70))
    assert ticket.id in _due(session, start + timedelta(minutes=70))
    run_sla_checks(session, now=start + timedelta(minutes=71))
    # At risk at 90 of 120 minutes, and 60 of them were spent waiting for the customer.
    assert ticket.sla_next_check_at == start + timedelta(minutes=150, seconds=1)
    run_sla_checks(session, now=start + timedelta(minutes=149))
    assert ticket.resolution_state == "ok"
    run_sla_checks(session, now=start + timedelta(minutes=151))
    assert ticket.resolution_state == "at_risk"


def test_a_priority_change_makes_the_ticket_due_and_moves_its_deadlines(session: Session) -> None:
    ticket = _ticket(session, "how do I change my plan")
    assert ticket.priority == "normal"
    start = ticket.human_started_at
    assert start is not None
    run_sla_checks(session, now=start + timedelta(minutes=1))
    assert ticket.id not in _due(session, start + timedelta(minutes=25))

    correct_classification(session, number=ticket.number or 0, agent=make_agent(session), priority="urgent")
    assert ticket.id in _due(session, start + timedelta(minutes=2))
    run_sla_checks(session, now=start + timedelta(minutes=2))
    # Urgent: 30 minutes on the always-open calendar, at risk after 22.5 of them.
    assert ticket.sla_next_check_at == start + timedelta(minutes=22.5, seconds=1)
    run_sla_checks(session, now=start + timedelta(minutes=23))
    assert ticket.first_response_state == "at_risk"


def test_a_category_correction_gives_the_ticket_that_categorys_sla_policy(session: Session) -> None:
    ticket = _ticket(session, "how do I change my plan")
    start = ticket.human_started_at
    assert start is not None
    agent = make_agent(session)
    correct_classification(session, number=ticket.number or 0, agent=agent, priority="urgent")
    assert ticket.first_response_minutes == 30  # the Urgent policy

    # The set-up file's Security policy: urgent security tickets are answered within 15 minutes.
    correct_classification(session, number=ticket.number or 0, agent=agent, category="security")
    assert (ticket.first_response_minutes, ticket.resolution_minutes) == (15, 120)
    assert ticket.first_response_due == start + timedelta(minutes=15)
    assert ticket.id in _due(session, start + timedelta(minutes=1))


def test_an_unanswered_ticket_is_left_alone_until_its_escalation_moment_then_escalated(session: Session) -> None:
    ticket = _ticket(session, "I think my account was hacked, someone logged in")
    start = ticket.human_started_at
    assert start is not None and ticket.skill_group == "privacy" and ticket.first_response_minutes == 15
    run_sla_checks(session, now=start + timedelta(minutes=16))
    assert ticket.first_response_state == "breached"
    assert ticket.sla_next_check_at == start + timedelta(minutes=90, seconds=1)  # resolution at risk
    run_sla_checks(session, now=start + timedelta(minutes=91))
    assert ticket.sla_next_check_at == start + timedelta(minutes=120, seconds=1)  # resolution breached
    run_sla_checks(session, now=start + timedelta(minutes=121))
    # The next tier is due 120 business minutes past the 15-minute target.
    assert ticket.sla_next_check_at == start + timedelta(minutes=135, seconds=1)
    assert ticket.id not in _due(session, start + timedelta(minutes=130))
    run_sla_checks(session, now=start + timedelta(minutes=130))
    assert ticket.skill_group == "privacy"

    run_sla_checks(session, now=start + timedelta(minutes=136))
    assert ticket.skill_group == "engineering" and ticket.tier == 3
    assert ticket.id in _due(session, start + timedelta(minutes=137))  # looked at again at the new tier


def test_a_ticket_with_nothing_left_to_change_is_never_read_again(session: Session) -> None:
    ticket = _ticket(session, "I think my account was hacked, someone logged in")
    start = ticket.human_started_at
    assert start is not None
    run_sla_checks(session, now=start + timedelta(minutes=136))  # breached, escalated to the top tier
    run_sla_checks(session, now=start + timedelta(minutes=137))  # no tier above: nothing can change now
    assert ticket.status in ("new", "in_progress") and ticket.resolution_state == "breached"
    assert ticket.sla_next_check_at is None
    assert ticket.id not in _due(session, start + timedelta(days=365))


def test_resolving_and_closing_take_the_ticket_out_of_the_pass(session: Session) -> None:
    ticket = _ticket(session, "how do I change my plan")
    change_status(session, ticket, "resolved", actor="agent:1")
    assert ticket.sla_next_check_at is None
    change_status(session, ticket, "in_progress", actor="customer")  # reopened
    assert ticket.sla_next_check_at is not None and ticket.id in _due(session, utcnow() + timedelta(seconds=1))


def test_a_pass_over_many_open_tickets_not_yet_due_reads_none_of_them(session: Session) -> None:
    agent = make_agent(session)
    agent.capacity = 100
    add_to_group(session, agent, "general")
    tickets = [_ticket(session, f"how do I change my plan {n}") for n in range(30)]
    assert all(ticket.status == "in_progress" for ticket in tickets)  # assigned, so none is queued
    now = utcnow()
    run_sla_checks(session, now=now)
    assert all(ticket.sla_next_check_at is not None and ticket.sla_next_check_at > now for ticket in tickets)
    states = [(t.first_response_state, t.resolution_state, len(t.events)) for t in tickets]
    session.flush()
    session.expunge_all()

    loaded: list[object] = []
    event.listen(session, "loaded_as_persistent", lambda _session, instance: loaded.append(instance))
    later = now + timedelta(seconds=30)
    assert _due(session, later) == []
    assert run_sla_checks(session, now=later) == 0
    assert not [instance for instance in loaded if isinstance(instance, Ticket)]

    again = [session.get(Ticket, ticket.id) for ticket in tickets]
    assert [(t.first_response_state, t.resolution_state, len(t.events)) for t in again if t] == states


def test_changed_calendars_or_knobs_make_every_open_ticket_due_within_ten_minutes(session: Session) -> None:
    tickets = [_ticket(session, f"how do I change my plan {n}") for n in range(3)]
    now = utcnow()
    run_sla_checks(session, now=now)
    assert not set(_due(session, now + timedelta(seconds=30))) & {ticket.id for ticket in tickets}
    tickets[0].sla_next_check_at = None  # as if nothing could change any more

    recheck_open_tickets(session, now, over=timedelta(minutes=10), slots=20)
    session.expire_all()
    moments = [ticket.sla_next_check_at for ticket in tickets]
    assert all(moment is not None and now <= moment < now + timedelta(minutes=10) for moment in moments)
    assert len(set(moments)) == 3  # consecutive ids fall into different passes
    assert {ticket.id for ticket in tickets} <= set(_due(session, now + timedelta(minutes=10)))


def test_an_escalation_by_hand_makes_the_ticket_due_at_its_new_tier(session: Session) -> None:
    ticket = _ticket(session, "how do I change my plan")
    assert ticket.status == "new" and ticket.skill_group == "general"  # queued: nobody in the group
    start = ticket.human_started_at
    assert start is not None
    run_sla_checks(session, now=start + timedelta(minutes=1))
    assert ticket.id not in _due(session, start + timedelta(minutes=2))
    escalate(session, ticket, actor="agent:1", reason="agent")
    assert ticket.status == "new" and ticket.tier == 2
    assert ticket.id in _due(session, start + timedelta(minutes=2))


def test_a_first_reply_before_the_escalation_moment_cancels_the_escalation(session: Session) -> None:
    ticket = _ticket(session, "I think my account was hacked, someone logged in")
    start = ticket.human_started_at
    assert start is not None
    run_sla_checks(session, now=start + timedelta(minutes=121))  # breached, escalation due at 135
    add_agent_reply(session, number=ticket.number or 0, agent=make_agent(session), text="On it")
    assert ticket.id in _due(session, start + timedelta(minutes=122))
    run_sla_checks(session, now=start + timedelta(minutes=122))
    assert ticket.id not in _due(session, start + timedelta(days=30))
    run_sla_checks(session, now=start + timedelta(minutes=136))
    assert ticket.skill_group == "privacy" and "escalated" not in [event.kind for event in ticket.events]


def test_a_closed_ticket_left_with_a_moment_is_cleared_not_checked(session: Session) -> None:
    ticket = _ticket(session, "how do I change my plan")
    change_status(session, ticket, "closed", actor="system")
    ticket.sla_next_check_at = utcnow()  # as a bulk update outside the lifecycle might leave it
    events = len(ticket.events)
    run_sla_checks(session, now=utcnow() + timedelta(seconds=1))
    assert ticket.sla_next_check_at is None and len(ticket.events) == events


def test_a_ticket_that_cannot_be_timed_does_not_stop_the_others(session: Session) -> None:
    session.add(Calendar(name="never open", config={"timezone": "UTC", "hours": {"mon": "08:00-08:00"}}))
    broken, fine = _ticket(session, "how do I change my plan"), _ticket(session, "I think my account was hacked")
    broken.sla_calendar = "never open"
    now = utcnow()
    broken.sla_next_check_at = now - timedelta(minutes=1)  # the first one the pass reads
    start = fine.human_started_at
    assert start is not None and fine.first_response_minutes == 15
    run_sla_checks(session, now=start + timedelta(minutes=16))
    assert fine.first_response_state == "breached"
    assert broken.sla_next_check_at == start + timedelta(minutes=26)  # tried again 10 minutes later


def test_queues_of_groups_where_nobody_can_take_a_ticket_are_not_read(session: Session) -> None:
    agent = make_agent(session, "late@example.com")
    agent.is_available = False
    add_to_group(session, agent, "general")
    queued = [_ticket(session, f"how do I change my plan {n}") for n in range(3)]
    assert all(ticket.assignee_id is None and ticket.status == "new" for ticket in queued)
    now = utcnow()
    run_sla_checks(session, now=now)
    session.flush()
    session.expunge_all()

    loaded: list[object] = []
    event.listen(session, "loaded_as_persistent", lambda _session, instance: loaded.append(instance))
    run_sla_checks(session, now=now + timedelta(seconds=30))
    assert not [instance for instance in loaded if isinstance(instance, Ticket)]

    back = session.get(Agent, agent.id)
    assert back is not None
    back.is_available = True  # the shift starts: the queue is read
    run_sla_checks(session, now=now + timedelta(seconds=60))
    assert [ticket.assignee_id for ticket in session.scalars(select(Ticket).order_by(Ticket.id))][-3:] == [agent.id] * 3
