"""Bad input gets a clear error and loses nothing."""

import httpx

from tests.e2e.conftest import RunningStack
from tests.utils.widget_client import WidgetClient


def _customer(stack: RunningStack) -> WidgetClient:
    client = WidgetClient(stack.base_url)
    client.start()
    return client


def test_empty_message_is_refused(stack: RunningStack) -> None:
    response = _customer(stack).post({"text": "   "})
    assert response.status_code == 422
    assert response.json()["detail"] == "Message is empty"


def test_oversize_message_is_refused_with_the_limit(stack: RunningStack) -> None:
    customer = _customer(stack)
    response = customer.post({"text": "x" * 2001})
    assert response.status_code == 413
    assert "limit 2000" in response.json()["detail"]
    assert customer.messages() == []


def test_broken_json_is_refused(stack: RunningStack) -> None:
    customer = _customer(stack)
    response = customer.http.post(
        f"/api/widget/conversations/{customer.conversation_id}/messages",
        content=b'{"text": "hello',
        headers={"X-Conversation-Token": customer.token or "", "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert "JSON" in response.text


def test_unknown_conversation_or_wrong_token_is_404(stack: RunningStack) -> None:
    customer = _customer(stack)
    stranger = WidgetClient(stack.base_url, customer.conversation_id, "not-the-token")
    assert stranger.post({"text": "hi"}).status_code == 404
    assert WidgetClient(stack.base_url, "nope", "nope").post({"text": "hi"}).status_code == 404


def test_a_wrong_token_starts_a_new_conversation_instead_of_leaking(stack: RunningStack) -> None:
    customer = _customer(stack)
    customer.send("hello")
    body = WidgetClient(stack.base_url, customer.conversation_id, "guess").start()
    assert body["conversation_id"] != customer.conversation_id
    assert body["messages"] == []


def test_html_is_stored_exactly_as_typed(stack: RunningStack, agent_api: httpx.Client) -> None:
    customer = _customer(stack)
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)> I need a human'
    customer.send(payload)
    assert customer.messages()[0]["text"] == payload


def test_unknown_ticket_number_is_404_for_agents(agent_api: httpx.Client) -> None:
    assert agent_api.get("/api/agent/tickets/987654").status_code == 404
    response = agent_api.post("/api/agent/tickets/987654/replies", json={"text": "hello"})
    assert response.status_code == 404
    assert response.json()["detail"] == "Ticket #987654 not found"


def test_agent_api_needs_a_valid_token(stack: RunningStack) -> None:
    response = httpx.get(f"{stack.base_url}/api/agent/tickets", headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 401
    wrong = httpx.post(f"{stack.base_url}/api/agent/token", data={"username": "sam@ledgerly.example",
                                                                 "password": "nope"})
    assert wrong.status_code == 401
