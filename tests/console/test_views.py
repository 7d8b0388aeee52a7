"""What the console shows for SLA, transcript messages and timeline events."""

from datetime import UTC, datetime, timedelta

from bot.console.views import event_view, format_span, message_view, sla_view
from handoff import Message, Ticket, TicketEvent

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


def _ticket(**values: object) -> Ticket:
    defaults: dict[str, object] = {
        "status": "new",
        "first_response_due": NOW + timedelta(hours=2),
        "resolution_due": NOW + timedelta(days=1),
        "first_response_state": "ok",
        "resolution_state": "ok",
        "first_responded_at": None,
    }
    defaults.update(values)
    return Ticket(**defaults)


def test_format_span() -> None:
    assert format_span(timedelta(minutes=45)) == "45m"
    assert format_span(timedelta(hours=3, minutes=5)) == "3h 05m"
    assert format_span(timedelta(days=2, hours=4, minutes=10)) == "2d 4h"


def test_sla_counts_first_response_until_answered_then_resolution() -> None:
    waiting = sla_view(_ticket(), NOW)
    assert (waiting.state, waiting.label, waiting.metric, waiting.left) == (
        "ok",
        "On track",
        "first response",
        "2h 00m left",
    )
    answered = sla_view(
        _ticket(status="in_progress", first_responded_at=NOW, resolution_state="at_risk"), NOW
    )
    assert (answered.state, answered.label, answered.metric) == ("at_risk", "At risk", "resolution")


def test_a_passed_deadline_is_breached_even_before_the_scheduler_ran() -> None:
    late = sla_view(_ticket(first_response_due=NOW - timedelta(minutes=35)), NOW)
    assert (late.state, late.label, late.left) == ("breached", "Breached", "35m overdue")


def test_awaiting_customer_is_paused_and_done_tickets_have_no_clock() -> None:
    assert sla_view(_ticket(status="awaiting_customer", first_responded_at=NOW), NOW).state == "paused"
    assert sla_view(_ticket(status="resolved"), NOW).state == "done"


def _message(**values: object) -> Message:
    defaults: dict[str, object] = {
        "id": 7,
        "sender": "customer",
        "text": "hi",
        "payload": None,
        "buttons": [],
        "meta": {},
        "internal": False,
        "created_at": NOW,
        "edited_at": None,
    }
    defaults.update(values)
    return Message(**defaults)


def test_feedback_and_csat_clicks_are_named() -> None:
    helped = message_view(_message(text="Yes", payload="/feedback_helped"), "Ana")
    assert (helped.kind, helped.text, helped.author) == ("feedback", "👍 This helped", "Ana")
    not_helped = message_view(_message(text="No", payload="/feedback_not_helped"))
    assert not_helped.text == "👎 This did not help"
    rating = message_view(_message(text="5 ★★★★★", payload='/csat{"score": 5}'))
    assert (rating.kind, rating.text) == ("csat", "Rated the help 5/5")


def test_bot_message_carries_the_article_it_showed() -> None:
    view = message_view(
        _message(
            sender="bot",
            text="Try this",
            buttons=[{"title": "Yes", "payload": "/x"}],
            meta={"article": {"article_id": "reset-password", "title": "Reset", "url": "https://h/a"}},
        )
    )
    assert view.article is not None and (view.article.title, view.article.url) == ("Reset", "https://h/a")
    assert view.buttons == ["Yes"] and view.author == "Bot"


def test_internal_note_and_agent_name() -> None:
    view = message_view(_message(sender="agent", internal=True, meta={"agent_name": "Sam"}))
    assert (view.kind, view.author) == ("note", "Sam")


def test_timeline_events_in_words_with_agent_names() -> None:
    names = {3: "Sam"}
    claimed = event_view(
        TicketEvent(id=1, kind="claimed", actor="agent:3", detail={"assignee": "Sam"}, created_at=NOW), names
    )
    assert (claimed.actor, claimed.text) == ("Sam", "Claimed by Sam")
    moved = event_view(
        TicketEvent(
            id=2,
            kind="status_changed",
            actor="system",
            detail={"old": "new", "new": "in_progress", "reason": "assigned"},
            created_at=NOW,
        ),
        names,
    )
    assert (moved.actor, moved.text, moved.note) == ("System", "new → in progress", "assigned")
    unknown = event_view(
        TicketEvent(id=3, kind="something_new", actor="bot", detail={"x": 1}, created_at=NOW), names
    )
    assert unknown.text == "Something new (x: 1)"
