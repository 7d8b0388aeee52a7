"""Read queries of the console: ticket lists with filters and search, board columns, queues, customers.

Keyword-only data functions over SQLAlchemy; visibility (an agent sees their groups' tickets and
their own) is applied in SQL, so counts and pages are right.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from handoff import OPEN_STATES, Agent, Ticket
from handoff.models import Conversation, Customer, Message, SkillGroup, TicketEvent

PRIORITY_RANK = case({"urgent": 0, "high": 1, "normal": 2, "low": 3}, value=Ticket.priority, else_=4)
ACTIVE_DUE = case(
    (Ticket.first_responded_at.is_(None), Ticket.first_response_due), else_=Ticket.resolution_due
)
OPEN_FIRST = case((Ticket.status.in_(OPEN_STATES), 0), else_=1)
SCOPES = ("all", "mine", "unassigned")
STATE_FILTERS = ("open", "new", "in_progress", "awaiting_customer", "resolved", "closed", "all")
PAGE_SIZE = 50


@dataclass(frozen=True)
class TicketFilters:
    """What the agent asked to see on the ticket list."""

    state: str = "open"
    group: str = ""
    category: str = ""
    scope: str = "all"
    q: str = ""
    page: int = 1

    def normalized(self) -> "TicketFilters":
        return TicketFilters(
            state=self.state if self.state in STATE_FILTERS else "open",
            group=self.group.strip()[:64],
            category=self.category.strip()[:64],
            scope=self.scope if self.scope in SCOPES else "all",
            q=self.q.strip()[:200],
            page=max(1, min(self.page, 10_000)),
        )


def visible_to(query: Select[Ticket], agent: Agent) -> Select[Ticket]:
    """Limit a ticket query to what the agent may see (leads and admins see everything)."""
    if agent.role in ("lead", "admin"):
        return query
    group_ids = [group.id for group in agent.groups]
    return query.where(or_(Ticket.group_id.in_(group_ids), Ticket.assignee_id == agent.id))


def _search(query: Select[Ticket], q: str) -> Select[Ticket]:
    term = q.lstrip("#").strip()
    if not term:
        return query
    pattern = f"%{term.replace('%', '').replace('_', ' ')}%"
    customers = (
        select(Conversation.id)
        .join(Customer, Conversation.customer_id == Customer.id)
        .where(or_(Customer.display_name.ilike(pattern), Customer.external_id.ilike(pattern)))
    )
    conditions = [
        Ticket.subject.ilike(pattern),
        Ticket.conversation_id.in_(customers),
        exists().where(and_(Message.conversation_id == Ticket.conversation_id, Message.text.ilike(pattern))),
    ]
    if term.isdigit():
        conditions.insert(0, Ticket.number == int(term))
    return query.where(or_(*conditions))


def filtered_tickets(agent: Agent, filters: TicketFilters) -> Select[Ticket]:
    """The ticket query for the list: visibility, filters, search."""
    query = visible_to(select(Ticket), agent)
    if filters.state == "open":
        query = query.where(Ticket.status.in_(OPEN_STATES))
    elif filters.state != "all":
        query = query.where(Ticket.status == filters.state)
    if filters.group:
        query = query.where(Ticket.skill_group == filters.group)
    if filters.category:
        query = query.where(Ticket.category == filters.category)
    if filters.scope == "mine":
        query = query.where(Ticket.assignee_id == agent.id)
    elif filters.scope == "unassigned":
        query = query.where(Ticket.assignee_id.is_(None))
    return _search(query, filters.q)


def list_tickets_for(session: Session, *, agent: Agent, filters: TicketFilters) -> tuple[list[Ticket], int]:
    """One page of tickets: open ones first, the nearest SLA deadline first, then by priority."""
    query = filtered_tickets(agent, filters)
    total = (
        session.scalar(select(func.count()).select_from(query.with_only_columns(Ticket.id).subquery())) or 0
    )
    ordered = query.order_by(OPEN_FIRST, ACTIVE_DUE, PRIORITY_RANK, Ticket.id).options(
        selectinload(Ticket.assignee), selectinload(Ticket.conversation).selectinload(Conversation.customer)
    )
    tickets = list(session.scalars(ordered.limit(PAGE_SIZE).offset((filters.page - 1) * PAGE_SIZE)))
    return tickets, total


BOARD_COLUMNS = ("new", "in_progress", "awaiting_customer", "resolved", "closed")
BOARD_COLUMN_LIMIT = 40


def board_columns(session: Session, *, agent: Agent, group: str = "") -> dict[str, list[Ticket]]:
    """Tickets per state for the board: open columns by deadline, done columns most recent first."""
    columns: dict[str, list[Ticket]] = {}
    for state in BOARD_COLUMNS:
        query = visible_to(select(Ticket), agent).where(Ticket.status == state)
        if group:
            query = query.where(Ticket.skill_group == group)
        if state in OPEN_STATES:
            query = query.order_by(ACTIVE_DUE, PRIORITY_RANK, Ticket.id)
        else:
            query = query.order_by(Ticket.updated_at.desc(), Ticket.id.desc())
        query = query.options(selectinload(Ticket.assignee)).limit(BOARD_COLUMN_LIMIT)
        columns[state] = list(session.scalars(query))
    return columns


def state_counts(session: Session, *, agent: Agent, group: str = "") -> dict[str, int]:
    """How many tickets are in each state (for the board's column headers)."""
    query = visible_to(select(Ticket), agent)
    if group:
        query = query.where(Ticket.skill_group == group)
    rows = session.execute(
        query.with_only_columns(Ticket.status, func.count(Ticket.id)).group_by(Ticket.status)
    )
    return {status: int(count) for status, count in rows}


def groups_of(session: Session, agent: Agent) -> list[SkillGroup]:
    """The groups an agent works in (every group for leads and admins)."""
    if agent.role in ("lead", "admin"):
        return list(session.scalars(select(SkillGroup).order_by(SkillGroup.tier, SkillGroup.name)))
    return sorted(agent.groups, key=lambda group: (group.tier, group.name))


def all_groups(session: Session) -> list[SkillGroup]:
    return list(session.scalars(select(SkillGroup).order_by(SkillGroup.tier, SkillGroup.name)))


def categories(session: Session) -> list[str]:
    """Categories in use on tickets and in groups' routing, for filters and corrections."""
    used = set(session.scalars(select(Ticket.category).distinct()))
    for group in all_groups(session):
        used.update(str(category) for category in group.categories or [])
    return sorted(used)


def queue_tickets(session: Session, *, group: SkillGroup) -> list[Ticket]:
    """A group's unassigned new tickets, nearest deadline first."""
    return list(
        session.scalars(
            select(Ticket)
            .where(Ticket.group_id == group.id, Ticket.status == "new", Ticket.assignee_id.is_(None))
            .order_by(Ticket.first_response_due, PRIORITY_RANK, Ticket.id)
            .limit(200)
        )
    )


def review_tickets(session: Session) -> list[Ticket]:
    """Tickets waiting for a dispatcher (semi-automatic groups)."""
    return list(
        session.scalars(
            select(Ticket)
            .join(SkillGroup, Ticket.group_id == SkillGroup.id)
            .where(SkillGroup.dispatch_mode == "review", Ticket.status == "new", Ticket.assignee_id.is_(None))
            .order_by(Ticket.first_response_due, PRIORITY_RANK, Ticket.id)
            .limit(200)
            .options(selectinload(Ticket.recommended_assignee), selectinload(Ticket.group))
        )
    )


def active_agents(session: Session) -> list[Agent]:
    return list(session.scalars(select(Agent).where(Agent.is_active.is_(True)).order_by(Agent.display_name)))


def agent_names(session: Session) -> dict[int, str]:
    return {agent_id: name for agent_id, name in session.execute(select(Agent.id, Agent.display_name))}


def earlier_tickets(session: Session, *, ticket: Ticket, limit: int = 10) -> list[Ticket]:
    """The same customer's other tickets, newest first."""
    conversations = select(Conversation.id).where(Conversation.customer_id == ticket.conversation.customer_id)
    return list(
        session.scalars(
            select(Ticket)
            .where(Ticket.conversation_id.in_(conversations), Ticket.id != ticket.id)
            .order_by(Ticket.id.desc())
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class CsatStats:
    count: int
    average: float | None
    satisfied_share: float | None  # share of 4 and 5


def csat_stats(session: Session, *, agent: Agent, since: datetime) -> CsatStats:
    """CSAT over the tickets the agent can see that were resolved since `since`."""
    query = visible_to(select(Ticket), agent).where(
        Ticket.csat_score.is_not(None), Ticket.resolved_at >= since
    )
    scores = [
        score for score in session.scalars(query.with_only_columns(Ticket.csat_score)) if score is not None
    ]
    if not scores:
        return CsatStats(0, None, None)
    return CsatStats(len(scores), sum(scores) / len(scores), sum(1 for s in scores if s >= 4) / len(scores))


def backlog_counts(session: Session, *, agent: Agent) -> dict[str, int]:
    """Open tickets and how many of them are at risk or breached, for the list's header."""
    query = visible_to(select(Ticket), agent).where(Ticket.status.in_(OPEN_STATES))
    state = case(
        (Ticket.first_responded_at.is_(None), Ticket.first_response_state), else_=Ticket.resolution_state
    )
    rows = session.execute(query.with_only_columns(state, func.count(Ticket.id)).group_by(state))
    counts = {str(name): int(count) for name, count in rows}
    return {
        "open": sum(counts.values()),
        "at_risk": counts.get("at_risk", 0),
        "breached": counts.get("breached", 0),
    }


def latest_event_id(session: Session) -> int:
    """The newest timeline entry of any ticket: a cheap change marker for live lists."""
    return int(session.scalar(select(func.max(TicketEvent.id))) or 0)


def window_start(now: datetime, days: int = 30) -> datetime:
    return now - timedelta(days=days)
