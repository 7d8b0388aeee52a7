"""The SLA scheduler's pass at scale: every open ticket checked versus only the due ones.

    .venv/bin/python benchmarks/sla_pass.py DATABASE_URL [DATABASE_URL ...] [--passes 2880] [--interval 30]

On a generated history (`benchmarks/generate_history.py`: 100,000 tickets, a couple of thousand
open), for each database:

1. Every open ticket made due at once, as the migration that added `tickets.sla_next_check_at`
   does for the tickets open at the time, and one pass over them all. That is the work every
   pass did before the pass became incremental (and each pass now does once after an upgrade).
2. `--passes` passes as the scheduler runs them, `--interval` seconds apart (the clock is moved
   on, nothing sleeps; the default covers a day, office hours and night): each reads only the
   tickets whose next SLA moment has come.
3. The pass's other two jobs on their own: queued tickets to free agents, auto-close.

Each pass runs as the gateway's scheduler runs it (`run_sla_checks` with a commit per batch of
`BATCH_SIZE` tickets). CPU is this process's (on PostgreSQL the server's own CPU comes on top);
wall time includes waiting for the database. The passes write what they find (SLA states,
marks, escalations), as the gateway's scheduler would. Prints a Markdown section.
"""

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, text, update
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from handoff import session_scope  # noqa: E402
from handoff.dispatch import redispatch_waiting  # noqa: E402
from handoff.lifecycle import OPEN_STATES  # noqa: E402
from handoff.models import Ticket, utcnow  # noqa: E402
from handoff.sla_service import auto_close, run_sla_checks  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_urls", nargs="+", help="generated histories (SQLAlchemy URLs)")
    parser.add_argument("--passes", type=int, default=2880, help="incremental passes to measure (a day)")
    parser.add_argument("--interval", type=float, default=30, help="seconds between passes (the scheduler's)")
    return parser.parse_args()


@dataclass(frozen=True)
class Pass:
    """One measured pass: tickets it had to check, changes it made, CPU and wall seconds."""

    read: int
    changed: int
    cpu: float
    wall: float


def due_count(url: str, now: datetime) -> int:
    with session_scope(url, read_only=True) as session:
        return session.scalar(select(func.count(Ticket.id)).where(Ticket.sla_next_check_at <= now)) or 0


def timed_pass(url: str, now: datetime) -> Pass:
    """One pass as the scheduler runs it, with how many tickets were due."""
    read = due_count(url, now)
    cpu, wall = time.process_time(), time.perf_counter()
    with session_scope(url) as session:
        changed = run_sla_checks(session, now=now, commit_each_batch=True)
    return Pass(read, changed, time.process_time() - cpu, time.perf_counter() - wall)


def make_every_open_ticket_due(url: str, now: datetime) -> int:
    """What the migration does for the tickets open when it runs; returns how many."""
    with session_scope(url) as session:
        result = session.execute(
            update(Ticket).where(Ticket.status.in_(OPEN_STATES)).values(sla_next_check_at=now)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


def timed_jobs(url: str, now: datetime) -> tuple[float, float]:
    """CPU seconds of redispatching queued tickets and of auto-close, each on its own."""
    times = []
    for job in (lambda session: redispatch_waiting(session), lambda session: auto_close(session, now)):
        cpu = time.process_time()
        with session_scope(url) as session:
            job(session)
        times.append(time.process_time() - cpu)
    return times[0], times[1]


def query_plans(url: str, now: datetime) -> list[str]:
    """How the database reads the due tickets and the tickets to auto-close (which index)."""
    cutoff = now - timedelta(days=7)
    queries = {
        "due tickets": "SELECT * FROM tickets WHERE sla_next_check_at <= :now ORDER BY sla_next_check_at LIMIT 200",
        "auto-close": ("SELECT * FROM tickets WHERE tickets.status = 'resolved' AND tickets.resolved_at <= :cutoff "
                       "ORDER BY tickets.resolved_at"),
    }
    sqlite = make_url(url).get_backend_name() == "sqlite"
    lines = []
    with session_scope(url, read_only=True) as session:
        for name, query in queries.items():
            prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
            rows = session.execute(text(prefix + query), {"now": now, "cutoff": cutoff}).all()
            plan = "; ".join(str(row[-1]).strip() for row in rows)
            lines.append(f"{name}: `{plan}`")
    return lines


def measure(url: str, passes: int, interval: float) -> None:
    kind = "SQLite" if make_url(url).get_backend_name() == "sqlite" else "PostgreSQL"
    with session_scope(url, read_only=True) as session:
        open_tickets = session.scalar(select(func.count(Ticket.id)).where(Ticket.status.in_(OPEN_STATES))) or 0
        total = session.scalar(select(func.count(Ticket.id))) or 0
    now = utcnow()
    made_due = make_every_open_ticket_due(url, now)
    full = timed_pass(url, now)
    steady = [timed_pass(url, now + timedelta(seconds=interval * step)) for step in range(1, passes + 1)]
    redispatch_cpu, close_cpu = timed_jobs(url, now + timedelta(seconds=interval * passes))
    with session_scope(url, read_only=True) as session:
        unset = session.scalar(select(func.count(Ticket.id)).where(
            Ticket.status.in_(OPEN_STATES), Ticket.sla_next_check_at.is_(None))) or 0

    print(f"#### {kind}: {total:,} tickets, {open_tickets:,} open\n")
    print("| pass | tickets checked | changes | CPU | wall |\n|---|---:|---:|---:|---:|")
    print(f"| every open ticket due ({made_due:,}: after the migration; every pass before) | "
          f"{full.read:,} | {full.changed:,} | {full.cpu:.2f} s | {full.wall:.2f} s |")
    cpus = [p.cpu for p in steady]
    walls = [p.wall for p in steady]
    reads = [p.read for p in steady]
    busy = [p for p in steady if p.read]
    print(f"| {passes:,} passes {interval:.0f} s apart ({passes * interval / 3600:.0f} h), median (max) | "
          f"{statistics.median(reads):.0f} ({max(reads)}) | {sum(p.changed for p in steady)} in all | "
          f"{statistics.median(cpus) * 1000:.0f} ms ({max(cpus) * 1000:.0f} ms) | "
          f"{statistics.median(walls) * 1000:.0f} ms ({max(walls) * 1000:.0f} ms) |")
    if busy:
        print(f"| the {len(busy):,} of them that had tickets due ({sum(p.read for p in busy):,} checks in all), "
              f"median | {statistics.median(p.read for p in busy):.0f} | - | "
              f"{statistics.median(p.cpu for p in busy) * 1000:.0f} ms | "
              f"{statistics.median(p.wall for p in busy) * 1000:.0f} ms |")
    print(f"\nOf the pass, on their own: queued tickets to free agents {redispatch_cpu * 1000:.0f} ms CPU, "
          f"auto-close {close_cpu * 1000:.0f} ms CPU. After the first pass {unset:,} of the {open_tickets:,} open "
          f"tickets have nothing left that can change (no next moment; never read again).\n")
    for line in query_plans(url, now):
        print(f"- {line}")
    print()


def main() -> int:
    args = parse_args()
    print("### SLA pass at scale\n")
    print(f"Command: `.venv/bin/python benchmarks/sla_pass.py {' '.join(sys.argv[1:])}` — "
          f"{os.cpu_count()} cores, load average {' / '.join(f'{v:.1f}' for v in os.getloadavg())} at the start.\n")
    for url in args.database_urls:
        measure(url, args.passes, args.interval)
    print(f"Load average at the end: {' / '.join(f'{v:.1f}' for v in os.getloadavg())}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
