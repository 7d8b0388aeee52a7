"""The database schema: customers, conversations and their messages, tickets, the outbox, agents.

The help-desk core owns the one schema (and its Alembic history) because a ticket is made from
a conversation and its transcript; the gateway writes the conversation log through the public
functions in `handoff.conversations`.
"""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    MetaData,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC; always returns timezone-aware datetimes, also on SQLite."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    # Named constraints, so migrations can alter them (SQLite's batch mode needs names).
    metadata = MetaData(naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class Customer(Base):
    """One person as a channel knows them (a browser, a Telegram user)."""

    __tablename__ = "customers"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_customer_channel_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(128))
    display_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Conversation(Base):
    """A chat between a customer and the bot, then possibly a human."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(64), unique=True)
    token_hash: Mapped[str | None] = mapped_column(String(64))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    # "bot" while the assistant answers; "human" once a ticket owns the conversation.
    mode: Mapped[str] = mapped_column(String(16), default="bot")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(default=utcnow)

    customer: Mapped[Customer] = relationship()


class Message(Base):
    """One message of a conversation, in either direction. Its id is the catch-up cursor."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_conversation_id_id", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    sender: Mapped[str] = mapped_column(String(16))  # customer | bot | agent | system
    text: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[str | None] = mapped_column(String(500))
    buttons: Mapped[list[Any]] = mapped_column(default=list)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    channel_message_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column()

    agent: Mapped["Agent | None"] = relationship()


class Agent(Base):
    """A person on the support team (agent, lead or admin)."""

    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), default="agent")  # agent | lead | admin
    password_hash: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Dispatch: what the agent knows, how many open tickets they take, whether they take any now.
    skills: Mapped[list[Any]] = mapped_column(default=list)
    capacity: Mapped[int] = mapped_column(Integer, default=8)
    is_available: Mapped[bool] = mapped_column(Boolean, default=True)
    last_assigned_at: Mapped[datetime | None] = mapped_column()

    groups: Mapped[list["SkillGroup"]] = relationship(secondary="agent_groups", back_populates="agents")


class SkillGroup(Base):
    """A team that takes tickets of some categories, at one tier, with one dispatch mode."""

    __tablename__ = "skill_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    description: Mapped[str] = mapped_column(String(300), default="")
    # auto | review (semi-automatic) | claim (group queue) | tiered (L1 auto, escalation upwards)
    dispatch_mode: Mapped[str] = mapped_column(String(16), default="auto")
    tier: Mapped[int] = mapped_column(Integer, default=1)
    categories: Mapped[list[Any]] = mapped_column(default=list)
    escalation_group_id: Mapped[int | None] = mapped_column(ForeignKey("skill_groups.id"))
    calendar: Mapped[str] = mapped_column(String(64), default="default")

    agents: Mapped[list[Agent]] = relationship(secondary="agent_groups", back_populates="groups")
    escalation_group: Mapped["SkillGroup | None"] = relationship(remote_side="SkillGroup.id")


class AgentGroup(Base):
    """Membership of an agent in a skill group."""

    __tablename__ = "agent_groups"

    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"), primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("skill_groups.id"), primary_key=True)


class SlaPolicy(Base):
    """First-response and resolution targets (business minutes) for a priority, optionally a category."""

    __tablename__ = "sla_policies"
    __table_args__ = (UniqueConstraint("priority", "category", name="uq_sla_policy_priority_category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    priority: Mapped[str] = mapped_column(String(16))
    category: Mapped[str | None] = mapped_column(String(64))
    first_response_minutes: Mapped[int] = mapped_column(Integer)
    resolution_minutes: Mapped[int] = mapped_column(Integer)
    calendar: Mapped[str] = mapped_column(String(64), default="default")


class Calendar(Base):
    """Business hours in a time zone, with holidays (see `handoff.calendar.BusinessCalendar`)."""

    __tablename__ = "calendars"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ResponseTemplate(Base):
    """A canned reply with placeholders such as {customer_name} and {ticket_number}."""

    __tablename__ = "response_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    category: Mapped[str | None] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    usage_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiToken(Base):
    """A bearer token for the agent API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()

    agent: Mapped[Agent] = relationship()


class Ticket(Base):
    """A handed-off conversation that a person on the team must answer."""

    __tablename__ = "tickets"
    __table_args__ = (
        # Idempotent handoff: at most one open ticket per conversation.
        Index(
            "uq_open_ticket_per_conversation",
            "conversation_id",
            unique=True,
            sqlite_where=text("is_open"),
            postgresql_where=text("is_open"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int | None] = mapped_column(Integer, unique=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    status: Mapped[str] = mapped_column(String(24), default="new", index=True)
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    subject: Mapped[str] = mapped_column(String(300), default="")
    reason: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(64), default="general")
    priority: Mapped[str] = mapped_column(String(16), default="normal")
    skill_group: Mapped[str] = mapped_column(String(64), default="general")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_response_due: Mapped[datetime] = mapped_column()
    resolution_due: Mapped[datetime] = mapped_column()
    first_responded_at: Mapped[datetime | None] = mapped_column()
    resolved_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    csat_score: Mapped[int | None] = mapped_column(Integer)
    csat_comment: Mapped[str | None] = mapped_column(Text)
    sentiment: Mapped[str] = mapped_column(String(16), default="neutral")
    category_confidence: Mapped[float | None] = mapped_column()
    category_method: Mapped[str] = mapped_column(String(16), default="rules")
    group_id: Mapped[int | None] = mapped_column(ForeignKey("skill_groups.id"), index=True)
    tier: Mapped[int] = mapped_column(Integer, default=1)
    recommended_assignee_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    sla_calendar: Mapped[str] = mapped_column(String(64), default="default")
    first_response_minutes: Mapped[int] = mapped_column(Integer, default=240)
    resolution_minutes: Mapped[int] = mapped_column(Integer, default=1440)
    first_response_state: Mapped[str] = mapped_column(String(16), default="ok")
    resolution_state: Mapped[str] = mapped_column(String(16), default="ok")
    # Times spent awaiting the customer: [[start, end or null], ...] in ISO 8601 (SLA pauses).
    pauses: Mapped[list[Any]] = mapped_column(default=list)
    human_started_at: Mapped[datetime | None] = mapped_column()
    reopened_count: Mapped[int] = mapped_column(Integer, default=0)
    # Measured once when they happen, in business minutes of the ticket's SLA calendar with the
    # pauses taken out, so the dashboard can aggregate them in SQL (see handoff.metrics).
    first_response_business_minutes: Mapped[float | None] = mapped_column()
    resolution_business_minutes: Mapped[float | None] = mapped_column()
    # Wall-clock seconds the customer spent with the bot before the human side began.
    bot_seconds: Mapped[float | None] = mapped_column()
    escalated_count: Mapped[int] = mapped_column(Integer, default=0)
    previous_ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    # The earliest moment one of the ticket's SLA states can change (or it is due for escalation);
    # None when nothing can change any more. The SLA pass reads only tickets whose moment has come
    # (handoff.sla_service.run_sla_checks); whatever moves the clocks sets it back to "check now".
    sla_next_check_at: Mapped[datetime | None] = mapped_column(index=True)

    conversation: Mapped[Conversation] = relationship()
    assignee: Mapped[Agent | None] = relationship(foreign_keys=[assignee_id])
    recommended_assignee: Mapped[Agent | None] = relationship(foreign_keys=[recommended_assignee_id])
    group: Mapped[SkillGroup | None] = relationship()
    previous_ticket: Mapped["Ticket | None"] = relationship(remote_side="Ticket.id")
    events: Mapped[list["TicketEvent"]] = relationship(
        back_populates="ticket", order_by="TicketEvent.id"
    )


class TicketEvent(Base):
    """One entry on a ticket's timeline: who did what, when and why."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(64))  # customer | bot | system | agent:<id>
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="events")


class SlaMark(Base):
    """One SLA state change of a ticket, recorded once even with several schedulers running."""

    __tablename__ = "sla_marks"
    __table_args__ = (UniqueConstraint("ticket_id", "metric", "state", name="uq_sla_mark"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    metric: Mapped[str] = mapped_column(String(24))  # first_response | resolution
    state: Mapped[str] = mapped_column(String(16))  # at_risk | breached
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxItem(Base):
    """A message waiting to be delivered to the customer's channel (survives restarts)."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next_attempt", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), unique=True)
    channel: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|delivered|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column()

    message: Mapped[Message] = relationship()


class KbQuery(Base):
    """One question the bot looked up in the knowledge base, with the decision and the feedback.

    Written by the action server for every lookup; the feedback click ("that helped" / "I need
    more help") is stored on the latest answered query of the conversation. The dashboard's
    deflection figures and the KB-gap clusters are computed from these rows.
    """

    __tablename__ = "kb_queries"
    __table_args__ = (
        Index("ix_kb_queries_created_at", "created_at"),
        Index("ix_kb_queries_conversation_id_id", "conversation_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    question: Mapped[str] = mapped_column(Text)
    # answer | clarify | miss (no article good enough) | always_human | unavailable
    decision: Mapped[str] = mapped_column(String(16))
    article_id: Mapped[str | None] = mapped_column(String(200))
    confidence: Mapped[float | None] = mapped_column()
    # The closest article whatever the decision (for a miss: the one that was not good enough),
    # so a KB gap can name the nearest existing article without loading the index.
    nearest_article_id: Mapped[str | None] = mapped_column(String(200))
    nearest_score: Mapped[float | None] = mapped_column()
    # The question's MiniLM embedding (float32 bytes), computed by the action server that already
    # holds the model, so clustering the KB gaps needs no model in the gateway.
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)
    feedback: Mapped[str | None] = mapped_column(String(16))  # helped | not_helped
    feedback_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when a lead marks the KB-gap cluster holding this question as handled.
    gap_handled_at: Mapped[datetime | None] = mapped_column()


# Indexes for the dashboard's aggregates (period scans by time).
Index("ix_tickets_created_at", Ticket.created_at)
Index("ix_tickets_resolved_at", Ticket.resolved_at)
Index("ix_ticket_events_kind_created_at", TicketEvent.kind, TicketEvent.created_at)
Index("ix_conversations_created_at", Conversation.created_at)
# Covering indexes: every column a period scan of the dashboard reads, so it never reads the
# wide table rows (SQLite: covering index; PostgreSQL: index-only scan).
Index("ix_tickets_created_at_cover", Ticket.created_at, Ticket.reason, Ticket.category,
      Ticket.skill_group, Ticket.assignee_id, Ticket.escalated_count, Ticket.bot_seconds,
      Ticket.conversation_id)
Index("ix_tickets_resolved_at_cover", Ticket.resolved_at, Ticket.resolution_business_minutes,
      Ticket.priority, Ticket.csat_score, Ticket.reopened_count, Ticket.category, Ticket.skill_group,
      Ticket.assignee_id, Ticket.conversation_id)
Index("ix_tickets_first_responded_at_cover", Ticket.first_responded_at,
      Ticket.first_response_business_minutes, Ticket.priority, Ticket.category, Ticket.skill_group,
      Ticket.assignee_id, Ticket.conversation_id)
Index("ix_tickets_reopened_count_created_at_cover", Ticket.reopened_count, Ticket.created_at,
      Ticket.resolved_at, Ticket.closed_at, Ticket.status, Ticket.category, Ticket.skill_group,
      Ticket.assignee_id, Ticket.conversation_id)
Index("ix_tickets_conversation_id_created_at_reason", Ticket.conversation_id, Ticket.created_at,
      Ticket.reason)
Index("ix_kb_queries_created_at_cover", KbQuery.created_at, KbQuery.conversation_id, KbQuery.decision,
      KbQuery.feedback, KbQuery.id)


# Indexes for the console (lists, board, ticket page at scale).
# Counts of what an agent may see (state, group, assignee) read this index alone, never the rows.
Index("ix_tickets_status_group_id_assignee_id", Ticket.status, Ticket.group_id, Ticket.assignee_id)
# The board's resolved and closed columns: the latest moved first, read in order.
Index("ix_tickets_status_updated_at", Ticket.status, Ticket.updated_at, Ticket.id)
# The categories in use, found by hopping through this index (bot.console.queries.categories_on_tickets).
Index("ix_tickets_category", Ticket.category)
# Auto-close: the resolved tickets whose resolution is old enough, without reading the others.
# Partial, so PostgreSQL uses it although its statistics (most tickets were resolved long ago)
# make `resolved_at <= cutoff` look unselective; the query spells the state out for SQLite.
Index("ix_tickets_resolved_to_close", Ticket.resolved_at,
      sqlite_where=text("status = 'resolved'"), postgresql_where=text("status = 'resolved'"))
# CSAT of the last 30 days: only rated tickets, with what the sums and the visibility need.
Index(
    "ix_tickets_rated_resolved_at",
    Ticket.resolved_at,
    Ticket.csat_score,
    Ticket.group_id,
    Ticket.assignee_id,
    sqlite_where=text("csat_score IS NOT NULL"),
    postgresql_where=text("csat_score IS NOT NULL"),
)
