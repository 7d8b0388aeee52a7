"""What agents and the customer do on a ticket, written as `handoff.tickets` writes it.

Replies go through the outbox (delivered), internal notes stay on the timeline, resolving asks
the customer for a rating in the chat, a reply within the reopen window reopens, and the
scheduler closes resolved tickets a week later.
"""

from datetime import datetime, timedelta

from bot.conversation_flow import CSAT_THANKS
from handoff.sla_clock import due_at, elapsed_business_minutes
from handoff.tickets import CSAT_BUTTONS

from history.chat import seconds
from history.texts import CSAT_COMMENTS, INTERNAL_NOTES, REOPEN_TEXTS, agent_reply, fill
from history.ticket_story import TicketStory

CSAT_SCORES = ((5, 0.55), (4, 0.22), (3, 0.1), (2, 0.06), (1, 0.07))
CORRECTED_TO = ("billing", "account", "integrations", "troubleshooting", "plans", "general")


class TicketActions(TicketStory):
    """A ticket story with the people in it."""

    def outbox(self, message_id: int, at: datetime) -> None:
        """The outbox row of a message sent to the customer's channel, delivered a moment later."""
        delivered = min(at + seconds(self.rng, 0.3, 3), max(at, self.end))
        self.chat.rows.add("outbox", {
            "message_id": message_id, "channel": self.chat.channel, "status": "delivered", "attempts": 1,
            "next_attempt_at": at, "last_error": None, "created_at": at, "delivered_at": delivered,
        })

    def reply(self, at: datetime, *, await_customer: bool = False) -> None:
        """`tickets.add_agent_reply` by the assignee (through the outbox)."""
        self.advance(at)
        agent_id = self.ticket["assignee_id"]
        name = self.names[agent_id]
        text = agent_reply(self.rng, self.ticket["category"], customer=self.chat.customer_name, agent=name)
        message_id = self.chat.message("agent", text, at, agent_id=agent_id,
                                       meta={"agent_name": name, "ticket": self.number})
        self.outbox(message_id, at)
        actor = f"agent:{agent_id}"
        if self.ticket["first_responded_at"] is None:
            self.ticket["first_responded_at"] = at
            self.event("first_response", actor, at, message_id=message_id)
            # `sla_service.measure_first_response`; the state is what the next scheduler pass sets.
            start = self.ticket["human_started_at"]
            self.ticket["first_response_business_minutes"] = elapsed_business_minutes(
                self.targets.calendar, start, at)
            met = at <= self.ticket["first_response_due"]
            self.ticket["first_response_state"] = "met" if met else "breached"
        self.event("agent_reply", actor, at, message_id=message_id)
        if self.ticket["status"] in ("new", "resolved"):
            self.change("in_progress", actor, at, "agent replied")
        if await_customer and self.ticket["status"] == "in_progress":
            self.change("awaiting_customer", actor, at, "waiting for the customer's answer")

    def customer_writes(self, at: datetime, text: str) -> None:
        """`tickets.handle_customer_message` while a person owns the conversation."""
        self.advance(at)
        message_id = self.chat.customer(text, at)
        self.event("customer_message", "customer", at, message_id=message_id)
        if self.ticket["status"] == "awaiting_customer":
            self.change("in_progress", "customer", at, "customer replied")
            self.refresh_resolution_due(at)

    def note(self, at: datetime) -> None:
        """`tickets.add_internal_note`: for the team only."""
        self.advance(at)
        agent_id = self.ticket["assignee_id"]
        earlier = str(self.number - self.rng.randint(1, 900))
        text = fill(self.rng, self.rng.choice(INTERNAL_NOTES), number=earlier)
        meta = {"agent_name": self.names[agent_id], "ticket": self.number, "note": True}
        message_id = self.chat.message("agent", text, at, agent_id=agent_id, internal=True, meta=meta)
        self.event("internal_note", f"agent:{agent_id}", at, message_id=message_id)

    def correct(self, at: datetime) -> None:
        """`tickets.correct_classification`: an agent fixes the category (and sometimes the priority)."""
        self.advance(at)
        actor = f"agent:{self.ticket['assignee_id']}"
        new = self.rng.choice([name for name in CORRECTED_TO if name != self.ticket["category"]])
        self.event("category_corrected", actor, at, old=self.ticket["category"], new=new)
        self.ticket["category"] = new
        self.ticket["category_method"] = "agent"
        if self.rng.random() < 0.3 and self.ticket["priority"] != "high":
            self.event("priority_changed", actor, at, old=self.ticket["priority"], new="high")
            self.ticket["priority"] = "high"
            self.apply_targets(self.ticket["human_started_at"])

    def resolve(self, at: datetime, reason: str | None = None) -> None:
        """`tickets.resolve`: resolved, and the customer is asked in the chat to rate the help."""
        self.advance(at)
        self.change("resolved", f"agent:{self.ticket['assignee_id']}", at, reason)
        # `sla_service.measure_resolution`: the duration, and the deadline as the pauses moved it.
        targets, start = self.targets, self.ticket["human_started_at"]
        self.ticket["resolution_business_minutes"] = elapsed_business_minutes(
            targets.calendar, start, at, self.pauses)
        self.ticket["resolution_due"] = due_at(
            targets.calendar, start, targets.resolution_minutes, self.pauses, now=at)
        question = f"Your ticket #{self.number} has been resolved. How would you rate the help you got?"
        asked = self.chat.message("system", question, at, buttons=CSAT_BUTTONS, meta={"ticket": self.number})
        self.outbox(asked, at)
        self.event("csat_requested", "system", at)

    def rate(self, at: datetime) -> datetime:
        """The customer clicks a CSAT button (and sometimes says why); returns when they were done."""
        self.advance(at)
        score = self.rng.choices([s for s, _ in CSAT_SCORES], weights=[w for _, w in CSAT_SCORES])[0]
        self.chat.customer(f"{score} " + "★" * score, at, payload=f'/csat{{"score": {score}}}')
        self.ticket["csat_score"] = score
        self.event("csat", "customer", at, score=score)
        thanked = at + seconds(self.rng, 0.3, 1)
        if thanked <= self.end:
            self.chat.message("system", CSAT_THANKS, thanked)
        if self.rng.random() < 0.12:
            at += seconds(self.rng, 60, 900)
            self.advance(at)
            text = self.rng.choice(CSAT_COMMENTS)
            message_id = self.chat.customer(text, at)
            self.ticket["csat_comment"] = text
            self.event("csat_comment", "customer", at, message_id=message_id)
        return at

    def reopen(self, at: datetime) -> None:
        """`tickets.reopen`: the customer wrote again within the reopen window."""
        self.advance(at)
        message_id = self.chat.customer(self.rng.choice(REOPEN_TEXTS), at)
        self.change("in_progress", "customer", at, "customer replied")
        self.apply_targets(at)
        self.ticket["first_responded_at"] = None
        self.ticket["first_response_business_minutes"] = self.ticket["resolution_business_minutes"] = None
        self.event("customer_message", "customer", at, message_id=message_id)

    def close(self) -> None:
        """The scheduler's auto-close, a while after resolution."""
        week = timedelta(days=self.desk.auto_close_days)
        at = self.ticket["resolved_at"] + week + seconds(self.rng, 0, 30)
        self.advance(at)
        self.mark(f"closed#{self.ticket['reopened_count']}", "done", at)
        self.change("closed", "system", at, "auto-closed after resolution")
