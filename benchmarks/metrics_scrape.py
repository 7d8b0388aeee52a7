"""What one Prometheus scrape of GET /metrics costs the database, over a history at full scale.

    .venv/bin/python benchmarks/generate_history.py sqlite:////tmp/history.db --end 2026-11-20T12:00Z
    .venv/bin/python benchmarks/metrics_scrape.py sqlite:////tmp/history.db [--runs 30]

The in-process counters cost nothing to read; the figures `bot.observability.DatabaseCollector`
reads at every scrape (outbox depth, open tickets, SLA now, SLA breaches, tickets created, KB
decisions) are aggregate queries over the whole tables. This times the whole exposition
`--runs` times after one warm-up, then each query on its own (best of 5), and prints a
Markdown section with the table sizes and the load average of the machine.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.observability import DatabaseCollector, GatewayMetrics, exposition  # noqa: E402
from handoff.db import make_engine  # noqa: E402
from handoff.models import Conversation, KbQuery, Message, OutboxItem, SlaMark, Ticket  # noqa: E402

PARTS = ("_outbox_depth", "_open_tickets", "_sla_now", "_sla_breaches", "_tickets_created", "_kb_decisions")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url", help="a generated history (benchmarks/generate_history.py)")
    parser.add_argument("--runs", type=int, default=30, help="timed scrapes")
    return parser.parse_args()


def milliseconds(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def time_part(collector: DatabaseCollector, name: str) -> float:
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        result = getattr(collector, name)()
        if name == "_sla_now":
            list(result)  # a generator: run its queries
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    args = parse_args()
    engine = make_engine(args.database_url)
    metrics = GatewayMetrics()
    with Session(engine) as session:
        sizes = {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Ticket, Message, Conversation, KbQuery, OutboxItem, SlaMark)
        }
        exposition(metrics, session)  # warm-up: the first read fills the page cache
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            exposition(metrics, session)
            times.append(time.perf_counter() - started)
        collector = DatabaseCollector(session)
        parts = {name.strip("_"): time_part(collector, name) for name in PARTS}
    load = os.getloadavg()
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(f"### Prometheus scrape at scale ({engine.dialect.name}, `benchmarks/metrics_scrape.py`)\n")
    print("Rows: " + ", ".join(f"{name} {count:,}" for name, count in sizes.items()) + ".\n")
    print("| whole scrape | median | p95 | max |")
    print("|---|---|---|---|")
    print(
        f"| {args.runs} runs | {milliseconds(statistics.median(times))} | {milliseconds(p95)} | "
        f"{milliseconds(times[-1])} |\n"
    )
    print("| query (best of 5) | time |")
    print("|---|---|")
    for name, seconds in parts.items():
        print(f"| {name.replace('_', ' ')} | {milliseconds(seconds)} |")
    print(f"\nLoad average during the run: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (2 cores, shared).")


if __name__ == "__main__":
    main()
