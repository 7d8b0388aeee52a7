"""Talks to the gateway's widget API exactly as the widget does."""

import json
from typing import Any

import httpx


class WidgetClient:
    """One customer's browser: a conversation id and token, and the messages seen so far."""

    def __init__(self, base_url: str, conversation_id: str | None = None, token: str | None = None) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=60.0)
        self.conversation_id = conversation_id
        self.token = token

    def start(self) -> dict[str, Any]:
        response = self.http.post("/api/widget/conversations",
                                  json={"conversation_id": self.conversation_id, "token": self.token})
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        self.conversation_id, self.token = body["conversation_id"], body["token"]
        return body

    def _headers(self) -> dict[str, str]:
        return {"X-Conversation-Token": self.token or ""}

    def post(self, body: Any) -> httpx.Response:
        return self.http.post(f"/api/widget/conversations/{self.conversation_id}/messages",
                              json=body, headers=self._headers())

    def send(self, text: str) -> list[dict[str, Any]]:
        """Send text; returns the replies."""
        response = self.post({"text": text})
        assert response.status_code == 200, response.text
        replies: list[dict[str, Any]] = response.json()["replies"]
        return replies

    def press(self, button: dict[str, str]) -> list[dict[str, Any]]:
        response = self.post({"payload": button["payload"], "title": button["title"]})
        assert response.status_code == 200, response.text
        replies: list[dict[str, Any]] = response.json()["replies"]
        return replies

    def messages(self, after: int = 0) -> list[dict[str, Any]]:
        response = self.http.get(f"/api/widget/conversations/{self.conversation_id}/messages",
                                 params={"after": after}, headers=self._headers())
        response.raise_for_status()
        messages: list[dict[str, Any]] = response.json()["messages"]
        return messages

    def stream_until(self, predicate: Any, *, after: int = 0, timeout: float = 20.0) -> list[dict[str, Any]]:
        """Read server-sent events until `predicate(message)` holds; returns every message read."""
        seen: list[dict[str, Any]] = []
        url = f"/api/widget/conversations/{self.conversation_id}/events"
        with self.http.stream("GET", url, params={"token": self.token, "after": after},
                              timeout=httpx.Timeout(timeout)) as response:
            response.raise_for_status()
            for line in response.iter_lines():
                if line.startswith("data: "):
                    message = json.loads(line[len("data: "):])
                    seen.append(message)
                    if predicate(message):
                        return seen
        raise AssertionError(f"stream ended before the expected message; saw {seen}")


def button(reply: dict[str, Any], payload_prefix: str) -> dict[str, str]:
    """The reply's button whose payload starts with `payload_prefix`."""
    for candidate in reply["buttons"]:
        if candidate["payload"].startswith(payload_prefix):
            return dict(candidate)
    raise AssertionError(f"no button {payload_prefix!r} in {reply['buttons']}")
