"""The simulated team: three skill groups, twelve agents on shifts, a dispatcher, and their database.

Two layouts, both three groups and twelve agents:
- skill groups (for auto, review and claim): two first-line groups by topic that escalate to a
  senior group, every group in the dispatch mode under test;
- a tier ladder (for tiered): one first-line group for all topics (tiered), escalating to L2
  (auto) and on to L3 engineering (auto), as the shipped set-up file arranges it.
Calendars and SLA policies are the shipped ones (`handoff/defaults/helpdesk.yml`).
"""

import dataclasses
import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from handoff import load_helpdesk_config, seed_defaults, session_scope, upgrade_database
from handoff.db import get_engine
from handoff.models import Agent, SkillGroup
from tests.utils.postgres import PostgresServer

logger = logging.getLogger(__name__)

MODES = ("auto", "review", "claim", "tiered")
FIRST_LINE = ["general", "account", "plans", "billing", "integrations", "troubleshooting"]
EARLY, LATE = (time(8, 0), time(16, 30)), (time(9, 30), time(18, 0))  # local, Monday to Friday


@dataclass(frozen=True)
class GroupPlan:
    name: str
    tier: int
    categories: list[str]
    escalates_to: str | None
    skills: list[list[str]]  # one entry per agent: the categories that agent knows best
    capacity: int


def layout(mode: str) -> list[GroupPlan]:
    """The three groups for a dispatch mode (see the module docstring)."""
    if mode == "tiered":
        return [
            GroupPlan("first_line", 1, FIRST_LINE, "second_line",
                      [["billing", "plans"], ["account", "general"], ["integrations"], ["troubleshooting"],
                       ["billing"], ["account", "troubleshooting"], ["plans", "general"],
                       ["integrations", "billing"]], capacity=8),
            GroupPlan("second_line", 2, ["privacy", "security"], "engineering",
                      [["privacy", "security"], ["billing", "integrations"], ["troubleshooting", "account"]],
                      capacity=6),
            GroupPlan("engineering", 3, [], None, [["integrations", "troubleshooting", "security"]],
                      capacity=6),
        ]
    return [
        GroupPlan("accounts", 1, ["general", "account", "plans", "billing"], "senior",
                  [["billing"], ["billing", "plans"], ["account"], ["account", "general"],
                   ["plans", "general"], ["billing", "account"]], capacity=8),
        GroupPlan("technical", 1, ["integrations", "troubleshooting"], "senior",
                  [["integrations"], ["troubleshooting"], ["integrations", "troubleshooting"]], capacity=8),
        GroupPlan("senior", 2, ["privacy", "security"], None,
                  [["privacy", "security"], ["billing", "integrations"], ["troubleshooting", "account"]],
                  capacity=6),
    ]


def group_mode(mode: str, plan: GroupPlan) -> str:
    """The dispatch mode a group runs in: the mode under test, or the shipped tier ladder for tiered."""
    if mode == "tiered":
        return "tiered" if plan.tier == 1 else "auto"
    return mode


def set_up_desk(url: str, mode: str) -> None:
    """Migrate an empty database and seed the shipped calendars and SLA policies, our groups and agents."""
    upgrade_database(url, seed=False)
    plans = layout(mode)
    config = dataclasses.replace(load_helpdesk_config(), templates=[], skill_groups=[
        {"name": p.name, "tier": p.tier, "categories": p.categories, "dispatch_mode": group_mode(mode, p),
         **({"escalates_to": p.escalates_to} if p.escalates_to else {})}
        for p in plans
    ])
    with session_scope(url) as session:
        seed_defaults(session, config)
        groups = {g.name: g for g in session.scalars(select(SkillGroup))}
        number = 0
        for plan in plans:
            for skills in plan.skills:
                number += 1
                # The ORM, not `create_agent`: nobody signs in, so no argon2 hashing (0.1-0.4 s each);
                # and no service call sets skills, capacity, availability or group membership.
                session.add(Agent(email=f"agent{number:02d}@example.com", display_name=f"Agent {number:02d}",
                                  password_hash="!", skills=skills, capacity=plan.capacity,
                                  is_available=False, groups=[groups[plan.name]]))
        session.add(Agent(email="dispatcher@example.com", display_name="Dispatcher", role="lead",
                          password_hash="!"))


def agent_shifts(session: Session) -> dict[int, tuple[time, time]]:
    """Each agent's weekday shift: the group's members alternate early and late."""
    shifts: dict[int, tuple[time, time]] = {}
    for group in session.scalars(select(SkillGroup).order_by(SkillGroup.id)):
        for index, agent in enumerate(sorted(group.agents, key=lambda a: a.id)):
            shifts[agent.id] = EARLY if index % 2 == 0 else LATE
    return shifts


def shift_times(
    shift: tuple[time, time], first: date, days: int, zone: ZoneInfo
) -> Iterator[tuple[datetime, datetime]]:
    """The (start, end) moments of a weekday shift over `days` days from `first`."""
    for offset in range(days):
        day = first + timedelta(days=offset)
        if day.weekday() < 5:
            yield (datetime.combine(day, shift[0], zone), datetime.combine(day, shift[1], zone))


def agents_by_id(session: Session) -> dict[int, Agent]:
    """All agents (the dispatcher included)."""
    return {agent.id: agent for agent in session.scalars(select(Agent))}


class Databases:
    """Fresh, migrated databases on demand: SQLite files in a temp folder, or one PostgreSQL server."""

    def __init__(self) -> None:
        self._folder = Path(tempfile.mkdtemp(prefix="deskmate-sim-"))
        self._postgres: PostgresServer | None = None
        self._count = 0

    def new_url(self, kind: str) -> str:
        """A URL of an empty database of `kind` ('sqlite' or 'postgres')."""
        self._count += 1
        if kind == "sqlite":
            return f"sqlite:///{self._folder / f'sim{self._count}.db'}"
        if self._postgres is None:
            self._postgres = PostgresServer()
            self._postgres.start()
        return self._postgres.create_database(f"sim{self._count}")

    def close(self) -> None:
        if self._postgres is not None:
            self._postgres.stop()
        for path in self._folder.glob("*"):
            with suppress(OSError):
                path.unlink()
        with suppress(OSError):
            self._folder.rmdir()


@contextmanager
def databases() -> Iterator[Databases]:
    """A `Databases` whose server and files are gone after the block."""
    found = Databases()
    try:
        yield found
    finally:
        found.close()


def dispose(url: str) -> None:
    """Close the process-wide engine's connections for `url` (before its database goes away)."""
    get_engine(url).dispose()


def describe_layouts() -> list[tuple[str, Any]]:
    """(mode, 'group (tier, n agents, dispatch)' ...) for the report."""
    rows = []
    for mode in MODES:
        rows.append((mode, ", ".join(
            f"{p.name} L{p.tier} x{len(p.skills)} ({group_mode(mode, p)})" for p in layout(mode))))
    return rows
