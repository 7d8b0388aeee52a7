"""Wakes up live streams (server-sent events) when a conversation gets a new message.

Writers may run in worker threads, so they call `notify` which hops onto the event loop. Streams
also re-check the database every few seconds, which covers writes made by other processes.
"""

import asyncio
import logging

logger = logging.getLogger(__name__)


class LiveHub:
    """Per-conversation wake-up signals for streams in this process."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._events: dict[int, set[asyncio.Event]] = {}

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Remember the event loop that streams run on."""
        self._loop = loop

    def subscribe(self, conversation_id: int) -> asyncio.Event:
        event = asyncio.Event()
        self._events.setdefault(conversation_id, set()).add(event)
        return event

    def unsubscribe(self, conversation_id: int, event: asyncio.Event) -> None:
        waiting = self._events.get(conversation_id)
        if waiting is not None:
            waiting.discard(event)
            if not waiting:
                del self._events[conversation_id]

    def notify(self, conversation_id: int) -> None:
        """Wake every stream of this conversation (safe from any thread)."""
        if self._loop is None or self._loop.is_closed():
            return
        self._loop.call_soon_threadsafe(self._wake, conversation_id)

    def _wake(self, conversation_id: int) -> None:
        for event in self._events.get(conversation_id, ()):
            event.set()
