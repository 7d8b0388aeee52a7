"""SLA clocks over a business calendar: deadlines, states and honest promises to customers.

A target counts open minutes of the calendar. The resolution clock also stops while the ticket
awaits the customer (a `Pause`); the first-response clock never stops, so callers pass no pauses
for it. Pure functions, so the scheduler and the tests share the same arithmetic.
"""

import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from handoff.calendar import (
    DAY_NAMES,
    BusinessCalendar,
    Interval,
    add_business_minutes,
    as_utc,
    business_minutes_between,
    describe_hours,
    is_open,
    next_open,
)

logger = logging.getLogger(__name__)

SlaState = Literal["ok", "at_risk", "breached", "met"]
MONTH_NAMES = tuple(
    "January February March April May June July August September October November December".split()
)


@dataclass(frozen=True)
class SlaTarget:
    """First-response and resolution targets in business minutes, and when to warn."""

    first_response_minutes: int
    resolution_minutes: int
    at_risk_share: float = 0.75

    def __post_init__(self) -> None:
        """Refuse targets that would make every ticket at risk or never due."""
        if self.first_response_minutes <= 0 or self.resolution_minutes <= 0:
            raise ValueError("SLA targets must be positive numbers of minutes")
        if not 0 < self.at_risk_share <= 1:
            raise ValueError(f"at_risk_share must be in (0, 1], got {self.at_risk_share}")


@dataclass(frozen=True)
class Pause:
    """Time spent awaiting the customer, during which the resolution clock stops (end None: still paused)."""

    start: datetime
    end: datetime | None = None

    def __post_init__(self) -> None:
        """Refuse pauses with a naive time or ending before they start."""
        start = as_utc(self.start)
        if self.end is not None and as_utc(self.end) < start:
            raise ValueError(f"pause ends ({self.end}) before it starts ({self.start})")


def due_at(
    calendar: BusinessCalendar,
    start: datetime,
    minutes: float,
    pauses: Iterable[Pause] = (),
    *,
    now: datetime | None = None,
) -> datetime:
    """The deadline in UTC: when `minutes` of open time outside pauses have elapsed since `start`.

    A pause still running is taken to end at `now` (the deadline as it stands if the customer
    answered now); without `now` its end is unknown, and so is the deadline: ValueError.
    """
    return add_business_minutes(calendar, start, minutes, closed=_closed(pauses, now))


def elapsed_business_minutes(
    calendar: BusinessCalendar, start: datetime, end: datetime, pauses: Iterable[Pause] = ()
) -> float:
    """Open minutes in [start, end) outside pauses (a pause still running lasts until `end`)."""
    return business_minutes_between(calendar, start, end, closed=_closed(pauses, end))


def sla_state(
    calendar: BusinessCalendar,
    start: datetime,
    minutes: float,
    now: datetime,
    pauses: Iterable[Pause] = (),
    *,
    done_at: datetime | None = None,
    at_risk_share: float = 0.75,
) -> SlaState:
    """Where a clock stands: met or breached once done, else breached, at risk or ok at `now`.

    Done at the deadline itself counts as met; not done by then is breached just after it.
    """
    pauses = tuple(pauses)
    until = as_utc(done_at if done_at is not None else now)
    due = due_at(calendar, start, minutes, pauses, now=until)
    if done_at is not None:
        return "met" if until <= due else "breached"
    if until > due:
        return "breached"
    elapsed = elapsed_business_minutes(calendar, start, until, pauses)
    return "at_risk" if elapsed >= at_risk_share * minutes else "ok"


def describe_wait(now: datetime, due: datetime, calendar: BusinessCalendar | None = None) -> str:
    """When a person will answer, in plain words: 'within 30 minutes', 'by Monday 08:00 (Europe/Berlin)'.

    Relative on the same local day of the calendar (rounded up, so the promise holds), absolute
    when the answer falls on another day, where 'within 40 hours' would mean little to anyone.
    """
    zone = calendar.zone if calendar is not None else ZoneInfo("UTC")
    seconds = (as_utc(due) - as_utc(now)).total_seconds()
    if seconds <= 0:
        return "as soon as possible"
    minutes = math.ceil(seconds / 60)
    if minutes < 60:
        return f"within {minutes} minute{'s' if minutes != 1 else ''}"
    if _local_day(due, zone) == _local_day(now, zone):
        hours = math.ceil(minutes / 60)
        return f"within {hours} hour{'s' if hours != 1 else ''}"
    return f"by {_local_moment(now, due, zone)} ({zone.key})"


def first_reply_promise(calendar: BusinessCalendar, now: datetime, due: datetime) -> str:
    """A full, honest sentence for the customer about when a person will reply.

    Out of hours it says so and gives the open hours, so nobody waits for an answer at night.
    """
    if is_open(calendar, now):
        return f"A person will reply {describe_wait(now, due, calendar)}."
    zone = calendar.zone
    hours = describe_hours(calendar)
    if _local_day(now, zone) in calendar.holidays:
        offline = f"Our team is off for a holiday today (we're usually open {hours})"
    else:
        offline = f"Our team is offline now (we're open {hours})"
    if as_utc(due) <= as_utc(now):
        back = _local_moment(now, next_open(calendar, now), zone)
        return f"{offline}; a person will reply as soon as we're back, {back}."
    return f"{offline}; a person will reply by {_local_moment(now, due, zone)}."


def _closed(pauses: Iterable[Pause], now: datetime | None) -> list[Interval]:
    """Pauses as closed periods; a running pause ends at `now`."""
    closed = []
    for pause in pauses:
        end = pause.end if pause.end is not None else now
        if end is None:
            raise ValueError("a pause is still running: pass `now` to know where the clock stands")
        closed.append((pause.start, max(as_utc(end), as_utc(pause.start))))
    return closed


def _local_day(at: datetime, zone: ZoneInfo) -> date:
    return as_utc(at).astimezone(zone).date()


def _local_moment(now: datetime, at: datetime, zone: ZoneInfo) -> str:
    """'08:30 today', 'Monday 08:30', or 'Monday 4 January 08:30' a week or more ahead."""
    local = as_utc(at).astimezone(zone)
    days_ahead = (local.date() - as_utc(now).astimezone(zone).date()).days
    if days_ahead == 0:
        return f"{local:%H:%M} today"
    weekday = DAY_NAMES[local.weekday()]  # not %A: that follows the process locale
    if days_ahead < 7:
        return f"{weekday} {local:%H:%M}"
    return f"{weekday} {local.day} {MONTH_NAMES[local.month - 1]} {local:%H:%M}"
