"""Periods and the --since syntax: pure, no database."""

from datetime import UTC, date, datetime, timedelta

import pytest

from handoff.metrics import Period, parse_since


def test_previous_period_has_the_same_length_and_ends_where_this_starts() -> None:
    period = Period.last(30, now=datetime(2026, 4, 30, 12, tzinfo=UTC))
    assert period.start == datetime(2026, 3, 31, 12, tzinfo=UTC)
    previous = period.previous()
    assert previous.end == period.start and previous.length == timedelta(days=30)


def test_days_are_the_utc_days_the_period_touches() -> None:
    period = Period(start=datetime(2026, 3, 29, 22, tzinfo=UTC), end=datetime(2026, 3, 31, tzinfo=UTC))
    assert period.days() == [date(2026, 3, 29), date(2026, 3, 30)]


def test_naive_or_reversed_periods_are_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        Period(start=datetime(2026, 3, 1), end=datetime(2026, 3, 2, tzinfo=UTC))
    with pytest.raises(ValueError, match="before it starts"):
        Period(start=datetime(2026, 3, 2, tzinfo=UTC), end=datetime(2026, 3, 1, tzinfo=UTC))


@pytest.mark.parametrize(("text", "days"), [("30d", 30), ("12w", 84), (" 7D ", 7), ("1d", 1)])
def test_since_reads_days_and_weeks(text: str, days: int) -> None:
    assert parse_since(text) == days


@pytest.mark.parametrize("text", ["", "30", "3x", "-5d", "0d", "abc", "99999w"])
def test_since_refuses_anything_else_with_a_clear_message(text: str) -> None:
    with pytest.raises(ValueError, match="period"):
        parse_since(text)
