"""Read queries of the console: ticket lists with filters and search, board columns, queues, customers.

Keyword-only data functions over SQLAlchemy; visibility (an agent sees their groups' tickets and
their own) is applied in SQL, so counts and pages are right.

Shaped for a help desk with a long history (benchmarks/console_load.py: 100,000 tickets,
1,000,000 messages): open tickets are few and sorted by deadline; resolved and closed ones are
many and listed newest first, which the ticket id gives without sorting; counts read indexes
only (see the console section at the end of `handoff/models.py`); and a text search reads a
bounded number of recent tickets, never the whole message log (see `matching_ids`).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, case, exists, func, or_, select, text, union_all
from sqlalchemy.orm import Session, joinedload, load_only, selectinload

from handoff import OPEN_STATES, STATES, Agent, Ticket
from handoff.models import Conversation, Customer, Message, SkillGroup, TicketEvent

PRIORITY_RANK = case({"urgent": 0, "high": 1, "normal": 2, "low": 3}, value=Ticket.priority, else_=4)
ACTIVE_DUE = case(
    (Ticket.first_responded_at.is_(None), Ticket.first_response_due), else_=Ticket.resolution_due
)
SCOPES = ("all", "mine", "unassigned")
STATE_FILTERS = ("open", "new", "in_progress", "awaiting_customer", "resolved", "closed", "all")
PAGE_SIZE = 50
# A text search reads this many of the most recent tickets that pass the other filters (all open
# tickets of a team fit in it); a ticket number finds its ticket at any age.
SEARCH_WINDOW = 3000
SEARCHED_SENDERS = ("customer", "agent")  # what people wrote; the bot's answers are the KB's words
# What a row of the list or a card of the board shows (with its SLA badge): only these columns are
# read, and reading any other on such a ticket raises, so a template cannot quietly query per row.
SHOWN_COLUMNS = load_only(
    Ticket.number, Ticket.subject, Ticket.status, Ticket.priority, Ticket.category, Ticket.skill_group,
    Ticket.assignee_id, Ticket.conversation_id, Ticket.csat_score, Ticket.first_responded_at,
    Ticket.first_response_due, Ticket.first_response_state, Ticket.resolution_due, Ticket.resolution_state,
    raiseload=True,
)


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


def in_group(query: Select[Ticket], name: str) -> Select[Ticket]:
    """Tickets of the group called `name`, by its id: the id is in the counting index, the name is not."""
    group_id = select(SkillGroup.id).where(SkillGroup.name == name).scalar_subquery()
    return query.where(Ticket.group_id == group_id)


def dialect_of(session: Session) -> str:
    return session.get_bind().dialect.name


def _contains(column: ColumnElement[str | None], term: str, dialect: str) -> ColumnElement[bool]:
    """Case-insensitive substring match. SQLite's LIKE already ignores case (of ASCII letters, as its
    lower() does) and runs several times faster than lower() LIKE lower(); PostgreSQL needs ILIKE."""
    pattern = f"%{term}%"
    return column.ilike(pattern) if dialect == "postgresql" else column.like(pattern)


def matching_ids(session: Session, query: Select[Ticket], q: str) -> list[int] | None:
    """Ids of the tickets of `query` that match `q` (None when there is nothing to search for):
    by number at any age ("#1042" by number only), or by subject, customer name or id, or what
    the customer and the team wrote, among the `SEARCH_WINDOW` most recent tickets of `query`.

    The window keeps a search as cheap with a million messages as with a thousand (each
    keystroke reads at most a few thousand tickets' messages, through the conversation index);
    older tickets are found by their number, or from the customer's other tickets. The ids are
    read once, so counting and paging do not search again.
    """
    term = q.lstrip("#").strip()
    if not term:
        return None
    found: set[int] = set()
    if term.isdigit():
        found.update(session.scalars(query.with_only_columns(Ticket.id).where(Ticket.number == int(term))))
        if q.strip().startswith("#"):  # "#1042" names a ticket: nothing else to read
            return sorted(found)
    found.update(session.scalars(_written_matches(session, query, term.replace("%", "").replace("_", " "))))
    return sorted(found)


def _written_matches(session: Session, query: Select[Ticket], words: str) -> Select[tuple[int]]:
    """The recent tickets of `query` whose subject, customer or conversation contains `words`."""
    dialect = dialect_of(session)
    if dialect == "postgresql":
        # Thousands of small index lookups price this query above PostgreSQL's JIT threshold, and
        # compiling it would take longer than running it (for this transaction only).
        session.execute(text("SET LOCAL jit = off"))
    recent = query.with_only_columns(Ticket.id).order_by(Ticket.id.desc()).limit(SEARCH_WINDOW).subquery()
    customer = exists().where(
        Conversation.id == Ticket.conversation_id,
        Customer.id == Conversation.customer_id,
        or_(_contains(Customer.display_name, words, dialect),
            _contains(Customer.external_id, words, dialect)),
    )
    written = exists().where(
        Message.conversation_id == Ticket.conversation_id,
        Message.sender.in_(SEARCHED_SENDERS),
        _contains(Message.text, words, dialect),
    )
    return (
        select(Ticket.id)
        .join(recent, recent.c.id == Ticket.id)
        .where(or_(_contains(Ticket.subject, words, dialect), customer, written))
    )


def filtered_tickets(agent: Agent, filters: TicketFilters) -> Select[Ticket]:
    """The ticket query for the list: visibility and filters (the search is `matching_ids`)."""
    query = visible_to(select(Ticket), agent)
    if filters.state == "open":
        query = query.where(Ticket.status.in_(OPEN_STATES))
    elif filters.state != "all":
        query = query.where(Ticket.status == filters.state)
    if filters.group:
        query = in_group(query, filters.group)
    if filters.category:
        query = query.where(Ticket.category == filters.category)
    if filters.scope == "mine":
        query = query.where(Ticket.assignee_id == agent.id)
    elif filters.scope == "unassigned":
        query = query.where(Ticket.assignee_id.is_(None))
    return query


def counts_by_state(session: Session, query: Select[Ticket]) -> dict[str, int]:
    """How many tickets of `query` are in each state.

    Grouped by the state column itself and with every state named, so both databases count
    along the (state, group, assignee) index without reading a ticket row: a few milliseconds
    for a hundred thousand tickets, also when filtered by group.
    """
    named = query.where(Ticket.status.in_(STATES))
    rows = session.execute(named.with_only_columns(Ticket.status, func.count()).group_by(Ticket.status))
    return {status: int(count) for status, count in rows}


def shown_in_order(session: Session, query: Select[Ticket], *, with_customer: bool = True) -> list[Ticket]:
    """The tickets `query` picks (ordered and limited), read in two steps: the ids first, sorting
    and paging on the few columns they need; then only those tickets, in one joined query."""
    ids = list(session.scalars(query.with_only_columns(Ticket.id)))
    if not ids:
        return []
    options = [SHOWN_COLUMNS, joinedload(Ticket.assignee)]  # one query: the joins are many-to-one
    if with_customer:
        options.append(joinedload(Ticket.conversation).joinedload(Conversation.customer))
    chosen = select(Ticket).where(Ticket.id.in_(ids)).options(*options)
    loaded = {ticket.id: ticket for ticket in session.scalars(chosen)}
    return [loaded[ticket_id] for ticket_id in ids]


def _page(session: Session, query: Select[Ticket], *, offset: int, limit: int) -> list[Ticket]:
    return shown_in_order(session, query.offset(offset).limit(limit)) if limit > 0 else []


def list_tickets_for(session: Session, *, agent: Agent, filters: TicketFilters) -> tuple[list[Ticket], int]:
    """One page of tickets: open ones first, the nearest SLA deadline first, then by priority;
    then resolved and closed ones, the newest first."""
    query = filtered_tickets(agent, filters)
    found = matching_ids(session, query, filters.q)
    if found is not None:
        query = query.where(Ticket.id.in_(found))
    counts = counts_by_state(session, query)
    open_count = sum(counts.get(state, 0) for state in OPEN_STATES)
    done_count = sum(counts.values()) - open_count
    offset = (filters.page - 1) * PAGE_SIZE
    open_part = query.where(Ticket.status.in_(OPEN_STATES)).order_by(ACTIVE_DUE, PRIORITY_RANK, Ticket.id)
    # Not "status IN (resolved, closed)": a condition no index answers lets both databases read
    # the tickets backwards by id and stop at the page, instead of sorting the whole history.
    done_part = query.where(Ticket.status.not_in(OPEN_STATES)).order_by(Ticket.id.desc())
    tickets = _page(session, open_part, offset=offset, limit=min(PAGE_SIZE, open_count - offset))
    if done_count:
        done_offset = max(0, offset - open_count)
        tickets += _page(session, done_part, offset=done_offset, limit=PAGE_SIZE - len(tickets))
    return tickets, open_count + done_count


BOARD_COLUMNS = ("new", "in_progress", "awaiting_customer", "resolved", "closed")
BOARD_COLUMN_LIMIT = 20  # cards per open column; the header counts them all
DONE_COLUMN_LIMIT = 5  # resolved and closed: the latest few; the rest are on the ticket list


def board_columns(session: Session, *, agent: Agent, group: str = "") -> dict[str, list[Ticket]]:
    """Tickets per state for the board: open columns by deadline, done columns the latest moved first.

    One query picks every column's cards (each part read in order from an index), one more reads
    the cards: two round trips to the database instead of two per column.
    """
    parts = []
    for state in BOARD_COLUMNS:
        if state in OPEN_STATES:
            order, limit = (ACTIVE_DUE, PRIORITY_RANK, Ticket.id), BOARD_COLUMN_LIMIT
        else:
            order, limit = (Ticket.updated_at.desc(), Ticket.id.desc()), DONE_COLUMN_LIMIT
        position = func.row_number().over(order_by=order).label("position")
        query = visible_to(select(Ticket.id, Ticket.status, position), agent).where(Ticket.status == state)
        if group:
            query = in_group(query, group)
        parts.append(select(query.order_by(*order).limit(limit).subquery()))
    picked = sorted(session.execute(union_all(*parts)), key=lambda row: (row.status, row.position))
    chosen = select(Ticket).where(Ticket.id.in_([row.id for row in picked]))
    chosen = chosen.options(SHOWN_COLUMNS, joinedload(Ticket.assignee))
    loaded = {ticket.id: ticket for ticket in session.scalars(chosen)}
    columns: dict[str, list[Ticket]] = {state: [] for state in BOARD_COLUMNS}
    for row in picked:
        columns[row.status].append(loaded[row.id])
    return columns


def state_counts(session: Session, *, agent: Agent, group: str = "") -> dict[str, int]:
    """How many tickets are in each state (for the board's column headers)."""
    query = visible_to(select(Ticket), agent)
    return counts_by_state(session, in_group(query, group) if group else query)


def groups_of(session: Session, agent: Agent) -> list[SkillGroup]:
    """The groups an agent works in (every group for leads and admins)."""
    if agent.role in ("lead", "admin"):
        return list(session.scalars(select(SkillGroup).order_by(SkillGroup.tier, SkillGroup.name)))
    return sorted(agent.groups, key=lambda group: (group.tier, group.name))


def all_groups(session: Session) -> list[SkillGroup]:
    return list(session.scalars(select(SkillGroup).order_by(SkillGroup.tier, SkillGroup.name)))


def categories(session: Session) -> list[str]:
    """Categories in use on tickets and in groups' routing, for filters and corrections."""
    used = set(categories_on_tickets(session))
    for group in all_groups(session):
        used.update(str(category) for category in group.categories or [])
    return sorted(used)


def categories_on_tickets(session: Session) -> list[str]:
    """The distinct categories of all tickets, read by hopping through the category index.

    `SELECT DISTINCT` would read every ticket (neither database skips through an index by
    itself); this asks for the next category after the last one found, one index lookup each,
    so it costs a dozen lookups however many tickets there are.
    """
    found = select(func.min(Ticket.category).label("name")).cte("used", recursive=True)
    following = select(func.min(Ticket.category)).where(Ticket.category > found.c.name).scalar_subquery()
    found = found.union_all(select(following).where(found.c.name.is_not(None)))
    return [name for name in session.scalars(select(found.c.name)) if name is not None]


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
    """CSAT over the tickets the agent can see that were resolved since `since` (summed in SQL)."""
    query = visible_to(select(Ticket), agent).where(
        Ticket.csat_score.is_not(None), Ticket.resolved_at >= since
    )
    satisfied = func.sum(case((Ticket.csat_score >= 4, 1), else_=0))
    row = session.execute(
        query.with_only_columns(func.count(), func.sum(Ticket.csat_score), satisfied)
    ).one()
    count, total, happy = int(row[0] or 0), int(row[1] or 0), int(row[2] or 0)
    if not count:
        return CsatStats(0, None, None)
    return CsatStats(count, total / count, happy / count)


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
