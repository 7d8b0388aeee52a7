"""GET /metrics: Prometheus text with the database's state at scrape time and request latencies."""

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.orm import Session

from bot.app import create_app
from bot.settings import get_settings
from handoff import add_agent_reply, hand_off, start_conversation
from handoff.models import KbQuery, OutboxItem, SlaMark, Ticket
from tests.utils.factories import make_agent

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(client: TestClient) -> Samples:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def open_ticket(session: Session, *, channel: str, reason: str) -> Ticket:
    conversation, _token = start_conversation(session, channel=channel)
    result = hand_off(session, conversation_public_id=conversation.public_id, reason=reason, channel=channel)
    ticket = session.query(Ticket).filter_by(number=result.ticket_number).one()
    return ticket


def test_metrics_read_tickets_outbox_sla_and_kb_decisions_from_the_database(
    client: TestClient, session: Session
) -> None:
    before = scrape(client)
    agent = make_agent(session, "metrics-agent@example.com")
    web = open_ticket(session, channel="web", reason="asked_for_human")
    telegram = open_ticket(session, channel="telegram", reason="repeated_miss")
    open_ticket(session, channel="web", reason="asked_for_human")
    add_agent_reply(
        session, number=web.number or 0, agent=agent, text="Hello, Sam here."
    )  # in progress, queued
    failed = add_agent_reply(session, number=telegram.number or 0, agent=agent, text="Still there?")
    session.query(OutboxItem).filter_by(message_id=failed.id).one().status = "failed"
    telegram.resolution_state = "breached"
    web.first_response_state = "at_risk"
    session.add(SlaMark(ticket_id=telegram.id, metric="resolution#0", state="breached"))
    session.add(SlaMark(ticket_id=web.id, metric="first_response#1", state="breached"))
    session.add(SlaMark(ticket_id=web.id, metric="first_response#0", state="at_risk"))
    for decision in ("answer", "answer", "miss"):
        session.add(
            KbQuery(conversation_id=web.conversation_id, question="how do I export?", decision=decision)
        )
    session.flush()

    after = scrape(client)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("deskmate_tickets_created_total", reason="asked_for_human", channel="web") == 2
    assert grew("deskmate_tickets_created_total", reason="repeated_miss", channel="telegram") == 1
    assert grew("deskmate_open_tickets", status="in_progress") == 2
    assert grew("deskmate_open_tickets", status="new") == 1
    assert grew("deskmate_outbox_depth", status="pending") == 1
    assert grew("deskmate_outbox_depth", status="failed") == 1
    assert grew("deskmate_sla_breached_open_tickets", metric="resolution") == 1
    assert grew("deskmate_sla_at_risk_open_tickets", metric="first_response") == 1
    assert grew("deskmate_sla_breaches_total", metric="resolution") == 1
    assert (
        grew("deskmate_sla_breaches_total", metric="first_response") == 1
    )  # the at-risk mark is not a breach
    assert grew("deskmate_kb_decisions_total", decision="answer") == 2
    assert grew("deskmate_kb_decisions_total", decision="miss") == 1


def test_request_latency_is_labelled_by_route_template_not_by_path(client: TestClient) -> None:
    assert client.get("/api/agent/tickets/123456").status_code == 401
    assert client.get("/no/such/page/4711").status_code == 404

    samples = scrape(client)

    templated = (
        "deskmate_http_request_seconds_count",
        (("method", "GET"), ("route", "/api/agent/tickets/{number}"), ("status", "401")),
    )
    assert samples[templated] == 1
    assert (
        value(samples, "deskmate_http_request_seconds_count", method="GET", route="unmatched", status="404")
        == 1
    )
    assert not any("123456" in str(labels) or "4711" in str(labels) for _name, labels in samples)


def test_every_app_counts_its_own_requests(client: TestClient) -> None:
    other = TestClient(create_app())  # a second app in the same process: no clash of registries
    client.get("/api/agent/tickets/1")
    client.get("/api/agent/tickets/1")
    other.get("/api/agent/tickets/1")

    labels = {"method": "GET", "route": "/api/agent/tickets/{number}", "status": "401"}
    assert value(scrape(client), "deskmate_http_request_seconds_count", **labels) == 2
    registry = other.app.state.metrics.registry  # type: ignore[attr-defined]
    assert registry.get_sample_value("deskmate_http_request_seconds_count", labels) == 1


def test_with_a_metrics_token_only_a_scraper_sending_it_reads_the_metrics(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DESKMATE_METRICS_TOKEN", "s3cret-scrape-token")
    get_settings.cache_clear()
    try:
        refused = client.get("/metrics")
        assert refused.status_code == 401 and "bearer token" in refused.text
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        allowed = client.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape-token"})
        assert allowed.status_code == 200 and "deskmate_open_tickets" in allowed.text
    finally:
        monkeypatch.delenv("DESKMATE_METRICS_TOKEN")
        get_settings.cache_clear()
