"""Tickets open when the SLA-moment migration runs are checked by the first pass — on both databases."""


from alembic import command
from sqlalchemy import select

from handoff import get_ticket, hand_off, resolve, run_sla_checks, session_scope, start_conversation
from handoff.migrate import alembic_config, upgrade_database
from handoff.models import Ticket
from handoff.sla_service import tickets_due_for_check

BEFORE_SLA_MOMENTS = "cefc5450910d"


def _new_ticket(url: str) -> int:
    with session_scope(url) as session:
        conversation, _token = start_conversation(session, channel="web")
        result = hand_off(session, conversation_public_id=conversation.public_id, reason="asked_for_human")
        return result.ticket_number


def test_tickets_open_at_the_migration_are_due_and_the_others_are_not(fresh_url: str) -> None:
    upgrade_database(fresh_url)
    open_number, resolved_number = _new_ticket(fresh_url), _new_ticket(fresh_url)
    with session_scope(fresh_url) as session:
        resolve(session, number=resolved_number, actor="agent:1")

    command.downgrade(alembic_config(fresh_url), BEFORE_SLA_MOMENTS)
    command.upgrade(alembic_config(fresh_url), "head")

    with session_scope(fresh_url) as session:
        moments = dict(session.execute(select(Ticket.number, Ticket.sla_next_check_at)).tuples().all())
        assert moments[open_number] is not None and moments[resolved_number] is None
        assert [ticket.number for ticket in tickets_due_for_check(session, moments[open_number])] == [open_number]
        run_sla_checks(session, now=moments[open_number])
        ticket = get_ticket(session, number=open_number)
        assert ticket is not None and ticket.sla_next_check_at is not None
        assert ticket.sla_next_check_at > moments[open_number]  # its real next moment, computed by the pass
