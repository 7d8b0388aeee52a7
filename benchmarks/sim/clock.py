"""A virtual clock for the help desk, so a simulated month runs in minutes without sleeping.

Every time the help desk stamps comes from one function, `handoff.models.utcnow()`, which calls
`datetime.now(UTC)` on the `datetime` name of `handoff.models`. The other modules import
`utcnow` by name and the column defaults hold the function itself, so patching `utcnow` would
miss them; patching the `datetime` it calls reaches them all. `virtual_time` does that in this
process only, and undoes it on exit. Where the API takes `now=` the simulation passes it as well.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, tzinfo

import handoff.models


class VirtualClock:
    """The simulated present, in UTC; it only moves forward."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("the clock needs an aware start time")
        self.now = start.astimezone(UTC)

    def advance_to(self, moment: datetime) -> None:
        """Move the clock to `moment` (never backwards)."""
        if moment < self.now:
            raise ValueError(f"time runs forward only: {moment} < {self.now}")
        self.now = moment


@contextmanager
def virtual_time(clock: VirtualClock) -> Iterator[VirtualClock]:
    """Make `handoff.models.utcnow()` return `clock.now` until the block ends."""

    class _VirtualDatetime(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
            return clock.now.astimezone(tz) if tz is not None else clock.now.replace(tzinfo=None)

    original = handoff.models.datetime
    handoff.models.datetime = _VirtualDatetime  # type: ignore[misc]
    try:
        yield clock
    finally:
        handoff.models.datetime = original  # type: ignore[misc]
