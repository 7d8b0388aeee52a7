"""The generated history's team: the shipped skill groups and SLA set-up, and about forty agents.

Groups, calendars, SLA policies and templates come from the help desk's own seeding
(`handoff.helpdesk_config.seed_defaults`, from `handoff/defaults/helpdesk.yml`); the agents are
added as rows, the way `benchmarks/sim/desk.py` does it: nobody signs in as them (the load
benchmark creates its own sign-in accounts), so no argon2 hashing. Routing and SLA targets are
then read back through the help desk's functions (`group_for`, `policy_for`, `calendar_named`),
once per combination, so the history follows the rules the product applies.
"""

import random
from dataclasses import dataclass
from itertools import product

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handoff.calendar import BusinessCalendar
from handoff.dispatch import group_for
from handoff.helpdesk_config import policy, seed_defaults
from handoff.models import Agent, SkillGroup, Ticket
from handoff.sla_service import DEFAULT_TARGETS, calendar_named, policy_for

from history.texts import person_name

# Members per shipped group: 40 agents, most of them first line.
TEAM = {"general": 12, "billing": 6, "technical": 9, "privacy": 4, "senior": 6, "engineering": 3}
LEADS = 2
PRIORITIES = ("low", "normal", "high", "urgent")


@dataclass(frozen=True)
class GroupInfo:
    id: int
    name: str
    tier: int
    dispatch_mode: str
    escalates_to: str | None
    members: tuple[tuple[int, str], ...]  # (agent id, display name)


@dataclass(frozen=True)
class Targets:
    """A ticket's SLA: minutes for first response and resolution, on a business calendar."""

    first_response_minutes: int
    resolution_minutes: int
    calendar_name: str
    calendar: BusinessCalendar


@dataclass(frozen=True)
class Desk:
    """What the stories need to know about the team, read once from the database."""

    groups: dict[str, GroupInfo]
    leads: tuple[tuple[int, str], ...]
    routes: dict[tuple[str, bool], str]  # (category, negative) -> group name
    targets: dict[tuple[str, str], Targets]  # (priority, category) -> SLA
    reopen_window_days: float
    auto_close_days: float
    at_risk_share: float
    escalate_unanswered_minutes: float
    urgent_to_senior: bool

    def group_for(self, category: str, *, priority: str, sentiment: str) -> GroupInfo:
        """The group `handoff.tickets.create_ticket` routes a new ticket to."""
        negative = (self.urgent_to_senior and priority == "urgent") or sentiment == "negative"
        return self.groups[self.routes[(category, negative)]]

    def targets_for(self, priority: str, category: str) -> Targets:
        return self.targets[(priority, category)]


def has_history(session: Session) -> bool:
    """Whether the database already holds tickets (the generator only fills an empty help desk)."""
    return bool(session.scalar(select(func.count(Ticket.id))))


def seed_team(session: Session, rng: random.Random) -> None:
    """Seed the shipped set-up (if the database is new) and add the agents and leads."""
    seed_defaults(session)
    groups = {group.name: group for group in session.scalars(select(SkillGroup))}
    missing = sorted(set(TEAM) - set(groups))
    if missing:
        raise SystemExit(f"the database lacks the shipped skill groups {missing}; use a fresh database")
    number = 0
    for name, count in TEAM.items():
        group = groups[name]
        for _ in range(count):
            number += 1
            session.add(Agent(
                email=f"agent{number:02d}@ledgerly.example", display_name=person_name(rng), password_hash="!",
                skills=list(group.categories or []), capacity=rng.choice((8, 10, 12)), groups=[group],
            ))
    for lead in range(1, LEADS + 1):
        session.add(Agent(email=f"lead{lead}@ledgerly.example", display_name=person_name(rng), role="lead",
                          password_hash="!"))
    session.flush()


def read_desk(session: Session, categories: list[str]) -> Desk:
    """The team, routing and SLA targets as the help desk computes them, for these categories."""
    knobs = policy()
    senior = knobs.negative_sentiment_to_senior or knobs.urgent_to_senior
    groups: dict[str, GroupInfo] = {}
    for group in session.scalars(select(SkillGroup).order_by(SkillGroup.id)):
        members = tuple((agent.id, agent.display_name) for agent in sorted(group.agents, key=lambda a: a.id)
                        if agent.is_active and agent.role == "agent")
        groups[group.name] = GroupInfo(
            id=group.id, name=group.name, tier=group.tier, dispatch_mode=group.dispatch_mode,
            escalates_to=group.escalation_group.name if group.escalation_group else None, members=members,
        )
    leads = tuple((agent.id, agent.display_name)
                  for agent in session.scalars(select(Agent).where(Agent.role == "lead").order_by(Agent.id)))
    routes: dict[tuple[str, bool], str] = {}
    targets: dict[tuple[str, str], Targets] = {}
    for category, negative in product(categories, (False, True)):
        group = group_for(session, category=category, negative=negative, senior_for_negative=senior)
        if group is None:
            raise SystemExit("the database has no skill groups")
        routes[(category, negative)] = group.name
    for priority, category in product(PRIORITIES, categories):
        row = policy_for(session, priority=priority, category=category)
        if row is None:
            first, resolution = DEFAULT_TARGETS.get(priority, DEFAULT_TARGETS["normal"])
            name = "default"
        else:
            first, resolution, name = row.first_response_minutes, row.resolution_minutes, row.calendar
        targets[(priority, category)] = Targets(first, resolution, name, calendar_named(session, name))
    empty = [name for name, group in groups.items() if not group.members]
    if empty:
        raise SystemExit(f"skill groups without agents: {empty}")
    return Desk(
        groups=groups, leads=leads, routes=routes, targets=targets,
        reopen_window_days=knobs.reopen_window_days, auto_close_days=knobs.auto_close_days,
        at_risk_share=knobs.at_risk_share, escalate_unanswered_minutes=knobs.escalate_unanswered_minutes,
        urgent_to_senior=knobs.urgent_to_senior,
    )
