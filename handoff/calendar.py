"""Business calendars: when a team is open, and how much open time lies between two moments.

SLA targets count business minutes, not wall-clock minutes, so deadlines need a calendar: weekly
open hours in local time, holidays, and shifts that cross midnight. Everything here is a pure
function over aware datetimes, returning UTC, so it is tested without a database.

Time rules, chosen so that no real instant is lost or counted twice:
- Open hours are local wall-clock times; business time is the real time elapsed while open. A
  night shift 22:00-06:00 over a spring-forward night lasts 7 hours, over a fall-back night 9.
- A wall time that does not exist (skipped by spring-forward) maps to the moment of the change.
  A wall time that occurs twice (fall-back) opens at its first occurrence and closes at its last.
- Overlapping intervals (two shifts, or a night shift running into the next morning) count once.
"""

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

logger = logging.getLogger(__name__)

Interval = tuple[datetime, datetime]

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DAY_KEYS = {name.lower(): index for index, name in enumerate(DAY_NAMES)} | {
    name[:3].lower(): index for index, name in enumerate(DAY_NAMES)
}
_HOURS = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")
_CONFIG_KEYS = {"name", "timezone", "hours", "holidays"}
# A calendar closed this many days in a row has, for our purposes, no open time at all.
MAX_CLOSED_DAYS = 366
_MIDNIGHT = time(0, 0)
_DASH = "\u2013"  # an en dash, as in "Monday-Friday", for text customers read


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}; use an IANA name such as 'Europe/Berlin'") from None


@dataclass(frozen=True)
class BusinessCalendar:
    """Weekly open hours in a time zone, with holidays.

    `weekly` maps a weekday (0 = Monday) to open intervals in local time; an interval whose end
    is not after its start crosses midnight, so (22:00, 06:00) is a night shift and
    (00:00, 00:00) the whole day. A shift belongs to the day it starts on: a holiday on that date
    closes it, and its hours after midnight follow that day's rule.
    """

    name: str
    timezone: str
    weekly: dict[int, list[tuple[time, time]]] = field(hash=False)
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        """Refuse calendars the arithmetic cannot honour, at construction rather than mid-SLA."""
        _zone(self.timezone)
        for day, intervals in self.weekly.items():
            if day not in range(7):
                raise ValueError(f"calendar {self.name!r}: weekday {day!r} is not 0 (Monday) to 6 (Sunday)")
            for opens, closes in intervals:
                if opens.tzinfo is not None or closes.tzinfo is not None:
                    raise ValueError(f"calendar {self.name!r}: open hours are local times, without tzinfo")

    @property
    def zone(self) -> ZoneInfo:
        """The calendar's time zone."""
        return _zone(self.timezone)

    @classmethod
    def from_config(cls, data: dict[str, Any]) -> "BusinessCalendar":
        """Read a calendar from its set-up entry, refusing anything ambiguous with a clear message.

        Example: {"name": "berlin", "timezone": "Europe/Berlin",
        "hours": {"mon-fri": "08:00-18:00", "sat": "10:00-14:00"}, "holidays": ["2026-12-25"]}.
        `hours` may also be "24x7"; a day value may list several intervals ("08:00-12:00, 13:00-17:00").
        """
        name = data.get("name")
        if not isinstance(name, str) or not name:
            raise ValueError("calendar: 'name' must be a non-empty string")
        unknown = set(data) - _CONFIG_KEYS
        if unknown:
            expected = ", ".join(sorted(_CONFIG_KEYS))
            raise ValueError(f"calendar {name!r}: unknown keys {sorted(unknown)}; expected {expected}")
        timezone = data.get("timezone")
        if not isinstance(timezone, str):
            raise ValueError(f"calendar {name!r}: 'timezone' must be an IANA name such as 'Europe/Berlin'")
        try:
            _zone(timezone)
        except ValueError as error:
            raise ValueError(f"calendar {name!r}: {error}") from None
        return cls(
            name=name,
            timezone=timezone,
            weekly=_parse_hours(name, data.get("hours")),
            holidays=_parse_holidays(name, data.get("holidays") or []),
        )


ALWAYS_OPEN = BusinessCalendar(
    name="24x7", timezone="UTC", weekly={day: [(_MIDNIGHT, _MIDNIGHT)] for day in range(7)}
)


def as_utc(at: datetime) -> datetime:
    """`at` in UTC; naive datetimes are refused because their moment is unknown."""
    if at.tzinfo is None or at.tzinfo.utcoffset(at) is None:
        raise ValueError(f"naive datetime {at.isoformat()} has no time zone; pass an aware datetime")
    return at.astimezone(UTC)


def open_intervals(
    calendar: BusinessCalendar, since: datetime, until: datetime | None = None
) -> Iterator[Interval]:
    """Open periods in UTC from `since` on: in order, disjoint (they may touch), clipped to `since`.

    Walks day by day, so long spans cost one step per day, not per minute. Without `until` it
    runs on, and raises ValueError after MAX_CLOSED_DAYS closed days in a row, so a calendar with
    no open time fails clearly instead of looping forever.
    """
    since = as_utc(since)
    zone = calendar.zone
    day = since.astimezone(zone).date() - timedelta(days=1)  # yesterday's night shift may still run
    # Two days of margin: the next local day's shifts cannot start before `until`'s local date ends.
    last_day = as_utc(until).astimezone(zone).date() + timedelta(days=2) if until is not None else None
    covered, closed_days = since, 0
    while last_day is None or day <= last_day:
        found = _day_intervals(calendar, zone, day)
        closed_days = 0 if found else closed_days + 1
        if closed_days > MAX_CLOSED_DAYS and last_day is None:
            raise ValueError(
                f"calendar {calendar.name!r} has no open time in the {MAX_CLOSED_DAYS} days before {day}"
            )
        for opens, closes in found:
            if closes > covered:
                yield max(opens, covered), closes
                covered = closes
        day += timedelta(days=1)


def is_open(calendar: BusinessCalendar, at: datetime) -> bool:
    """Whether the team is working at `at` (intervals include their start, not their end)."""
    at = as_utc(at)
    first = next(open_intervals(calendar, at, until=at), None)
    return first is not None and first[0] == at


def next_open(calendar: BusinessCalendar, at: datetime) -> datetime:
    """The first open moment at or after `at`, in UTC (`at` itself when open)."""
    return next(open_intervals(calendar, at))[0]


def add_business_minutes(
    calendar: BusinessCalendar, start: datetime, minutes: float, *, closed: Iterable[Interval] = ()
) -> datetime:
    """The earliest moment, in UTC, at which `minutes` of open time have elapsed since `start`.

    `closed` adds periods that do not count although the calendar is open (SLA pauses).
    """
    if minutes < 0:
        raise ValueError(f"minutes must not be negative, got {minutes}")
    remaining = timedelta(minutes=minutes)
    start = as_utc(start)
    if not remaining:
        return start
    for opens, closes in _without(open_intervals(calendar, start), closed):
        if remaining <= closes - opens:
            return opens + remaining
        remaining -= closes - opens
    raise AssertionError("unreachable: open_intervals raises when nothing opens")


def business_minutes_between(
    calendar: BusinessCalendar, start: datetime, end: datetime, *, closed: Iterable[Interval] = ()
) -> float:
    """Open minutes in [start, end), outside `closed`; 0 when `end` is not after `start`."""
    start, end = as_utc(start), as_utc(end)
    total = timedelta()
    for opens, closes in _without(open_intervals(calendar, start, until=end), closed):
        if opens >= end:
            break
        total += min(closes, end) - opens
    return total / timedelta(minutes=1)


def describe_hours(calendar: BusinessCalendar) -> str:
    """Open hours in words for customers: 'Monday-Friday 08:00-18:00 Europe/Berlin' (with en dashes)."""
    days = [tuple(sorted(calendar.weekly.get(day, []))) for day in range(7)]
    if all(hours == ((_MIDNIGHT, _MIDNIGHT),) for hours in days):
        return "around the clock"
    groups: list[str] = []
    first = 0
    for day in range(1, 8):
        if day < 7 and days[day] == days[first]:
            continue
        if days[first]:
            names = DAY_NAMES[first] if day - 1 == first else f"{DAY_NAMES[first]}{_DASH}{DAY_NAMES[day - 1]}"
            groups.append(f"{names} {' and '.join(_format_interval(*hours) for hours in days[first])}")
        first = day
    return f"{', '.join(groups)} {calendar.timezone}"


def _format_interval(opens: time, closes: time) -> str:
    if opens == closes == _MIDNIGHT:
        return "all day"
    end = "24:00" if closes == _MIDNIGHT else f"{closes:%H:%M}"
    return f"{opens:%H:%M}{_DASH}{end}"


def _day_intervals(calendar: BusinessCalendar, zone: ZoneInfo, day: date) -> list[Interval]:
    """The shifts starting on local date `day`, in UTC and sorted by start."""
    if day in calendar.holidays:
        return []
    found = []
    for opens, closes in calendar.weekly.get(day.weekday(), []):
        end_day = day if closes > opens else day + timedelta(days=1)
        start = _wall_to_utc(datetime.combine(day, opens), zone, first=True)
        end = _wall_to_utc(datetime.combine(end_day, closes), zone, first=False)
        if end > start:
            found.append((start, end))
    return sorted(found)


def _wall_to_utc(wall: datetime, zone: ZoneInfo, *, first: bool) -> datetime:
    """A local wall time in UTC: its first or last occurrence, or the change it was skipped by."""
    fold0 = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)  # first occurrence
    fold1 = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)  # last occurrence
    if fold0.astimezone(zone).replace(tzinfo=None) == wall:
        return fold0 if first else fold1
    # Skipped by spring-forward: find the change, the first instant whose wall time is >= `wall`.
    low, high = int(min(fold0, fold1).timestamp()), int(max(fold0, fold1).timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def _without(intervals: Iterable[Interval], closed: Iterable[Interval]) -> Iterator[Interval]:
    """`intervals` (sorted, disjoint) with the union of `closed` cut out."""
    gaps = _merge([(as_utc(start), as_utc(end)) for start, end in closed])
    index = 0
    for opens, closes in intervals:
        cursor = opens
        while index < len(gaps) and gaps[index][1] <= cursor:
            index += 1
        for gap_start, gap_end in gaps[index:]:
            if gap_start >= closes:
                break
            if gap_start > cursor:
                yield cursor, gap_start
            cursor = max(cursor, gap_end)
        if cursor < closes:
            yield cursor, closes


def _merge(intervals: list[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        elif end > start:
            merged.append((start, end))
    return merged


def _parse_hours(name: str, hours: object) -> dict[int, list[tuple[time, time]]]:
    if isinstance(hours, str) and hours.strip().lower() == "24x7":
        return {day: [(_MIDNIGHT, _MIDNIGHT)] for day in range(7)}
    if not isinstance(hours, dict) or not hours:
        raise ValueError(
            f"calendar {name!r}: 'hours' must be '24x7' or a mapping like {{'mon-fri': '08:00-18:00'}}"
        )
    weekly: dict[int, list[tuple[time, time]]] = {}
    for days, spans in hours.items():
        intervals = _parse_spans(name, days, spans)
        for day in _parse_days(name, str(days)):
            weekly.setdefault(day, []).extend(intervals)
    return weekly


def _parse_days(name: str, spec: str) -> list[int]:
    """'mon-fri', 'sat', 'mon,wed,fri' or 'fri-mon' (a range may wrap over the weekend)."""
    days: list[int] = []
    for part in spec.lower().split(","):
        bounds = [_day_index(name, bound.strip(), spec) for bound in part.split("-")]
        if len(bounds) > 2:
            raise ValueError(f"calendar {name!r}: day range {part.strip()!r} has more than two ends")
        first, last = bounds[0], bounds[-1]
        days.extend((first + step) % 7 for step in range((last - first) % 7 + 1))
    return days


def _day_index(name: str, word: str, spec: str) -> int:
    if word not in _DAY_KEYS:
        raise ValueError(
            f"calendar {name!r}: unknown day {word!r} in {spec!r}; use mon, tue, wed, thu, fri, sat, sun"
        )
    return _DAY_KEYS[word]


def _parse_spans(name: str, days: object, spans: object) -> list[tuple[time, time]]:
    """'08:00-18:00', '22:00-06:00' (crosses midnight), '00:00-24:00', or a comma list of them."""
    if not isinstance(spans, str) or not spans.strip():
        raise ValueError(f"calendar {name!r}: hours for {days!r} must be text like '08:00-18:00'")
    intervals = []
    for span in spans.split(","):
        match = _HOURS.match(span.strip())
        if not match:
            raise ValueError(
                f"calendar {name!r}: hours {span.strip()!r} for {days!r} are not like '08:00-18:00'"
            )
        opens = _parse_time(name, int(match[1]), int(match[2]), span, allow_24=False)
        closes = _parse_time(name, int(match[3]), int(match[4]), span, allow_24=True)
        if opens == closes and opens != _MIDNIGHT:
            raise ValueError(f"calendar {name!r}: hours {span.strip()!r} open and close at the same time")
        intervals.append((opens, closes))
    return intervals


def _parse_time(name: str, hour: int, minute: int, span: str, *, allow_24: bool) -> time:
    if allow_24 and (hour, minute) == (24, 0):
        return _MIDNIGHT
    if hour > 23 or minute > 59:
        raise ValueError(
            f"calendar {name!r}: {hour:02d}:{minute:02d} in {span.strip()!r} is not a time of day"
        )
    return time(hour, minute)


def _parse_holidays(name: str, holidays: object) -> frozenset[date]:
    if not isinstance(holidays, list | tuple | set | frozenset):
        raise ValueError(f"calendar {name!r}: 'holidays' must be a list of dates like '2026-12-25'")
    parsed = set()
    for value in holidays:
        if isinstance(value, date) and not isinstance(value, datetime):
            parsed.add(value)
            continue
        try:
            parsed.add(date.fromisoformat(str(value)))
        except ValueError:
            message = f"calendar {name!r}: holiday {value!r} is not a date like '2026-12-25'"
            raise ValueError(message) from None
    return frozenset(parsed)
