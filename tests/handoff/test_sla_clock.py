"""SLA clocks: deadlines with pauses, states, and promises to customers (no database)."""

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from handoff.calendar import ALWAYS_OPEN, BusinessCalendar, add_business_minutes
from handoff.sla_clock import (
    Pause,
    SlaTarget,
    describe_wait,
    due_at,
    elapsed_business_minutes,
    first_reply_promise,
    sla_state,
)

BERLIN = ZoneInfo("Europe/Berlin")
WEEKDAYS = BusinessCalendar.from_config(
    {
        "name": "weekdays",
        "timezone": "Europe/Berlin",
        "hours": {"mon-fri": "08:00-18:00"},
        "holidays": ["2026-12-25", "2026-12-26"],
    }
)
MONDAY_9 = datetime(2026, 1, 5, 9, 0, tzinfo=BERLIN)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def berlin(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def test_due_without_pauses_counts_open_time() -> None:
    assert due_at(WEEKDAYS, MONDAY_9, 60) == utc("2026-01-05 09:00")
    assert due_at(WEEKDAYS, berlin("2026-01-09 17:00"), 240) == utc("2026-01-12 10:00")


def test_pauses_stop_the_resolution_clock() -> None:
    waiting = Pause(berlin("2026-01-05 10:00"), berlin("2026-01-05 14:00"))
    assert due_at(WEEKDAYS, MONDAY_9, 240, [waiting]) == utc("2026-01-05 16:00")
    overnight = Pause(berlin("2026-01-05 17:00"), berlin("2026-01-06 09:00"))
    assert due_at(WEEKDAYS, MONDAY_9, 600, [overnight]) == utc("2026-01-06 10:00")
    overlapping = [
        Pause(berlin("2026-01-05 10:00"), berlin("2026-01-05 12:00")),
        Pause(berlin("2026-01-05 11:00"), berlin("2026-01-05 13:00")),
    ]
    assert due_at(WEEKDAYS, MONDAY_9, 240, overlapping) == utc("2026-01-05 15:00")
    assert elapsed_business_minutes(WEEKDAYS, MONDAY_9, berlin("2026-01-05 15:00"), overlapping) == 180


def test_pauses_before_the_start_do_not_count() -> None:
    earlier = Pause(berlin("2026-01-02 09:00"), berlin("2026-01-05 10:00"))
    assert due_at(WEEKDAYS, MONDAY_9, 60, [earlier]) == utc("2026-01-05 10:00")


def test_a_running_pause_ends_now() -> None:
    waiting = Pause(berlin("2026-01-05 10:00"))
    now = berlin("2026-01-05 15:00")
    assert due_at(WEEKDAYS, MONDAY_9, 240, [waiting], now=now) == utc("2026-01-05 17:00")
    assert elapsed_business_minutes(WEEKDAYS, MONDAY_9, now, [waiting]) == 60
    with pytest.raises(ValueError, match="still running"):
        due_at(WEEKDAYS, MONDAY_9, 240, [waiting])


def test_state_is_ok_then_at_risk_at_75_percent_then_breached() -> None:
    # Due Monday 13:00 Berlin; at risk from 12:00 (180 of 240 minutes).
    assert sla_state(WEEKDAYS, MONDAY_9, 240, berlin("2026-01-05 11:59")) == "ok"
    assert sla_state(WEEKDAYS, MONDAY_9, 240, berlin("2026-01-05 12:00")) == "at_risk"
    assert sla_state(WEEKDAYS, MONDAY_9, 240, berlin("2026-01-05 13:00")) == "at_risk"
    assert sla_state(WEEKDAYS, MONDAY_9, 240, berlin("2026-01-05 13:00:01")) == "breached"
    assert sla_state(WEEKDAYS, MONDAY_9, 240, berlin("2026-01-05 11:00"), at_risk_share=0.5) == "at_risk"


def test_state_once_done_is_met_or_breached() -> None:
    late_now = berlin("2026-01-09 12:00")
    assert sla_state(WEEKDAYS, MONDAY_9, 240, late_now, done_at=berlin("2026-01-05 12:30")) == "met"
    assert sla_state(WEEKDAYS, MONDAY_9, 240, late_now, done_at=berlin("2026-01-05 13:00")) == "met"
    assert sla_state(WEEKDAYS, MONDAY_9, 240, late_now, done_at=berlin("2026-01-05 13:05")) == "breached"


def test_state_does_not_run_out_of_hours() -> None:
    friday = berlin("2026-01-09 17:00")  # due Monday 11:00 Berlin
    assert sla_state(WEEKDAYS, friday, 240, berlin("2026-01-11 12:00")) == "ok"
    assert sla_state(WEEKDAYS, friday, 240, berlin("2026-01-12 10:00")) == "at_risk"
    assert sla_state(WEEKDAYS, friday, 240, berlin("2026-01-12 11:01")) == "breached"


def test_state_with_pauses() -> None:
    waiting = Pause(berlin("2026-01-05 10:00"))
    assert sla_state(WEEKDAYS, MONDAY_9, 240, berlin("2026-01-07 17:00"), pauses=[waiting]) == "ok"
    answered = Pause(berlin("2026-01-05 10:00"), berlin("2026-01-05 16:00"))
    # One hour before the pause, one after it by 17:00; due Tuesday 09:00 Berlin.
    assert due_at(WEEKDAYS, MONDAY_9, 240, [answered]) == utc("2026-01-06 08:00")
    assert sla_state(WEEKDAYS, MONDAY_9, 240, berlin("2026-01-05 17:00"), pauses=[answered]) == "ok"
    assert sla_state(WEEKDAYS, MONDAY_9, 240, berlin("2026-01-05 18:00"), pauses=[answered]) == "at_risk"
    assert sla_state(WEEKDAYS, MONDAY_9, 240, berlin("2026-01-06 09:01"), pauses=[answered]) == "breached"
    too_late = Pause(berlin("2026-01-05 14:00"))
    assert sla_state(WEEKDAYS, MONDAY_9, 240, berlin("2026-01-05 15:00"), pauses=[too_late]) == "breached"


def test_due_and_elapsed_agree_with_pauses() -> None:
    rng = random.Random(5)
    for _ in range(200):
        start = utc("2026-01-01") + timedelta(minutes=rng.randrange(300 * 24 * 60))
        pauses = []
        for _ in range(rng.randrange(4)):
            pause_start = start + timedelta(minutes=rng.randrange(-600, 20 * 24 * 60))
            pauses.append(Pause(pause_start, pause_start + timedelta(minutes=rng.randrange(1, 5 * 24 * 60))))
        minutes = rng.randrange(1, 10 * 24 * 60)
        due = due_at(WEEKDAYS, start, minutes, pauses)
        assert elapsed_business_minutes(WEEKDAYS, start, due, pauses) == minutes
        assert due >= add_business_minutes(WEEKDAYS, start, minutes)


def test_targets_and_pauses_are_validated() -> None:
    assert SlaTarget(first_response_minutes=60, resolution_minutes=480).at_risk_share == 0.75
    with pytest.raises(ValueError, match="positive"):
        SlaTarget(first_response_minutes=0, resolution_minutes=480)
    with pytest.raises(ValueError, match="at_risk_share"):
        SlaTarget(first_response_minutes=60, resolution_minutes=480, at_risk_share=1.5)
    with pytest.raises(ValueError, match="before it starts"):
        Pause(berlin("2026-01-05 10:00"), berlin("2026-01-05 09:00"))
    with pytest.raises(ValueError, match="naive datetime"):
        Pause(datetime(2026, 1, 5, 10, 0))
    with pytest.raises(ValueError, match="naive datetime"):
        sla_state(WEEKDAYS, MONDAY_9, 240, datetime(2026, 1, 5, 10, 0))


def test_describe_wait_in_plain_words() -> None:
    assert describe_wait(MONDAY_9, berlin("2026-01-05 09:30"), WEEKDAYS) == "within 30 minutes"
    assert describe_wait(MONDAY_9, berlin("2026-01-05 09:00:20"), WEEKDAYS) == "within 1 minute"
    assert describe_wait(MONDAY_9, berlin("2026-01-05 13:00"), WEEKDAYS) == "within 4 hours"
    assert describe_wait(MONDAY_9, berlin("2026-01-05 11:10"), WEEKDAYS) == "within 3 hours"
    assert describe_wait(MONDAY_9, berlin("2026-01-05 08:00"), WEEKDAYS) == "as soon as possible"
    late = berlin("2026-01-05 23:50")
    assert describe_wait(late, berlin("2026-01-06 00:20"), WEEKDAYS) == "within 30 minutes"


def test_describe_wait_names_the_local_day_when_it_is_another_day() -> None:
    friday = berlin("2026-01-09 17:30")
    assert describe_wait(friday, berlin("2026-01-12 08:00"), WEEKDAYS) == "by Monday 08:00 (Europe/Berlin)"
    in_ten_days = berlin("2026-01-19 08:00")
    assert describe_wait(friday, in_ten_days, WEEKDAYS) == "by Monday 19 January 08:00 (Europe/Berlin)"
    assert describe_wait(friday, berlin("2026-01-12 08:00")) == "by Monday 07:00 (UTC)"


def test_promise_out_of_hours_says_when_we_are_open() -> None:
    friday_evening = berlin("2026-01-09 19:00")
    due = due_at(WEEKDAYS, friday_evening, 30)
    assert due == utc("2026-01-12 07:30")
    assert first_reply_promise(WEEKDAYS, friday_evening, due) == (
        "Our team is offline now (we're open Monday–Friday 08:00–18:00 Europe/Berlin); "  # noqa: RUF001
        "a person will reply by Monday 08:30."
    )
    early = berlin("2026-01-06 07:00")
    assert first_reply_promise(WEEKDAYS, early, due_at(WEEKDAYS, early, 30)) == (
        "Our team is offline now (we're open Monday–Friday 08:00–18:00 Europe/Berlin); "  # noqa: RUF001
        "a person will reply by 08:30 today."
    )


def test_promise_on_a_holiday_and_after_the_deadline() -> None:
    christmas = berlin("2026-12-25 10:00")
    assert first_reply_promise(WEEKDAYS, christmas, due_at(WEEKDAYS, christmas, 30)) == (
        "Our team is off for a holiday today (we're usually open Monday–Friday 08:00–18:00 Europe/Berlin); "  # noqa: RUF001
        "a person will reply by Monday 08:30."
    )
    saturday = berlin("2026-01-10 12:00")
    assert first_reply_promise(WEEKDAYS, saturday, berlin("2026-01-09 17:00")) == (
        "Our team is offline now (we're open Monday–Friday 08:00–18:00 Europe/Berlin); "  # noqa: RUF001
        "a person will reply as soon as we're back, Monday 08:00."
    )


def test_promise_in_hours() -> None:
    assert first_reply_promise(WEEKDAYS, MONDAY_9, due_at(WEEKDAYS, MONDAY_9, 120)) == (
        "A person will reply within 2 hours."
    )
    late = berlin("2026-01-05 17:00")
    assert first_reply_promise(WEEKDAYS, late, due_at(WEEKDAYS, late, 240)) == (
        "A person will reply by Tuesday 11:00 (Europe/Berlin)."
    )
    assert first_reply_promise(ALWAYS_OPEN, MONDAY_9, due_at(ALWAYS_OPEN, MONDAY_9, 30)) == (
        "A person will reply within 30 minutes."
    )
