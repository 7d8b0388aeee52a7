"""Dashboard speed at scale: the lead dashboard's JSON for a 90-day period, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/dashboard_load.py [--databases sqlite,postgres]
        [--sqlite-url URL] [--postgres-url URL] [--scale 1] [--days 90] [--runs 30]
        [--seconds 300] [--end 2026-11-20T12:00Z] [--no-analyze] [--served-seconds 180]

For each database: a generated history (`benchmarks/generate_history.py`: 100,000 tickets,
1,000,000 messages, 200,000 conversations and their knowledge-base lookups; pass
`--sqlite-url`/`--postgres-url` to reuse one, else it is generated, PostgreSQL on a throwaway
server from Debian's packages), then `ANALYZE` (so both planners know the tables' sizes;
PostgreSQL gets `VACUUM ANALYZE`, so its index-only scans do not visit the rows; skip with
`--no-analyze`), one warm-up, and at most `--runs` measured builds or `--seconds` of
measuring: `build_dashboard` for the `--days` days ending at the history's end, every figure
with its previous period, every table, turned into JSON as the API sends it. One more build is
timed section by section to show where the time goes.

Then what a lead waits for: the real gateway (uvicorn, as shipped, with its SLA scheduler and
dashboard warmer) on a loopback port, a lead's bearer token, and `GET /api/dashboard?days=N`
from two lead clients (about one request a second each) for `--served-seconds`, while a third
client starts a widget conversation every two seconds, so the data keeps changing and the
gateway keeps rebuilding the view in the background (bot/dashboard_cache.py). The first request
(nobody asked for the view before: built while the lead waits) is reported apart. Prints a
Markdown section with the load average of the machine; progress goes to stderr.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.console_load import gateway  # noqa: E402
from load_client.probes import create_accounts  # noqa: E402
from handoff.db import make_engine  # noqa: E402
from handoff.metrics import DashboardFilters, Period, build_dashboard  # noqa: E402
from handoff.metrics.dashboard import SECTIONS  # noqa: E402
from handoff.metrics.sql import prepare_for_aggregates  # noqa: E402
from tests.utils.postgres import PostgresServer  # noqa: E402

DEFAULT_END = "2026-11-20T12:00:00+00:00"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--sqlite-url", default="", help="a generated SQLite history to reuse")
    parser.add_argument("--postgres-url", default="", help="a generated PostgreSQL history to reuse")
    parser.add_argument("--scale", type=float, default=1.0, help="size of a history generated here")
    parser.add_argument("--days", type=int, default=90, help="length of the dashboard's period")
    parser.add_argument("--runs", type=int, default=30, help="measured builds per database, at most")
    parser.add_argument("--seconds", type=float, default=300, help="measuring time per database, at most")
    parser.add_argument("--end", type=datetime.fromisoformat, default=datetime.fromisoformat(DEFAULT_END),
                        help="the history's end and the period's end (ISO 8601 with a zone)")
    parser.add_argument("--served-seconds", type=float, default=180,
                        help="how long to measure the gateway's served dashboard (0: skip)")
    parser.add_argument("--no-analyze", action="store_true",
                        help="measure without ANALYZE (VACUUM ANALYZE on PostgreSQL) first")
    args = parser.parse_args()
    if args.end.tzinfo is None:
        parser.error("--end needs a time zone, e.g. 2026-11-20T12:00Z")
    return args


def log(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile of a small sample."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def generate(url: str, scale: float, end: datetime) -> None:
    command = [sys.executable, str(ROOT / "benchmarks" / "generate_history.py"), url, "--scale", str(scale),
               "--end", end.isoformat()]
    log(f"generating the history: {' '.join(command)}")
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)


@contextmanager
def database(kind: str, args: argparse.Namespace, work_dir: Path) -> Iterator[str]:
    """The URL of a generated history on `kind`, generated here unless one was given."""
    given = args.sqlite_url if kind == "sqlite" else args.postgres_url
    if given:
        yield given
        return
    if kind == "sqlite":
        url = f"sqlite:///{work_dir / 'history.db'}"
        generate(url, args.scale, args.end)
        yield url
        return
    server = PostgresServer()
    server.start()
    try:
        url = server.create_database("dashboard_history")
        generate(url, args.scale, args.end)
        yield url
    finally:
        server.stop()


def analyze(url: str) -> None:
    """Table statistics for the planners; on PostgreSQL also VACUUM, which sets the visibility
    map that index-only scans need (autovacuum does it in a running database; a freshly
    generated one would otherwise read the table rows behind every covering index)."""
    engine = make_engine(url)
    command = "VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(text(command))
    engine.dispose()


def build_json(session: Session, period: Period, end: datetime) -> str:
    return json.dumps(build_dashboard(session, period=period, filters=DashboardFilters(), now=end).to_dict())


def measure(url: str, args: argparse.Namespace) -> tuple[list[float], dict[str, float], str]:
    """Build times in ms, one build's time per section, and the load average while measuring."""
    engine = make_engine(url)
    period = Period.last(args.days, now=args.end)
    times: list[float] = []
    with Session(engine) as session:
        build_json(session, period, args.end)  # warm-up: caches, the calendar parse, the planner
        session.rollback()
        started = time.monotonic()
        while len(times) < args.runs and time.monotonic() - started < args.seconds:
            before = time.perf_counter()
            build_json(session, period, args.end)
            times.append((time.perf_counter() - before) * 1000)
            session.rollback()
        loads = load_average()
        sections: dict[str, float] = {}
        prepare_for_aggregates(session)  # as build_dashboard does
        for section in SECTIONS:
            before = time.perf_counter()
            section.build(session, period=period, filters=DashboardFilters(), now=args.end)
            sections[section.__name__.rsplit(".", 1)[-1]] = (time.perf_counter() - before) * 1000
    engine.dispose()
    return times, sections, loads


@dataclass
class Served:
    """What the leads waited for at the gateway."""

    first_ms: float
    times: list[float] = field(default_factory=list)
    builds: set[str] = field(default_factory=set)  # distinct generated_at values seen
    errors: int = 0
    loads: str = ""


def _lead_client(base_url: str, email: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=60.0)
    token = client.post("/api/agent/token", data={"username": email, "password": password})
    token.raise_for_status()
    client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
    return client


def _timed_get(client: httpx.Client, path: str) -> tuple[float, dict[str, object] | None]:
    before = time.perf_counter()
    response = client.get(path)
    elapsed = (time.perf_counter() - before) * 1000
    return elapsed, response.json() if response.status_code == 200 else None


def measure_served(url: str, args: argparse.Namespace, work_dir: Path) -> Served:
    """Two leads reading the dashboard JSON while customers keep starting conversations."""
    accounts = create_accounts(url)
    path = f"/api/dashboard?days={args.days}"
    work_dir.mkdir(parents=True, exist_ok=True)
    with gateway(url, work_dir) as base_url:
        leads = [_lead_client(base_url, accounts.lead_email, accounts.password) for _ in range(2)]
        first_ms, body = _timed_get(leads[0], path)
        served = Served(first_ms=first_ms, errors=0 if body else 1)
        stop = threading.Event()
        lock = threading.Lock()

        def read(client: httpx.Client, seed: int) -> None:
            pace = random.Random(seed)
            while not stop.is_set():
                elapsed, found = _timed_get(client, path)
                with lock:
                    served.times.append(elapsed)
                    if found is None:
                        served.errors += 1
                    else:
                        served.builds.add(str(found["generated_at"]))
                stop.wait(pace.uniform(0.5, 1.5))

        def chat() -> None:
            with httpx.Client(base_url=base_url, timeout=30.0) as customer:
                while not stop.is_set():
                    customer.post("/api/widget/conversations", json={})
                    stop.wait(2.0)

        threads = [threading.Thread(target=read, args=(lead, index)) for index, lead in enumerate(leads)]
        threads.append(threading.Thread(target=chat))
        for thread in threads:
            thread.start()
        stop.wait(args.served_seconds)
        served.loads = load_average()
        stop.set()
        for thread in threads:
            thread.join()
        for lead in leads:
            lead.close()
    return served


def main() -> int:
    args = parse_args()
    kinds = [kind.strip() for kind in args.databases.split(",") if kind.strip()]
    results: list[tuple[str, list[float], dict[str, float], str]] = []
    served: dict[str, Served] = {}
    with tempfile.TemporaryDirectory(prefix="deskmate-dashboard-") as work:
        for kind in kinds:
            with database(kind, args, Path(work)) as url:
                if not args.no_analyze:
                    analyze(url)
                log(f"{kind}: measuring at most {args.runs} builds or {args.seconds:.0f} s")
                times, sections, loads = measure(url, args)
                results.append((kind, times, sections, loads))
                if args.served_seconds > 0:
                    log(f"{kind}: two leads at the gateway for {args.served_seconds:.0f} s")
                    served[kind] = measure_served(url, args, Path(work) / kind)
    command = " ".join(["python", "benchmarks/dashboard_load.py", *sys.argv[1:]])
    print(f"### Dashboard at scale ({args.days}-day period)\n")
    print(f"`{command}` (load average while measuring shown per database; {os.cpu_count()} cores).\n")
    analyzed = "" if args.no_analyze else ", after ANALYZE (VACUUM ANALYZE on PostgreSQL)"
    print(f"A generated history (scale {args.scale}: 100,000 tickets, 1,000,000 messages, 200,000 "
          "conversations at 1), `build_dashboard` for the period ending at the history's end with every "
          f"figure, its previous period and every table, serialised to JSON{analyzed}.\n")
    print("| database | builds | p50 | p95 | max | load average |\n|---|---:|---:|---:|---:|---|")
    for kind, times, _, loads in results:
        print(f"| {kind} | {len(times)} | {percentile(times, 0.5):,.0f} ms | "
              f"{percentile(times, 0.95):,.0f} ms | {max(times):,.0f} ms | {loads} |")
    names = list(results[0][2]) if results else []
    print("\nOne build, section by section:\n")
    print("| section | " + " | ".join(kind for kind, *_ in results) + " |")
    print("|---|" + "---:|" * len(results))
    for name in names:
        cells = [f"{sections[name]:,.0f} ms" for _, _, sections, _ in results]
        print(f"| {name} | " + " | ".join(cells) + " |")
    if served:
        print(f"\nServed by the gateway (`GET /api/dashboard?days={args.days}`, two leads, a new "
              "conversation every 2 s):\n")
        print("| database | first request (built while waiting) | requests | p50 | p95 | max | builds served "
              "| errors | load average |\n|---|---:|---:|---:|---:|---:|---:|---:|---|")
        for kind, run in served.items():
            print(f"| {kind} | {run.first_ms:,.0f} ms | {len(run.times)} | {percentile(run.times, 0.5):,.0f} ms | "
                  f"{percentile(run.times, 0.95):,.0f} ms | {max(run.times):,.0f} ms | {len(run.builds)} | "
                  f"{run.errors} | {run.loads} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
