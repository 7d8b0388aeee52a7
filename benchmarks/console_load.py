"""Console speed at scale: My tickets, the board and ticket pages under load, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/console_load.py [--databases sqlite,postgres]
        [--sqlite-url URL] [--postgres-url URL] [--scale 1] [--clients 4] [--think-ms 250]
        [--requests 3000] [--seconds 300] [--seed 7]

For each database: a generated history (`benchmarks/generate_history.py`: 100,000 tickets,
1,000,000 messages; pass `--sqlite-url`/`--postgres-url` to reuse one, else it is generated,
PostgreSQL on a throwaway server from Debian's packages), the real gateway started with uvicorn on
a free loopback port (Rasa is not needed for the console), an agent (two groups) and a lead who
sign in through the real form, and a few HTTP clients requesting My tickets (default, filtered,
searched by number, customer and text), the board, and ticket pages of random tickets, long
transcripts included (`benchmarks/load_client/`). Each database gets at most `--requests`
measured requests and `--seconds` of measuring, after a warm-up. Each client pauses between
requests (`--think-ms` on average), as people read a page before the next click; without pauses
the clients would only measure how long requests queue in one gateway process. The SLA
scheduler runs in the gateway as shipped. Prints a Markdown section; progress goes to stderr.
"""

import argparse
import os
import random
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.processes import ManagedProcess, free_port  # noqa: E402
from handoff import session_scope  # noqa: E402
from handoff.models import Message, Ticket  # noqa: E402
from tests.utils.postgres import PostgresServer  # noqa: E402

from load_client.clients import Bounds, Results, percentile, run_load  # noqa: E402
from load_client.probes import build_probes, create_accounts  # noqa: E402

PAGES = ("My tickets", "Board", "Ticket page")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--sqlite-url", default="", help="a generated SQLite history to reuse")
    parser.add_argument("--postgres-url", default="", help="a generated PostgreSQL history to reuse")
    parser.add_argument("--scale", type=float, default=1.0, help="size of a history generated here")
    parser.add_argument("--clients", type=int, default=4, help="concurrent HTTP clients")
    parser.add_argument("--think-ms", type=float, default=250,
                        help="mean pause between a client's requests (uniform from 0 to twice this)")
    parser.add_argument("--requests", type=int, default=3000, help="measured requests per database, at most")
    parser.add_argument("--seconds", type=float, default=300, help="measuring time per database, at most")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Run:
    """One database's figures."""

    kind: str
    results: Results
    tickets: int
    messages: int


@contextmanager
def gateway(url: str, work_dir: Path) -> Iterator[str]:
    """The real gateway (uvicorn, `bot.app:create_app`) on a free loopback port, against `url`."""
    port = free_port()
    env = {
        "DESKMATE_DATABASE_URL": url, "DESKMATE_VAR_DIR": str(work_dir), "DESKMATE_LOG_LEVEL": "WARNING",
        "DESKMATE_KB_INDEX_DIR": str(work_dir / "kb_index"), "DESKMATE_TELEGRAM_BOT_TOKEN": "",
        "DESKMATE_RASA_URL": f"http://127.0.0.1:{free_port()}",
        "DESKMATE_ACTION_SERVER_URL": f"http://127.0.0.1:{free_port()}", "HF_HUB_OFFLINE": "1",
    }
    command = [sys.executable, "-m", "uvicorn", "bot.app:create_app", "--factory", "--host", "127.0.0.1",
               "--port", str(port), "--no-access-log"]
    process = ManagedProcess(name="gateway", command=command, health_url=f"http://127.0.0.1:{port}/health",
                             log_path=work_dir / "gateway.log", env=env, cwd=ROOT)
    process.start()
    try:
        process.wait_healthy(60)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.stop()


def generate(url: str, scale: float, seed: int) -> None:
    """Fill `url` with a history, in a child process, as a user would run the generator."""
    command = [sys.executable, str(ROOT / "benchmarks" / "generate_history.py"), url, "--scale", str(scale),
               "--seed", str(seed)]
    log(f"generating the history: {' '.join(command)}")
    done = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    log(done.stdout)


def measure(kind: str, url: str, args: argparse.Namespace, work_dir: Path) -> Run:
    """Sign-in accounts, the gateway, the load; and how big the history is."""
    accounts = create_accounts(url)
    probes = build_probes(url, random.Random(args.seed))
    bounds = Bounds(args.clients, args.requests, args.seconds, args.think_ms, args.seed)
    with gateway(url, work_dir) as base_url:
        log(f"{kind}: gateway at {base_url}; {args.clients} clients, up to {args.requests} requests "
            f"or {args.seconds:.0f} s")
        results = run_load(base_url, accounts, probes, bounds)
    failed = sum(results.failures.values())
    log(f"{kind}: {results.count()} requests in {results.wall:.0f} s, {failed} failed")
    with session_scope(url, read_only=True) as session:
        tickets = session.scalar(select(func.count(Ticket.id))) or 0
        messages = session.scalar(select(func.count(Message.id))) or 0
    return Run(kind, results, tickets, messages)


def _ms(values: list[float], share: float) -> str:
    return f"{percentile(values, share):.0f} ms"


def print_report(args: argparse.Namespace, runs: list[Run], load: str) -> None:
    """The Markdown section for docs/benchmarks.md."""
    command = " ".join(shlex.quote(a) for a in sys.argv[1:])
    print("### Console at scale\n")
    print(f"Command: `.venv/bin/python benchmarks/console_load.py{' ' + command if command else ''}` — "
          f"{args.clients} concurrent clients over loopback (agents and leads alternating, a pause of "
          f"{args.think_ms:.0f} ms on average between a client's requests), at most {args.requests:,} "
          f"measured requests or {args.seconds:.0f} s per database after a warm-up; {os.cpu_count()} cores, "
          f"load average {load} (1, 5, 15 min) at the end, other work sharing the machine.\n")
    for run in runs:
        rate = run.results.count() / run.results.wall
        print(f"- {run.kind}: {run.tickets:,} tickets, {run.messages:,} messages "
              f"(`benchmarks/generate_history.py`); {run.results.count():,} requests in "
              f"{run.results.wall:.0f} s ({rate:.1f} per second).")
    print("\n| page | database | requests | p50 | p95 | max |\n|---|---|---:|---:|---:|---:|")
    for page in PAGES:
        for run in runs:
            values = run.results.page(page)
            if values:
                print(f"| {page} | {run.kind} | {len(values):,} | {_ms(values, 0.5)} | {_ms(values, 0.95)} | "
                      f"{max(values):.0f} ms |")
    print("\nBy variant (p50 / p95, requests):\n")
    print(f"| page | variant | {' | '.join(run.kind for run in runs)} |\n|---|---|{'---:|' * len(runs)}")
    variants = sorted({key for run in runs for key in run.results.samples},
                      key=lambda key: (PAGES.index(key[0]), key[1]))
    for page, variant in variants:
        cells = []
        for run in runs:
            values = run.results.samples.get((page, variant), [])
            cells.append(f"{_ms(values, 0.5)} / {_ms(values, 0.95)} ({len(values)})" if values else "-")
        print(f"| {page} | {variant} | {' | '.join(cells)} |")
    failures = [f"{run.kind}: {name} ({count})"
                for run in runs for name, count in run.results.failures.items()]
    if failures:
        print("\nFailed requests: " + "; ".join(failures))


def main() -> int:
    args = parse_args()
    work_dir = Path(tempfile.mkdtemp(prefix="deskmate-console-load-"))
    runs: list[Run] = []
    server: PostgresServer | None = None
    try:
        for kind in args.databases.split(","):
            if kind == "sqlite":
                url = args.sqlite_url or f"sqlite:///{work_dir / 'history.db'}"
                if not args.sqlite_url:
                    generate(url, args.scale, args.seed)
                runs.append(measure("SQLite", url, args, work_dir))
            elif kind == "postgres":
                url = args.postgres_url
                if not url:
                    server = PostgresServer()
                    server.start()
                    url = server.create_database("history")
                    generate(url, args.scale, args.seed)
                runs.append(measure("PostgreSQL", url, args, work_dir))
            else:
                raise SystemExit(f"unknown database {kind!r}; use sqlite and/or postgres")
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(work_dir, ignore_errors=True)
    print_report(args, runs, " / ".join(f"{value:.1f}" for value in os.getloadavg()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
