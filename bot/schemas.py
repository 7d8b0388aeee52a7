"""Pydantic models of the gateway's HTTP API (request bodies and responses)."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from handoff import Message, Ticket, TicketEvent


class ButtonPublic(BaseModel):
    title: str
    payload: str


class MessagePublic(BaseModel):
    """One message as the widget and the console show it."""

    id: int
    sender: str = Field(description="customer, bot, agent or system")
    text: str
    buttons: list[ButtonPublic] = []
    created_at: datetime
    agent_name: str | None = None

    @classmethod
    def from_message(cls, message: Message) -> "MessagePublic":
        return cls(
            id=message.id,
            sender=message.sender,
            text=message.text,
            buttons=[ButtonPublic(**button) for button in message.buttons or []],
            created_at=message.created_at,
            agent_name=(message.meta or {}).get("agent_name"),
        )


class ConversationStart(BaseModel):
    """Start a conversation, or resume one with its id and token."""

    conversation_id: str | None = None
    token: str | None = None
    customer_name: str | None = Field(default=None, max_length=200)


class ConversationPublic(BaseModel):
    conversation_id: str
    token: str
    mode: str = Field(description="bot while the assistant answers, human after a handoff")
    ticket_number: int | None
    messages: list[MessagePublic]


class MessageCreate(BaseModel):
    """A typed message (`text`) or a button press (`payload` with the button's `title`)."""

    text: str | None = None
    payload: str | None = Field(default=None, max_length=500)
    title: str | None = Field(default=None, max_length=200)


class TurnPublic(BaseModel):
    message: MessagePublic
    replies: list[MessagePublic]


class MessagesPublic(BaseModel):
    messages: list[MessagePublic]


class ReplyCreate(BaseModel):
    text: str
    await_customer: bool = Field(default=False, description="set the ticket to awaiting customer")


class NoteCreate(BaseModel):
    text: str


class TokenPublic(BaseModel):
    access_token: str
    token_type: str = "bearer"


class TicketPublic(BaseModel):
    number: int
    status: str
    subject: str
    reason: str
    category: str
    priority: str
    skill_group: str
    channel: str
    assignee: str | None
    created_at: datetime
    first_response_due: datetime
    resolution_due: datetime
    first_responded_at: datetime | None
    resolved_at: datetime | None
    tier: int
    sentiment: str
    first_response_state: str = Field(description="ok, at_risk, breached or met")
    resolution_state: str = Field(description="ok, at_risk, breached or met")
    recommended_assignee: str | None
    csat_score: int | None
    reopened_count: int
    previous_ticket_number: int | None

    @classmethod
    def from_ticket(cls, ticket: Ticket) -> "TicketPublic":
        return cls(
            number=ticket.number or 0,
            status=ticket.status,
            subject=ticket.subject,
            reason=ticket.reason,
            category=ticket.category,
            priority=ticket.priority,
            skill_group=ticket.skill_group,
            channel=ticket.conversation.channel,
            assignee=ticket.assignee.display_name if ticket.assignee else None,
            created_at=ticket.created_at,
            first_response_due=ticket.first_response_due,
            resolution_due=ticket.resolution_due,
            first_responded_at=ticket.first_responded_at,
            resolved_at=ticket.resolved_at,
            tier=ticket.tier,
            sentiment=ticket.sentiment,
            first_response_state=ticket.first_response_state,
            resolution_state=ticket.resolution_state,
            recommended_assignee=ticket.recommended_assignee.display_name if ticket.recommended_assignee else None,
            csat_score=ticket.csat_score,
            reopened_count=ticket.reopened_count,
            previous_ticket_number=ticket.previous_ticket.number if ticket.previous_ticket else None,
        )


class TicketsPublic(BaseModel):
    data: list[TicketPublic]
    count: int


class TicketEventPublic(BaseModel):
    kind: str
    actor: str
    detail: dict[str, Any]
    created_at: datetime

    @classmethod
    def from_event(cls, event: TicketEvent) -> "TicketEventPublic":
        return cls(kind=event.kind, actor=event.actor, detail=event.detail, created_at=event.created_at)


class SummaryPublic(BaseModel):
    asked: list[str]
    bot_answers: list[dict[str, Any]]
    handoff_reason: str
    text: str


class TicketDetailPublic(BaseModel):
    ticket: TicketPublic
    transcript: list[MessagePublic]
    events: list[TicketEventPublic]
    summary: SummaryPublic


class StatusChange(BaseModel):
    status: str = Field(description="new, in_progress, awaiting_customer, resolved or closed")
    reason: str | None = Field(default=None, max_length=500)


class AssignRequest(BaseModel):
    agent_email: str


class EscalateRequest(BaseModel):
    note: str | None = Field(default=None, max_length=2000)


class ResolveRequest(BaseModel):
    reason: str | None = Field(default=None, max_length=500)


class TicketUpdate(BaseModel):
    """Corrections by an agent; category corrections are used at the classifier's next retrain."""

    category: str | None = Field(default=None, max_length=64)
    priority: str | None = None


class TemplatePublic(BaseModel):
    id: int
    name: str
    category: str | None
    body: str
    usage_count: int


class TemplateCreate(BaseModel):
    name: str = Field(max_length=100)
    body: str = Field(max_length=10_000)
    category: str | None = Field(default=None, max_length=64)


class TemplateRender(BaseModel):
    ticket_number: int
    article_link: str = ""


class RenderedTemplate(BaseModel):
    text: str
