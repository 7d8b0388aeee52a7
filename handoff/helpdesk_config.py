"""The help-desk set-up file: calendars, SLA policies, skill groups, policy knobs, templates.

The database is the source of truth once seeded (admins edit it); the file seeds an empty
database and holds the policy knobs (reopen window, at-risk share, escalation timing).
"""

import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handoff.calendar import BusinessCalendar
from handoff.models import Calendar, ResponseTemplate, SkillGroup, SlaPolicy
from handoff.settings import get_settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Policy:
    """Knobs of the ticket lifecycle and escalation."""

    reopen_window_days: float = 7
    auto_close_days: float = 7
    at_risk_share: float = 0.75
    escalate_unanswered_minutes: float = 120
    negative_sentiment_to_senior: bool = True
    urgent_to_senior: bool = False


@dataclass(frozen=True)
class HelpdeskConfig:
    calendars: dict[str, dict[str, Any]]
    sla_policies: list[dict[str, Any]]
    skill_groups: list[dict[str, Any]]
    templates: list[dict[str, Any]] = field(default_factory=list)
    policy: Policy = Policy()


@lru_cache(maxsize=4)
def _load(path: Path, mtime: float) -> HelpdeskConfig:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for name, calendar in (data.get("calendars") or {}).items():
        BusinessCalendar.from_config({"name": name, **calendar})  # fail early on a bad calendar
    return HelpdeskConfig(
        calendars=data.get("calendars") or {},
        sla_policies=data.get("sla_policies") or [],
        skill_groups=data.get("skill_groups") or [],
        templates=data.get("templates") or [],
        policy=Policy(**(data.get("policy") or {})),
    )


def load_helpdesk_config(path: Path | None = None) -> HelpdeskConfig:
    """The set-up file (default: the configured one), re-read when it changes."""
    path = path or get_settings().helpdesk_file
    return _load(path, path.stat().st_mtime)


def policy() -> Policy:
    """The lifecycle and escalation knobs in force."""
    return load_helpdesk_config().policy


def seed_defaults(session: Session, config: HelpdeskConfig | None = None) -> bool:
    """Fill an empty help desk from the set-up file; returns whether anything was added."""
    config = config or load_helpdesk_config()
    if session.scalar(select(func.count(SkillGroup.id))):
        return False
    for name, calendar in config.calendars.items():
        session.add(Calendar(name=name, config=calendar))
    for row in config.sla_policies:
        session.add(SlaPolicy(
            name=row["name"], priority=row["priority"], category=row.get("category"),
            first_response_minutes=int(row["first_response_minutes"]),
            resolution_minutes=int(row["resolution_minutes"]),
            calendar=row.get("calendar", "default"),
        ))
    groups: dict[str, SkillGroup] = {}
    for row in config.skill_groups:
        groups[row["name"]] = SkillGroup(
            name=row["name"], description=row.get("description", ""),
            dispatch_mode=row.get("dispatch_mode", "auto"), tier=int(row.get("tier", 1)),
            categories=list(row.get("categories") or []), calendar=row.get("calendar", "default"),
        )
        session.add(groups[row["name"]])
    session.flush()
    for row in config.skill_groups:
        if row.get("escalates_to"):
            groups[row["name"]].escalation_group_id = groups[row["escalates_to"]].id
    for row in config.templates:
        session.add(ResponseTemplate(name=row["name"], category=row.get("category"), body=row["body"]))
    session.flush()
    logger.info("help desk seeded: %d groups, %d SLA policies", len(groups), len(config.sla_policies))
    return True
