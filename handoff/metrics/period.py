"""The period a dashboard covers, and the one before it to compare with.

Periods are half-open [start, end) in UTC, so two consecutive periods never count the same
moment twice; days are UTC days, the same for every viewer of the dashboard.
"""

import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from handoff.models import utcnow

logger = logging.getLogger(__name__)

MAX_SINCE_DAYS = 3660
_SINCE = re.compile(r"^\s*(\d{1,5})\s*([dw])\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    """A half-open stretch of time [start, end) with UTC-aware ends."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        """Refuse naive or reversed periods: every figure would silently be wrong."""
        for name, value in (("start", self.start), ("end", self.end)):
            if value.tzinfo is None or value.utcoffset() is None:
                raise ValueError(
                    f"period {name} {value.isoformat()} has no time zone; use UTC-aware datetimes")
        if self.end <= self.start:
            raise ValueError(
                f"period ends ({self.end.isoformat()}) before it starts ({self.start.isoformat()})")

    @property
    def length(self) -> timedelta:
        """How long the period lasts."""
        return self.end - self.start

    def previous(self) -> "Period":
        """The period of the same length that ends where this one starts."""
        return Period(start=self.start - self.length, end=self.start)

    @classmethod
    def last(cls, days: int, *, now: datetime | None = None) -> "Period":
        """The `days` days that end at `now` (default: the current time)."""
        if days < 1:
            raise ValueError(f"a period lasts at least one day, not {days}")
        end = (now or utcnow()).astimezone(UTC)
        return cls(start=end - timedelta(days=days), end=end)

    def days(self) -> list[date]:
        """The UTC days the period touches, first to last (partial days included)."""
        first = self.start.astimezone(UTC).date()
        last = (self.end.astimezone(UTC) - timedelta(microseconds=1)).date()
        return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]

    def to_dict(self) -> dict[str, str]:
        """ISO 8601 ends, for JSON."""
        return {"start": self.start.astimezone(UTC).isoformat(), "end": self.end.astimezone(UTC).isoformat()}


def day_start(day: date) -> datetime:
    """Midnight UTC at the start of `day`."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def parse_since(text: str) -> int:
    """A period length as people type it: "30d" is 30 days, "12w" is 84 days."""
    match = _SINCE.match(text or "")
    if match is None:
        raise ValueError(f"{text!r} is not a period length; write days or weeks, like 30d or 12w")
    days = int(match[1]) * (7 if match[2].lower() == "w" else 1)
    if not 1 <= days <= MAX_SINCE_DAYS:
        raise ValueError(f"a period must last between 1 and {MAX_SINCE_DAYS} days, not {days}")
    return days
