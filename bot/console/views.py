"""View models: what the console shows for a ticket's SLA, a transcript message, a timeline event.

Pure functions over tickets, messages and events, so they are tested without a server. Text
stays plain here; the templates escape it.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from handoff import Message, Ticket, TicketEvent

PRIORITIES = ("urgent", "high", "normal", "low")
SLA_LABELS = {
    "ok": "On track",
    "at_risk": "At risk",
    "breached": "Breached",
    "paused": "Paused",
    "met": "Met",
    "done": "Done",
}
FEEDBACK = {"feedback_helped": "👍 This helped", "feedback_not_helped": "👎 This did not help"}


@dataclass(frozen=True)
class SlaView:
    """The deadline that matters now, its state (colour) and the time left in words."""

    state: str  # ok | at_risk | breached | paused | done
    label: str
    metric: str  # first response | resolution | ""
    due: datetime | None
    left: str


def format_span(span: timedelta) -> str:
    """A duration in agent-friendly words: 45m, 3h 05m, 2d 4h."""
    minutes = int(abs(span).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m"


def sla_view(ticket: Ticket, now: datetime) -> SlaView:
    """The SLA as an agent needs it: first response until answered, then resolution."""
    if ticket.status in ("resolved", "closed"):
        return SlaView("done", SLA_LABELS["done"], "", None, "")
    if ticket.first_responded_at is None:
        metric, due, state = "first response", ticket.first_response_due, ticket.first_response_state
    else:
        metric, due, state = "resolution", ticket.resolution_due, ticket.resolution_state
    if state not in ("ok", "at_risk", "breached"):
        state = "ok"
    if due <= now:
        state = "breached"
    if ticket.status == "awaiting_customer" and state != "breached":
        return SlaView("paused", SLA_LABELS["paused"], metric, due, "")
    left = f"{format_span(now - due)} overdue" if due <= now else f"{format_span(due - now)} left"
    return SlaView(state, SLA_LABELS[state], metric, due, left)


@dataclass(frozen=True)
class ArticleView:
    title: str
    url: str
    article_id: str


@dataclass(frozen=True)
class MessageView:
    """One transcript entry: who wrote it, what kind it is, and what to show with it."""

    id: int
    sender: str  # customer | bot | agent | system
    kind: str  # text | note | feedback | csat | choice | button
    text: str
    created_at: datetime
    author: str
    article: ArticleView | None = None
    buttons: list[str] = field(default_factory=list)
    edited: bool = False
    delivery: str | None = None  # outbox state of a reply: pending | delivered | failed


def _payload_intent(payload: str) -> tuple[str, dict[str, Any]]:
    body = payload.lstrip("/")
    intent, _, rest = body.partition("{")
    try:
        entities = json.loads("{" + rest) if rest else {}
    except ValueError:
        entities = {}
    return intent.strip(), entities if isinstance(entities, dict) else {}


def _article(meta: Mapping[str, Any]) -> ArticleView | None:
    article = meta.get("article")
    if not isinstance(article, dict) or not article.get("article_id"):
        return None
    return ArticleView(
        title=str(article.get("title") or article["article_id"]),
        url=str(article.get("url") or ""),
        article_id=str(article["article_id"]),
    )


def message_view(message: Message, customer_name: str = "Customer") -> MessageView:
    """How one stored message shows in the console's transcript."""
    meta = message.meta or {}
    author = {"customer": customer_name, "bot": "Bot", "system": "System"}.get(message.sender, "")
    if message.sender == "agent":
        author = str(meta.get("agent_name") or "Agent")
    kind, text = "text", message.text
    if message.internal:
        kind = "note"
    elif message.sender == "customer" and message.payload:
        intent, entities = _payload_intent(message.payload)
        if intent in FEEDBACK:
            kind, text = "feedback", FEEDBACK[intent]
        elif intent == "csat":
            kind, text = "csat", f"Rated the help {entities.get('score', '?')}/5"
        elif intent == "choose_article":
            kind, text = "choice", f"Chose: {message.text}"
        else:
            kind, text = "button", f"Pressed: {message.text}"
    return MessageView(
        id=message.id,
        sender=message.sender,
        kind=kind,
        text=text,
        created_at=message.created_at,
        author=author,
        article=_article(meta) if message.sender == "bot" else None,
        buttons=[
            str(button.get("title", "")) for button in message.buttons or [] if isinstance(button, dict)
        ],
        edited=message.edited_at is not None,
    )


@dataclass(frozen=True)
class EventView:
    id: int
    created_at: datetime
    actor: str
    text: str
    note: str = ""


def actor_name(actor: str, names: Mapping[int, str]) -> str:
    """`agent:3` as the agent's name; customer, bot and system as words."""
    if actor.startswith("agent:"):
        agent_id = actor.partition(":")[2]
        return names.get(int(agent_id), f"Agent {agent_id}") if agent_id.isdigit() else "Agent"
    return {"customer": "Customer", "bot": "Bot", "system": "System"}.get(actor, actor)


def _event_text(kind: str, detail: Mapping[str, Any], names: Mapping[int, str]) -> str:
    text = {
        "created": "Ticket created ({reason}) in {group}: {category}, {priority}",
        "queued": "Waiting in the queue: {reason}",
        "awaiting_review": "Waiting for a dispatcher in {group}",
        "assigned": "Assigned to {assignee} ({reason})",
        "claimed": "Claimed by {assignee}",
        "status_changed": "{old} → {new}",
        "first_response": "First response sent",
        "agent_reply": "Reply sent to the customer",
        "internal_note": "Internal note added",
        "customer_message": "The customer wrote",
        "escalated": "Escalated from {from_group} to {to_group} (tier {tier}, {reason})",
        "group_notified": "{group} notified",
        "csat_requested": "The customer was asked to rate the help",
        "csat": "The customer rated the help {score}/5",
        "csat_comment": "The customer commented on the rating",
        "category_corrected": "Category corrected: {old} → {new}",
        "priority_changed": "Priority changed: {old} → {new}",
        "sla_at_risk": "SLA at risk ({metric})",
        "sla_breached": "SLA breached ({metric})",
    }.get(kind)
    values = {key: str(value).replace("_", " ") for key, value in detail.items()}
    if kind == "awaiting_review" and isinstance(detail.get("recommended"), int):
        values["group"] = f"{values.get('group', '')}, recommended: {names.get(detail['recommended'], '?')}"
    if text is None:
        extra = ", ".join(f"{key}: {value}" for key, value in values.items())
        return kind.replace("_", " ").capitalize() + (f" ({extra})" if extra else "")
    try:
        return text.format_map(_Missing(values))
    except (ValueError, IndexError):
        return kind.replace("_", " ").capitalize()


class _Missing(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "?"


def event_view(event: TicketEvent, names: Mapping[int, str]) -> EventView:
    """One timeline entry in words."""
    detail = event.detail or {}
    note = (
        str(detail.get("reason") or "") if event.kind == "status_changed" else str(detail.get("note") or "")
    )
    return EventView(
        id=event.id,
        created_at=event.created_at,
        actor=actor_name(event.actor, names),
        text=_event_text(event.kind, detail, names),
        note=note,
    )
