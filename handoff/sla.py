"""SLA deadlines: pure functions over times and targets, so they are tested without a database."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from handoff.settings import HandoffSettings


@dataclass(frozen=True)
class SlaDue:
    first_response_due: datetime
    resolution_due: datetime


def due_times(created_at: datetime, priority: str, settings: HandoffSettings) -> SlaDue:
    """First-response and resolution deadlines for a ticket of `priority` opened at `created_at`."""
    first = settings.sla_first_response_minutes.get(priority, settings.sla_first_response_minutes["normal"])
    resolve = settings.sla_resolution_minutes.get(priority, settings.sla_resolution_minutes["normal"])
    return SlaDue(
        first_response_due=created_at + timedelta(minutes=first),
        resolution_due=created_at + timedelta(minutes=resolve),
    )


def describe_wait(now: datetime, due: datetime) -> str:
    """A plain-words promise for the customer, e.g. 'within 4 hours'."""
    minutes = max(1, round((due - now).total_seconds() / 60))
    if minutes < 60:
        return f"within {minutes} minutes"
    hours = round(minutes / 60)
    if hours < 48:
        return f"within {hours} hour{'s' if hours != 1 else ''}"
    return f"within {round(hours / 24)} days"
