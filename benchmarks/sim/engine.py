"""The discrete-event simulation of a help desk: customers, agents on shifts, a dispatcher, a scheduler.

Events wait in a heap ordered by virtual time; each event is one transaction through the
help desk's own service calls (`hand_off`, `claim`, `assign`, `add_agent_reply`, `escalate`,
`resolve`, `handle_customer_message`, `run_sla_checks`), as the agent API would make them.
Nothing sleeps: the clock jumps from event to event (see `sim.clock`).

Agents work one thing at a time, first responses before other work, nearest deadline first.
Auto and tiered groups get tickets pushed by dispatch; claim groups' members take the queue's
head when idle; review groups wait for the dispatcher (a lead on office hours who looks at the
review queue every 10-20 minutes and confirms the recommendation, or picks another agent if the
recommended one is off shift or full).
"""

import heapq
import itertools
import logging
import random
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from handoff import (
    OPEN_STATES,
    add_agent_reply,
    assign,
    claim,
    dispatch,
    escalate,
    get_ticket,
    hand_off,
    handle_customer_message,
    pick_agent,
    record_message,
    require_ticket,
    resolve,
    run_sla_checks,
    session_scope,
    start_conversation,
)
from handoff.dispatch import agent_loads
from handoff.models import Agent, SkillGroup, Ticket
from handoff.timeline import agent_actor
from sim.clock import VirtualClock, virtual_time
from sim.desk import agent_shifts, shift_times
from sim.team import (
    ASK_AGAIN,
    ASK_FIRST,
    CUSTOMER_REPLY,
    DISPATCHER_HOURS,
    ESCALATE,
    MAX_ASKS,
    REACTION,
    WORK,
    AgentState,
    Counters,
    TicketState,
)
from sim.workload import Arrival, lognormal_minutes

logger = logging.getLogger(__name__)

def queue_of(group_ids: list[int]) -> Select[Ticket]:
    """Unassigned new tickets of the groups, nearest first-response deadline first."""
    return (select(Ticket)
            .where(Ticket.group_id.in_(group_ids), Ticket.status == "new", Ticket.assignee_id.is_(None))
            .order_by(Ticket.first_response_due, Ticket.id))


class Simulation:
    """One run: one database, one dispatch layout, the same arrivals and seed as every other run."""

    def __init__(self, url: str, arrivals: list[Arrival], *, zone: ZoneInfo, start: datetime, days: int,
                 seed: int, sla_every: timedelta, drain_days: int = 14, label: str = "") -> None:
        self.url, self.arrivals, self.zone, self.label = url, arrivals, zone, label
        self.start, self.days = start, days
        self.rng = random.Random(seed)
        self.sla_every = sla_every
        self.horizon = start + timedelta(days=days + drain_days)
        self.clock = VirtualClock(start)
        self.events: list[tuple[datetime, int, Callable[..., None], tuple[Any, ...]]] = []
        self.seq = itertools.count()
        self.agents: dict[int, AgentState] = {}
        self.tickets: dict[int, TicketState] = {}
        self.queued: dict[int, set[int]] = {}  # group id -> unassigned ticket numbers
        self.group_mode: dict[int, str] = {}
        self.escalates: dict[int, bool] = {}
        self.unresolved: set[int] = set()
        self.reviewing: set[int] = set()
        self.dispatcher_id = 0
        self.arrived = 0
        self.counters = Counters()

    # -- plumbing -------------------------------------------------------------------------

    @contextmanager
    def tx(self) -> Iterator[Session]:
        self.counters.transactions += 1
        with session_scope(self.url) as session:
            yield session

    def at(self, when: datetime, handler: Callable[..., None], *args: Any) -> None:
        heapq.heappush(self.events, (when, next(self.seq), handler, args))

    def later(self, delay: timedelta, handler: Callable[..., None], *args: Any) -> None:
        self.at(self.clock.now + delay, handler, *args)

    def run(self) -> datetime:
        """Play the month and drain the backlog; returns the virtual time the last ticket was resolved."""
        with virtual_time(self.clock):
            self._load_desk()
            for arrival in self.arrivals:
                self.at(arrival.at, self.on_arrival, arrival)
            self.at(self.start, self.on_sla_check)
            self.at(self.start + timedelta(days=1), self.on_new_day, time.perf_counter())
            while self.events:
                when, _, handler, args = heapq.heappop(self.events)
                if when > self.horizon or (self.arrived == len(self.arrivals) and not self.unresolved):
                    break
                self.clock.advance_to(when)
                began = time.perf_counter()
                handler(*args)
                spent = self.counters.handlers.setdefault(handler.__name__, [0, 0.0])
                spent[0] += 1
                spent[1] += time.perf_counter() - began
        return self.clock.now

    def _load_desk(self) -> None:
        with self.tx() as session:
            for group in session.scalars(select(SkillGroup).order_by(SkillGroup.id)):
                self.group_mode[group.id] = group.dispatch_mode
                self.escalates[group.id] = group.escalation_group_id is not None
                self.queued[group.id] = set()
            shifts = agent_shifts(session)
            for agent in session.scalars(select(Agent).order_by(Agent.id)):
                if agent.role == "lead":
                    self.dispatcher_id = agent.id
                    continue
                self.agents[agent.id] = AgentState(
                    agent.id, min(g.tier for g in agent.groups), [g.id for g in agent.groups], agent.capacity)
        first_day: date = self.start.astimezone(self.zone).date()
        total_days = (self.horizon - self.start).days + 1
        for agent_id, shift in shifts.items():
            for begin, end in shift_times(shift, first_day, total_days, self.zone):
                self.at(begin, self.on_shift_change, agent_id, True)
                self.at(end, self.on_shift_change, agent_id, False)
        if "review" in self.group_mode.values():
            for day in range(total_days):
                local = datetime.combine(first_day + timedelta(days=day), datetime.min.time(), self.zone)
                if local.weekday() < 5:
                    self.at(local.replace(hour=DISPATCHER_HOURS[0]), self.on_review_check)

    # -- routing --------------------------------------------------------------------------

    def routed(self, ticket: Ticket) -> None:
        """Note where a ticket now is (after hand-off, dispatch, claim, assignment or escalation)."""
        number = ticket.number or 0
        state = self.tickets.setdefault(number, TicketState(group=ticket.group_id or 0))
        if state.assignee is not None and state.assignee != ticket.assignee_id:
            self.agents[state.assignee].open.discard(number)
        self.queued[state.group].discard(number)
        state.group, state.assignee = ticket.group_id or 0, ticket.assignee_id
        if ticket.assignee_id is None:
            self.queued[state.group].add(number)
            if self.group_mode[state.group] == "claim":
                self.notify_members(state.group)
            return
        agent = self.agents[ticket.assignee_id]
        agent.open.add(number)
        if ticket.first_responded_at is None:
            self.push(agent, number, "first_response", ticket.first_response_due)
        else:
            self.push(agent, number, "resolve", ticket.resolution_due)

    def push(self, agent: AgentState, number: int, kind: str, due: datetime) -> None:
        heapq.heappush(agent.ready, (0 if kind == "first_response" else 1, due, next(self.seq), number, kind))
        self.work_on(agent)

    def work_on(self, agent: AgentState) -> None:
        """Start the agent's next task if they are on shift and free; an idle claimer looks at the queue."""
        if not agent.on_shift or agent.busy:
            return
        while agent.ready:
            _, _, _, number, kind = heapq.heappop(agent.ready)
            if self.tickets[number].assignee == agent.id and number in self.unresolved:
                agent.busy = True
                duration = lognormal_minutes(self.rng, WORK[kind][agent.tier], 0.6)
                self.later(duration, self.on_task_done, agent.id, number, kind)
                return
        if any(self.group_mode[g] == "claim" for g in agent.groups):
            self.look_soon(agent, timedelta(seconds=30))

    def notify_members(self, group_id: int) -> None:
        for agent in self.agents.values():
            if group_id in agent.groups and agent.on_shift and not agent.busy and not agent.ready:
                self.look_soon(agent, lognormal_minutes(self.rng, *REACTION))

    def look_soon(self, agent: AgentState, delay: timedelta) -> None:
        if not agent.looking and len(agent.open) < agent.capacity:
            agent.looking = True
            self.later(delay, self.on_look, agent.id)

    def redispatch(self, group_ids: list[int]) -> None:
        """Auto groups: offer queued tickets to dispatch again (nothing in handoff does this by itself)."""
        for group_id in group_ids:
            if self.group_mode[group_id] not in ("auto", "tiered") or not self.queued[group_id]:
                continue
            with self.tx() as session:
                waiting = list(session.scalars(queue_of([group_id])))
                for ticket in waiting:
                    dispatch(session, ticket)
                    session.flush()
                    if ticket.assignee_id is None:
                        break
                    self.routed(ticket)

    # -- event handlers -------------------------------------------------------------------

    def on_new_day(self, began: float) -> None:
        day = (self.clock.now - self.start).days
        print(f"{self.label} day {day}: {self.arrived:,} tickets in, {len(self.unresolved):,} open, "
              f"{(time.perf_counter() - began) / 60:.1f} min", file=sys.stderr, flush=True)
        self.later(timedelta(days=1), self.on_new_day, began)

    def on_arrival(self, arrival: Arrival) -> None:
        self.arrived += 1
        with self.tx() as session:
            conversation, _token = start_conversation(session, channel="web")
            record_message(session, conversation=conversation, sender="customer", text=arrival.text)
            result = hand_off(session, conversation_public_id=conversation.public_id,
                              reason="asked_for_human")
            ticket = get_ticket(session, number=result.ticket_number)
            assert ticket is not None
            self.unresolved.add(result.ticket_number)
            self.routed(ticket)

    def on_shift_change(self, agent_id: int, starts: bool) -> None:
        agent = self.agents[agent_id]
        with self.tx() as session:
            row = session.get(Agent, agent_id)
            assert row is not None
            row.is_available = agent.on_shift = starts
        if starts:
            self.redispatch(agent.groups)
            self.work_on(agent)

    def on_look(self, agent_id: int) -> None:
        agent = self.agents[agent_id]
        agent.looking = False
        groups = [g for g in agent.groups if self.group_mode[g] == "claim" and self.queued[g]]
        if not agent.on_shift or agent.busy or agent.ready or len(agent.open) >= agent.capacity or not groups:
            return
        with self.tx() as session:
            ticket = session.scalar(queue_of(groups).limit(1))
            row = session.get(Agent, agent_id)
            if ticket is None or row is None:
                return
            claim(session, ticket, row)
            self.counters.claims += 1
            self.routed(ticket)

    def on_task_done(self, agent_id: int, number: int, kind: str) -> None:
        agent = self.agents[agent_id]
        agent.busy = False
        freed = False
        with self.tx() as session:
            ticket = require_ticket(session, number=number)
            row = session.get(Agent, agent_id)
            assert row is not None
            if ticket.assignee_id == agent_id and ticket.status in OPEN_STATES:
                freed = self._act(session, ticket, row, agent, kind)
        if freed:
            self.redispatch(agent.groups)
        self.work_on(agent)

    def _act(self, session: Session, ticket: Ticket, row: Agent, agent: AgentState, kind: str) -> bool:
        """What the agent does at the end of a task; True if the ticket left their hands."""
        number, state, actor = ticket.number or 0, self.tickets[ticket.number or 0], agent_actor(row.id)
        first_look = agent.tier not in state.tiers_seen
        state.tiers_seen.add(agent.tier)
        if first_look and self.escalates[ticket.group_id or 0] and self.rng.random() < ESCALATE[agent.tier]:
            add_agent_reply(session, number=number, agent=row, text="I'm passing this to our specialists.")
            escalate(session, ticket, actor=actor, reason="agent", note="needs the next tier")
            session.flush()
            self.counters.agent_escalations += 1
            self.routed(ticket)
            return True
        ask = ASK_FIRST if kind == "first_response" else ASK_AGAIN
        if state.asks < MAX_ASKS and self.rng.random() < ask:
            state.asks += 1
            add_agent_reply(session, number=number, agent=row, text="Could you send me a screenshot?",
                            await_customer=True)
            self.later(lognormal_minutes(self.rng, *CUSTOMER_REPLY), self.on_customer_reply, number)
            return False
        add_agent_reply(session, number=number, agent=row, text="Here is how to fix it.")
        if kind == "first_response":
            self.push(agent, number, "resolve", ticket.resolution_due)
            return False
        resolve(session, number=number, actor=actor, reason="answered")
        self.unresolved.discard(number)
        agent.open.discard(number)
        return True

    def on_customer_reply(self, number: int) -> None:
        with self.tx() as session:
            ticket = require_ticket(session, number=number)
            message = record_message(session, conversation=ticket.conversation, sender="customer",
                                     text="Here is the screenshot.")
            handle_customer_message(session, conversation=ticket.conversation, message=message)
            assignee = ticket.assignee_id
        if assignee is not None and ticket.status == "in_progress":
            self.push(self.agents[assignee], number, "follow_up", ticket.resolution_due)

    def on_sla_check(self) -> None:
        began = self.clock.now
        with self.tx() as session:
            started = time.perf_counter()
            run_sla_checks(session, now=began)
            session.flush()
            self.counters.sla_check_seconds += time.perf_counter() - started
            self.counters.sla_checks += 1
            for ticket in session.scalars(
                    select(Ticket).where(Ticket.status.in_(OPEN_STATES)).order_by(Ticket.id)):
                state = self.tickets.get(ticket.number or 0)
                where = (ticket.group_id, ticket.assignee_id)
                if state is not None and (state.group, state.assignee) != where:
                    self.counters.timed_escalations += 1
                    self.routed(ticket)
        self.later(self.sla_every, self.on_sla_check)

    def on_review_check(self) -> None:
        local = self.clock.now.astimezone(self.zone)
        if local.hour >= DISPATCHER_HOURS[1]:
            return
        review = [g for g, mode in self.group_mode.items() if mode == "review" and self.queued[g]]
        if review:
            with self.tx() as session:
                numbers = [ticket.number for ticket in session.scalars(queue_of(review))]
            delay = timedelta()
            for number in numbers:
                if number is not None and number not in self.reviewing:
                    self.reviewing.add(number)
                    delay += lognormal_minutes(self.rng, 0.75, 0.5)
                    self.later(delay, self.on_confirm, number)
        self.later(timedelta(minutes=self.rng.uniform(10, 20)), self.on_review_check)

    def on_confirm(self, number: int) -> None:
        self.reviewing.discard(number)
        with self.tx() as session:
            ticket = require_ticket(session, number=number)
            if ticket.assignee_id is not None or ticket.status != "new" or ticket.group is None:
                return
            loads = agent_loads(session, ticket.group)
            free = {c.agent_id for c in loads if c.available and c.open_tickets < c.capacity}
            choice = ticket.recommended_assignee_id
            if choice not in free:
                choice = pick_agent(loads, ticket.category)
                if choice is None:
                    return
                self.counters.dispatcher_changed += 1
            else:
                self.counters.dispatcher_confirmed += 1
            agent = session.get(Agent, choice)
            assert agent is not None
            assign(session, ticket, agent, actor=agent_actor(self.dispatcher_id), reason="dispatcher")
            self.routed(ticket)

