"""What admins change in the console: agents, skill groups, SLA policies.

Keyword-only data functions on the help desk's models; a change that cannot be made raises
`AdminError` with the reason in words. Templates use the help desk's own functions.
"""

import logging
import re

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from handoff import Agent
from handoff.agents import ROLES
from handoff.models import ApiToken, Calendar, SkillGroup, SlaPolicy

logger = logging.getLogger(__name__)

DISPATCH_MODES = ("auto", "review", "claim", "tiered")
PRIORITIES = ("urgent", "high", "normal", "low")
MAX_MINUTES = 60 * 24 * 60  # sixty days
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


MAX_SKILLS = 20


class AdminError(ValueError):
    """An admin change that is refused (it would lock the admin out, an unknown value, ...)."""


def _words(text: str) -> list[str]:
    return sorted({part.strip().lower() for part in text.split(",") if part.strip()})


def update_agent(
    session: Session,
    *,
    admin: Agent,
    agent: Agent,
    role: str,
    is_active: bool,
    is_available: bool,
    capacity: int,
    group_ids: list[int],
    skills: str | None = None,
) -> Agent:
    """Change an agent's role, status, capacity, groups and skills; deactivating also signs them out.

    Skills are the categories an agent is best at (comma-separated); dispatch prefers them for
    tickets of those categories. `None` leaves them as they are.
    """
    if role not in ROLES:
        raise AdminError(f"Unknown role {role!r}; one of {', '.join(ROLES)}")
    if agent.id == admin.id and (role != "admin" or not is_active):
        raise AdminError("You cannot take away your own admin role or deactivate yourself.")
    if not 0 <= capacity <= 1000:
        raise AdminError("Capacity must be between 0 and 1000 open tickets.")
    if skills is not None:
        words = _words(skills)
        if len(words) > MAX_SKILLS or any(len(word) > 64 for word in words):
            raise AdminError(f"At most {MAX_SKILLS} skills, each at most 64 characters.")
        agent.skills = words
    agent.role = role
    agent.is_available = is_available
    agent.capacity = capacity
    agent.groups = list(session.scalars(select(SkillGroup).where(SkillGroup.id.in_(group_ids))))
    if agent.is_active and not is_active:
        session.execute(delete(ApiToken).where(ApiToken.agent_id == agent.id))
    agent.is_active = is_active
    logger.info("admin %s updated agent %s (%s, active=%s)", admin.email, agent.email, role, is_active)
    return agent


def calendar_names(session: Session) -> list[str]:
    return list(session.scalars(select(Calendar.name).order_by(Calendar.name)))


def _check_calendar(session: Session, calendar: str) -> str:
    if calendar not in calendar_names(session):
        raise AdminError(f"Unknown calendar {calendar!r}")
    return calendar


def create_group(session: Session, *, name: str, tier: int, dispatch_mode: str) -> SkillGroup:
    """A new skill group (then edit its categories and escalation)."""
    name = name.strip().lower()
    if not _NAME.match(name):
        raise AdminError("A group name is lower-case letters, digits, '-' or '_' (at most 64).")
    if session.scalar(select(SkillGroup).where(SkillGroup.name == name)) is not None:
        raise AdminError(f"A group called {name!r} already exists.")
    if dispatch_mode not in DISPATCH_MODES:
        raise AdminError(f"Unknown dispatch mode {dispatch_mode!r}")
    if not 1 <= tier <= 9:
        raise AdminError("The tier is a number from 1 to 9.")
    group = SkillGroup(name=name, tier=tier, dispatch_mode=dispatch_mode, categories=[], description="")
    session.add(group)
    session.flush()
    return group


def _escalation_loops(session: Session, group: SkillGroup, target_id: int | None) -> bool:
    seen = {group.id}
    while target_id is not None:
        if target_id in seen:
            return True
        seen.add(target_id)
        target = session.get(SkillGroup, target_id)
        target_id = target.escalation_group_id if target is not None else None
    return False


def update_group(
    session: Session,
    *,
    group: SkillGroup,
    description: str,
    dispatch_mode: str,
    tier: int,
    categories: str,
    escalation_group_id: int | None,
    calendar: str,
) -> SkillGroup:
    """Change how a group takes tickets; escalation must not go round in a circle."""
    if dispatch_mode not in DISPATCH_MODES:
        raise AdminError(f"Unknown dispatch mode {dispatch_mode!r}")
    if not 1 <= tier <= 9:
        raise AdminError("The tier is a number from 1 to 9.")
    if escalation_group_id is not None and session.get(SkillGroup, escalation_group_id) is None:
        raise AdminError("The escalation group does not exist.")
    if _escalation_loops(session, group, escalation_group_id):
        raise AdminError(f"Escalating {group.name} there would go round in a circle.")
    group.description = description.strip()[:300]
    group.dispatch_mode = dispatch_mode
    group.tier = tier
    group.categories = _words(categories)
    group.escalation_group_id = escalation_group_id
    group.calendar = _check_calendar(session, calendar)
    return group


def _minutes(value: int, what: str) -> int:
    if not 1 <= value <= MAX_MINUTES:
        raise AdminError(f"The {what} target must be between 1 and {MAX_MINUTES} business minutes.")
    return value


def save_sla_policy(
    session: Session,
    *,
    policy: SlaPolicy | None,
    name: str,
    priority: str,
    category: str,
    first_response_minutes: int,
    resolution_minutes: int,
    calendar: str,
) -> SlaPolicy:
    """Create or change an SLA policy; new and reopened tickets get the new targets."""
    if priority not in PRIORITIES:
        raise AdminError(f"Unknown priority {priority!r}")
    first = _minutes(first_response_minutes, "first-response")
    resolution = _minutes(resolution_minutes, "resolution")
    if resolution < first:
        raise AdminError("The resolution target cannot be shorter than the first-response target.")
    category_value = category.strip().lower() or None
    clash = session.scalar(
        select(SlaPolicy).where(
            SlaPolicy.priority == priority,
            SlaPolicy.category.is_(None) if category_value is None else SlaPolicy.category == category_value,
        )
    )
    if clash is not None and clash is not policy:
        raise AdminError(f"There is already a policy for {priority} / {category_value or 'any category'}.")
    if policy is None:
        policy = SlaPolicy(name="", priority=priority)
        session.add(policy)
    policy.name = (
        name.strip()[:100] or f"{priority.capitalize()}{' ' + category_value if category_value else ''}"
    )
    policy.priority = priority
    policy.category = category_value
    policy.first_response_minutes = first
    policy.resolution_minutes = resolution
    policy.calendar = _check_calendar(session, calendar)
    session.flush()
    return policy
