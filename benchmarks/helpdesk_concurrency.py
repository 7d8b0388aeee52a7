"""Claims and state changes under concurrent agents, on SQLite and PostgreSQL, with a check that none is lost.

    .venv/bin/python benchmarks/helpdesk_concurrency.py [--tickets 2000] [--threads 8]
        [--databases sqlite,postgres] [--timeout 300]

A fresh database per run (migrated with `upgrade_database`) has one claim-mode group with one
member per thread and `--tickets` tickets handed off into its queue. Then, in real time:

1. claims: every thread, as an agent's console would, reads the head of the queue (the
   `--window` nearest deadlines) in one transaction and claims one of them at random in another,
   until the queue is empty. Threads race for the same tickets; a lost race is `DispatchError`.
2. transitions: every thread moves the tickets it won in_progress → awaiting_customer →
   in_progress → resolved, one transaction per change, as the agent API does (`change_status`,
   and `resolve` for the last step).

Afterwards every ticket must have exactly one `claimed` event naming the assignee it has, have
been won by exactly one thread, and be resolved. Each phase stops at `--timeout` seconds.
Prints a Markdown section for docs/benchmarks.md on stdout.
"""

import argparse
import dataclasses
import os
import random
import shlex
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.desk import databases, dispose  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from handoff import (  # noqa: E402
    DispatchError,
    change_status,
    claim,
    hand_off,
    load_helpdesk_config,
    record_message,
    resolve,
    seed_defaults,
    session_scope,
    start_conversation,
    upgrade_database,
)
from handoff.models import Agent, SkillGroup, Ticket, TicketEvent  # noqa: E402
from handoff.timeline import agent_actor  # noqa: E402

STEPS = ("awaiting_customer", "in_progress", "resolved")


@dataclass
class Worker:
    """One agent's thread: what it won and how long each call took."""

    agent_id: int
    won: list[int] = field(default_factory=list)
    lost_races: int = 0
    claim_seconds: list[float] = field(default_factory=list)
    transitions: int = 0
    transition_seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Result:
    kind: str
    tickets: int
    handoff_seconds: float
    claims: int
    claim_wall: float
    lost_races: int
    claim_latency: tuple[float, float]
    transitions: int
    transition_wall: float
    transition_latency: tuple[float, float]
    problems: list[str]


def set_up(url: str, *, agents: int, tickets: int) -> tuple[list[int], float]:
    """One claim-mode group with `agents` members and `tickets` tickets in its queue."""
    upgrade_database(url, seed=False)
    config = dataclasses.replace(load_helpdesk_config(), templates=[], skill_groups=[
        {"name": "queue", "tier": 1, "categories": [], "dispatch_mode": "claim"}])
    with session_scope(url) as session:
        seed_defaults(session, config)
        group = session.scalar(select(SkillGroup))
        members = [Agent(email=f"agent{n}@example.com", display_name=f"Agent {n}", password_hash="!",
                         groups=[group]) for n in range(agents)]
        session.add_all(members)
        session.flush()
        ids = [member.id for member in members]
    began = time.perf_counter()
    for n in range(tickets):
        with session_scope(url) as session:
            conversation, _token = start_conversation(session, channel="web")
            record_message(session, conversation=conversation, sender="customer",
                           text=f"the app is slow ({n})")
            hand_off(session, conversation_public_id=conversation.public_id, reason="asked_for_human")
    return ids, time.perf_counter() - began


def claim_loop(url: str, worker: Worker, *, window: int, deadline: float, seed: int) -> None:
    """Claim from the queue's head until it is empty (or time is up)."""
    rng = random.Random(seed)
    while time.monotonic() < deadline:
        try:
            with session_scope(url, read_only=True) as session:
                head = list(session.scalars(
                    select(Ticket.id).where(Ticket.status == "new", Ticket.assignee_id.is_(None))
                    .order_by(Ticket.first_response_due, Ticket.id).limit(window)))
            if not head:
                return
            ticket_id = rng.choice(head)
            began = time.perf_counter()
            try:
                with session_scope(url) as session:
                    ticket, agent = session.get(Ticket, ticket_id), session.get(Agent, worker.agent_id)
                    assert ticket is not None and agent is not None
                    claim(session, ticket, agent)
                worker.won.append(ticket_id)
            except DispatchError:
                worker.lost_races += 1
            worker.claim_seconds.append(time.perf_counter() - began)
        except Exception as error:  # reported, and the run counts as failed
            worker.errors.append(f"claim: {error!r}")
            return


def transition_loop(url: str, worker: Worker, *, deadline: float) -> None:
    """Move each won ticket through awaiting the customer and back to resolved."""
    actor = agent_actor(worker.agent_id)
    for ticket_id in worker.won:
        for step in STEPS:
            if time.monotonic() >= deadline:
                return
            began = time.perf_counter()
            try:
                with session_scope(url) as session:
                    ticket = session.get(Ticket, ticket_id)
                    assert ticket is not None
                    if step == "resolved":
                        resolve(session, number=ticket.number or 0, actor=actor, reason="benchmark")
                    else:
                        change_status(session, ticket, step, actor=actor, reason="benchmark")
            except Exception as error:  # reported, and the run counts as failed
                worker.errors.append(f"{step}: {error!r}")
                return
            worker.transitions += 1
            worker.transition_seconds.append(time.perf_counter() - began)


def run_threads(workers: list[Worker], loop: Callable[[Worker], None]) -> float:
    """Run `loop` for every worker, each in its own thread; the phase's wall time."""
    threads = [threading.Thread(target=loop, args=(worker,)) for worker in workers]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began


def verify(url: str, workers: list[Worker], tickets: int) -> list[str]:
    """What is wrong after the run: lost or doubled claims, tickets not resolved (empty when all is well)."""
    problems = [error for worker in workers for error in worker.errors]
    winners = Counter(ticket_id for worker in workers for ticket_id in worker.won)
    won_by = {ticket_id: worker.agent_id for worker in workers for ticket_id in worker.won}
    doubled = [ticket_id for ticket_id, count in winners.items() if count > 1]
    with session_scope(url, read_only=True) as session:
        rows = session.execute(select(Ticket.id, Ticket.assignee_id, Ticket.status)).all()
        claimed = session.execute(
            select(TicketEvent.ticket_id, func.count(TicketEvent.id))
            .where(TicketEvent.kind == "claimed").group_by(TicketEvent.ticket_id)).all()
        events = {ticket_id: count for ticket_id, count in claimed}
        named = {e.ticket_id: e.detail.get("assignee_id")
                 for e in session.scalars(select(TicketEvent).where(TicketEvent.kind == "claimed"))}
    if len(rows) != tickets:
        problems.append(f"{len(rows)} tickets in the database, {tickets} handed off")
    unclaimed = [tid for tid, assignee, _ in rows if assignee is None or tid not in winners]
    wrong = [tid for tid, assignee, _ in rows if assignee is not None and won_by.get(tid) != assignee]
    not_one_event = [tid for tid, _, _ in rows if events.get(tid, 0) != 1]
    event_mismatch = [tid for tid, assignee, _ in rows if named.get(tid) != assignee]
    unresolved = [tid for tid, _, status in rows if status != "resolved"]
    for label, found in (("claimed by two threads", doubled), ("lost (never claimed)", unclaimed),
                         ("assignee is not the winner", wrong),
                         ("not exactly one claimed event", not_one_event),
                         ("claimed event names another agent", event_mismatch),
                         ("not resolved", unresolved)):
        if found:
            problems.append(f"{len(found)} tickets {label}, e.g. {found[:5]}")
    return problems


def quantiles(seconds: list[float]) -> tuple[float, float]:
    """Median and 95th percentile, in milliseconds."""
    if len(seconds) < 2:
        return (1000 * seconds[0], 1000 * seconds[0]) if seconds else (float("nan"), float("nan"))
    cuts = statistics.quantiles(seconds, n=20)
    return 1000 * statistics.median(seconds), 1000 * cuts[18]


def run(kind: str, url: str, args: argparse.Namespace) -> Result:
    """One database: set up, race for the queue, walk the transitions, verify."""
    agent_ids, handoff_seconds = set_up(url, agents=args.threads, tickets=args.tickets)
    workers = [Worker(agent_id) for agent_id in agent_ids]
    deadline = time.monotonic() + args.timeout
    claim_wall = run_threads(workers, lambda w: claim_loop(
        url, w, window=args.window, deadline=deadline, seed=args.seed + w.agent_id))
    deadline = time.monotonic() + args.timeout
    transition_wall = run_threads(workers, lambda w: transition_loop(url, w, deadline=deadline))
    problems = verify(url, workers, args.tickets)
    dispose(url)
    claims = sum(len(w.won) for w in workers)
    result = Result(
        kind=kind, tickets=args.tickets, handoff_seconds=handoff_seconds,
        claims=claims, claim_wall=claim_wall, lost_races=sum(w.lost_races for w in workers),
        claim_latency=quantiles([s for w in workers for s in w.claim_seconds]),
        transitions=sum(w.transitions for w in workers), transition_wall=transition_wall,
        transition_latency=quantiles([s for w in workers for s in w.transition_seconds]),
        problems=problems,
    )
    print(f"{kind}: {claims} claims in {claim_wall:.1f} s, {result.transitions} transitions in "
          f"{transition_wall:.1f} s, problems: {problems or 'none'}", file=sys.stderr, flush=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--window", type=int, default=8, help="queue head each thread picks from")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per phase at most")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with databases() as found:
        results = [run(kind, found.new_url(kind), args) for kind in args.databases.split(",")]
    print_report(args, results)
    return 0 if all(not r.problems for r in results) else 1


def print_report(args: argparse.Namespace, results: list[Result]) -> None:
    """The Markdown section for docs/benchmarks.md."""
    command = " ".join(shlex.quote(a) for a in sys.argv[1:])
    shown = f"{' ' + command if command else ''}"
    print("### Help desk: claims and state changes under concurrent agents\n")
    print(f"Command: `.venv/bin/python benchmarks/helpdesk_concurrency.py{shown}` — {args.threads} threads "
          f"as agents of one claim-mode group, {args.tickets:,} tickets, each thread claiming at random "
          f"among the {args.window} nearest deadlines; {os.cpu_count()} cores, load average over the last "
          f"15 minutes {os.getloadavg()[2]:.1f} (other work shared the machine).\n")
    print("| database | claims/s | claim p50 / p95 | races lost | transitions/s | transition p50 / p95 | "
          "hand-offs/s (setup, 1 thread) | check |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        check = ("every ticket claimed once, none lost, all resolved" if not r.problems
                 else f"FAILED ({len(r.problems)} problems): " + "; ".join(r.problems[:3]))
        print(f"| {r.kind} | {r.claims / r.claim_wall:.0f} ({r.claims:,} in {r.claim_wall:.1f} s) | "
              f"{r.claim_latency[0]:.0f} / {r.claim_latency[1]:.0f} ms | {r.lost_races:,} | "
              f"{r.transitions / r.transition_wall:.0f} ({r.transitions:,} in {r.transition_wall:.1f} s) | "
              f"{r.transition_latency[0]:.0f} / {r.transition_latency[1]:.0f} ms | "
              f"{r.tickets / r.handoff_seconds:.0f} | {check} |")
    print("\nA claim is one transaction (`claim`: a conditional UPDATE, then the event and the state "
          "change); reading the queue is another. A lost race is a claim refused because another "
          "agent took the ticket first. Latencies include waiting for the database's write lock.")


if __name__ == "__main__":
    raise SystemExit(main())
