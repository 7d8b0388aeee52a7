"""What a dashboard request asks for: a period and filters, checked the same way everywhere.

The console page, its CSV exports and the JSON API all take the same parameters (a number of
days, or a from/to pair of dates, and the four filters) and refuse the same mistakes with the
same words.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from handoff import Agent
from handoff.classification import load_rules
from handoff.metrics import DashboardFilters, Period
from handoff.models import SkillGroup, utcnow

CHANNELS = ("web", "telegram")
PRESET_DAYS = (7, 30, 90)
DEFAULT_DAYS = 30
MAX_DAYS = 366
DEFAULT_CATEGORY = "general"  # tickets no rule matched


class DashboardQueryError(ValueError):
    """A period or filter that cannot be answered; the message says what to change."""


@dataclass(frozen=True)
class DashboardQuery:
    """A checked request: the period, the filters, and how the period was asked for."""

    period: Period
    filters: DashboardFilters
    days: int | None  # the rolling window asked for, or None for from/to dates
    first_day: date
    last_day: date  # inclusive, as people name a range of days

    def params(self) -> dict[str, str]:
        """The query string that asks for the same figures (CSV links, the API)."""
        values = (
            {"days": str(self.days)}
            if self.days is not None
            else {"from": self.first_day.isoformat(), "to": self.last_day.isoformat()}
        )
        filters = self.filters
        values.update(
            {
                "channel": filters.channel,
                "category": filters.category,
                "group": filters.group,
                "agent": str(filters.agent_id) if filters.agent_id is not None else "",
            }
        )
        return {key: value for key, value in values.items() if value}

    def file_label(self) -> str:
        """The period in a file name: 2026-04-01_2026-04-30."""
        return f"{self.first_day.isoformat()}_{self.last_day.isoformat()}"


def categories() -> list[str]:
    """The ticket categories of the rules file, and the default one."""
    names = list(load_rules().categories)
    return names if DEFAULT_CATEGORY in names else [*names, DEFAULT_CATEGORY]


def _period(
    *, days: int | None, first: date | None, last: date | None, now: datetime
) -> tuple[Period, int | None]:
    if days is not None and (first is not None or last is not None):
        raise DashboardQueryError("Give either a number of days or a from/to pair of dates, not both.")
    if (first is None) != (last is None):
        raise DashboardQueryError("A custom period needs both dates: from and to.")
    if first is not None and last is not None:
        if last < first:
            raise DashboardQueryError(
                f"The end date {last.isoformat()} is before the start date {first.isoformat()}."
            )
        if first > now.date():
            raise DashboardQueryError(f"The period starts in the future ({first.isoformat()}).")
        if (last - first).days + 1 > MAX_DAYS:
            raise DashboardQueryError(f"A period is at most {MAX_DAYS} days long.")
        start = datetime.combine(first, time.min, tzinfo=UTC)
        return Period(start=start, end=datetime.combine(last + timedelta(days=1), time.min, tzinfo=UTC)), None
    chosen = DEFAULT_DAYS if days is None else days
    if not 1 <= chosen <= MAX_DAYS:
        raise DashboardQueryError(f"The number of days must be between 1 and {MAX_DAYS}, not {chosen}.")
    return Period.last(chosen, now=now), chosen


def _filters(
    session: Session, *, channel: str, category: str, group: str, agent_id: int | None
) -> DashboardFilters:
    if channel and channel not in CHANNELS:
        raise DashboardQueryError(f"There is no channel {channel!r}; the channels are {', '.join(CHANNELS)}.")
    if category and category not in categories():
        raise DashboardQueryError(f"There is no category {category!r} in the classification rules.")
    if group and session.scalar(select(SkillGroup.id).where(SkillGroup.name == group)) is None:
        raise DashboardQueryError(f"There is no skill group {group!r}.")
    if agent_id is not None and session.get(Agent, agent_id) is None:
        raise DashboardQueryError(f"There is no agent with id {agent_id}.")
    return DashboardFilters(channel=channel, category=category, group=group, agent_id=agent_id)


def build_query(
    session: Session,
    *,
    days: int | None = None,
    first: date | None = None,
    last: date | None = None,
    channel: str = "",
    category: str = "",
    group: str = "",
    agent_id: int | None = None,
    now: datetime | None = None,
) -> DashboardQuery:
    """Check a request's period and filters; `DashboardQueryError` says what is wrong."""
    now = now or utcnow()
    period, chosen_days = _period(days=days, first=first, last=last, now=now)
    filters = _filters(
        session, channel=channel.strip(), category=category.strip(), group=group.strip(), agent_id=agent_id
    )
    last_day = (period.end - timedelta(microseconds=1)).date()
    return DashboardQuery(
        period=period, filters=filters, days=chosen_days, first_day=period.start.date(), last_day=last_day
    )


def parse_date(text: str, name: str) -> date | None:
    """A YYYY-MM-DD date typed in a form (empty: none)."""
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise DashboardQueryError(f"The {name} date {text[:20]!r} is not a date like 2026-04-30.") from None


def parse_int(text: str, name: str) -> int | None:
    """A whole number typed in a form or a link (empty: none)."""
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 9:
        raise DashboardQueryError(f"The {name} must be a whole number, not {text[:20]!r}.")
    return int(text)
