"""Dependencies that are down or slow, and restarts: the customer gets a clear answer, nothing is lost."""

import os
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest

from bot.processes import ManagedProcess, free_port
from bot.stack import REPO_ROOT, build_processes
from handoff import upgrade_database
from tests.e2e.conftest import AGENT_EMAIL, RunningStack
from tests.utils.postgres import PostgresServer
from tests.utils.widget_client import WidgetClient


def _ticket_number(text: str) -> int:
    found = re.search(r"ticket #(\d+)", text)
    assert found, text
    return int(found.group(1))


def _gateway(stack: RunningStack, rasa_port: int, timeout: float) -> ManagedProcess:
    """A second gateway on the same database, talking to Rasa at `rasa_port`."""
    config = replace(stack.config, gateway_port=free_port(), rasa_port=rasa_port, rasa_timeout_seconds=timeout)
    gateway = build_processes(config, stack.model)[-1]
    gateway.log_path = config.var_dir / "log" / f"gateway-{config.gateway_port}.log"
    return gateway


@pytest.fixture
def silent_rasa() -> Iterator[int]:
    """A port that accepts connections and never answers: a hung Rasa server."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(server.getsockname()[1])
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    server.close()


@pytest.mark.parametrize("rasa", ["down", "slow"])
def test_rasa_down_or_slow_hands_off_with_a_clear_message(
    stack: RunningStack, agent_api: httpx.Client, silent_rasa: int, rasa: str
) -> None:
    gateway = _gateway(stack, free_port() if rasa == "down" else silent_rasa, timeout=2.0)
    gateway.start()
    try:
        gateway.wait_healthy(60)
        customer = WidgetClient(gateway.health_url.removesuffix("/health"))
        customer.start()
        replies = customer.send("how do I export my data?")
        assert "I'm having trouble" in replies[-1]["text"]
        number = _ticket_number(replies[-1]["text"])
        assert customer.send("hello? anyone?") == []  # no more bot answers: a human owns it
        detail = agent_api.get(f"/api/agent/tickets/{number}").json()
        assert detail["ticket"]["reason"] == "bot_unavailable"
        assert [m["text"] for m in detail["transcript"] if m["sender"] == "customer"] == [
            "how do I export my data?", "hello? anyone?"]
    finally:
        gateway.stop()


def test_action_server_down_hands_off(stack: RunningStack, agent_api: httpx.Client) -> None:
    actions = stack.process("action server")
    actions.stop()
    try:
        customer = WidgetClient(stack.base_url)
        customer.start()
        replies = customer.send("how do I invite a team member?")
        number = _ticket_number(replies[-1]["text"])
        assert agent_api.get(f"/api/agent/tickets/{number}").json()["ticket"]["reason"] == "bot_unavailable"
    finally:
        actions.start()
        actions.wait_healthy(120)


def test_reply_written_while_the_gateway_is_down_is_delivered_after_restart(
    stack: RunningStack, agent_api: httpx.Client
) -> None:
    customer = WidgetClient(stack.base_url)
    customer.start()
    number = _ticket_number(customer.send("I need to talk to a person")[-1]["text"])
    seen = customer.messages()
    gateway = stack.process("gateway")
    gateway.stop()
    try:
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"{stack.base_url}/health", timeout=2)
        result = subprocess.run(
            [sys.executable, "-m", "handoff", "reply", str(number), "Sorry for the wait!", "--agent", AGENT_EMAIL],
            cwd=REPO_ROOT, env={**os.environ, **stack.config.environment()},
            capture_output=True, text=True, check=True,
        )
        assert f"queued for ticket #{number}" in result.stdout
    finally:
        gateway.start()
        gateway.wait_healthy(60)
    again = WidgetClient(stack.base_url, customer.conversation_id, customer.token)
    again.start()
    caught_up = again.messages(after=seen[-1]["id"])
    assert [m["text"] for m in caught_up] == ["Sorry for the wait!"]
    detail = agent_api.get(f"/api/agent/tickets/{number}").json()
    assert [m["text"] for m in detail["transcript"]][: len(seen)] == [m["text"] for m in seen]


def test_database_down_gets_a_clear_503_and_recovers(stack: RunningStack, postgres_server: PostgresServer) -> None:
    url = postgres_server.create_database("deskmate_outage")
    upgrade_database(url)
    config = replace(stack.config, gateway_port=free_port(), database_url=url)
    gateway = build_processes(config, stack.model)[-1]
    gateway.log_path = config.var_dir / "log" / f"gateway-{config.gateway_port}.log"
    gateway.start()
    try:
        gateway.wait_healthy(60)
        base = gateway.health_url.removesuffix("/health")
        customer = WidgetClient(base)
        customer.start()
        postgres_server.stop_server()
        try:
            response = customer.post({"text": "hello, is anyone there?"})
            assert response.status_code == 503
            assert "temporarily unavailable" in response.json()["detail"]
            assert httpx.get(f"{base}/health").status_code == 503
        finally:
            postgres_server.start_server()
        assert customer.send("hello again")  # the same conversation works once the database is back
        assert [m["text"] for m in customer.messages() if m["sender"] == "customer"] == ["hello again"]
    finally:
        gateway.stop()
