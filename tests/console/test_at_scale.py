"""The console's shape for a long history: a bounded search that still finds by number, customer
and text; open tickets first and the history newest first; a transcript cut to its latest part
with the way back; counts and sums read in SQL; reading pages that never wait for a writer."""

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from bot.console import queries, ticket_page
from bot.console.queries import (
    TicketFilters,
    board_columns,
    categories_on_tickets,
    csat_stats,
    list_tickets_for,
)
from bot.console.routes.tickets import get_reading_session
from handoff import (
    Ticket,
    add_internal_note,
    change_status,
    get_ticket,
    hand_off,
    move_ticket,
    record_message,
)
from handoff.db import make_engine
from handoff.models import utcnow
from tests.console.conftest import sign_in
from tests.utils.factories import make_agent, make_conversation

ROW = re.compile(r'data-testid="ticket-row" data-number="(\d+)"')


def _ticket(session: Session, *texts: str) -> Ticket:
    conversation = make_conversation(session, *texts)
    handed_off = hand_off(session, conversation_public_id=conversation.public_id, reason="asked_for_human")
    number = handed_off.ticket_number
    ticket = get_ticket(session, number=number)
    assert ticket is not None
    return ticket


def _found(client: TestClient, q: str, state: str = "all") -> set[int]:
    page = client.get("/console/tickets", params={"q": q, "state": state})
    assert page.status_code == 200
    return {int(number) for number in ROW.findall(page.text)}


def _close(session: Session, ticket: Ticket) -> None:
    move_ticket(session, ticket, "resolved", actor="system")
    change_status(session, ticket, "closed", actor="system")


def test_search_finds_by_number_customer_subject_and_what_people_wrote(
    client: TestClient, session: Session
) -> None:
    lead = make_agent(session, "lee@example.com", role="lead")
    wanted = _ticket(session, "my bank feed stopped updating")
    wanted.conversation.customer.display_name = "Wiebke Lindqvist"
    record_message(session, conversation=wanted.conversation, sender="customer",
                   text="invoice INV-4711 is missing")
    add_internal_note(session, number=wanted.number or 0, agent=lead, text="ask Zelda from billing")
    other = _ticket(session, "please reset my password")
    sign_in(client, "lee@example.com")
    assert _found(client, f"#{wanted.number}") == {wanted.number}
    assert _found(client, str(other.number)) == {other.number}
    assert _found(client, "LINDQVIST") == {wanted.number}  # customer name, any case
    assert _found(client, "bank feed") == {wanted.number}  # subject
    assert _found(client, "inv-4711") == {wanted.number}  # a later customer message
    assert _found(client, "Zelda") == {wanted.number}  # an internal note
    assert _found(client, "Answer to") == set()  # the bot's words are the knowledge base's, not the ticket's
    assert _found(client, "password", state="open") == {other.number}


def test_hash_and_digits_is_a_ticket_number_and_bare_digits_also_match_text(
    client: TestClient, session: Session
) -> None:
    make_agent(session, "lee@example.com", role="lead")
    wanted = _ticket(session, "the export does not finish")
    mentions = _ticket(session, f"same problem as in ticket {wanted.number}")
    sign_in(client, "lee@example.com")
    assert _found(client, f"#{wanted.number}") == {wanted.number}
    assert _found(client, str(wanted.number)) == {wanted.number, mentions.number}


def test_words_search_the_recent_tickets_but_a_number_finds_any(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queries, "SEARCH_WINDOW", 2)
    make_agent(session, "lee@example.com", role="lead")
    old = _ticket(session, "refund for the march invoice")
    newer = [_ticket(session, f"question number {index} about refund policy") for index in range(2)]
    sign_in(client, "lee@example.com")
    assert _found(client, "refund") == {ticket.number for ticket in newer}
    assert _found(client, f"#{old.number}") == {old.number}
    _close(session, newer[0])
    _close(session, newer[1])
    assert _found(client, "refund", state="open") == {old.number}  # the window follows the filters


def test_all_states_list_open_by_deadline_then_the_history_newest_first(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    lead = make_agent(session, "lee@example.com", role="lead")
    done = [_ticket(session, f"closed question {index}") for index in range(3)]
    for ticket in done:
        _close(session, ticket)
    waiting = [_ticket(session, f"open question {index}") for index in range(3)]
    now = utcnow()
    for ticket, hours in zip(waiting, (5, 1, 3), strict=True):
        ticket.first_response_due = now + timedelta(hours=hours)
    session.flush()
    pages = [list_tickets_for(session, agent=lead, filters=TicketFilters(state="all", page=page))
             for page in (1, 2, 3)]
    assert [total for _, total in pages] == [6, 6, 6]
    numbers = [ticket.number for tickets, _ in pages for ticket in tickets]
    expected_open = [waiting[1].number, waiting[2].number, waiting[0].number]
    assert numbers == expected_open + [ticket.number for ticket in reversed(done)]


def test_board_shows_the_latest_moved_done_tickets_first(session: Session) -> None:
    lead = make_agent(session, "lee@example.com", role="lead")
    closed = [_ticket(session, f"question {index}") for index in range(queries.DONE_COLUMN_LIMIT + 2)]
    for ticket in closed:
        _close(session, ticket)
    now = utcnow()
    for age, ticket in enumerate(closed):
        ticket.updated_at = now - timedelta(minutes=age)
    closed[-1].updated_at = now + timedelta(minutes=1)  # the oldest ticket, moved last
    session.flush()
    column = board_columns(session, agent=lead)["closed"]
    assert len(column) == queries.DONE_COLUMN_LIMIT
    assert [ticket.number for ticket in column] == [
        ticket.number for ticket in [closed[-1], *closed[: queries.DONE_COLUMN_LIMIT - 1]]
    ]


def test_long_transcript_shows_its_latest_part_and_the_way_to_the_earlier_one(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ticket_page, "TRANSCRIPT_WINDOW", 4)
    make_agent(session, "lee@example.com", role="lead")
    ticket = _ticket(session, *(f"line number {index:02d}" for index in range(5)))
    sign_in(client, "lee@example.com")
    page = client.get(f"/console/tickets/{ticket.number}").text
    assert "line number 04" in page and "line number 02" not in page
    found = re.search(r'<a href="(/console/tickets/\d+\?before=\d+)" data-testid="earlier-messages">'
                      r"Show (\d+) earlier messages</a>", page)
    assert found is not None and int(found.group(2)) == 6  # 5 questions and 5 answers, 4 of them shown
    assert ' id="transcript"' in page and "Back to the latest messages" not in page

    earlier = client.get(found.group(1)).text
    assert "line number 02" in earlier and "line number 04" not in earlier
    # Two more before this page, and the way back; new messages are not appended to this window.
    assert "Show 2 earlier messages</a>" in earlier
    back = re.search(r'<a href="([^"]+)" data-testid="latest-messages">Back to the latest messages</a>', earlier)
    assert back is not None and back.group(1) == f"/console/tickets/{ticket.number}"
    assert ' id="transcript"' not in earlier
    assert "line number 04" in client.get(back.group(1)).text
    refused = client.get(f"/console/tickets/{ticket.number}?before=nonsense")
    assert refused.status_code == 400 and 'data-testid="error-page"' in refused.text


def test_categories_in_use_and_csat_are_read_in_sql(session: Session) -> None:
    lead = make_agent(session, "lee@example.com", role="lead")
    tickets = [_ticket(session, f"question {index}") for index in range(4)]
    for ticket, category, score in zip(tickets, ("billing", "privacy", "billing", "plans"), (5, 2, 4, None),
                                       strict=True):
        ticket.category = category
        move_ticket(session, ticket, "resolved", actor="system")
        ticket.csat_score = score
    tickets[3].resolved_at = utcnow() - timedelta(days=40)
    session.flush()
    assert {"billing", "plans", "privacy"} <= set(categories_on_tickets(session))
    assert categories_on_tickets(session) == sorted(set(categories_on_tickets(session)))
    stats = csat_stats(session, agent=lead, since=utcnow() - timedelta(days=30))
    assert (stats.count, stats.average, stats.satisfied_share) == (
        3, pytest.approx(11 / 3), pytest.approx(2 / 3)
    )


def test_reading_pages_do_not_wait_for_a_writer_on_sqlite(sqlite_url: str) -> None:
    """A page reads beside a long write (the SLA scheduler's pass) instead of queueing for the write
    lock, which SQLite sessions otherwise take when they begin."""
    engine: Engine = make_engine(sqlite_url)
    writer = engine.connect()
    writer.begin()
    writer.execute(text("UPDATE agents SET capacity = capacity"))  # holds SQLite's one write lock
    try:
        with Session(engine) as session:
            reading = get_reading_session(session)
            assert reading.scalar(select(func.count()).select_from(Ticket)) is not None
    finally:
        writer.rollback()
        writer.close()
        engine.dispose()
