"""Prometheus metrics of the gateway, served at `/metrics` in the text exposition format.

Two kinds of figures, kept apart on purpose:

- what this process sees happen is counted where it happens, in memory: messages through the
  conversation flow, outbox deliveries, the bot's round-trip time to Rasa, HTTP latency by route;
- what other processes write (the action server opens most tickets and records every knowledge-
  base decision) and what is a state rather than an event (outbox depth, open tickets, SLA) is
  read from the database when Prometheus scrapes, by `DatabaseCollector`: one small set of
  aggregate queries per scrape, so the figures are right across restarts and several gateways.

Each app gets its own `GatewayMetrics` (its own registry): tests build several apps in one
process, and two apps must never share or double-register a counter.
"""

import logging
import secrets
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.types import Message as AsgiMessage

from bot.read_session import ReadSessionDep
from bot.settings import get_settings
from handoff import OPEN_STATES, Message
from handoff.models import Conversation, KbQuery, OutboxItem, SlaMark, Ticket

logger = logging.getLogger(__name__)

# Seconds: a bot reply is usually well under a second; Rasa's timeout is 15 s by default.
BOT_REPLY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0)
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
OUTBOX_WAITING = ("pending", "failed")  # delivered rows are history, not depth
SLA_METRICS = ("first_response", "resolution")
UNMATCHED_ROUTE = "unmatched"  # requests no route took: one label, not one per path typed


class GatewayMetrics:
    """The in-process counters and histograms of one gateway app, in a registry of its own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.messages = Counter(
            "deskmate_messages",
            "Messages through the conversation flow: customer messages in, bot and system replies out.",
            ["channel", "sender"],
            registry=self.registry,
        )
        self.outbox_deliveries = Counter(
            "deskmate_outbox_deliveries",
            "Outbox deliveries to the customer's channel (agent replies, "
            "notices) by outcome: delivered, or retry (the item stays queued or gives up).",
            ["channel", "sender", "outcome"],
            registry=self.registry,
        )
        self.bot_reply_seconds = Histogram(
            "deskmate_bot_reply_seconds",
            "Round trip from the gateway to Rasa and back for one customer "
            "message; outcome unavailable when Rasa failed or timed out.",
            ["outcome"],
            buckets=BOT_REPLY_BUCKETS,
            registry=self.registry,
        )
        self.http_request_seconds = Histogram(
            "deskmate_http_request_seconds",
            "Time from receiving an HTTP request to starting the response, "
            "by route template (streams count until their headers are sent).",
            ["method", "route", "status"],
            buckets=HTTP_BUCKETS,
            registry=self.registry,
        )

    def count_messages(self, channel: str, messages: Iterable[Message]) -> None:
        """Count stored conversation messages by their channel and sender."""
        for message in messages:
            self.messages.labels(channel=channel, sender=message.sender).inc()

    @contextmanager
    def time_bot_reply(self) -> Iterator[None]:
        """Time one call to Rasa; a call that raises is recorded as `unavailable` and re-raised."""
        started = time.perf_counter()
        outcome = "unavailable"
        try:
            yield
            outcome = "ok"
        finally:
            self.bot_reply_seconds.labels(outcome=outcome).observe(time.perf_counter() - started)

    def count_delivery(self, *, channel: str, sender: str, delivered: bool) -> None:
        """Count one outbox delivery attempt."""
        outcome = "delivered" if delivered else "retry"
        self.outbox_deliveries.labels(channel=channel, sender=sender, outcome=outcome).inc()


class DatabaseCollector(Collector):
    """Figures read from the database at scrape time (one collector per scrape, on its session)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def collect(self) -> Iterable[Metric]:
        yield self._outbox_depth()
        yield self._open_tickets()
        yield from self._sla_now()
        yield self._sla_breaches()
        yield self._tickets_created()
        yield self._kb_decisions()

    def _outbox_depth(self) -> Metric:
        counts = dict(
            self._session.execute(
                select(OutboxItem.status, func.count())
                .where(OutboxItem.status.in_(OUTBOX_WAITING))
                .group_by(OutboxItem.status)
            )
            .tuples()
            .all()
        )
        family = GaugeMetricFamily(
            "deskmate_outbox_depth",
            "Outbox items not delivered: pending (waiting or retrying) and failed (given up).",
            labels=["status"],
        )
        for status in OUTBOX_WAITING:
            family.add_metric([status], counts.get(status, 0))
        return family

    def _open_tickets(self) -> Metric:
        counts = dict(
            self._session.execute(
                select(Ticket.status, func.count())
                .where(Ticket.status.in_(OPEN_STATES))
                .group_by(Ticket.status)
            )
            .tuples()
            .all()
        )
        family = GaugeMetricFamily("deskmate_open_tickets", "Open tickets by state.", labels=["status"])
        for status in OPEN_STATES:
            family.add_metric([status], counts.get(status, 0))
        return family

    def _sla_now(self) -> Iterator[Metric]:
        """Open tickets at risk or breached now, as the SLA scheduler last recorded them."""
        counts: dict[tuple[str, str], int] = {}
        for metric, column in (
            ("first_response", Ticket.first_response_state),
            ("resolution", Ticket.resolution_state),
        ):
            rows = self._session.execute(
                select(column, func.count())
                .where(Ticket.status.in_(OPEN_STATES), column.in_(("at_risk", "breached")))
                .group_by(column)
            ).tuples()
            for state, count in rows:
                counts[(metric, state)] = count
        for state, name, text in (
            ("breached", "deskmate_sla_breached_open_tickets", "Open tickets whose SLA target is breached."),
            (
                "at_risk",
                "deskmate_sla_at_risk_open_tickets",
                "Open tickets whose SLA target is at risk (75 % of the time used).",
            ),
        ):
            family = GaugeMetricFamily(name, text, labels=["metric"])
            for metric in SLA_METRICS:
                family.add_metric([metric], counts.get((metric, state), 0))
            yield family

    def _sla_breaches(self) -> Metric:
        """Every SLA breach ever recorded (sla_marks: once per ticket, target and reopening)."""
        totals = dict.fromkeys(SLA_METRICS, 0)
        rows = self._session.execute(
            select(SlaMark.metric, func.count()).where(SlaMark.state == "breached").group_by(SlaMark.metric)
        ).tuples()
        for key, count in rows:
            metric = key.partition("#")[0]  # stored as first_response#<reopen count>
            totals[metric] = totals.get(metric, 0) + count
        family = CounterMetricFamily("deskmate_sla_breaches", "SLA targets breached.", labels=["metric"])
        for metric, count in totals.items():
            family.add_metric([metric], count)
        return family

    def _tickets_created(self) -> Metric:
        rows = self._session.execute(
            select(Ticket.reason, Conversation.channel, func.count())
            .join(Conversation, Ticket.conversation_id == Conversation.id)
            .group_by(Ticket.reason, Conversation.channel)
        ).tuples()
        family = CounterMetricFamily(
            "deskmate_tickets_created",
            "Tickets opened, by handoff reason and the customer's channel.",
            labels=["reason", "channel"],
        )
        for reason, channel, count in rows:
            family.add_metric([reason, channel], count)
        return family

    def _kb_decisions(self) -> Metric:
        rows = self._session.execute(
            select(KbQuery.decision, func.count()).group_by(KbQuery.decision)
        ).tuples()
        family = CounterMetricFamily(
            "deskmate_kb_decisions",
            "Knowledge-base lookups by the bot's decision (answer, clarify, miss, "
            "always_human, unavailable).",
            labels=["decision"],
        )
        for decision, count in rows:
            family.add_metric([decision], count)
        return family


class _Scrape(Collector):
    """The app's registry and this scrape's database figures, exposed as one."""

    def __init__(self, *collectors: Collector) -> None:
        self._collectors = collectors

    def collect(self) -> Iterable[Metric]:
        for collector in self._collectors:
            yield from collector.collect()


def exposition(metrics: GatewayMetrics, session: Session) -> bytes:
    """The metrics in Prometheus' text format."""
    return generate_latest(_Scrape(metrics.registry, DatabaseCollector(session)))


class HttpMetricsMiddleware:
    """Times every HTTP request by method, route template (not the raw path) and status."""

    def __init__(self, app: ASGIApp, metrics: GatewayMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        recorded = False

        def record(status: int) -> None:
            nonlocal recorded
            if recorded:
                return
            recorded = True
            route = getattr(scope.get("route"), "path", None) or UNMATCHED_ROUTE
            self.metrics.http_request_seconds.labels(
                method=scope.get("method", ""), route=route, status=str(status)
            ).observe(time.perf_counter() - started)

        async def send_and_time(message: AsgiMessage) -> None:
            if message["type"] == "http.response.start":
                record(int(message["status"]))
            await send(message)

        try:
            await self.app(scope, receive, send_and_time)
        except Exception:
            record(500)
            raise


router = APIRouter(include_in_schema=False)


def _scraper_allowed(request: Request) -> bool:
    """With `DESKMATE_METRICS_TOKEN` set, only a scraper sending it as a bearer token may read.

    The figures (ticket counts, queue depths) are no secret of customers', but a team may not want
    them public; Prometheus sends the token with `authorization: {credentials: ...}`.
    """
    expected = get_settings().metrics_token.get_secret_value()
    if not expected:
        return True
    given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    return secrets.compare_digest(given.encode(), expected.encode())


@router.get("/metrics")
def read_metrics(request: Request, session: ReadSessionDep) -> Response:
    """Prometheus metrics in the text exposition format."""
    if not _scraper_allowed(request):
        return Response("A bearer token is needed to read the metrics.\n", status_code=401,
                        media_type="text/plain", headers={"WWW-Authenticate": "Bearer"})
    metrics: GatewayMetrics = request.app.state.metrics
    return Response(exposition(metrics, session), media_type=CONTENT_TYPE_LATEST)


def install(app: FastAPI, metrics: GatewayMetrics) -> None:
    """Serve `/metrics` for `metrics` and time every request of the app."""
    app.state.metrics = metrics
    app.add_middleware(HttpMetricsMiddleware, metrics=metrics)
    app.include_router(router)
