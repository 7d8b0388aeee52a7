"""The real product for end-to-end tests: Rasa, the action server and the gateway on free ports."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bot.processes import ManagedProcess, free_port
from bot.stack import StackConfig, build_processes, prepare, start_all, stop_all
from handoff import create_agent, session_scope

AGENT_EMAIL = "sam@ledgerly.example"
AGENT_PASSWORD = "a long test password"


@dataclass
class RunningStack:
    config: StackConfig
    processes: list[ManagedProcess]
    model: Path

    @property
    def base_url(self) -> str:
        return self.config.url(self.config.gateway_port)

    def process(self, name: str) -> ManagedProcess:
        return next(process for process in self.processes if process.name == name)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """The whole product, prepared and started exactly as `make run` does."""
    var_dir = tmp_path_factory.mktemp("stack")
    config = StackConfig(
        var_dir=var_dir,
        database_url=f"sqlite:///{var_dir / 'deskmate.db'}",
        gateway_port=free_port(), rasa_port=free_port(), actions_port=free_port(),
        rasa_timeout_seconds=30.0,
    )
    model = prepare(config)
    processes = build_processes(config, model)
    start_all(processes)
    with session_scope(config.database_url) as session:
        create_agent(session, email=AGENT_EMAIL, display_name="Sam", password=AGENT_PASSWORD, role="agent")
    yield RunningStack(config, processes, model)
    stop_all(processes)


@pytest.fixture(scope="session")
def agent_api(stack: RunningStack) -> Iterator[httpx.Client]:
    """An HTTP client signed in as an agent."""
    client = httpx.Client(base_url=stack.base_url, timeout=30.0)
    response = client.post("/api/agent/token", data={"username": AGENT_EMAIL, "password": AGENT_PASSWORD})
    response.raise_for_status()
    client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
    yield client
    client.close()
