"""Dashboard speed at scale: the lead dashboard's JSON for a 90-day period, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/dashboard_load.py [--databases sqlite,postgres]
        [--sqlite-url URL] [--postgres-url URL] [--scale 1] [--days 90] [--runs 30]
        [--seconds 300] [--end 2026-11-20T12:00Z] [--no-analyze]

For each database: a generated history (`benchmarks/generate_history.py`: 100,000 tickets,
1,000,000 messages, 200,000 conversations and their knowledge-base lookups; pass
`--sqlite-url`/`--postgres-url` to reuse one, else it is generated, PostgreSQL on a throwaway
server from Debian's packages), then `ANALYZE` (so both planners know the tables' sizes;
PostgreSQL gets `VACUUM ANALYZE`, so its index-only scans do not visit the rows; skip with
`--no-analyze`), one warm-up, and at most `--runs` measured builds or `--seconds` of
measuring: `build_dashboard` for the `--days` days ending at the history's end, every figure
with its previous period, every table, turned into JSON as the API sends it. One more build is
timed section by section to show where the time goes. Prints a Markdown section with the load
average of the machine; progress goes to stderr.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

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


def main() -> int:
    args = parse_args()
    kinds = [kind.strip() for kind in args.databases.split(",") if kind.strip()]
    results: list[tuple[str, list[float], dict[str, float], str]] = []
    with tempfile.TemporaryDirectory(prefix="deskmate-dashboard-") as work:
        for kind in kinds:
            with database(kind, args, Path(work)) as url:
                if not args.no_analyze:
                    analyze(url)
                log(f"{kind}: measuring at most {args.runs} builds or {args.seconds:.0f} s")
                times, sections, loads = measure(url, args)
                results.append((kind, times, sections, loads))
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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
