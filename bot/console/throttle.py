"""Lockout after repeated failed sign-ins: per e-mail address and per client address.

Kept in memory per gateway process (a restart forgets it). Failures older than the window are
forgotten; a key with `limit` failures inside the window is locked until the oldest of them
leaves the window. A successful sign-in clears the e-mail's failures.
"""

import threading
import time
from collections import deque
from collections.abc import Callable

MAX_KEYS = 50_000


class LoginThrottle:
    """Counts failed sign-ins per key (an e-mail address, a client address) in a sliding window."""

    def __init__(
        self, *, limit: int, window_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window_seconds
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.get(key)
        if failures is None:
            return deque()
        while failures and now - failures[0] >= self.window:
            failures.popleft()
        if not failures:
            del self._failures[key]
        return failures

    def retry_after(self, key: str) -> float:
        """Seconds until `key` may try again; 0 when it is not locked."""
        with self._lock:
            now = self._clock()
            failures = self._recent(key, now)
            if len(failures) < self.limit:
                return 0.0
            return max(0.0, self.window - (now - failures[-self.limit]))

    def fail(self, key: str) -> None:
        """Record one failed sign-in for `key`."""
        with self._lock:
            now = self._clock()
            if len(self._failures) >= MAX_KEYS:
                self._prune(now)
            self._recent(key, now)
            self._failures.setdefault(key, deque(maxlen=self.limit)).append(now)

    def clear(self, key: str) -> None:
        """Forget `key`'s failures (after a successful sign-in)."""
        with self._lock:
            self._failures.pop(key, None)

    def _prune(self, now: float) -> None:
        for key in list(self._failures):
            self._recent(key, now)
        if len(self._failures) >= MAX_KEYS:  # still full of live keys: drop the oldest half
            oldest = sorted(self._failures, key=lambda k: self._failures[k][-1])
            for key in oldest[: MAX_KEYS // 2]:
                del self._failures[key]
