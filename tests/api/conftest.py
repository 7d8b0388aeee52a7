"""A gateway app whose routes (also the read-only ones) run on the test's rolled-back session."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from bot.app import create_app
from bot.deps import get_session
from bot.read_session import get_read_session


@pytest.fixture
def client(session: Session) -> Iterator[TestClient]:
    """An HTTP client for the gateway; every request uses the test's session."""
    app = create_app()
    app.dependency_overrides[get_session] = lambda: session
    app.dependency_overrides[get_read_session] = lambda: session
    with TestClient(app, follow_redirects=False) as http:
        yield http
