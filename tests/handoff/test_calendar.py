"""Business calendars: open hours, weekends, holidays, night shifts and DST (no database)."""

import random
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from handoff.calendar import (
    ALWAYS_OPEN,
    BusinessCalendar,
    add_business_minutes,
    business_minutes_between,
    describe_hours,
    is_open,
    next_open,
    open_intervals,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")

OFFICE = BusinessCalendar.from_config(
    {
        "name": "berlin",
        "timezone": "Europe/Berlin",
        "hours": {"mon-fri": "08:00-18:00", "sat": "10:00-14:00"},
        "holidays": ["2026-12-25", "2026-12-26"],
    }
)
WEEKDAYS = BusinessCalendar.from_config(
    {"name": "weekdays", "timezone": "Europe/Berlin", "hours": {"mon-fri": "08:00-18:00"}}
)
NIGHT = BusinessCalendar.from_config(
    {
        "name": "night",
        "timezone": "Europe/Berlin",
        "hours": {"mon-fri": "22:00-06:00"},
        "holidays": ["2026-01-07"],
    }
)
NYC = BusinessCalendar.from_config(
    {"name": "nyc", "timezone": "America/New_York", "hours": {"mon-fri": "09:00-17:00"}}
)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def berlin(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def new_york(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=NEW_YORK)


def local_24x7(timezone: str) -> BusinessCalendar:
    return BusinessCalendar.from_config({"name": "always", "timezone": timezone, "hours": "24x7"})


def test_weekday_within_hours() -> None:
    assert is_open(OFFICE, berlin("2026-01-05 09:00"))
    assert next_open(OFFICE, berlin("2026-01-05 09:00")) == utc("2026-01-05 08:00")
    assert add_business_minutes(OFFICE, berlin("2026-01-05 09:00"), 240) == utc("2026-01-05 12:00")
    assert business_minutes_between(OFFICE, berlin("2026-01-05 09:00"), berlin("2026-01-05 13:00")) == 240


def test_closing_time_is_closed_and_the_deadline_is_the_earliest_moment() -> None:
    assert not is_open(OFFICE, berlin("2026-01-05 18:00"))
    assert is_open(OFFICE, berlin("2026-01-05 08:00"))
    assert add_business_minutes(OFFICE, berlin("2026-01-05 17:00"), 60) == utc("2026-01-05 17:00")


def test_starting_in_the_evening_waits_for_the_next_morning() -> None:
    evening = berlin("2026-01-06 20:00")
    assert not is_open(OFFICE, evening)
    assert next_open(OFFICE, evening) == utc("2026-01-07 07:00")
    assert add_business_minutes(OFFICE, evening, 30) == utc("2026-01-07 07:30")


def test_starting_on_the_weekend_waits_for_monday() -> None:
    assert add_business_minutes(OFFICE, berlin("2026-01-11 12:00"), 60) == utc("2026-01-12 08:00")
    assert add_business_minutes(OFFICE, berlin("2026-01-10 15:00"), 60) == utc("2026-01-12 08:00")
    assert business_minutes_between(OFFICE, berlin("2026-01-10 15:00"), berlin("2026-01-12 08:00")) == 0


def test_spanning_a_weekend() -> None:
    friday = berlin("2026-01-09 16:00")
    # Friday 2 hours, Saturday 4 hours, Monday 2 hours.
    assert add_business_minutes(OFFICE, friday, 480) == utc("2026-01-12 09:00")
    assert business_minutes_between(OFFICE, friday, berlin("2026-01-12 10:00")) == 480


def test_holidays_are_closed() -> None:
    assert not is_open(OFFICE, berlin("2026-12-25 10:00"))
    assert not is_open(OFFICE, berlin("2026-12-26 11:00"))
    # Thursday 24th one hour, Christmas Friday and Saturday closed, Sunday closed.
    assert add_business_minutes(OFFICE, berlin("2026-12-24 17:00"), 120) == utc("2026-12-28 08:00")


def test_night_shift_crosses_midnight_under_its_start_day() -> None:
    assert is_open(NIGHT, berlin("2026-01-09 23:00"))
    assert is_open(NIGHT, berlin("2026-01-10 03:00"))  # Saturday morning: Friday's shift
    assert not is_open(NIGHT, berlin("2026-01-10 23:00"))
    assert not is_open(NIGHT, berlin("2026-01-12 01:00"))  # Monday morning: no Sunday shift
    assert add_business_minutes(NIGHT, berlin("2026-01-09 21:00"), 480) == utc("2026-01-10 05:00")
    assert add_business_minutes(NIGHT, berlin("2026-01-10 05:00"), 120) == utc("2026-01-12 22:00")


def test_holiday_closes_the_shift_starting_that_day_only() -> None:
    assert is_open(NIGHT, berlin("2026-01-07 03:00"))  # Tuesday's shift runs into the holiday
    assert not is_open(NIGHT, berlin("2026-01-07 23:00"))
    assert not is_open(NIGHT, berlin("2026-01-08 03:00"))
    assert add_business_minutes(NIGHT, berlin("2026-01-07 05:00"), 120) == utc("2026-01-08 22:00")
    # Tuesday's shift until 06:00 on the holiday, then Thursday's from 22:00.
    assert business_minutes_between(NIGHT, berlin("2026-01-07 00:00"), berlin("2026-01-09 00:00")) == 480


def test_overlapping_hours_are_not_counted_twice() -> None:
    hours = {"mon": "08:00-12:00, 10:00-14:00", "sun": "20:00-10:00"}
    calendar = BusinessCalendar.from_config({"name": "overlap", "timezone": "UTC", "hours": hours})
    # Sunday 20:00 to Monday 14:00, each hour once.
    assert business_minutes_between(calendar, utc("2026-01-04 00:00"), utc("2026-01-06 00:00")) == 18 * 60
    assert list(open_intervals(calendar, utc("2026-01-05 09:00"), until=utc("2026-01-05 23:00"))) == [
        (utc("2026-01-05 09:00"), utc("2026-01-05 10:00")),
        (utc("2026-01-05 10:00"), utc("2026-01-05 12:00")),
        (utc("2026-01-05 12:00"), utc("2026-01-05 14:00")),
    ]


def test_berlin_spring_forward_week() -> None:
    friday = berlin("2026-03-27 17:00")  # CET, UTC+1; Monday is CEST, UTC+2
    assert friday == utc("2026-03-27 16:00")
    assert add_business_minutes(WEEKDAYS, friday, 120) == utc("2026-03-30 07:00")
    assert business_minutes_between(WEEKDAYS, friday, berlin("2026-03-30 09:00")) == 120
    always = local_24x7("Europe/Berlin")
    assert business_minutes_between(always, berlin("2026-03-29 00:00"), berlin("2026-03-30 00:00")) == 23 * 60
    assert add_business_minutes(always, berlin("2026-03-28 12:00"), 24 * 60) == utc("2026-03-29 11:00")


def test_berlin_fall_back_week() -> None:
    friday = berlin("2026-10-23 17:00")  # CEST, UTC+2; Monday is CET, UTC+1
    assert friday == utc("2026-10-23 15:00")
    assert add_business_minutes(WEEKDAYS, friday, 120) == utc("2026-10-26 08:00")
    assert business_minutes_between(WEEKDAYS, friday, berlin("2026-10-26 09:00")) == 120
    always = local_24x7("Europe/Berlin")
    assert business_minutes_between(always, berlin("2026-10-25 00:00"), berlin("2026-10-26 00:00")) == 25 * 60


def test_night_shift_over_dst_changes_counts_real_time() -> None:
    nights = BusinessCalendar.from_config(
        {"name": "weekend nights", "timezone": "Europe/Berlin", "hours": {"sat": "22:00-06:00"}}
    )
    assert business_minutes_between(nights, utc("2026-03-28 00:00"), utc("2026-03-30 00:00")) == 7 * 60
    assert business_minutes_between(nights, utc("2026-10-24 00:00"), utc("2026-10-26 00:00")) == 9 * 60
    assert add_business_minutes(nights, berlin("2026-03-28 22:00"), 7 * 60) == utc("2026-03-29 04:00")
    assert add_business_minutes(nights, berlin("2026-10-24 22:00"), 9 * 60) == utc("2026-10-25 05:00")


def test_hours_in_a_skipped_or_repeated_hour() -> None:
    sunday = BusinessCalendar.from_config(
        {"name": "sunday", "timezone": "Europe/Berlin", "hours": {"sun": "02:30-04:00"}}
    )
    # 02:30 does not exist on 29 March: the day opens when the clocks jump, 03:00 CEST.
    assert next_open(sunday, utc("2026-03-29 00:00")) == utc("2026-03-29 01:00")
    assert business_minutes_between(sunday, utc("2026-03-29 00:00"), utc("2026-03-30 00:00")) == 60
    # 02:30 happens twice on 25 October: open from the first 02:30 (CEST) to 04:00 (CET).
    assert next_open(sunday, utc("2026-10-25 00:00")) == utc("2026-10-25 00:30")
    assert business_minutes_between(sunday, utc("2026-10-25 00:00"), utc("2026-10-26 00:00")) == 150


def test_new_york_dst_weeks() -> None:
    assert add_business_minutes(NYC, new_york("2026-03-06 16:00"), 120) == utc("2026-03-09 14:00")
    assert add_business_minutes(NYC, new_york("2026-10-30 16:00"), 120) == utc("2026-11-02 15:00")
    assert business_minutes_between(NYC, new_york("2026-10-30 16:00"), utc("2026-11-02 15:00")) == 120
    always = local_24x7("America/New_York")
    assert business_minutes_between(always, new_york("2026-03-08"), new_york("2026-03-09")) == 23 * 60
    assert business_minutes_between(always, new_york("2026-11-01"), new_york("2026-11-02")) == 25 * 60


def test_always_open() -> None:
    start = utc("2026-01-05 09:00")
    assert is_open(ALWAYS_OPEN, berlin("2026-12-25 03:00"))
    assert add_business_minutes(ALWAYS_OPEN, start, 30 * 24 * 60) == utc("2026-02-04 09:00")
    assert business_minutes_between(ALWAYS_OPEN, start, utc("2026-01-06 09:00")) == 24 * 60
    assert describe_hours(ALWAYS_OPEN) == "around the clock"


def test_long_spans_are_counted_per_day() -> None:
    # Thirty working days of ten hours: six weeks, ending at Friday's closing time.
    assert add_business_minutes(WEEKDAYS, berlin("2026-01-05 08:00"), 30 * 600) == utc("2026-02-13 17:00")
    assert business_minutes_between(WEEKDAYS, berlin("2026-01-01"), berlin("2027-01-01")) == 261 * 600


def test_between_is_zero_for_an_empty_or_reversed_span() -> None:
    assert business_minutes_between(OFFICE, berlin("2026-01-05 10:00"), berlin("2026-01-05 10:00")) == 0
    assert business_minutes_between(OFFICE, berlin("2026-01-05 12:00"), berlin("2026-01-05 10:00")) == 0
    assert add_business_minutes(OFFICE, berlin("2026-01-04 12:00"), 0) == utc("2026-01-04 11:00")
    with pytest.raises(ValueError, match="must not be negative"):
        add_business_minutes(OFFICE, berlin("2026-01-05 12:00"), -1)


def test_calendar_without_open_time_fails_clearly() -> None:
    never = BusinessCalendar(name="never", timezone="UTC", weekly={})
    assert not is_open(never, utc("2026-01-05 09:00"))
    assert business_minutes_between(never, utc("2026-01-05 09:00"), utc("2026-02-05 09:00")) == 0
    with pytest.raises(ValueError, match="'never' has no open time"):
        add_business_minutes(never, utc("2026-01-05 09:00"), 60)
    with pytest.raises(ValueError, match="no open time"):
        next_open(never, utc("2026-01-05 09:00"))


def test_between_is_the_inverse_of_add() -> None:
    rng = random.Random(20260105)
    calendars = [OFFICE, WEEKDAYS, NIGHT, NYC, local_24x7("Europe/Berlin"), ALWAYS_OPEN]
    for _ in range(200):
        calendar = rng.choice(calendars)
        start = utc("2026-01-01") + timedelta(minutes=rng.randrange(365 * 24 * 60))
        minutes = rng.randrange(1, 30 * 24 * 60 * 4) / 4
        due = add_business_minutes(calendar, start, minutes)
        assert business_minutes_between(calendar, start, due) == minutes
        assert business_minutes_between(calendar, start, due - timedelta(seconds=1)) < minutes
        end = start + timedelta(seconds=rng.randrange(40 * 24 * 3600))
        elapsed = business_minutes_between(calendar, start, end)
        back = add_business_minutes(calendar, start, elapsed)
        assert back <= end
        assert business_minutes_between(calendar, back, end) == 0


def open_by_wall_clock(calendar: BusinessCalendar, at: datetime) -> bool:
    """An independent, slow reading of the rules: today's shifts, or yesterday's past midnight."""
    local = at.astimezone(calendar.zone).replace(tzinfo=None)
    today, clock = local.date(), local.time()
    for day in (today, today - timedelta(days=1)):
        if day in calendar.holidays:
            continue
        for opens, closes in calendar.weekly.get(day.weekday(), []):
            crosses = closes <= opens
            if day == today and (clock >= opens if crosses else opens <= clock < closes):
                return True
            if day < today and crosses and clock < closes:
                return True
    return False


@pytest.mark.parametrize("week", ["2026-03-05", "2026-03-26", "2026-10-22", "2026-10-30"])
def test_matches_a_minute_by_minute_count_around_dst_changes(week: str) -> None:
    berlin_mixed = BusinessCalendar.from_config(
        {
            "name": "mixed",
            "timezone": "Europe/Berlin",
            "hours": {"mon-fri": "08:00-18:00", "sat": "10:00-14:00", "sun": "22:00-06:00"},
            "holidays": ["2026-03-27", "2026-10-26"],
        }
    )
    new_york_shifts = BusinessCalendar.from_config(
        {
            "name": "shifts",
            "timezone": "America/New_York",
            "hours": {"mon-sun": "21:00-04:00, 09:00-17:00"},
            "holidays": ["2026-03-08"],
        }
    )
    start = utc(week)
    for calendar in (berlin_mixed, new_york_shifts):
        minutes = [start + timedelta(minutes=step) for step in range(7 * 24 * 60)]
        expected = sum(open_by_wall_clock(calendar, minute) for minute in minutes)
        assert business_minutes_between(calendar, start, start + timedelta(days=7)) == expected
        assert [is_open(calendar, minute) for minute in minutes[::59]] == [
            open_by_wall_clock(calendar, minute) for minute in minutes[::59]
        ]


def test_from_config_reads_day_lists_ranges_and_whole_days() -> None:
    calendar = BusinessCalendar.from_config(
        {
            "name": "mixed",
            "timezone": "UTC",
            "hours": {"Monday, wed": "08:00-12:00, 13:00-17:00", "fri-sun": "00:00-24:00"},
            "holidays": [date(2026, 1, 1), "2026-01-02"],
        }
    )
    split = [(time(8), time(12)), (time(13), time(17))]
    whole = [(time(0), time(0))]
    assert calendar.weekly == {0: split, 2: split, 4: whole, 5: whole, 6: whole}
    assert calendar.holidays == frozenset({date(2026, 1, 1), date(2026, 1, 2)})
    assert describe_hours(calendar) == (
        "Monday 08:00–12:00 and 13:00–17:00, Wednesday 08:00–12:00 and 13:00–17:00, Friday–Sunday all day UTC"  # noqa: RUF001
    )
    assert local_24x7("UTC").weekly == ALWAYS_OPEN.weekly


def test_describe_hours() -> None:
    assert describe_hours(OFFICE) == "Monday–Friday 08:00–18:00, Saturday 10:00–14:00 Europe/Berlin"  # noqa: RUF001
    assert describe_hours(NIGHT) == "Monday–Friday 22:00–06:00 Europe/Berlin"  # noqa: RUF001


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": None}, "'name' must be a non-empty string"),
        ({"timezone": "Mars/Base"}, "unknown time zone 'Mars/Base'"),
        ({"timezone": None}, "'timezone' must be an IANA name"),
        ({"hours": {}}, "'hours' must be '24x7' or a mapping"),
        ({"hours": "weekdays"}, "'hours' must be '24x7' or a mapping"),
        ({"hours": {"mo-fr": "08:00-18:00"}}, "unknown day 'mo' in 'mo-fr'"),
        ({"hours": {"mon-wed-fri": "08:00-18:00"}}, "more than two ends"),
        ({"hours": {"mon": "8am-5pm"}}, "'8am-5pm' for 'mon' are not like"),
        ({"hours": {"mon": "08:00-25:00"}}, "25:00 in '08:00-25:00' is not a time"),
        ({"hours": {"mon": "24:00-08:00"}}, "24:00 in '24:00-08:00' is not a time"),
        ({"hours": {"mon": "09:00-09:00"}}, "open and close at the same time"),
        ({"hours": {"mon": 8}}, "hours for 'mon' must be text"),
        ({"holidays": ["2026-13-01"]}, "holiday '2026-13-01'"),
        ({"holidays": "2026-12-25"}, "must be a list of dates"),
        ({"holiday": []}, "unknown keys ['holiday']"),
    ],
)
def test_from_config_refuses_bad_input(change: dict[str, Any], message: str) -> None:
    valid = {"name": "x", "timezone": "UTC", "hours": "24x7"}
    config = {key: value for key, value in (valid | change).items() if value is not None}
    with pytest.raises(ValueError, match=re.escape(message)):
        BusinessCalendar.from_config(config)


def test_calendar_refuses_bad_weekdays_and_zones() -> None:
    with pytest.raises(ValueError, match="weekday 7"):
        BusinessCalendar(name="x", timezone="UTC", weekly={7: [(time(8), time(9))]})
    with pytest.raises(ValueError, match="unknown time zone"):
        BusinessCalendar(name="x", timezone="Europe/Nowhere", weekly={})


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2026, 1, 5, 9, 0)
    with pytest.raises(ValueError, match="naive datetime"):
        is_open(OFFICE, naive)
    with pytest.raises(ValueError, match="naive datetime"):
        next_open(OFFICE, naive)
    with pytest.raises(ValueError, match="naive datetime"):
        add_business_minutes(OFFICE, naive, 10)
    with pytest.raises(ValueError, match="naive datetime"):
        business_minutes_between(OFFICE, utc("2026-01-05 09:00"), naive)
