"""A simulated month of the help desk, through each dispatch mode, on SQLite and on PostgreSQL.

    .venv/bin/python benchmarks/helpdesk_simulation.py [--tickets 10000] [--days 30]
        [--databases sqlite,postgres] [--modes auto,review,claim,tiered] [--seed 7]
        [--sla-every 60] [--jobs 2]

The full run (10,000 tickets, 4 modes x 2 databases) takes 25-40 minutes on 2 cores: about
4.5 CPU-minutes per run, most of it inside the help desk's own calls. `--tickets 1000 --days 3`
takes 2-3 minutes. The virtual time: see `sim/clock.py`.

Customers arrive by a daily curve (see `sim/workload.py`), twelve agents in three groups work
weekday shifts (`sim/desk.py`), and agents, a dispatcher and the SLA scheduler act through the
help desk's service calls on a virtual clock (`sim/engine.py`, `sim/clock.py`). Every run gets
the same arrivals and the same seed, in a fresh database migrated with `upgrade_database`;
PostgreSQL is a real server from Debian's packages in a temp folder (`tests/utils/postgres.py`).
After the month the team keeps working, without new arrivals, until every ticket is resolved.
Prints a Markdown section for docs/benchmarks.md on stdout; progress goes to stderr.
"""

import argparse
import logging
import math
import os
import random
import shlex
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from multiprocessing import get_context
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.desk import MODES, databases, describe_layouts, dispose, set_up_desk  # noqa: E402
from sim.engine import Counters, Simulation  # noqa: E402
from sim.metrics import Figures, measure  # noqa: E402
from sim.workload import Arrival, arrivals  # noqa: E402

from handoff import load_helpdesk_config  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--start", default="2026-03-02", help="first day (local), a Monday")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--sla-every", type=float, default=60, help="SLA scheduler period, virtual minutes")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=2, help="runs at once, each in its own process")
    return parser.parse_args()


def percent(value: float) -> str:
    return "-" if math.isnan(value) else f"{100 * value:.1f} %"


def minutes(value: float) -> str:
    if math.isnan(value):
        return "-"
    return f"{value:.0f} min" if value < 600 else f"{value / 60:.1f} h"


@dataclass(frozen=True)
class Run:
    """One simulation: which layout, which database, what came out and what it cost."""

    mode: str
    kind: str
    figures: Figures
    counters: Counters
    wall: float
    cpu: float
    setup: float
    last_resolved: datetime


def run_one(mode: str, kind: str, url: str, month: list[Arrival], args: argparse.Namespace) -> Run:
    """Set up a fresh desk at `url`, play the month through it, and measure (in a worker process)."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(message)s")
    zone = ZoneInfo(load_helpdesk_config().calendars["default"]["timezone"])
    began = time.perf_counter()
    set_up_desk(url, mode)
    setup = time.perf_counter() - began
    start = datetime.fromisoformat(args.start).replace(tzinfo=zone)
    simulation = Simulation(url, month, zone=zone, start=start, days=args.days, seed=args.seed,
                            sla_every=timedelta(minutes=args.sla_every), label=f"{mode}/{kind}")
    began, cpu = time.perf_counter(), time.process_time()
    ended = simulation.run()
    wall, cpu = time.perf_counter() - began, time.process_time() - cpu
    figures = measure(url, ended)
    dispose(url)
    print(f"{mode} on {kind}: {wall:.0f} s, CPU {cpu:.0f} s, "
          f"{simulation.counters.transactions:,} transactions, last ticket resolved "
          f"{ended:%Y-%m-%d %H:%M} UTC", file=sys.stderr, flush=True)
    return Run(mode, kind, figures, simulation.counters, wall, cpu, setup, ended)


def main() -> int:
    args = parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(message)s")
    zone = ZoneInfo(load_helpdesk_config().calendars["default"]["timezone"])
    start = datetime.fromisoformat(args.start).replace(tzinfo=zone)
    month = arrivals(random.Random(args.seed), start=start, days=args.days, count=args.tickets, zone=zone)
    plan = [(mode, kind) for kind in args.databases.split(",") for mode in args.modes.split(",")]
    began = time.perf_counter()
    with databases() as found, ProcessPoolExecutor(args.jobs, mp_context=get_context("fork")) as pool:
        futures = [pool.submit(run_one, mode, kind, found.new_url(kind), month, args) for mode, kind in plan]
        runs = [future.result() for future in futures]
    print_report(args, runs, time.perf_counter() - began, os.getloadavg()[2])
    return 0


def mean_ms(counters: Counters, handler: str) -> str:
    events, seconds = counters.handlers.get(handler, (0, 0.0))
    return f"{1000 * seconds / events:.1f} ms" if events else "-"


def print_report(args: argparse.Namespace, runs: list[Run], total: float, load: float) -> None:
    """The Markdown section for docs/benchmarks.md."""
    command = " ".join(shlex.quote(a) for a in sys.argv[1:])
    shown = f"{' ' + command if command else ''}"
    print("### Help desk: a simulated month through each dispatch mode\n")
    print(f"Command: `.venv/bin/python benchmarks/helpdesk_simulation.py{shown}` — {args.tickets:,} tickets "
          f"over {args.days} days from {args.start} (Europe/Berlin), seed {args.seed}, SLA scheduler every "
          f"{args.sla_every:g} virtual minutes; {len(runs)} runs, {args.jobs} at a time, "
          f"{total / 60:.1f} min in all on {os.cpu_count()} cores (load average over the last 15 minutes "
          f"{load:.1f}: other work shared the machine, so wall times are upper bounds; CPU below is this "
          f"process's own).\n")
    print("Twelve agents in three groups work early (08:00-16:30) and late (09:30-18:00) shifts, "
          "Monday to Friday; calendars and SLA policies are the shipped ones. Layouts:\n")
    for mode, text in describe_layouts():
        print(f"- {mode}: {text}")
    print("\n| mode | database | resolved | first response met | resolution met | "
          "first response median (p90) | resolution median | Gini, 12 agents | Gini within groups | "
          "escalations (agent / time) | wall time |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for run in runs:
        f, c = run.figures, run.counters
        print(f"| {run.mode} | {run.kind} | {f.resolved:,} / {f.tickets:,} | "
              f"{percent(f.first_response_met)} | {percent(f.resolution_met)} | "
              f"{minutes(f.first_response_median)} ({minutes(f.first_response_p90)}) | "
              f"{minutes(f.resolution_median)} | {f.gini_all:.2f} | {f.gini_within_groups:.2f} | "
              f"{c.agent_escalations} / {c.timed_escalations} | {run.wall:.0f} s |")
    print("\nSLA met: clocks met among those met or breached. Times are business minutes of the "
          "ticket's SLA calendar from hand-off; resolution excludes time awaiting the customer. Gini of "
          "tickets resolved per agent: over all twelve, and within each group (weighted by size).\n")
    print("What the run cost (every event is one transaction through the service calls; CPU is this "
          "process's, not PostgreSQL's):\n")
    print("| mode | database | transactions | per second | CPU | hand-off | agent step | SLA sweeps "
          "(mean) | resolved per agent |")
    print("|---|---|---|---|---|---|---|---|---|")
    for run in runs:
        c = run.counters
        print(f"| {run.mode} | {run.kind} | {c.transactions:,} | {c.transactions / run.wall:.0f} | "
              f"{run.cpu:.0f} s | {mean_ms(c, 'on_arrival')} | {mean_ms(c, 'on_task_done')} | "
              f"{c.sla_checks:,} ({mean_ms(c, 'on_sla_check')}) | "
              f"{' '.join(str(n) for n in run.figures.resolved_per_agent)} |")


if __name__ == "__main__":
    raise SystemExit(main())
