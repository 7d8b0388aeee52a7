"""The lead dashboard served from recent builds, so opening it takes milliseconds, not seconds.

Building the dashboard aggregates every ticket, timeline entry and bot question of two periods
in SQL: about two seconds for 90 days of a 100,000-ticket history on a small server (see
docs/benchmarks.md). A lead does not need the figures to the second, so the gateway keeps the
latest build of each view (period and filters) and serves it while it is younger than
`fresh_seconds` (a minute by default). After that it checks whether the data changed (a new
ticket, timeline entry, message, conversation or bot question): if not, the build is still
current; if so, the old build is served at once, marked with its time, and a new one is made in
the background. Only a changed view that nobody asked for in `stale_seconds`, or one never asked
for, is built while the lead waits. A warmer does the same check every minute for the views
asked for in the last day, so the morning's first look is current too. `?fresh=1` builds a view
now, for a lead who just changed something.

Builds for "the last N days" slide with the clock; a fixed from/to period does not, so it is
rebuilt only when the data changed. Every view records when it was built, and the page says so.
Setting `fresh_seconds` to 0 turns the cache off: every request builds.
"""

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi.concurrency import run_in_threadpool
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.dashboard_request import DashboardQuery, build_query
from handoff.metrics import Dashboard, build_dashboard
from handoff.models import Conversation, KbQuery, Message, Ticket, TicketEvent, utcnow

logger = logging.getLogger(__name__)

DataVersion = tuple[int, ...]
ViewKey = tuple[object, ...]
SessionFactory = Callable[[], AbstractContextManager[Session]]
Clock = Callable[[], datetime]

KEEP_WARM_FOR = timedelta(days=1)  # views asked for within this are rebuilt by the warmer
SLIDING_MAX_AGE = timedelta(minutes=15)  # "last N days" moves on even when nothing else changed
MAX_VIEWS = 64


def data_version(session: Session) -> DataVersion:
    """The newest row of every table the figures read: it changes whenever the figures can.

    Five primary-key maxima, each a single index lookup. Every change a figure depends on adds
    one of these rows: agents' actions write a timeline entry, customers' clicks a message.
    """
    tables = (Ticket.id, TicketEvent.id, Message.id, Conversation.id, KbQuery.id)
    return tuple(session.scalar(select(func.coalesce(func.max(column), 0))) or 0 for column in tables)


def view_key(query: DashboardQuery) -> ViewKey:
    """What identifies a view: the rolling length or the fixed days, and the filters."""
    period: tuple[object, ...] = (
        ("days", query.days) if query.days is not None else ("dates", query.first_day, query.last_day))
    filters = query.filters
    return (*period, filters.channel, filters.category, filters.group, filters.agent_id)


@dataclass
class CachedView:
    """The latest build of one view, when it was last known current, and last asked for."""

    query: DashboardQuery
    dashboard: Dashboard
    version: DataVersion
    built_at: datetime
    checked_at: datetime  # built, or found with nothing changed since
    requested_at: datetime

    def age(self, now: datetime) -> timedelta:
        """How long ago the view was last known to be current."""
        return now - self.checked_at


class DashboardCache:
    """Latest builds per view; serves them while recent and rebuilds in one background thread."""

    def __init__(
        self,
        *,
        fresh_seconds: float,
        stale_seconds: float,
        open_session: SessionFactory,
        clock: Clock = utcnow,
        build: Callable[[Session, DashboardQuery], Dashboard] | None = None,
    ) -> None:
        self.fresh = timedelta(seconds=fresh_seconds)
        self.stale = timedelta(seconds=max(stale_seconds, fresh_seconds))
        self._open_session = open_session
        self._clock = clock
        self._build = build or _build_dashboard
        self._views: dict[ViewKey, CachedView] = {}
        self._building: dict[ViewKey, Future[None]] = {}
        self._lock = threading.Lock()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dashboard-build")

    @property
    def enabled(self) -> bool:
        return self.fresh > timedelta(0)

    def dashboard(self, session: Session, query: DashboardQuery, *, fresh: bool = False) -> Dashboard:
        """The view's figures: a recent build if there is one, else built now in `session`."""
        if not self.enabled or fresh:
            return self._build_now(session, query)
        key, now = view_key(query), self._clock()
        with self._lock:
            cached = self._views.get(key)
            if cached is not None:
                cached.requested_at = now
        if cached is None:
            return self._build_now(session, query)
        if cached.age(now) <= self.fresh or not self._outdated(session, cached, now):
            return cached.dashboard
        if cached.age(now) > self.stale:
            return self._build_now(session, query)
        self.refresh_later(key)
        return cached.dashboard

    def refresh_due(self) -> int:
        """The warmer's pass: rebuild the views asked for lately whose data moved on; forget the
        ones nobody asked for in a day. Returns how many rebuilds were started."""
        now = self._clock()
        with self._lock:
            for key in [k for k, view in self._views.items() if now - view.requested_at > KEEP_WARM_FOR]:
                del self._views[key]
            candidates = [(key, view) for key, view in self._views.items() if view.age(now) > self.fresh]
        if not candidates:
            return 0
        started = 0
        with self._open_session() as session:
            for key, view in candidates:
                if self._outdated(session, view, now) and self.refresh_later(key):
                    started += 1
        return started

    def refresh_later(self, key: ViewKey) -> bool:
        """Rebuild a view in the background thread unless it is already being rebuilt."""
        with self._lock:
            if key in self._building or key not in self._views:
                return False
            self._building[key] = self._worker.submit(self._rebuild, key)
        return True

    def wait_for_rebuilds(self) -> None:
        """Block until the background rebuilds started so far are done (tests, shutdown)."""
        with self._lock:
            pending = list(self._building.values())
        for future in pending:
            future.result()

    def close(self) -> None:
        """Stop the background thread (pending rebuilds are dropped)."""
        self._worker.shutdown(wait=False, cancel_futures=True)

    def built_at(self, query: DashboardQuery) -> datetime | None:
        """When the view's cached build was made (None: not cached)."""
        with self._lock:
            cached = self._views.get(view_key(query))
        return cached.built_at if cached is not None else None

    def _outdated(self, session: Session, view: CachedView, now: datetime) -> bool:
        """Whether the view's figures may have changed; if not, it counts as checked now."""
        if view.query.days is not None and now - view.built_at > SLIDING_MAX_AGE:
            return True
        if data_version(session) != view.version:
            return True
        with self._lock:
            view.checked_at = max(view.checked_at, now)
        return False

    def _build_now(self, session: Session, query: DashboardQuery) -> Dashboard:
        started, version = self._clock(), data_version(session) if self.enabled else ()
        dashboard = self._build(session, query)
        if self.enabled:
            self._store(query, dashboard, version, built_at=started, requested=True)
        return dashboard

    def _rebuild(self, key: ViewKey) -> None:
        try:
            with self._lock:
                old = self._views.get(key)
            if old is None:
                return
            started = self._clock()
            with self._open_session() as session:
                query = _same_view_now(session, old.query, started)
                version = data_version(session)
                dashboard = self._build(session, query)
            self._store(query, dashboard, version, built_at=started, requested=False)
        except Exception:  # a failed rebuild keeps the old figures; the next pass tries again
            logger.exception("dashboard rebuild failed for %s", key)
        finally:
            with self._lock:
                self._building.pop(key, None)

    def _store(self, query: DashboardQuery, dashboard: Dashboard, version: DataVersion, *,
               built_at: datetime, requested: bool) -> None:
        key = view_key(query)
        with self._lock:
            old = self._views.get(key)
            requested_at = built_at if requested or old is None else old.requested_at
            self._views[key] = CachedView(query, dashboard, version, built_at, built_at, requested_at)
            while len(self._views) > MAX_VIEWS:
                oldest = min(self._views, key=lambda k: self._views[k].requested_at)
                del self._views[oldest]


def _build_dashboard(session: Session, query: DashboardQuery) -> Dashboard:
    return build_dashboard(session, period=query.period, filters=query.filters)


def _same_view_now(session: Session, query: DashboardQuery, now: datetime) -> DashboardQuery:
    """The view's query again: "the last N days" now ends now; a fixed period stays put."""
    filters = query.filters
    if query.days is not None:
        return build_query(session, days=query.days, channel=filters.channel, category=filters.category,
                           group=filters.group, agent_id=filters.agent_id, now=now)
    return build_query(session, first=query.first_day, last=query.last_day, channel=filters.channel,
                       category=filters.category, group=filters.group, agent_id=filters.agent_id, now=now)


class DashboardWarmer:
    """Runs the cache's `refresh_due` pass every `interval_seconds` until stopped."""

    def __init__(self, cache: DashboardCache, interval_seconds: float) -> None:
        self._cache = cache
        self._interval = interval_seconds
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        if not self._cache.enabled:
            return
        while not self._stopping.is_set():
            try:
                await asyncio.wait_for(self._stopping.wait(), timeout=self._interval)
            except TimeoutError:
                pass
            if self._stopping.is_set():
                break
            try:
                await run_in_threadpool(self._cache.refresh_due)
            except Exception:  # the loop must outlive a bad pass (e.g. the database restarting)
                logger.exception("dashboard warm-up pass failed; will retry")
        self._cache.close()

    def stop(self) -> None:
        self._stopping.set()
