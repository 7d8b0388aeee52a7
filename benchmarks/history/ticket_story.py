"""A ticket as the help desk's own service calls write it: the row, its timeline, dispatch, the SLA scheduler.

Every change leaves the timeline entry the core leaves (`handoff.tickets`, `handoff.lifecycle`,
`handoff.dispatch`, `handoff.escalation`, `handoff.sla_service`): the same `kind`, the same
`detail` keys, the same actor names. The SLA scheduler's work (at-risk and breached marks,
escalation of unanswered tickets) happens at the moments its passes would find it. Deadlines
come from the product's business-hours arithmetic.

A story is told in time order and stops where the history ends (`Cutoff`): whatever would happen
later does not happen, so a ticket's state is what its timeline says at that moment. What agents
and the customer do is in `history.ticket_actions`; how a ticket's life goes, in `history.ticket_life`.
"""

import random
from datetime import datetime, timedelta

from handoff.calendar import add_business_minutes, business_minutes_between
from handoff.sla_clock import Pause, due_at
from handoff.tickets import TICKET_NUMBER_OFFSET

from history.chat import Chat, seconds
from history.desk import Desk, GroupInfo, Targets
from history.rows import Row

OPEN_STATES = ("new", "in_progress", "awaiting_customer")
SCHEDULER_PASS = timedelta(seconds=30)


class Cutoff(Exception):
    """The history ends before this story does."""


class TicketStory:
    """One ticket, from the handoff on, and the scheduler's passes over it."""

    def __init__(self, chat: Chat, *, ticket_id: int, desk: Desk, end: datetime) -> None:
        self.chat = chat
        self.rng: random.Random = chat.rng
        self.desk = desk
        self.end = end
        self.number = TICKET_NUMBER_OFFSET + ticket_id
        self.names = {agent_id: name for group in desk.groups.values() for agent_id, name in group.members}
        self.names.update(dict(desk.leads))
        self.ticket: Row = {"id": ticket_id, "number": self.number}
        self.pauses: list[Pause] = []
        self.marks: set[str] = set()
        self.last_escalation: datetime | None = None
        self.now: datetime
        self.group: GroupInfo
        self.first_risk: datetime
        self.escalate_from: datetime
        self.resolution_risk: datetime

    # ----- the row and its timeline -----

    def open(self, at: datetime, *, reason: str, category: str, category_method: str,
             category_confidence: float | None, priority: str, sentiment: str, subject: str,
             bot_seconds: float) -> None:
        """`handoff.tickets.create_ticket`: the row, its SLA, the `created` entry, then dispatch."""
        self.group = self.desk.group_for(category, priority=priority, sentiment=sentiment)
        self.now = at
        self.ticket.update({
            "conversation_id": self.chat.conversation_id, "status": "new", "is_open": True,
            "subject": subject[:300], "reason": reason, "category": category, "priority": priority,
            "skill_group": self.group.name, "assignee_id": None, "created_at": at, "updated_at": at,
            "first_responded_at": None, "resolved_at": None, "closed_at": None, "csat_score": None,
            "csat_comment": None, "sentiment": sentiment, "category_confidence": category_confidence,
            "category_method": category_method, "group_id": self.group.id, "tier": self.group.tier,
            "recommended_assignee_id": None, "pauses": [], "reopened_count": 0,
            "first_response_business_minutes": None, "resolution_business_minutes": None,
            "bot_seconds": bot_seconds, "escalated_count": 0, "previous_ticket_id": None,
        })
        self.apply_targets(at)
        self.chat.rows.add("tickets", self.ticket)
        self.event("created", "bot", at, reason=reason, category=category, priority=priority,
                   sentiment=sentiment, group=self.group.name)
        self.dispatch(at)

    def event(self, kind: str, actor: str, at: datetime, **detail: object) -> None:
        """`handoff.timeline.add_event`: one entry, None values left out; the ticket counts as updated."""
        self.chat.rows.add("ticket_events", {
            "ticket_id": self.ticket["id"], "kind": kind, "actor": actor,
            "detail": {key: value for key, value in detail.items() if value is not None}, "created_at": at,
        })
        self.ticket["updated_at"] = at

    def mark(self, key: str, state: str, at: datetime) -> bool:
        """`sla_service._mark_once`: record a scheduler decision once per key and state."""
        if f"{key}/{state}" in self.marks:
            return False
        self.marks.add(f"{key}/{state}")
        self.chat.rows.add("sla_marks", {"ticket_id": self.ticket["id"], "metric": key, "state": state,
                                         "created_at": at})
        return True

    @property
    def targets(self) -> Targets:
        return self.desk.targets_for(self.ticket["priority"], self.ticket["category"])

    def apply_targets(self, start: datetime) -> None:
        """`sla_service.apply_targets`: targets for priority and category, deadlines from `start`."""
        targets = self.targets
        self.ticket.update({
            "first_response_minutes": targets.first_response_minutes,
            "resolution_minutes": targets.resolution_minutes, "sla_calendar": targets.calendar_name,
            "human_started_at": start, "first_response_state": "ok", "resolution_state": "ok",
            "first_response_due": due_at(targets.calendar, start, targets.first_response_minutes),
        })
        self.refresh_resolution_due(start)
        at_risk = self.desk.at_risk_share * targets.first_response_minutes
        self.first_risk = add_business_minutes(targets.calendar, start, at_risk)
        self.escalate_from = add_business_minutes(
            targets.calendar, self.ticket["first_response_due"], self.desk.escalate_unanswered_minutes)

    def refresh_resolution_due(self, now: datetime) -> None:
        """`sla_service.refresh_resolution_due`: the resolution deadline moves by the time spent paused."""
        targets, start = self.targets, self.ticket["human_started_at"]
        minutes = targets.resolution_minutes
        self.ticket["resolution_due"] = due_at(targets.calendar, start, minutes, self.pauses, now=now)
        at_risk = self.desk.at_risk_share * minutes
        self.resolution_risk = due_at(targets.calendar, start, at_risk, self.pauses, now=now)

    def change(self, new: str, actor: str, at: datetime, reason: str | None = None) -> None:
        """`lifecycle.change_status`: pauses, resolved/closed stamps, reopen counting, the entry."""
        old = self.ticket["status"]
        if old == "awaiting_customer" and self.pauses and self.pauses[-1].end is None:
            self.pauses[-1] = Pause(self.pauses[-1].start, at)
            started = self.ticket["pauses"][-1][0]
            self.ticket["pauses"] = [*self.ticket["pauses"][:-1], [started, at.isoformat()]]
        if new == "awaiting_customer":
            self.pauses.append(Pause(at))
            self.ticket["pauses"] = [*self.ticket["pauses"], [at.isoformat(), None]]
        if new == "resolved":
            self.ticket["resolved_at"] = at
        if new == "closed":
            self.ticket["closed_at"] = at
            self.ticket["is_open"] = False
        if old == "resolved" and new == "in_progress":
            self.ticket["reopened_count"] += 1
            self.ticket["resolved_at"] = None
            self.ticket["human_started_at"] = at
        self.ticket["status"] = new
        self.event("status_changed", actor, at, old=old, new=new, reason=reason)

    # ----- who works on it -----

    def dispatch(self, at: datetime) -> None:
        """`dispatch.dispatch`: queue, recommend, or assign at once, by the group's mode."""
        group = self.group
        if group.dispatch_mode == "claim":
            self.event("queued", "system", at, group=group.name, reason="waiting for a member to claim it")
        elif group.dispatch_mode == "review":
            recommended = self.rng.choice(group.members)[0]
            self.ticket["recommended_assignee_id"] = recommended
            self.event("awaiting_review", "system", at, group=group.name, recommended=recommended)
        else:
            self.assign(self.rng.choice(group.members)[0], "system", at, f"automatic ({group.dispatch_mode})")

    def assign(self, agent_id: int, actor: str, at: datetime, reason: str) -> None:
        """`dispatch.assign`."""
        self.ticket["assignee_id"] = agent_id
        self.ticket["recommended_assignee_id"] = None
        self.event("assigned", actor, at, assignee=self.names[agent_id], assignee_id=agent_id, reason=reason)
        if self.ticket["status"] == "new":
            self.change("in_progress", actor, at, "assigned")

    def take(self, at: datetime) -> None:
        """A member claims the queued ticket, or a dispatcher confirms the recommended agent."""
        if self.group.dispatch_mode == "review":
            lead = self.rng.choice(self.desk.leads)[0]
            agent_id = self.ticket["recommended_assignee_id"] or self.rng.choice(self.group.members)[0]
            self.assign(agent_id, f"agent:{lead}", at, "dispatcher")
            return
        agent_id = self.rng.choice(self.group.members)[0]
        self.ticket["assignee_id"] = agent_id
        self.ticket["recommended_assignee_id"] = None
        actor = f"agent:{agent_id}"
        self.event("claimed", actor, at, assignee=self.names[agent_id], assignee_id=agent_id)
        self.change("in_progress", actor, at, "claimed")

    def escalate(self, at: datetime, *, actor: str, reason: str, note: str | None) -> None:
        """`escalation.escalate`: one tier up, the group told, pending acceptance there, dispatched."""
        current = self.group
        target = self.desk.groups[current.escalates_to or ""]
        self.group = target
        self.ticket.update({"group_id": target.id, "tier": target.tier, "skill_group": target.name,
                            "assignee_id": None, "recommended_assignee_id": None})
        self.ticket["escalated_count"] += 1
        self.event("escalated", actor, at, reason=reason, note=note, from_group=current.name,
                   to_group=target.name, tier=target.tier)
        self.event("group_notified", "system", at, group=target.name, why=f"escalated ({reason})")
        if self.ticket["status"] != "new":
            self.change("new", actor, at, f"escalated to {target.name}")
        self.dispatch(at)
        self.last_escalation = at

    # ----- the scheduler's passes -----

    def _due_checks(self) -> list[tuple[datetime, str, str]]:
        """What the SLA scheduler would find next on this ticket: (moment, metric, state)."""
        if self.ticket["status"] not in OPEN_STATES:
            return []
        cycle = self.ticket["reopened_count"]
        checks = []
        if self.ticket["first_responded_at"] is None:
            first_response = ((self.first_risk, "at_risk"), (self.ticket["first_response_due"], "breached"))
            for moment, state in first_response:
                if f"first_response#{cycle}/{state}" not in self.marks:
                    checks.append((moment, "first_response", state))
            if f"escalation#{self.ticket['tier']}/done" not in self.marks:  # marked even at the top tier
                after = self.last_escalation + SCHEDULER_PASS if self.last_escalation else self.escalate_from
                checks.append((max(after, self.escalate_from), "escalation", "done"))
        if self.ticket["status"] != "awaiting_customer":  # the resolution clock stops while paused
            resolution = ((self.resolution_risk, "at_risk"), (self.ticket["resolution_due"], "breached"))
            for moment, state in resolution:
                if f"resolution#{cycle}/{state}" not in self.marks:
                    checks.append((moment, "resolution", state))
        return sorted(checks)

    def advance(self, until: datetime) -> None:
        """Let time pass to `until`: the scheduler acts on the way; past the history's end, stop."""
        while True:
            checks = [check for check in self._due_checks() if check[0] < min(until, self.end)]
            if not checks:
                break
            moment, metric, state = checks[0]
            at = max(self.now, min(moment + seconds(self.rng, 0, 30), until, self.end))
            self.now = at
            if metric == "escalation":
                self.mark(f"escalation#{self.ticket['tier']}", "done", at)
                late = business_minutes_between(self.targets.calendar, self.ticket["first_response_due"], at)
                if self.group.escalates_to:  # at the top tier the scheduler only logs that it cannot
                    self.escalate(at, actor="system", reason="unanswered",
                                  note=f"no first response {late:.0f} business minutes after the target")
            elif self.mark(f"{metric}#{self.ticket['reopened_count']}", state, at):
                self.ticket[f"{metric}_state"] = state
                self.event(f"sla_{state}", "system", at, metric=metric)
        if until > self.end:
            raise Cutoff
        self.now = max(self.now, until)

    def after_work(self, minutes: float) -> datetime:
        """`minutes` of the team's working time (the ticket's business calendar) from now."""
        return add_business_minutes(self.targets.calendar, self.now, minutes)
