"""The sign-in lockout, with a fake clock."""

from bot.console.throttle import LoginThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_key_is_locked_after_the_limit_and_unlocked_after_the_window() -> None:
    clock = Clock()
    throttle = LoginThrottle(limit=3, window_seconds=60, clock=clock)
    for _ in range(2):
        throttle.fail("sam@example.com")
    assert throttle.retry_after("sam@example.com") == 0
    throttle.fail("sam@example.com")
    assert throttle.retry_after("sam@example.com") == 60
    clock.now += 59
    assert throttle.retry_after("sam@example.com") == 1
    clock.now += 1
    assert throttle.retry_after("sam@example.com") == 0


def test_old_failures_do_not_count() -> None:
    clock = Clock()
    throttle = LoginThrottle(limit=2, window_seconds=60, clock=clock)
    throttle.fail("a")
    clock.now += 61
    throttle.fail("a")
    assert throttle.retry_after("a") == 0


def test_success_clears_and_keys_are_separate() -> None:
    throttle = LoginThrottle(limit=1, window_seconds=60, clock=Clock())
    throttle.fail("a")
    assert throttle.retry_after("a") > 0 and throttle.retry_after("b") == 0
    throttle.clear("a")
    assert throttle.retry_after("a") == 0
