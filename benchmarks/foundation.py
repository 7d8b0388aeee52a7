"""Foundation figures: start-up time, widget→bot reply latency through Rasa, and memory per process.

    .venv/bin/python benchmarks/foundation.py [--messages 200] [--out docs/benchmarks.md]

Starts the whole product on free ports with a fresh var folder (exactly as `make run` does,
reusing the trained model from the cache), sends messages one after another through the widget
API, and reads each process's resident memory from /proc. Prints a Markdown section.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.processes import ManagedProcess, free_port  # noqa: E402
from bot.stack import StackConfig, build_processes, prepare, start_all, stop_all  # noqa: E402

QUESTIONS = [
    "how do I reset my password",
    "can I pay for ledgerly with sepa direct debit",
    "my bank feed stopped updating",
    "how do recurring invoices work",
    "what's the difference between growth and pro",
    "hello",
    "how do I export my data",
    "can I invoice in euros",
]


def rss_mb(process: ManagedProcess) -> float:
    """Resident memory of the process and all its children, in MB."""
    assert process.process is not None
    pids = {process.process.pid}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) == process.process.pid:
                    pids.add(int(entry.name))
            except (ProcessLookupError, PermissionError):
                continue
    total_kb = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except OSError:
            continue
    return total_kb / 1024


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=200)
    args = parser.parse_args()
    var_dir = Path(tempfile.mkdtemp(prefix="deskmate-bench-"))
    config = StackConfig(var_dir=var_dir, database_url=f"sqlite:///{var_dir / 'deskmate.db'}",
                         gateway_port=free_port(), rasa_port=free_port(), actions_port=free_port())
    started = time.monotonic()
    model = prepare(config)
    prepared = time.monotonic()
    processes = build_processes(config, model)
    start_all(processes)
    ready = time.monotonic()
    try:
        client = httpx.Client(base_url=config.url(config.gateway_port), timeout=60)
        latencies: list[float] = []
        conversation = None
        for i in range(args.messages):
            if i % 4 == 0:  # a new conversation every few turns, so no handoff ends the run
                conversation = client.post("/api/widget/conversations", json={}).json()
            assert conversation is not None
            begin = time.perf_counter()
            response = client.post(
                f"/api/widget/conversations/{conversation['conversation_id']}/messages",
                json={"text": QUESTIONS[i % len(QUESTIONS)]},
                headers={"X-Conversation-Token": conversation["token"]},
            )
            latencies.append((time.perf_counter() - begin) * 1000)
            response.raise_for_status()
        memory = {process.name: rss_mb(process) for process in processes}
    finally:
        stop_all(processes)
    print("### Foundation: start-up, reply latency, memory\n")
    print("Command: `.venv/bin/python benchmarks/foundation.py --messages "
          f"{args.messages}` (2 cores; Rasa model already in the cache)\n")
    print("| figure | value |\n|---|---|")
    print(f"| prepare (migrate + index + calibrate; model from cache) | {prepared - started:.1f} s |")
    print(f"| processes started and healthy | {ready - prepared:.1f} s |")
    print(f"| widget message → bot reply through Rasa, p50 ({args.messages} sequential) | "
          f"{statistics.median(latencies):.0f} ms |")
    print(f"| same, p95 | {percentile(latencies, 0.95):.0f} ms |")
    for name, mb in memory.items():
        print(f"| resident memory, {name} | {mb:.0f} MB |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
