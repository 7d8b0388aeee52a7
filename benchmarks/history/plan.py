"""The shape of the history before any text: when conversations start, who comes back, which become tickets.

Conversations arrive by the same daily curve as the help-desk simulation (`sim.workload`): office
hours on weekdays, quiet nights and weekends. Every customer has at least one conversation and a
third of them come back, so some have several tickets. A few customers use the bot on Telegram
for months in one conversation: their transcripts are the long ones an agent scrolls through.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sim.workload import arrival_times

from history.texts import person_name

TELEGRAM_SHARE = 0.3
NAMED_WEB_SHARE = 0.65  # widget visitors whose name the site passes on
RETURNING_SHARE = 0.3
# Conversations start early enough before the end of the history that their bot part is over.
LAST_START_BEFORE_END = timedelta(minutes=15)


@dataclass(frozen=True)
class Sizes:
    """How much history to make."""

    conversations: int
    tickets: int
    customers: int
    messages: int
    long_transcripts: int
    days: int

    @classmethod
    def scaled(cls, scale: float, days: int) -> "Sizes":
        """The full size (200,000 conversations, 100,000 tickets, 1,000,000 messages) times `scale`."""
        def size(full: int) -> int:
            return max(1, round(full * scale))
        return cls(conversations=size(200_000), tickets=size(100_000), customers=size(120_000),
                   messages=size(1_000_000), long_transcripts=size(60), days=days)

    def __post_init__(self) -> None:
        if not self.long_transcripts <= self.tickets <= self.conversations:
            raise ValueError("need long transcripts <= tickets <= conversations")
        if not self.long_transcripts < self.customers <= self.conversations:
            raise ValueError("need long transcripts < customers <= conversations")


@dataclass(frozen=True)
class CustomerPlan:
    id: int
    channel: str  # web | telegram
    external_id: str
    display_name: str | None
    first_seen: datetime


@dataclass(frozen=True)
class ConversationPlan:
    id: int
    customer: CustomerPlan
    started_at: datetime
    public_id: str
    token_hash: str
    ticket_id: int | None
    long: bool  # a months-long Telegram conversation (its length is set by the message budget)


def conversation_starts(rng: random.Random, sizes: Sizes, *, end: datetime, zone: ZoneInfo) -> list[datetime]:
    """`sizes.conversations` sorted start times over the last `sizes.days` local days before `end`."""
    last = end - LAST_START_BEFORE_END
    first_day = (end.astimezone(zone) - timedelta(days=sizes.days - 1)).replace(
        hour=0, minute=0, second=0, microsecond=0)
    wanted = sizes.conversations
    while True:
        drawn = arrival_times(rng, start=first_day, days=sizes.days, count=int(wanted * 1.1) + 10, zone=zone)
        usable = [moment for moment in drawn if moment <= last]
        if len(usable) >= sizes.conversations:
            return sorted(rng.sample(usable, sizes.conversations))
        wanted *= 2


def _customer_indices(rng: random.Random, sizes: Sizes, long_ones: set[int]) -> list[int]:
    """For each conversation, which customer has it (long transcripts have customers of their own)."""
    regular = sizes.customers - sizes.long_transcripts
    returning = max(1, int(regular * RETURNING_SHARE))
    owners = list(range(regular)) + [
        rng.randrange(returning) for _ in range(sizes.conversations - sizes.long_transcripts - regular)
    ]
    rng.shuffle(owners)
    dedicated = iter(range(regular, sizes.customers))
    picks = iter(owners)
    return [next(dedicated) if index in long_ones else next(picks) for index in range(sizes.conversations)]


def plan_history(
    rng: random.Random, sizes: Sizes, *, end: datetime, zone: ZoneInfo
) -> list[ConversationPlan]:
    """Every conversation of the history, oldest first, with its customer and ticket id (if any)."""
    starts = conversation_starts(rng, sizes, end=end, zone=zone)
    early = max(sizes.long_transcripts, int(0.4 * sizes.conversations))
    long_ones = set(rng.sample(range(early), sizes.long_transcripts))
    others = [index for index in range(sizes.conversations) if index not in long_ones]
    with_ticket = long_ones | set(rng.sample(others, sizes.tickets - sizes.long_transcripts))
    owners = _customer_indices(rng, sizes, long_ones)
    customers: dict[int, CustomerPlan] = {}
    telegram_ids: set[str] = set()
    plans: list[ConversationPlan] = []
    ticket_id = 0
    for index, (started_at, owner) in enumerate(zip(starts, owners, strict=True)):
        customer = customers.get(owner)
        if customer is None:
            heavy_user = owner >= sizes.customers - sizes.long_transcripts
            customer = _new_customer(rng, len(customers) + 1, started_at, heavy_user, telegram_ids)
            customers[owner] = customer
        if index in with_ticket:
            ticket_id += 1
        plans.append(ConversationPlan(
            id=index + 1, customer=customer, started_at=started_at, public_id=f"{rng.getrandbits(128):032x}",
            token_hash=f"{rng.getrandbits(256):064x}", ticket_id=ticket_id if index in with_ticket else None,
            long=index in long_ones,
        ))
    return plans


def _new_customer(
    rng: random.Random, customer_id: int, first_seen: datetime, heavy_user: bool, telegram_ids: set[str]
) -> CustomerPlan:
    if heavy_user or rng.random() < TELEGRAM_SHARE:
        external_id = str(rng.randrange(10**8, 8 * 10**9))
        while external_id in telegram_ids:
            external_id = str(rng.randrange(10**8, 8 * 10**9))
        telegram_ids.add(external_id)
        return CustomerPlan(customer_id, "telegram", external_id, person_name(rng), first_seen)
    name = person_name(rng) if rng.random() < NAMED_WEB_SHARE else None
    return CustomerPlan(customer_id, "web", f"visitor-{rng.getrandbits(128):032x}", name, first_seen)
