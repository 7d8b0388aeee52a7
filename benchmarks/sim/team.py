"""The simulated people: how long their work takes, how often they ask back or escalate, and
what the simulation remembers about each agent and ticket between events."""

from dataclasses import dataclass, field
from datetime import datetime

# Work times (median minutes; L2 takes 1.5 times as long as L1, L3 2.5 times), and how often
# agents ask back or escalate. About 9.5 minutes of work per first-line ticket on average: with
# ~430 tickets a weekday the team is busy about three quarters of its shift time, more at peaks.
THINK = {1: 2.5, 2: 3.75, 3: 6.25}  # reading the ticket and writing the first response
HANDLE = {1: 4.5, 2: 6.75, 3: 11.25}  # solving it
FOLLOW_UP = {1: 3.0, 2: 4.5, 3: 7.5}  # after the customer answered a question
WORK = {"first_response": THINK, "resolve": HANDLE, "follow_up": FOLLOW_UP}
ESCALATE = {1: 0.04, 2: 0.10, 3: 0.0}  # at the first look at a ticket on that tier
ASK_FIRST, ASK_AGAIN, MAX_ASKS = 0.25, 0.08, 2
CUSTOMER_REPLY = (75.0, 1.1)  # median minutes and spread, wall-clock
REACTION = (2.0, 0.5)  # an idle agent noticing a new ticket in the claim queue
DISPATCHER_HOURS = (8, 18)  # local, Monday to Friday


@dataclass
class AgentState:
    """An agent as the simulation sees them: on shift or not, busy or not, their work list."""

    id: int
    tier: int
    groups: list[int]
    capacity: int
    on_shift: bool = False
    busy: bool = False
    looking: bool = False
    ready: list[tuple[int, datetime, int, int, str]] = field(default_factory=list)
    open: set[int] = field(default_factory=set)


@dataclass
class TicketState:
    """Where a ticket is, as far as the simulation knows, and what happened to it so far."""

    group: int
    assignee: int | None = None
    asks: int = 0
    tiers_seen: set[int] = field(default_factory=set)


@dataclass
class Counters:
    """What the run did and what it cost."""

    transactions: int = 0
    sla_checks: int = 0
    sla_check_seconds: float = 0.0
    agent_escalations: int = 0
    timed_escalations: int = 0
    dispatcher_confirmed: int = 0
    dispatcher_changed: int = 0
    claims: int = 0
    # handler name -> [events, seconds of wall time inside it]
    handlers: dict[str, list[float]] = field(default_factory=dict)
