"""A gateway app whose console runs on the test's rolled-back database session."""

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from bot.app import create_app
from bot.deps import get_session

PASSWORD = "correct horse battery"


@pytest.fixture
def client(session: Session) -> Iterator[TestClient]:
    """An HTTP client for the gateway; every request uses the test's session."""
    app = create_app()
    app.dependency_overrides[get_session] = lambda: session
    with TestClient(app, follow_redirects=False) as http:
        yield http


def form_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF field in the page"
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Sign in through the form; returns the CSRF token of the new session."""
    page = client.get("/console/login")
    response = client.post(
        "/console/login", data={"email": email, "password": password, "csrf_token": form_token(page.text)}
    )
    assert response.status_code == 303, response.text
    return form_token(client.get("/console/tickets").text)
