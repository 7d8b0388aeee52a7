"""The real product for end-to-end tests: Rasa, the action server and the gateway on free ports."""

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser
from sqlalchemy import select

from bot.processes import ManagedProcess, free_port
from bot.stack import StackConfig, build_processes, prepare, start_all, stop_all
from handoff import Agent, create_agent, session_scope
from handoff.models import SkillGroup
from tests.e2e.browser import People, chromium
from tests.utils.telegram_standin import BotApiStandIn
from tests.utils.widget_client import WidgetClient

AGENT_EMAIL = "sam@ledgerly.example"
AGENT_PASSWORD = "a long test password"
SECOND_AGENT_EMAIL = "kim@ledgerly.example"
OUTSIDER_EMAIL = "olga@ledgerly.example"
LEAD_EMAIL = "lee@ledgerly.example"


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
        groups = list(session.scalars(select(SkillGroup)))
        for email, name, role, member in ((AGENT_EMAIL, "Sam", "agent", True), (SECOND_AGENT_EMAIL, "Kim", "agent", True),
                                          (OUTSIDER_EMAIL, "Olga", "agent", False), (LEAD_EMAIL, "Lee", "lead", False)):
            agent = create_agent(session, email=email, display_name=name, password=AGENT_PASSWORD, role=role)
            agent.capacity = 1000  # the suite opens many tickets; dispatch must not run out of room
            if member:
                agent.groups.extend(groups)
        session.flush()
        # Kim stays off auto-dispatch, so automatic assignment in the tests is predictable (Sam).
        kim = session.scalar(select(Agent).where(Agent.email == SECOND_AGENT_EMAIL))
        assert kim is not None
        kim.is_available = False
    yield RunningStack(config, processes, model)
    stop_all(processes)


def signed_in(stack: RunningStack, email: str) -> httpx.Client:
    """An HTTP client for the agent API with a bearer token for `email`."""
    client = httpx.Client(base_url=stack.base_url, timeout=30.0)
    response = client.post("/api/agent/token", data={"username": email, "password": AGENT_PASSWORD})
    response.raise_for_status()
    client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
    return client


def ticket_number(text: str) -> int:
    """The ticket number in the bot's handoff message."""
    found = re.search(r"ticket #(\d+)", text)
    assert found, text
    return int(found.group(1))


def handed_off(stack: RunningStack, *texts: str) -> tuple[WidgetClient, int]:
    """A widget customer who writes `texts`, the last of which hands them to a person."""
    customer = WidgetClient(stack.base_url)
    customer.start()
    for text in texts[:-1]:
        customer.send(text)
    return customer, ticket_number(customer.send(texts[-1])[-1]["text"])


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's chromium, one per test module."""
    with chromium() as instance:
        yield instance


@pytest.fixture
def people(stack: RunningStack, browser: Browser) -> Iterator[People]:
    """Agents and customers of one test, each in a browser context of their own."""
    crowd = People(browser, stack.base_url, AGENT_PASSWORD)
    yield crowd
    crowd.close()


@pytest.fixture(scope="session")
def agent_api(stack: RunningStack) -> Iterator[httpx.Client]:
    """An HTTP client signed in as Sam, an agent in every group."""
    client = signed_in(stack, AGENT_EMAIL)
    yield client
    client.close()


# The Telegram channel against a local stand-in of the Bot API (module scope: a module that uses
# it gets its own stand-in and its own second gateway with the channel on).


_bot_ids = itertools.count(123456)


@pytest.fixture(scope="module")
def standin() -> Iterator[BotApiStandIn]:
    # A bot of its own per module: the gateway keeps its update offset per bot id in var/, and a
    # new stand-in numbers its updates from 1 again, so a shared bot id would skip them.
    server = BotApiStandIn(token=f"{next(_bot_ids)}:e2e-standin-token")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def telegram_gateway(stack: RunningStack, standin: BotApiStandIn) -> Iterator[ManagedProcess]:
    """A gateway with the Telegram channel on, polling the stand-in."""
    config = replace(stack.config, gateway_port=free_port())
    gateway = build_processes(config, stack.model)[-1]
    gateway.log_path = config.var_dir / "log" / f"gateway-telegram-{config.gateway_port}.log"
    gateway.env = {
        **gateway.env,
        "DESKMATE_TELEGRAM_BOT_TOKEN": standin.token,
        "DESKMATE_TELEGRAM_BASE_URL": standin.base_url,
        "DESKMATE_TELEGRAM_POLL_TIMEOUT": "5",
        "DESKMATE_OUTBOX_POLL_SECONDS": "0.2",
    }
    gateway.start()
    gateway.wait_healthy(90)
    yield gateway
    gateway.stop()
