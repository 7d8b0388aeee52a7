"""Who is typing a reply on which ticket, for the collision warning (kept per gateway process)."""

import threading
import time
from collections.abc import Callable

TYPING_SECONDS = 6.0


class TypingBoard:
    """Remembers, per ticket, which agents typed in the last few seconds."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._typing: dict[int, dict[int, tuple[str, float]]] = {}
        self._lock = threading.Lock()

    def typing(self, number: int, agent_id: int, name: str) -> None:
        with self._lock:
            self._typing.setdefault(number, {})[agent_id] = (name, self._clock())

    def stopped(self, number: int, agent_id: int) -> None:
        with self._lock:
            self._typing.get(number, {}).pop(agent_id, None)

    def others(self, number: int, agent_id: int) -> list[str]:
        """Names of the other agents typing on the ticket now, sorted."""
        now = self._clock()
        with self._lock:
            agents = self._typing.get(number, {})
            for other in [a for a, (_, at) in agents.items() if now - at > TYPING_SECONDS]:
                del agents[other]
            if not agents:
                self._typing.pop(number, None)
            return sorted(name for other, (name, _) in agents.items() if other != agent_id)
