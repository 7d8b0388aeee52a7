"""What the load clients ask for: My tickets (default, filtered, searched), the board, ticket pages.

Ticket numbers and customer names come from the database under test, so every request is one a
person at the desk could make: an agent (in two groups) opens tickets of their groups, a lead
any ticket, long transcripts included.
"""

import random
import secrets
from dataclasses import dataclass

import httpx
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from handoff import OPEN_STATES, create_agent, session_scope
from handoff.models import Conversation, Customer, Message, SkillGroup, Ticket

AGENT_GROUPS = ("general", "technical")
TEXT_TERMS = ("bank feed", "refund", "screenshot", "invoice number", "two-factor", "shopify")
ONE_GROUP = ("/console/board?group=general", "/console/board?group=billing")
FILTERS = (
    "/console/tickets?state=awaiting_customer", "/console/tickets?group=technical",
    "/console/tickets?category=billing", "/console/tickets?scope=mine", "/console/tickets?state=closed",
    "/console/tickets?state=all&page=3", "/console/tickets?state=resolved&group=general",
)


@dataclass(frozen=True)
class Accounts:
    agent_email: str
    lead_email: str
    password: str


@dataclass(frozen=True)
class Probe:
    """One kind of request: which page, which variant of it, as whom."""

    page: str
    variant: str
    role: str  # agent | lead
    paths: tuple[str, ...]  # one is picked per request


def create_accounts(url: str) -> Accounts:
    """An agent in two groups and a lead, with a fresh random password, made as admins make them."""
    password = secrets.token_urlsafe(18)
    suffix = secrets.token_hex(4)
    with session_scope(url) as session:
        agent = create_agent(session, email=f"bench-agent-{suffix}@ledgerly.example",
                             display_name="Bench Agent", password=password)
        agent.groups.extend(session.scalars(select(SkillGroup).where(SkillGroup.name.in_(AGENT_GROUPS))))
        agent.is_available = False  # not in automatic dispatch: the benchmark only reads
        lead = create_agent(session, email=f"bench-lead-{suffix}@ledgerly.example",
                            display_name="Bench Lead", password=password, role="lead")
        return Accounts(agent.email, lead.email, password)


def _ticket_paths(session: Session, query: Select[tuple[int | None]], limit: int) -> tuple[str, ...]:
    return tuple(f"/console/tickets/{number}" for number in session.scalars(query.limit(limit)))


def _search_paths(queries: list[str], extra: str = "") -> tuple[str, ...]:
    return tuple(f"/console/tickets?{httpx.QueryParams({'q': q})}{extra}" for q in queries)


def build_probes(url: str, rng: random.Random) -> list[tuple[Probe, float]]:
    """Every kind of request with how often it is made (weights), in a shuffled order."""
    with session_scope(url, read_only=True) as session:
        groups = select(SkillGroup.id).where(SkillGroup.name.in_(AGENT_GROUPS))
        visible = select(Ticket.number).where(Ticket.group_id.in_(groups)).order_by(func.random())
        open_tickets = _ticket_paths(session, visible.where(Ticket.status.in_(OPEN_STATES)), 300)
        closed_tickets = _ticket_paths(session, visible.where(Ticket.status == "closed"), 300)
        any_ticket = _ticket_paths(session, select(Ticket.number).order_by(func.random()), 300)
        longest = (select(Message.conversation_id).group_by(Message.conversation_id)
                   .order_by(func.count().desc()).limit(20).subquery())
        in_longest = select(Ticket.number).join(longest, longest.c.conversation_id == Ticket.conversation_id)
        long_tickets = _ticket_paths(session, in_longest, 20)
        names = list(session.scalars(
            select(Customer.display_name).join(Conversation, Conversation.customer_id == Customer.id)
            .join(Ticket, Ticket.conversation_id == Conversation.id)
            .where(Ticket.status.in_(OPEN_STATES), Ticket.group_id.in_(groups),
                   Customer.display_name.is_not(None))
            .order_by(func.random()).limit(50)
        ))
    numbers = [f"#{path.rsplit('/', 1)[1]}" for path in open_tickets[:50]]
    probes = [
        (Probe("My tickets", "default", "agent", ("/console/tickets",)), 10),
        (Probe("My tickets", "default", "lead", ("/console/tickets",)), 5),
        (Probe("My tickets", "filters", "agent", FILTERS), 6),
        (Probe("My tickets", "filters", "lead", FILTERS), 3),
        (Probe("My tickets", "search by number", "agent", _search_paths(numbers)), 2),
        (Probe("My tickets", "search by customer", "agent", _search_paths([n for n in names if n])), 2),
        (Probe("My tickets", "search by text", "agent", _search_paths(list(TEXT_TERMS))), 2),
        (Probe("My tickets", "search by text", "lead", _search_paths(list(TEXT_TERMS), "&state=all")), 1),
        (Probe("Board", "all groups", "agent", ("/console/board",)), 8),
        (Probe("Board", "all groups", "lead", ("/console/board",)), 6),
        (Probe("Board", "one group", "lead", ONE_GROUP), 3),
        (Probe("Ticket page", "open ticket", "agent", open_tickets), 14),
        (Probe("Ticket page", "closed ticket", "agent", closed_tickets), 6),
        (Probe("Ticket page", "any ticket", "lead", any_ticket), 6),
        (Probe("Ticket page", "long transcript", "lead", long_tickets), 2),
    ]
    rng.shuffle(probes)
    return [(probe, weight) for probe, weight in probes if probe.paths]
