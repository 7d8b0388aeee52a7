"""A Bot API stand-in per test, for the Telegram channel's unit tests."""

from collections.abc import Iterator

import pytest

from tests.utils.telegram_standin import BotApiStandIn


@pytest.fixture
def standin() -> Iterator[BotApiStandIn]:
    server = BotApiStandIn()
    server.start()
    yield server
    server.stop()
