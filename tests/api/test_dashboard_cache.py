"""The dashboard served from recent builds: quick while recent, rebuilt in the background after a
minute when the data moved on, built on request when nobody asked for a long time or asks fresh."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from bot.dashboard_cache import DashboardCache
from bot.dashboard_request import DashboardQuery, build_query
from handoff import hand_off
from handoff.models import utcnow
from tests.utils.factories import make_conversation

FRESH, STALE = 60.0, 900.0


class Clock:
    """The cache's idea of now, moved by the test."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cache(session: Session, clock: Clock) -> Iterator[DashboardCache]:
    @contextmanager
    def same_session() -> Iterator[Session]:
        yield session  # the background rebuild reads the test's (uncommitted) data

    built = DashboardCache(fresh_seconds=FRESH, stale_seconds=STALE, open_session=same_session, clock=clock)
    yield built
    built.close()


def today(session: Session) -> DashboardQuery:
    return build_query(session, days=1)


def new_ticket(session: Session) -> None:
    conversation = make_conversation(session, "I want a person")
    hand_off(session, conversation_public_id=conversation.public_id, reason="asked_for_human")
    session.flush()


def tickets_created(cache: DashboardCache, session: Session, *, fresh: bool = False) -> int | float | None:
    return cache.dashboard(session, today(session), fresh=fresh).figure("tickets_created").value


def test_a_recent_build_is_served_as_it_is(cache: DashboardCache, session: Session, clock: Clock) -> None:
    assert tickets_created(cache, session) == 0
    new_ticket(session)
    clock.advance(FRESH - 1)
    assert tickets_created(cache, session) == 0  # a minute-old figure, not a 2-second wait
    assert tickets_created(cache, session, fresh=True) == 1  # "Update now"


def test_after_a_minute_the_old_build_is_served_and_a_new_one_made_in_the_background(
    cache: DashboardCache, session: Session, clock: Clock
) -> None:
    first = cache.dashboard(session, today(session))
    new_ticket(session)
    clock.advance(FRESH + 1)
    served = cache.dashboard(session, today(session))
    assert served is first  # at once, without waiting for the build
    cache.wait_for_rebuilds()
    assert tickets_created(cache, session) == 1
    assert cache.built_at(today(session)) == clock.now


def test_a_fixed_period_whose_data_did_not_change_is_not_rebuilt(
    cache: DashboardCache, session: Session, clock: Clock
) -> None:
    day = utcnow().date()
    fixed = build_query(session, first=day, last=day)
    first = cache.dashboard(session, fixed)
    clock.advance(STALE + 1)
    assert cache.dashboard(session, fixed) is first  # nothing changed: still current
    cache.wait_for_rebuilds()
    assert cache.dashboard(session, fixed) is first  # and no rebuild was made


def test_a_view_nobody_asked_for_in_a_long_time_is_built_on_request(
    cache: DashboardCache, session: Session, clock: Clock
) -> None:
    assert tickets_created(cache, session) == 0
    new_ticket(session)
    clock.advance(STALE + 1)
    assert tickets_created(cache, session) == 1


def test_filters_and_periods_are_separate_views(
    cache: DashboardCache, session: Session, clock: Clock
) -> None:
    assert tickets_created(cache, session) == 0
    new_ticket(session)
    web = build_query(session, days=1, channel="web")
    assert cache.dashboard(session, web).figure("tickets_created").value == 1
    week = build_query(session, days=7)
    assert cache.dashboard(session, week).figure("tickets_created").value == 1
    assert tickets_created(cache, session) == 0  # still the first view's build


def test_the_warmer_rebuilds_views_in_use_whose_data_moved_on_and_forgets_unused_ones(
    cache: DashboardCache, session: Session, clock: Clock
) -> None:
    assert tickets_created(cache, session) == 0
    assert cache.refresh_due() == 0  # nothing is a minute old yet
    new_ticket(session)
    clock.advance(FRESH + 1)
    assert cache.refresh_due() == 1
    cache.wait_for_rebuilds()
    assert tickets_created(cache, session) == 1

    clock.advance(FRESH + 1)
    assert cache.refresh_due() == 0  # the data did not move on since
    clock.advance(24 * 3600)
    cache.refresh_due()
    assert cache.built_at(today(session)) is None  # nobody asked for a day: forgotten


def test_a_failed_rebuild_keeps_the_old_figures(session: Session, clock: Clock) -> None:
    @contextmanager
    def database_down() -> Iterator[Session]:
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))
        yield session  # pragma: no cover

    cache = DashboardCache(fresh_seconds=FRESH, stale_seconds=STALE, open_session=database_down, clock=clock)
    try:
        first = cache.dashboard(session, today(session))
        new_ticket(session)
        clock.advance(FRESH + 1)
        assert cache.dashboard(session, today(session)) is first
        cache.wait_for_rebuilds()
        assert cache.dashboard(session, today(session)) is first
    finally:
        cache.close()


def test_with_no_fresh_time_every_request_builds(session: Session) -> None:
    cache = DashboardCache(fresh_seconds=0, stale_seconds=0, open_session=lambda: pytest.fail("no rebuilds"))
    try:
        assert tickets_created(cache, session) == 0
        new_ticket(session)
        assert tickets_created(cache, session) == 1
        assert cache.built_at(today(session)) is None
    finally:
        cache.close()
