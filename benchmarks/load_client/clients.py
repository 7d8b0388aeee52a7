"""Signed-in HTTP clients that send the probes, bounded by count and time, and what they measured."""

import random
import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

import httpx

from load_client.probes import Accounts, Probe

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Results:
    """Latencies in milliseconds by (page, variant), and the failures."""

    samples: dict[tuple[str, str], list[float]] = field(default_factory=lambda: defaultdict(list))
    failures: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    wall: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, probe: Probe, ms: float, status: int) -> None:
        with self.lock:
            if status == 200:
                self.samples[(probe.page, probe.variant)].append(ms)
            else:
                self.failures[f"{probe.page} / {probe.variant}: HTTP {status}"] += 1

    def page(self, page: str) -> list[float]:
        return [ms for (name, _), values in self.samples.items() if name == page for ms in values]

    def count(self) -> int:
        return sum(len(values) for values in self.samples.values())


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(share * len(ordered) + 0.999999) - 1))]


def sign_in(base_url: str, email: str, password: str) -> httpx.Client:
    """A client signed in to the console through the real form (login CSRF cookie and field)."""
    client = httpx.Client(base_url=base_url, timeout=30.0, follow_redirects=False)
    token = CSRF_FIELD.search(client.get("/console/login").text)
    if token is None:
        raise RuntimeError("no CSRF field on the sign-in form")
    response = client.post("/console/login", data={"email": email, "password": password,
                                                   "csrf_token": token.group(1)})
    if response.status_code != 303:
        raise RuntimeError(f"sign-in as {email} failed: HTTP {response.status_code}")
    return client


@dataclass(frozen=True)
class Bounds:
    """How much load: clients, requests and seconds at most, and the pause between a client's requests."""

    clients: int
    requests: int
    seconds: float
    think_ms: float
    seed: int


def run_load(base_url: str, accounts: Accounts, probes: list[tuple[Probe, float]], bounds: Bounds) -> Results:
    """Warm up, then `bounds.clients` clients (agents and leads alternating) until either bound is reached."""
    results = Results()
    tickets = iter(range(bounds.requests))  # one per measured request, shared by the clients
    tickets_lock = threading.Lock()
    deadline = time.monotonic() + bounds.seconds

    def client_loop(index: int) -> None:
        role = "agent" if index % 2 == 0 else "lead"
        email = accounts.agent_email if role == "agent" else accounts.lead_email
        mine = [(probe, weight) for probe, weight in probes if probe.role == role]
        rng = random.Random(f"{bounds.seed}:{index}")
        client = sign_in(base_url, email, accounts.password)
        try:
            for probe, _ in mine:  # warm-up: every kind of request once, not measured
                client.get(probe.paths[0])
            while time.monotonic() < deadline:
                with tickets_lock:
                    if next(tickets, None) is None:
                        return
                # reading the page before the next click
                time.sleep(rng.uniform(0, 2 * bounds.think_ms / 1000))
                probe = rng.choices([p for p, _ in mine], weights=[w for _, w in mine])[0]
                began = time.perf_counter()
                response = client.get(rng.choice(probe.paths))
                results.add(probe, (time.perf_counter() - began) * 1000, response.status_code)
        except Exception as error:  # reported with the figures, never silently dropped
            results.failures[f"client {index} stopped: {error!r}"] += 1
            raise
        finally:
            client.close()

    threads = [threading.Thread(target=client_loop, args=(index,)) for index in range(bounds.clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.wall = time.perf_counter() - began
    return results
