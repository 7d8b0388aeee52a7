"""Lockout after repeated failed sign-ins: per e-mail address and per client address.

The counting is the `limits` library's moving window (the one behind slowapi and
Flask-Limiter): a key with `limit` failures inside the window is locked until the oldest of
them leaves the window. Kept in memory per gateway process (a restart forgets it); a
successful sign-in clears the e-mail's failures.
"""

import math
import time

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter


class LoginThrottle:
    """Counts failed sign-ins per key (an e-mail address, a client address) in a moving window."""

    def __init__(self, *, limit: int, window_seconds: float, namespace: str = "console-login") -> None:
        self.limit = limit
        self.window = window_seconds
        self._item = RateLimitItemPerSecond(limit, max(1, math.ceil(window_seconds)), namespace=namespace)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def retry_after(self, key: str) -> float:
        """Seconds until `key` may try again; 0 when it is not locked."""
        if self._limiter.test(self._item, key):
            return 0.0
        reset_at = self._limiter.get_window_stats(self._item, key).reset_time
        return max(0.0, reset_at - time.time())

    def fail(self, key: str) -> None:
        """Record one failed sign-in for `key` (beyond the limit it stays locked; nothing more to count)."""
        self._limiter.hit(self._item, key)

    def clear(self, key: str) -> None:
        """Forget `key`'s failures (after a successful sign-in)."""
        self._limiter.clear(self._item, key)
