"""The sign-in lockout (a moving window from the `limits` library)."""

import time

from bot.console.throttle import LoginThrottle


def test_key_is_locked_at_the_limit_and_tells_how_long() -> None:
    throttle = LoginThrottle(limit=3, window_seconds=600)
    for _ in range(2):
        throttle.fail("sam@example.com")
    assert throttle.retry_after("sam@example.com") == 0
    throttle.fail("sam@example.com")
    wait = throttle.retry_after("sam@example.com")
    assert 0 < wait <= 600


def test_lock_lifts_once_the_failures_leave_the_window() -> None:
    throttle = LoginThrottle(limit=2, window_seconds=1)
    throttle.fail("a")
    throttle.fail("a")
    assert throttle.retry_after("a") > 0
    time.sleep(1.2)
    assert throttle.retry_after("a") == 0


def test_success_clears_and_keys_are_separate() -> None:
    throttle = LoginThrottle(limit=1, window_seconds=60)
    throttle.fail("a")
    assert throttle.retry_after("a") > 0 and throttle.retry_after("b") == 0
    throttle.clear("a")
    assert throttle.retry_after("a") == 0


def test_two_throttles_do_not_share_counts() -> None:
    first, second = LoginThrottle(limit=1, window_seconds=60), LoginThrottle(limit=1, window_seconds=60)
    first.fail("a")
    assert second.retry_after("a") == 0
