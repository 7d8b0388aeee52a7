"""Dispatch in all four modes, escalation up the tiers, and atomic claims — on both databases."""

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from handoff import CannotEscalate, DispatchError, claim, escalate, get_ticket, hand_off, pick_agent
from handoff.dispatch import AgentLoad
from handoff.models import Ticket
from tests.utils.factories import add_to_group, make_agent, make_conversation


def _ticket(session: Session, text: str) -> Ticket:
    conversation = make_conversation(session, text)
    result = hand_off(session, conversation_public_id=conversation.public_id, reason="asked_for_human")
    ticket = get_ticket(session, number=result.ticket_number)
    assert ticket is not None
    return ticket


def test_pick_agent_prefers_skill_then_load_then_idle() -> None:
    early, late = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC)
    candidates = [
        AgentLoad(1, ("billing",), open_tickets=3, capacity=8, available=True, last_assigned_at=early),
        AgentLoad(2, (), open_tickets=0, capacity=8, available=True, last_assigned_at=early),
        AgentLoad(3, ("billing",), open_tickets=1, capacity=8, available=True, last_assigned_at=late),
        AgentLoad(4, ("billing",), open_tickets=1, capacity=8, available=True, last_assigned_at=early),
        AgentLoad(5, ("billing",), open_tickets=0, capacity=8, available=False, last_assigned_at=None),
        AgentLoad(6, ("billing",), open_tickets=2, capacity=2, available=True, last_assigned_at=None),
    ]
    assert pick_agent(candidates, "billing") == 4
    assert pick_agent(candidates, "plans") == 2
    assert pick_agent([candidates[4], candidates[5]], "billing") is None


def test_automatic_mode_assigns_the_best_available_agent(session: Session) -> None:
    busy, free = make_agent(session, "busy@example.com"), make_agent(session, "free@example.com")
    add_to_group(session, busy, "general")
    add_to_group(session, free, "general")
    first = _ticket(session, "how do I change my plan")
    second = _ticket(session, "question about my account settings")
    assert first.skill_group == "general"
    assert {first.assignee_id, second.assignee_id} == {busy.id, free.id}
    assert first.status == second.status == "in_progress"


def test_nobody_available_leaves_the_ticket_queued(session: Session) -> None:
    ticket = _ticket(session, "how do I change my plan")
    assert ticket.assignee_id is None and ticket.status == "new"
    assert ticket.events[-1].kind == "queued"


def test_review_mode_recommends_and_waits_for_the_dispatcher(session: Session) -> None:
    agent = make_agent(session, "bill@example.com")
    add_to_group(session, agent, "billing")
    ticket = _ticket(session, "I need a receipt for my subscription payment")
    assert ticket.skill_group == "billing"
    assert ticket.recommended_assignee_id == agent.id
    assert ticket.assignee_id is None and ticket.status == "new"


def test_claim_mode_queues_and_a_member_claims(session: Session) -> None:
    member, outsider = make_agent(session, "tech@example.com"), make_agent(session, "other@example.com")
    add_to_group(session, member, "technical")
    ticket = _ticket(session, "the stripe integration throws an error")
    assert ticket.skill_group == "technical" and ticket.assignee_id is None
    with pytest.raises(DispatchError, match="not in one of your groups"):
        claim(session, ticket, outsider)
    claim(session, ticket, member)
    assert ticket.assignee_id == member.id and ticket.status == "in_progress"
    with pytest.raises(DispatchError, match="already taken"):
        claim(session, ticket, member)


def test_escalation_moves_up_the_tiers_and_stops_at_the_top(session: Session) -> None:
    ticket = _ticket(session, "how do I change my plan")
    escalate(session, ticket, actor="agent:1", reason="agent", note="needs a senior")
    assert (ticket.skill_group, ticket.tier) == ("senior", 2)
    escalate(session, ticket, actor="agent:1", reason="agent")
    assert (ticket.skill_group, ticket.tier) == ("engineering", 3)
    with pytest.raises(CannotEscalate, match="top tier"):
        escalate(session, ticket, actor="agent:1", reason="agent")
    kinds = [event.kind for event in ticket.events]
    assert kinds.count("escalated") == 2 and "group_notified" in kinds


def test_angry_customer_goes_to_the_senior_tier(session: Session) -> None:
    ticket = _ticket(session, "This is ridiculous, third time my plan upgrade failed, I'm furious")
    assert ticket.group is not None and ticket.group.name == "senior"
    assert ticket.priority == "high"


def test_queued_ticket_goes_to_an_agent_who_becomes_available(session: Session) -> None:
    from handoff import run_sla_checks

    agent = make_agent(session, "late@example.com")
    agent.is_available = False
    add_to_group(session, agent, "general")
    ticket = _ticket(session, "how do I change my plan")
    assert ticket.assignee_id is None
    run_sla_checks(session)
    assert ticket.assignee_id is None and [e.kind for e in ticket.events].count("queued") == 1
    agent.is_available = True  # the shift starts
    run_sla_checks(session)
    assert ticket.assignee_id == agent.id and ticket.status == "in_progress"
