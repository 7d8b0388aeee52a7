"""Talks to the Rasa server's REST channel; a failure becomes a `BotUnavailable`, never a 500."""

import logging
from dataclasses import dataclass, field
from typing import Any

import httpx

logger = logging.getLogger(__name__)


class BotUnavailable(RuntimeError):
    """Rasa (or its action server) did not answer properly in time."""


@dataclass(frozen=True)
class BotReply:
    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)
    custom: dict[str, Any] = field(default_factory=dict)


class RasaClient:
    """A small synchronous client for `/webhooks/rest/webhook`."""

    def __init__(self, base_url: str, timeout_seconds: float) -> None:
        self._url = base_url.rstrip("/") + "/webhooks/rest/webhook"
        self._client = httpx.Client(timeout=timeout_seconds)

    def send(self, *, sender: str, message: str, metadata: dict[str, Any] | None = None) -> list[BotReply]:
        """Send one customer message; returns the bot's replies.

        An empty answer counts as a failure: every intent of our assistant replies, so silence
        means a custom action failed (for example the action server is down).
        """
        body = {"sender": sender, "message": message, "metadata": metadata or {}}
        try:
            response = self._client.post(self._url, json=body)
            response.raise_for_status()
            items = response.json()
        except (httpx.HTTPError, ValueError) as error:
            logger.warning("rasa unavailable: %s", error)
            raise BotUnavailable(str(error)) from error
        replies = [_to_reply(item) for item in items if isinstance(item, dict)]
        replies = [reply for reply in replies if reply.text or reply.buttons]
        if not replies:
            raise BotUnavailable("rasa returned no reply")
        return replies

    def close(self) -> None:
        self._client.close()


def _to_reply(item: dict[str, Any]) -> BotReply:
    buttons = [
        {"title": str(button.get("title", "")), "payload": str(button.get("payload", ""))}
        for button in item.get("buttons") or []
        if isinstance(button, dict)
    ]
    custom = item.get("custom") if isinstance(item.get("custom"), dict) else {}
    return BotReply(text=str(item.get("text") or ""), buttons=buttons, custom=custom or {})
