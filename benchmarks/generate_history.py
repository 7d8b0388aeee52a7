"""Fill a help-desk database with half a year of realistic history, for benchmarks at scale.

    .venv/bin/python benchmarks/generate_history.py DATABASE_URL [--scale 1] [--days 180]
        [--seed 7] [--end 2026-11-20T12:00Z] [--batch 50000]

At full size: 200,000 conversations (web and Telegram) of about 120,000 customers, their
knowledge-base lookups (most answered, some rated, about 20,000 misses in recurring topics),
100,000 tickets with timelines (a few thousand still open at the end), and 1,000,000 messages in
all, including a few months-long Telegram transcripts. `--scale 0.01` makes a hundredth of it.

The database is migrated (and seeded from `handoff/defaults/helpdesk.yml`) if it is not yet,
and must have no tickets. The same seed and `--end` give the same rows. The end defaults to now,
so open tickets have deadlines around the time the console is looked at. Shared by the console
load benchmark (`benchmarks/console_load.py`) and the dashboard's.

How it is made: `benchmarks/history/` (plan, conversations, the bot part, the tickets' stories,
bulk writing). Takes about 5 minutes at full size on SQLite on 2 cores.
"""

import argparse
import logging
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from handoff import load_helpdesk_config, session_scope, upgrade_database  # noqa: E402
from handoff.classification import load_rules  # noqa: E402
from handoff.db import make_engine  # noqa: E402
from handoff.models import Base, Ticket  # noqa: E402

from history.chat import Words  # noqa: E402
from history.conversation import History, tell  # noqa: E402
from history.desk import has_history, read_desk, seed_team  # noqa: E402
from history.plan import ConversationPlan, Sizes, plan_history  # noqa: E402
from history.rows import TABLES, Rows  # noqa: E402
from history.writer import BulkWriter  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url", help="SQLAlchemy URL, e.g. sqlite:////tmp/history.db")
    parser.add_argument("--scale", type=float, default=1.0, help="share of the full size (default 1)")
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--end", type=datetime.fromisoformat, default=None,
                        help="when the history ends, ISO 8601 with a zone (default: now)")
    parser.add_argument("--batch", type=int, default=50_000, help="rows per transaction")
    args = parser.parse_args()
    if args.end is not None and args.end.tzinfo is None:
        parser.error("--end needs a time zone, e.g. 2026-11-20T12:00Z")
    return args


def message_budgets(rng: random.Random, remaining: int, count: int) -> list[int]:
    """Split the messages still to write over the long transcripts, unevenly, as real ones are."""
    weights = [rng.lognormvariate(0, 1) for _ in range(count)]
    total = sum(weights)
    budgets = [int(remaining * weight / total) for weight in weights]
    budgets[-1] += max(0, remaining) - sum(budgets)
    return budgets


def write_history(url: str, sizes: Sizes, *, seed: int, end: datetime, batch: int) -> dict[str, int]:
    """Generate and write everything; returns the rows written per table."""
    with session_scope(url) as session:
        if has_history(session):
            raise SystemExit(f"{url} already has tickets; the history goes into an empty help desk")
        seed_team(session, random.Random(f"{seed}:team"))
    with session_scope(url) as session:
        words = Words.load()
        categories = sorted({*words.categories(), *load_rules().categories, "general"})
        desk = read_desk(session, categories)
    zone = ZoneInfo(load_helpdesk_config().calendars["default"]["timezone"])
    plans = plan_history(random.Random(seed), sizes, end=end, zone=zone)
    writer = BulkWriter(make_engine(url))
    rows = Rows()
    history = History(words=words, desk=desk, rows=rows, end=end, seed=seed)

    def told(plan: ConversationPlan, budget: int = 0) -> None:
        tell(plan, history, message_budget=budget)
        if rows.pending() >= batch:
            writer.write(rows.take())

    regular = [plan for plan in plans if not plan.long]
    long_ones = [plan for plan in plans if plan.long]
    for plan in tqdm(regular, desc="conversations", unit="conv", mininterval=2, file=sys.stderr):
        told(plan)
    budgets = message_budgets(random.Random(f"{seed}:budgets"), sizes.messages - rows.count("messages"),
                              len(long_ones))
    for plan, budget in zip(tqdm(long_ones, desc="long transcripts", file=sys.stderr), budgets, strict=True):
        told(plan, budget)
    writer.write(rows.take())
    writer.finish()
    return {name: rows.count(name) for name in TABLES}


def print_summary(url: str, written: dict[str, int], seconds: float, end: datetime) -> None:
    """Counts per table and ticket states, as written and as the database now holds them."""
    with session_scope(url, read_only=True) as session:
        held = {name: session.scalar(select(func.count()).select_from(Base.metadata.tables[name])) or 0
                for name in (*written, "agents")}
        states = dict(session.execute(select(Ticket.status, func.count()).group_by(Ticket.status)).all())
    print(f"History until {end:%Y-%m-%d %H:%M} UTC written in {seconds / 60:.1f} min.\n")
    print("| table | rows |\n|---|---:|")
    for name, count in held.items():
        print(f"| {name} | {count:,} |")
    print("\n| ticket state | tickets |\n|---|---:|")
    for state in ("new", "in_progress", "awaiting_customer", "resolved", "closed"):
        print(f"| {state} | {states.get(state, 0):,} |")


def main() -> int:
    args = parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(message)s")
    end = (args.end or datetime.now(UTC)).astimezone(UTC).replace(second=0, microsecond=0)
    sizes = Sizes.scaled(args.scale, args.days)
    began = time.perf_counter()
    upgrade_database(args.database_url)
    written = write_history(args.database_url, sizes, seed=args.seed, end=end, batch=args.batch)
    print_summary(args.database_url, written, time.perf_counter() - began, end)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
